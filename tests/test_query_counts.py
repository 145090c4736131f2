"""Query counts on the case list and detail are pinned and do not grow with the data."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.services import case_create, case_share

LIST_QUERIES = 4  # session, user, membership, one page of rows with their access level (no COUNT)
DETAIL_QUERIES = 10  # session, user, membership, case with access level, five parts, shares


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # Savepoints come from the test's own transaction wrapping ATOMIC_REQUESTS; they are not reads.
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def add_cases_and_shares(owner, number: int) -> None:
    for index in range(number):
        case = case_create(actor=owner, title=f"Bulk {index}", port="NLRTM", handling_code="H0",
                           seized_at=timezone.now() - datetime.timedelta(hours=index + 1), legal_basis="Art. 46 UCC")
        case_share(actor=owner, case_id=case.pk, agency_code="EU-LIA", level="view")


@pytest.mark.parametrize("username", ["rtm.officer", "liaison.officer", "rtm.analyst"])
def test_case_list_queries_are_pinned_and_flat(client, cast, username):
    client.force_login(cast[username])
    url = reverse("cases:list")
    before = count_queries(client, url)
    add_cases_and_shares(cast["rtm.officer"], 60)
    after = count_queries(client, url)
    assert before == after == LIST_QUERIES


def test_case_detail_queries_are_pinned_and_flat(client, cast, matrix_case):
    case = matrix_case("shared_contribute")
    client.force_login(cast["rtm.officer"])
    url = reverse("cases:detail", args=[case.pk])
    before = count_queries(client, url)
    add_cases_and_shares(cast["rtm.officer"], 30)
    for agency in ("BE-CUS-ANR", "DE-ZOLL-HAM"):
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code=agency, level="view")
    after = count_queries(client, url)
    assert before == after == DETAIL_QUERIES
