"""The case endpoints' contract: shapes, filters, locking, pagination and query counts."""
import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.demo import SHARED_CONTAINER
from cases.models import Case
from cases.services import case_create, case_share, identifier_add, party_add, seizure_add

# Per request: session, user, membership; then the reads themselves.
LIST_QUERIES = 4  # + one page of cases with owner agency and access level
# + case with access level, five parts and shares, and the consultation record (one statement
# that checks for this session's record of the hour and writes one when there is none).
DETAIL_QUERIES = 11


@pytest.fixture
def officer_client(cast):
    client = APIClient()
    client.force_authenticate(cast["rtm.officer"])
    return client


def case_body(**overrides) -> dict:
    body = {"title": "Cocaine in pineapples", "port": "NLRTM", "seized_at": "2026-11-20T06:30:00+01:00",
            "handling_code": "H0", "legal_basis": "Art. 46 UCC"}
    body.update(overrides)
    return body


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # Savepoints come from the test's own transaction wrapping ATOMIC_REQUESTS; they are not reads.
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def test_list_rows_have_the_contract_fields(officer_client):
    row = officer_client.get("/api/v1/cases/").json()["results"][0]
    assert set(row) == {"id", "reference", "title", "status", "owner_agency", "port", "seized_at",
                        "handling_code", "access"}
    assert set(row["owner_agency"]) == {"code", "name"}


