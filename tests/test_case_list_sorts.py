"""Every sort of the case list pages by keyset, in the API and in the browser (issue 17).

Rotterdam's officer sees the demo's cases plus a batch whose titles, statuses, ports, codes and
owners repeat, so runs of equal sort values cross page boundaries. Walking every page forwards
by `next` and back by `previous` must give exactly the visible cases in the database's own
order of (key, id): no row lost, none repeated.
"""
import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.access import visible_cases
from cases.models import Case
from cases.services import case_create, case_share
from cases.views import listing

API_ORDERINGS = {"reference": "reference", "title": "title", "status": "status", "owner_agency": "owner_code",
                 "port": "port", "seized_at": "seized_at", "handling_code": "handling_code"}
BROWSER_SORTS = {"reference": "reference", "title": "title", "status": "status", "owner": "owner_code",
                 "port": "port", "seized": "seized_at", "handling": "handling_code"}
TITLES = ["Bananas", "Bananas", "Coffee", "Bananas", "Coffee", "Ananas"]
STATUSES = ["draft", "open", "open", "closed"]


@pytest.fixture
def repeated_values(cast):
    """Cases of Rotterdam and of Antwerp (shared with Rotterdam) with many equal sort values."""
    owners = [cast["rtm.officer"], cast["anr.officer"]]
    for number in range(14):
        owner = owners[number % 3 == 0]
        case = case_create(actor=owner, title=TITLES[number % len(TITLES)], port=["NLRTM", "BEANR"][number % 2],
                           handling_code=["H0", "H1"][number % 2 == 0 and number % 4 == 0], legal_basis="Art. 46 UCC",
                           seized_at=timezone.now() - datetime.timedelta(days=number % 3))  # equal seizure days
        if owner != owners[0]:
            case_share(actor=owner, case_id=case.pk, agency_code="NL-CUS-RTM", level="view")
        Case.objects.filter(pk=case.pk).update(status=STATUSES[number % len(STATUSES)])


def expected_ids(user, key: str, descending: bool) -> list[str]:
    sign = "-" if descending else ""
    return [str(pk) for pk in visible_cases(user).order_by(f"{sign}{key}", f"{sign}id").values_list("pk", flat=True)]


def api_walk(client, first_url: str) -> tuple[list[str], list[str]]:
    """Ids forwards through every `next`, then backwards from the last page through every `previous`."""
    forwards, url, last = [], first_url, None
    while url:
        body = client.get(url).json()
        forwards += [row["id"] for row in body["results"]]
        url, last = body["next"], body
    backwards, body = [], last
    while True:
        backwards = [row["id"] for row in body["results"]] + backwards
        if not body["previous"]:
            return forwards, backwards
        body = client.get(body["previous"]).json()


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("name", API_ORDERINGS)
def test_the_api_pages_every_ordering_both_ways_without_losing_or_repeating_a_row(cast, repeated_values, name,
                                                                                   descending):
    client = APIClient()
    client.force_authenticate(cast["rtm.officer"])
    expected = expected_ids(cast["rtm.officer"], API_ORDERINGS[name], descending)
    assert len(expected) > 20
    forwards, backwards = api_walk(client, f"/api/v1/cases/?ordering={'-' if descending else ''}{name}&page_size=3")
    assert forwards == expected
    assert backwards == expected


def browser_walk(client, sort: str) -> tuple[list[str], list[str]]:
    url = reverse("cases:list")
    forwards, query, page = [], {"sort": sort}, None
    while query:
        page = client.get(url, query).context["page"]
        forwards += [str(case.id) for case in page["cases"]]
        query = {"sort": sort, "cursor": page["next"]} if page["next"] else None
    backwards = []
    while True:
        backwards = [str(case.id) for case in page["cases"]] + backwards
        if not page["previous"]:
            return forwards, backwards
        page = client.get(url, {"sort": sort, "cursor": page["previous"]}).context["page"]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("name", BROWSER_SORTS)
