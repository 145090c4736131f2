"""Query counts of the browser pages are pinned and do not grow with the data.

Each page is asked twice, around a burst of new cases, shares and case parts: the count
must be the pinned number both times. A warm-up request comes first, because the first view
of a case in an hour writes its consultation record and later views do not.
"""
import datetime
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import case_create, case_share, note_add, seizure_add
from cases.services.exhibits import custody_record, exhibit_add

# session, user, membership, owner-agency choices for the filter form, one page of rows with
# their access level (no COUNT)
LIST_QUERIES = 5
# session, user, membership, three capped counts (my agency's, shared with it, all visible; a fourth,
# referred, for prosecutors), three capped counts of hit/no-hit (new hits, requests to decide, the
# agency's own requests waiting), the latest seizures
DASHBOARD_QUERIES = {"rtm.officer": 10, "rtm.prosecutor": 11}
# session, user, membership, case with access level, five parts, shares, the count of exhibits,
# the consultation check (recorded already, so no insert). An open case adds one read of the
# prosecution agencies its referral form offers.
DETAIL_QUERIES = 12
OVERVIEW_QUERIES = DETAIL_QUERIES + 1  # the documents whose file no longer matches its SHA-256
# the exhibits with their seizures, their custody events with who recorded them
EXHIBITS_QUERIES = DETAIL_QUERIES + 2
TAB_QUERIES = {
    "seizures": DETAIL_QUERIES,
    "notes": DETAIL_QUERIES + 1,  # the notes again, with their authors
    "sharing": DETAIL_QUERIES + 3,  # may the reader share (H2), the agencies to offer, the named grants
    "activity": DETAIL_QUERIES + 2,  # case_for_audit's own read of the case, one page of the trail
}


def count_queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, response.status_code
    # Savepoints come from the test's own transaction wrapping ATOMIC_REQUESTS; they are not reads.
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def add_cases_and_shares(owner, number: int) -> None:
    for index in range(number):
        case = case_create(actor=owner, title=f"Bulk {index}", port="NLRTM", handling_code="H0",
                           seized_at=timezone.now() - datetime.timedelta(hours=index + 1), legal_basis="Art. 46 UCC")
        case_share(actor=owner, case_id=case.pk, agency_code="EU-LIA", level="view")


def add_exhibit(owner, case, index: int, seizure=None) -> None:
    exhibit = exhibit_add(actor=owner, case_id=case.pk, description=f"Sample {index}", holder="Customs",
                          location="Maasvlakte", seizure=seizure)
    custody_record(actor=owner, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI", to_location="Lab",
                   purpose="analysis", seal_intact=True)


def grow_case(owner, case) -> None:
    for agency in ("BE-CUS-ANR", "DE-ZOLL-HAM"):
        case_share(actor=owner, case_id=case.pk, agency_code=agency, level="view")
    for index in range(5):
        seizure = seizure_add(actor=owner, case_id=case.pk, drug="cocaine", quantity=index + 1, unit="kg")
        note_add(actor=owner, case_id=case.pk, text=f"Note {index}", source_reliability="B")
        add_exhibit(owner, case, index, seizure=seizure.pk)


@pytest.mark.parametrize("username", ["rtm.officer", "liaison.officer", "rtm.analyst"])
def test_case_list_queries_are_pinned_and_flat(client, cast, username):
    client.force_login(cast[username])
    url = reverse("cases:list")
    before = count_queries(client, url)
    add_cases_and_shares(cast["rtm.officer"], 60)
    after = count_queries(client, url)
    filtered = count_queries(client, url + "?q=bulk&status=active&drug=cocaine&identifier=MSCU1234566&sort=title")
    second_page = {"cursor": client.get(url).context["page"]["next"]}
    partial = count_queries(client, f"{url}?{urlencode(second_page)}", HTTP_HX_REQUEST="true",
                            HTTP_HX_TARGET="case-results")
    assert before == after == filtered == partial == LIST_QUERIES


@pytest.mark.parametrize("username", DASHBOARD_QUERIES)
def test_dashboard_queries_are_pinned_and_flat(client, cast, username):
    client.force_login(cast[username])
    before = count_queries(client, reverse("home"))
    add_cases_and_shares(cast["rtm.officer"], 30)
    after = count_queries(client, reverse("home"))
    assert before == after == DASHBOARD_QUERIES[username]


def test_case_detail_queries_are_pinned_and_flat(client, cast, matrix_case):
    case = matrix_case("shared_contribute")
    client.force_login(cast["rtm.officer"])
    url = reverse("cases:detail", args=[case.pk])
    client.get(url)
    before = count_queries(client, url)
    add_cases_and_shares(cast["rtm.officer"], 30)
    grow_case(cast["rtm.officer"], case)
    after = count_queries(client, url)
    assert before == after == OVERVIEW_QUERIES


@pytest.mark.parametrize("tab", TAB_QUERIES)
def test_case_tab_queries_are_pinned_and_flat(client, cast, matrix_case, tab):
    case = matrix_case("shared_contribute")
    client.force_login(cast["rtm.officer"])
    url = reverse("cases:tab", args=[case.pk, tab])
    client.get(url)
    before = count_queries(client, url)
    grow_case(cast["rtm.officer"], case)
    after = count_queries(client, url)
    partial = count_queries(client, url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-tabs")
    assert before == after == partial == TAB_QUERIES[tab]


def test_exhibits_tab_queries_are_pinned_and_flat(client, cast, matrix_case):
    case = matrix_case("shared_contribute")
    add_exhibit(cast["rtm.officer"], case, 0)  # with none, there is no custody to fetch
    client.force_login(cast["rtm.officer"])
    url = reverse("cases:tab", args=[case.pk, "exhibits"])
    client.get(url)
    before = count_queries(client, url)
    grow_case(cast["rtm.officer"], case)
    after = count_queries(client, url)
    partial = count_queries(client, url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-tabs")
    assert before == after == partial == EXHIBITS_QUERIES
