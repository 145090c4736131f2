"""The case list from plain values (issue 17) answers byte for byte what the serializer-built
list answered: rows, pagination links, filters, errors, content type, and the OpenAPI schema."""
import datetime
import decimal
import uuid

import pytest
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient, APIRequestFactory, force_authenticate

from cases.api.serializers import CaseListSerializer
from cases.access import Action, visible_cases
from cases.api.views import CaseViewSet
from cases.models import Case
from coordination.api.renderers import OrjsonRenderer

READERS = ["rtm.officer", "rtm.analyst", "rtm.prosecutor", "ham.officer", "anr.officer", "liaison.officer",
           "rtm.auditor"]
ODD_TITLES = ["Cocaïne in ananassen — 🍍", 'Quotes " and \\ backslash', "Line\u2028and\u2029paragraph",
              "Tab\tnewline\n<script>&amp;", "ØÅ 中文 \x7f"]


class SerializerCaseList(CaseViewSet):
    """The list as it was before issue 17: model instances through CaseListSerializer, written
    by DRF's JSONRenderer."""

    def get_renderers(self):
        return [JSONRenderer()]

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(CaseListSerializer(page, many=True).data)


def serializer_answer(user, url: str, **headers):
    request = APIRequestFactory().get(url, **headers)
    force_authenticate(request, user=user)
    return SerializerCaseList.as_view({"get": "list"})(request).render()


def values_answer(user, url: str, **headers):
    client = APIClient()
    client.force_authenticate(user)
    return client.get(url, **headers)


def assert_same_answer(user, url: str, **headers):
    old, new = serializer_answer(user, url, **headers), values_answer(user, url, **headers)
    assert (new.status_code, new["Content-Type"]) == (old.status_code, old["Content-Type"])
    assert new.content == old.content
    return new


@pytest.fixture
def odd_cases(cast):
    """Cases whose rows stress the formatting: odd characters, both sides of a DST change,
    microseconds, a seizure at midnight UTC, every handling code, a referral."""
    officer = cast["rtm.officer"]
    agency = officer.memberships.get().agency
    moments = [datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.timezone.utc),
               datetime.datetime(2026, 7, 15, 23, 30, 5, 123456, tzinfo=datetime.timezone.utc),
               datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=datetime.timezone.utc),  # the hour before CEST
               datetime.datetime(2026, 3, 29, 1, 0, tzinfo=datetime.timezone.utc),
               datetime.datetime(1, 1, 1, 12, 0, tzinfo=datetime.timezone.utc)]
    for number, (title, moment, code) in enumerate(zip(ODD_TITLES, moments, ["H0", "H1", "H2", "H3", "H0"])):
        Case.objects.create(owner_agency=agency, reference=f"ODD-{number}", title=title, port="NLRTM",
                            seized_at=moment, handling_code=code, legal_basis="x",
                            h3_conditions="Not to be passed on" if code == "H3" else "",
                            referred_to=cast["ham.officer"].memberships.get().agency if number == 1 else None)


def walk(user, url: str) -> int:
    """Every page of `url`, forwards then back, each compared; the number of rows seen."""
    rows, previous = 0, None
    while url:
        body = assert_same_answer(user, url).json()
        rows += len(body["results"])
        url, previous = body["next"], body["previous"] or previous
    while previous:
        previous = assert_same_answer(user, previous).json()["previous"]
    return rows


@pytest.mark.parametrize("username", READERS)
def test_every_page_is_the_serializers_answer_for_every_reader(cast, odd_cases, username):
    user = cast[username]
    assert walk(user, "/api/v1/cases/?page_size=3") == visible_cases(user, Action.VIEW).count()


def test_the_rows_cover_every_access_level_handling_code_and_a_referral(cast, odd_cases):
    seen = {(row["access"], row["handling_code"])
            for username in READERS
            for row in values_answer(cast[username], "/api/v1/cases/?page_size=200").json()["results"]}
    assert {access for access, _code in seen} == {"owner", "manage", "contribute", "view"}
    assert {code for _access, code in seen} == {"H0", "H1", "H2", "H3"}
    assert Case.objects.filter(referred_to__isnull=False).exists()


