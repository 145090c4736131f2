"""What keeps the case list fast at a million cases (issue 4, bench/RESULTS.md), pinned.

- The API's list and detail make a fixed number of queries, however many cases, shares and
  notes there are (the detail loads notes with their authors in the same query).
- An agency's grants are probed per row on guardian's index, never gathered into a hash of
  every grant the agency holds (PostgreSQL only: it is a property of its plans).
- The permission ids the policy resolves once are looked up again after a flush.
"""
import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.tokens import api_token_issue
from cases.access import LEVEL_CODENAME, Level, visible_cases
from cases.models import Case
from cases.selectors import case_list
from cases.services import case_create, case_share, note_add

# token, membership, one page of cases with their access level (no COUNT)
API_LIST_QUERIES = 3
# token, membership, case with access level, five parts (notes with authors), shares, and the
# "consulted this hour?" check (already recorded: no insert).
API_DETAIL_QUERIES = 10


def api_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


@pytest.fixture
def token_client(cast):
    _token, key = api_token_issue(user=cast["rtm.officer"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/v1/me/")  # the token's first use records it; later ones do not
    return client


def test_api_list_and_detail_queries_stay_flat(cast, matrix_case, token_client):
    owner = cast["rtm.officer"]
    case = matrix_case("shared_contribute")
    detail = f"/api/v1/cases/{case.pk}/"
    token_client.get(detail)  # the first consultation writes its record
    before = (api_queries(token_client, "/api/v1/cases/"), api_queries(token_client, detail))
    for number in range(15):
        extra = case_create(actor=owner, title=f"Scale {number}", port="NLRTM", handling_code="H0",
                            legal_basis="Art. 46 UCC", seized_at=timezone.now() - datetime.timedelta(hours=number))
        case_share(actor=owner, case_id=extra.pk, agency_code="BE-CUS-ANR", level="view")
        note_add(actor=cast["rtm.officer" if number % 2 else "liaison.officer"], case_id=case.pk, text=f"Note {number}")
    after = (api_queries(token_client, "/api/v1/cases/"), api_queries(token_client, detail))
    assert before == after == (API_LIST_QUERIES, API_DETAIL_QUERIES)


def _subplans_over(plan: dict, table: str, inside: str | None = None) -> set[str]:
    """Names of the subplans whose tree reads `table`."""
    name = plan.get("Subplan Name", inside)
    found = {name} if name and plan.get("Relation Name") == table else set()
    for child in plan.get("Plans", []):
        found |= _subplans_over(child, table, name)
    return found


@pytest.mark.postgres
def test_agency_grants_are_probed_per_row_not_hashed(cast):
    if connection.vendor != "postgresql":
        pytest.skip("a property of PostgreSQL's plans")
    page = case_list(user=cast["rtm.officer"]).order_by("-seized_at", "-id")[:51]
    sql, params = page.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0][0]["Plan"]
    text = str(plan)
    probes = _subplans_over(plan, "cases_casegroupobjectpermission")
    assert probes, "the agency grants should be read in subplans"
    assert not any(f"hashed {name}" in text for name in probes)


def test_permission_ids_are_looked_up_again_after_a_flush(cast):
    officer = cast["rtm.officer"]
    ContentType.objects.clear_cache()  # what a flush does (post_migrate recreates content types)
    with CaptureQueriesContext(connection) as captured:
        sql = str(visible_cases(officer).query)
    assert len(captured.captured_queries) == 3  # membership, content type, permission ids
    view = Permission.objects.get(content_type__app_label="cases", codename=LEVEL_CODENAME[Level.VIEW])
    assert f"permission_id = {view.pk}" in sql
    assert Case.objects.filter(pk__in=visible_cases(officer)).count() == visible_cases(officer).count()