def test_create_returns_201_with_id_reference_and_version(officer_client):
    response = officer_client.post("/api/v1/cases/", case_body(port="nl rtm"), format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["reference"].startswith("NLRTM-") and body["version"] == 1 and body["port"] == "NLRTM"
    assert AuditEvent.objects.filter(case_id=body["id"], operation="collection").exists()


@pytest.mark.parametrize("overrides,field", [
    ({"port": "XXABC"}, "port"),
    ({"seized_at": "2099-01-01T00:00:00Z"}, "seized_at"),
    # Found by the schema fuzzer: shown in Amsterdam's local mean time (+00:19:32), not RFC 3339.
    ({"seized_at": "0018-01-13T01:00:01.0Z"}, "seized_at"),
    ({"seized_at": "1969-12-31T23:59:59Z"}, "seized_at"),
    ({"handling_code": "H3"}, "h3_conditions"),
    ({"handling_code": "H7"}, "handling_code"),
    ({"information_assessment": 9}, "information_assessment"),
    ({"restricted": "perhaps"}, "restricted"),
    ({"surprise": True}, "surprise"),
    ({"title": ["not", "a", "string"]}, "title"),
])
def test_create_rejects_bad_input_with_field_messages(officer_client, overrides, field):
    before = Case.objects.count()
    response = officer_client.post("/api/v1/cases/", case_body(**overrides), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Case.objects.count() == before


def test_the_earliest_accepted_seizure_time_is_written_as_rfc3339(officer_client):
    response = officer_client.post("/api/v1/cases/", case_body(seized_at="1970-01-01T00:00:00Z"), format="json")
    assert response.status_code == 201
    assert response.json()["seized_at"] == "1970-01-01T01:00:00+01:00"


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"a string"', b"null"])
def test_malformed_bodies_are_400(officer_client, raw):
    response = officer_client.generic("POST", "/api/v1/cases/", raw, content_type="application/json")
    assert response.status_code == 400


def test_oversized_body_is_refused_without_a_500(officer_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = officer_client.post("/api/v1/cases/", case_body(summary="x" * 20_000), format="json")
    assert response.status_code in (400, 413)


def test_stale_version_answers_409_and_changes_nothing(officer_client, matrix_case):
    case = matrix_case("owned")
    ok = officer_client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, "title": "New"}, format="json")
    assert ok.status_code == 200 and ok.json()["version"] == case.version + 1
    stale = officer_client.patch(f"/api/v1/cases/{case.pk}/", {"version": case.version, "title": "Old"},
                                 format="json")
    assert stale.status_code == 409
    case.refresh_from_db()
    assert case.title == "New"


def test_patch_needs_a_version(officer_client, matrix_case):
    response = officer_client.patch(f"/api/v1/cases/{matrix_case('owned').pk}/", {"title": "X"}, format="json")
    assert response.status_code == 400 and "version" in response.json()


def test_referral_over_the_api(officer_client, matrix_case):
    case = matrix_case("owned")
    url = f"/api/v1/cases/{case.pk}/transition/"
    assert officer_client.post(url, {"to": "open"}, format="json").status_code == 200
    missing = officer_client.post(url, {"to": "referred"}, format="json")
    assert missing.status_code == 400 and "agency" in missing.json()
    referred = officer_client.post(url, {"to": "referred", "agency": "NL-OM-RTM", "reason": "File complete"},
                                   format="json")
    assert referred.status_code == 200
    assert referred.json()["status"] == "referred"
    assert referred.json()["referred_to"]["code"] == "NL-OM-RTM"
    assert officer_client.post(url, {"to": "archived"}, format="json").status_code == 409


def test_shares_are_shown_to_the_owner_side_only(cast, matrix_case):
    case = matrix_case("shared_contribute")
    owner, contributor = APIClient(), APIClient()
    owner.force_authenticate(cast["rtm.officer"])
    contributor.force_authenticate(cast["liaison.officer"])
    contributor.credentials(HTTP_X_JUSTIFICATION="Liaison analysis of the route")
    assert [share["agency"]["code"] for share in owner.get(f"/api/v1/cases/{case.pk}/").json()["shares"]] == ["EU-LIA"]
    assert contributor.get(f"/api/v1/cases/{case.pk}/").json()["shares"] is None


@pytest.mark.parametrize("spelling", [SHARED_CONTAINER, SHARED_CONTAINER.lower(),
                                      f"{SHARED_CONTAINER[:4]} {SHARED_CONTAINER[4:10]}-{SHARED_CONTAINER[10]}"])
def test_identifier_filter_normalises_the_value(officer_client, spelling):
    results = officer_client.get("/api/v1/cases/", {"identifier": spelling}).json()["results"]
    assert [row["owner_agency"]["code"] for row in results] == ["NL-CUS-RTM"]


def test_full_text_search_covers_party_names(officer_client, cast, matrix_case):
    case = matrix_case("owned")
    party_add(actor=cast["rtm.officer"], case_id=case.pk, kind="company", role="consignee",
              name="Zwaluwstaart Logistics")
    results = officer_client.get("/api/v1/cases/", {"q": "Zwaluwstaart"}).json()["results"]
    assert [row["id"] for row in results] == [str(case.pk)]


def test_seizure_bounds_beyond_utcs_range_bound_nothing_more(officer_client):
    everything = officer_client.get("/api/v1/cases/?page_size=200").json()["results"]
    response = officer_client.get("/api/v1/cases/", {"seized_after": "0001-01-01T00:00:00+05:00",
                                                     "seized_before": "9999-12-31T23:00:00-05:00", "page_size": 200})
    assert response.status_code == 200
    assert response.json()["results"] == everything and everything


def test_filters_combine(officer_client):
    response = officer_client.get("/api/v1/cases/", {"status": "open", "port": "nlrtm",
                                                     "seized_after": "2020-01-01T00:00:00Z"})
    rows = response.json()["results"]
    assert rows and all(row["status"] == "open" and row["port"] == "NLRTM" for row in rows)
    assert officer_client.get("/api/v1/cases/", {"status": "lost"}).status_code == 400
    assert officer_client.get("/api/v1/cases/", {"seized_after": "yesterday"}).status_code == 400
    # Offsets PostgreSQL would refuse are compared in UTC rather than passed through.
    assert officer_client.get("/api/v1/cases/", {"seized_after": "2375-03-13T21:56:51-19:48"}).status_code == 200


def test_cursor_pagination_walks_every_visible_case_once(officer_client, cast):
    expected = Case.objects.filter(owner_agency__code="NL-CUS-RTM").count()  # he also created the restricted ones
    seen, url = [], "/api/v1/cases/?page_size=5"
    while url:
        body = officer_client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert len(seen) == len(set(seen)) == expected


def test_page_size_is_capped_at_200(officer_client, cast):
    owner = cast["rtm.officer"]
    for number in range(205):
        Case.objects.create(owner_agency=owner.memberships.get().agency, reference=f"TEST-{number}", title="Bulk",
                            port="NLRTM", seized_at=timezone.now(), legal_basis="x")
    assert len(officer_client.get("/api/v1/cases/?page_size=500").json()["results"]) == 200


def test_list_and_detail_query_counts_are_pinned_and_flat(cast, matrix_case):
    officer_client = APIClient()
    officer_client.force_login(cast["rtm.officer"])  # a session loads the user afresh on every request
    case = matrix_case("shared_contribute")
    detail = f"/api/v1/cases/{case.pk}/"
    assert queries(officer_client, "/api/v1/cases/?page_size=5") == LIST_QUERIES
    assert queries(officer_client, "/api/v1/cases/?page_size=200") == LIST_QUERIES
    views = AuditEvent.objects.filter(case_id=case.pk, actor_username="rtm.officer", action="case_view")
    assert queries(officer_client, detail) == DETAIL_QUERIES
    assert views.count() == 1  # the first view wrote its record ...
    assert queries(officer_client, detail) == DETAIL_QUERIES
    assert views.count() == 1  # ... and the second, within the hour, did not
    owner = cast["rtm.officer"]
    for number in range(20):
        extra = case_create(actor=owner, title=f"More {number}", port="NLRTM", handling_code="H0",
                            legal_basis="Art. 46 UCC", seized_at=timezone.now() - datetime.timedelta(hours=number))
        case_share(actor=owner, case_id=extra.pk, agency_code="EU-LIA", level="view")
        seizure_add(actor=owner, case_id=case.pk, drug="cocaine", quantity="1", unit="kg")
        identifier_add(actor=owner, case_id=case.pk, kind="seal", value=f"SEAL{number:04d}")
    assert queries(officer_client, "/api/v1/cases/?page_size=200") == LIST_QUERIES
    assert queries(officer_client, detail) == DETAIL_QUERIES


def test_me_and_agencies(officer_client):
    assert officer_client.get("/api/v1/me/").json() == {
        "username": "rtm.officer", "agency": {"code": "NL-CUS-RTM", "name": "Douane Rotterdam Haven"},
        "role": "officer"}
    agencies = officer_client.get("/api/v1/agencies/").json()
    assert {"code": "EU-LIA", "name": "EU Port Liaison Bureau", "kind": "liaison", "country": "NL"} in agencies


def test_schema_and_docs_are_served_locally(officer_client):
    schema = officer_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/cases/{case_id}/transition/" in schema.json()["paths"]
    docs = officer_client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    # Swagger UI from the sidecar, the page's own CSS, and its init script from the docs view
    # itself (no inline script under the Content-Security-Policy): nothing from a CDN.
    assert assets and all(asset.startswith(("/static/drf_spectacular_sidecar/", "/static/css/", "/api/v1/docs/?"))
                          for asset in assets)
    assert "/api/v1/docs/?script=" in assets