@pytest.mark.parametrize("zone", ["UTC", "America/St_Johns", "Asia/Kolkata"])
def test_seizure_times_are_written_in_the_current_time_zone_as_drf_writes_them(cast, odd_cases, zone):
    with timezone.override(zone):
        body = assert_same_answer(cast["rtm.officer"], "/api/v1/cases/?page_size=200").json()
    times = [row["seized_at"] for row in body["results"]]
    assert ("2026-01-15T12:00:00Z" in times) == (zone == "UTC")


def test_the_default_zone_shows_both_sides_of_summer_time(cast, odd_cases):
    times = {row["seized_at"] for row in
             assert_same_answer(cast["rtm.officer"], "/api/v1/cases/?page_size=200").json()["results"]}
    assert {"2026-03-29T01:59:59+01:00", "2026-03-29T03:00:00+02:00", "2026-07-16T01:30:05.123456+02:00"} <= times


@pytest.mark.parametrize("query", ["status=open", "port=nl%20rtm", "owner_agency=NL-CUS-RTM", "q=cocaine",
                                   "identifier=MSKU1234565", "seized_after=2026-01-01T00:00:00Z&page_size=2",
                                   "seized_before=2026-03-29T01:00:00Z"])
def test_filtered_lists_are_the_serializers_answer(cast, odd_cases, query):
    walk(cast["rtm.officer"], f"/api/v1/cases/?{query}")


@pytest.mark.parametrize("query", ["status=lost", "seized_after=yesterday", "cursor=garbage", "cursor=cD0yMDI2",
                                   "page_size=abc&status=x"])
def test_bad_queries_are_still_400_with_the_same_body(cast, query):
    response = assert_same_answer(cast["rtm.officer"], f"/api/v1/cases/?{query}")
    assert response.status_code == 400


def test_content_type_and_an_indented_answer(cast, odd_cases):
    assert values_answer(cast["rtm.officer"], "/api/v1/cases/")["Content-Type"] == "application/json"
    indented = assert_same_answer(cast["rtm.officer"], "/api/v1/cases/?page_size=2",
                                  HTTP_ACCEPT="application/json; indent=4")
    assert b'\n    "next"' in indented.content


def test_an_anonymous_caller_is_still_challenged(db):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401 and response["Content-Type"] == "application/json"


def test_the_other_case_actions_keep_drfs_renderer(cast, matrix_case):
    view = CaseViewSet()
    for action in ("retrieve", "create", "partial_update", "transition"):
        view.action = action
        assert [type(renderer) for renderer in view.get_renderers()] == [JSONRenderer]


@pytest.mark.parametrize("data", [
    {"results": [{"id": str(uuid.uuid4()), "title": title, "n": 3, "ok": True, "none": None}] for title in ODD_TITLES},
    {"detail": ErrorDetail("Invalid cursor.", code="invalid"), "lazy": gettext_lazy("This field is required.")},
    {"when": datetime.datetime(2026, 7, 15, 23, 30, 5, 123456, tzinfo=datetime.timezone.utc),
     "day": datetime.date(2026, 7, 15), "at": datetime.time(12, 30, 1, 500), "amount": decimal.Decimal("1.50"),
     "uuid": uuid.UUID(int=7), "nested": [[], {}, [1, [2, {"x": "\u2029"}]]], "big": 2**62, "neg": -1},
])
def test_the_renderer_writes_drfs_bytes(data):
    assert OrjsonRenderer().render(data) == JSONRenderer().render(data)


def test_the_renderer_writes_nothing_for_no_data():
    assert OrjsonRenderer().render(None) == JSONRenderer().render(None) == b""


def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_openapi_schema_is_the_serializers(db, monkeypatch):
    new = schema()
    monkeypatch.setattr(CaseViewSet, "get_renderers", lambda view: [JSONRenderer()])
    assert schema() == new
    list_answer = new["paths"]["/api/v1/cases/"]["get"]["responses"]["200"]
    page_schema = {"schema": {"$ref": "#/components/schemas/PaginatedCaseListList"}}
    assert list_answer["content"] == {"application/json": page_schema}
    assert list(new["components"]["schemas"]["CaseList"]["properties"]) == CaseListSerializer.Meta.fields
