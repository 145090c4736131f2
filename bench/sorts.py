"""Every sort of the case list at scale (issue 17): for the big Rotterdam officer, each column
ascending and descending, the first page and a deep page (after 20 pages of 50), as
GET /api/v1/cases/?ordering=... runs them (keyset pages, coordination.keyset); and the
identifier filter. Database time from EXPLAIN ANALYZE, medians of interleaved runs (bench.dbtime).
Imported once Django is set up."""
from django.contrib.auth import get_user_model

from cases.api.case_rows import case_rows
from cases.api.filters import CaseFilter
from cases.api.pagination import CaseListPagination
from cases.models import Identifier
from cases.selectors import case_list
from coordination.keyset import Ordering, keyset_page, keyset_query

from .dbtime import explain, sql_of, time_queries

OFFICER = "rtm.officer"
DEEP_PAGE = 21  # the page after 20 pages
RUNS = 30
# The column names: the browser's sort keys, as the API names them.
COLUMNS = {"reference": "reference", "title": "title", "status": "status", "port": "port", "owner": "owner_agency",
           "seized": "seized_at", "handling": "handling_code"}


def _rows(user):
    return case_rows(case_list(user=user))


def sort_queries(user) -> dict[str, dict[str, str]]:
    """{column_direction: {"first": SQL, "deep": SQL}}: the page queries the API runs."""
    size = CaseListPagination.page_size
    queries = {}
    for column, name in COLUMNS.items():
        for direction, sign in (("asc", ""), ("desc", "-")):
            ordering = Ordering.parse(sign + name, CaseListPagination.orderings)
            cursor = None
            for _ in range(DEEP_PAGE - 1):  # walk to the deep page as a client would, by `next`
                cursor = keyset_page(_rows(user), ordering, cursor, size).next
            queries[f"{column}_{direction}"] = {"first": sql_of(keyset_query(_rows(user), ordering, None, size)),
                                                "deep": sql_of(keyset_query(_rows(user), ordering, cursor, size))}
    return queries


def identifier_query(user) -> str:
    """`?identifier=` with a container number in another spelling (lower case, spaced)."""
    value = Identifier.objects.filter(kind="container").values_list("value", flat=True).first()
    spelled = f"{value[:4].lower()} {value[4:]}"
    filtered = CaseFilter({"identifier": spelled}, queryset=case_list(user=user)).qs
    ordering = Ordering.parse(CaseListPagination.default_ordering, CaseListPagination.orderings)
    return sql_of(keyset_query(case_rows(filtered), ordering, None, CaseListPagination.page_size))


def measure_sorts() -> dict:
    user = get_user_model().objects.get(username=OFFICER)
    queries = {f"{key}.{page}": sql for key, pages in sort_queries(user).items() for page, sql in pages.items()}
    queries["search_identifier"] = identifier_query(user)
    times = time_queries(queries, {name: RUNS for name in queries})
    result = {key: {"first_page_db_ms": times[f"{key}.first"]["median_ms"],
                    "deep_page_db_ms": times[f"{key}.deep"]["median_ms"]}
              for key in {name.split(".")[0] for name in queries if "." in name}}
    return {**dict(sorted(result.items())), "search_identifier_db_ms": times["search_identifier"]["median_ms"]}


def sort_plans() -> dict[str, str]:
    """EXPLAIN (ANALYZE, BUFFERS) of every page query measured, for the report."""
    user = get_user_model().objects.get(username=OFFICER)
    plans = {f"{key}.{page}": explain(sql) for key, pages in sort_queries(user).items() for page, sql in pages.items()}
    plans["search_identifier"] = explain(identifier_query(user))
    return plans