def test_the_browser_pages_every_sort_both_ways_without_losing_or_repeating_a_row(client, cast, repeated_values,
                                                                                  monkeypatch, name, descending):
    monkeypatch.setattr(listing, "PAGE_SIZE", 4)
    client.force_login(cast["rtm.officer"])
    expected = expected_ids(cast["rtm.officer"], BROWSER_SORTS[name], descending)
    forwards, backwards = browser_walk(client, f"{'-' if descending else ''}{name}")
    assert forwards == expected
    assert backwards == expected


def test_the_browser_links_keep_filters_and_sort_and_first_drops_the_cursor(client, cast, repeated_values,
                                                                            monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 3)
    client.force_login(cast["rtm.officer"])
    first = client.get(reverse("cases:list"), {"sort": "-title", "port": "NLRTM"})
    second = client.get(reverse("cases:list"),
                        {"sort": "-title", "port": "NLRTM", "cursor": first.context["page"]["next"]})
    body = second.content.decode()
    assert 'rel="prev" href="?sort=-title&amp;port=NLRTM&amp;cursor=' in body
    assert 'rel="next" href="?sort=-title&amp;port=NLRTM&amp;cursor=' in body
    assert '<a class="page-link" href="?sort=-title&amp;port=NLRTM"' in body  # First
    assert all(case.port == "NLRTM" for case in second.context["page"]["cases"])
    assert "cases on this page" in body and "Page " not in body


def test_an_unknown_ordering_answers_400_naming_the_parameter(cast):
    client = APIClient()
    client.force_authenticate(cast["rtm.officer"])
    for ordering in ("summary", "-owner_agency__code", "owner", "id", "title,id", "\x00"):
        response = client.get("/api/v1/cases/", {"ordering": ordering})
        assert response.status_code == 400, ordering
        assert list(response.json()) == ["ordering"] and "title" in response.json()["ordering"][0]


def test_a_cursor_of_another_ordering_or_mangled_answers_400(cast, repeated_values):
    client = APIClient()
    client.force_authenticate(cast["rtm.officer"])
    title_next = client.get("/api/v1/cases/", {"ordering": "title", "page_size": 2}).json()["next"]
    cursor = parse_qs(urlsplit(title_next).query)["cursor"][0]
    # A title is no seizure time: the position is parsed by the ordering's own field.
    refused = client.get("/api/v1/cases/", {"ordering": "seized_at", "cursor": cursor})
    assert refused.status_code == 400 and refused.json() == {"cursor": ["Invalid cursor."]}
    for mangled in (cursor[:-4], cursor + "x", "cD1CYW5hbmFzJmk9MSZyPTI=", "cD1CYW5hbmFz"):  # r=2; no id
        response = client.get("/api/v1/cases/", {"ordering": "title", "cursor": mangled})
        assert response.status_code == 400 and response.json() == {"cursor": ["Invalid cursor."]}, mangled


def test_page_size_bounds(cast, repeated_values):
    client = APIClient()
    client.force_authenticate(cast["rtm.officer"])
    visible = visible_cases(cast["rtm.officer"]).count()
    assert len(client.get("/api/v1/cases/", {"ordering": "port", "page_size": 1}).json()["results"]) == 1
    for fallback in ("0", "-1", "abc", "²"):  # DRF's rule: what is no positive number means the default
        assert len(client.get("/api/v1/cases/", {"page_size": fallback}).json()["results"]) == min(50, visible)
    assert len(client.get("/api/v1/cases/", {"page_size": 500}).json()["results"]) == min(200, visible)


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def test_a_deep_page_in_any_order_makes_as_many_queries_as_the_first(cast, repeated_values):
    client = APIClient()
    client.force_authenticate(cast["rtm.officer"])
    first = count_queries(client, "/api/v1/cases/", {})
    for ordering in ("-title", "owner_agency", "-status"):
        deep = client.get("/api/v1/cases/", {"ordering": ordering, "page_size": 2}).json()["next"]
        cursor = parse_qs(urlsplit(deep).query)["cursor"][0]
        assert count_queries(client, "/api/v1/cases/", {"ordering": ordering, "cursor": cursor}) == first
