"""The case list and search for every kind of reader (issue 17): database time of the very SQL
GET /api/v1/cases/ runs, first page and 20th cursor page, and `q=` / `identifier=` searches.

Readers see very different shares of the cases, and that is what decides the plan: the
Rotterdam officer sees about a third, the liaison officer and the prosecutor a few per cent
(mostly shares), the police officer a few tenths of a per cent. The SQL is captured from the
API itself (following its `next` links), so what is timed is what the endpoint runs, whatever
the paginator or the policy become. Imported once Django is set up.
"""
import json
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Membership
from cases.access import visible_cases
from cases.models import Case, Identifier, Party

from .dbtime import time_queries
from .query_counts import api_client

# Reader kinds and who stands for them: cast members, and for the police (who have no cast
# member) the first officer of the Rotterdam police (bench.population.POLICE).
READERS = {"officer": "rtm.officer", "sparse": ("NL-POL-RTM", "officer"), "liaison": "liaison.officer",
           "prosecutor": "rtm.prosecutor", "analyst": "rtm.analyst"}
DEEP_PAGE = 20
RUNS = 15
COMMON_WORD = "cocaine"  # the first seizure's drug is in the title: ~60% of all cases
PARTY_NAME = "Yilmaz"  # a recurring suspect's surname (bench.plan.RECURRING_LAST): ~0.1% of cases


def reader_users() -> dict:
    users = {}
    for kind, who in READERS.items():
        if isinstance(who, tuple):
            code, role = who
            users[kind] = Membership.objects.filter(agency__code=code, role=role, active=True).order_by("pk").first().user
        else:
            users[kind] = get_user_model().objects.get(username=who)
    return users


def _page_sql(statements: list[str]) -> str:
    return next(sql for sql in statements if 'FROM "cases_case"' in sql and " LIMIT " in sql)


def page_sqls(user, query: dict | None = None, *, pages: int = 1) -> list[str]:
    """The list query of each of the first `pages` pages, following the API's own next links."""
    client, url = api_client(user), reverse("api:case-list") + ("?" + urlencode(query) if query else "")
    sqls = []
    for _ in range(pages):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        sqls.append(_page_sql([query["sql"] for query in captured.captured_queries]))
        url = json.loads(response.content)["next"]
        if url is None:
            break
    return sqls


def search_terms(sparse_user) -> dict:
    """The searches, each a `q=` or `identifier=` query. The rare word and the identifier come
    from the sparse reader's newest visible case, so that reader finds something; for most
    other readers the same term matches one case they cannot see (as fast as it must be)."""
    newest = visible_cases(sparse_user).order_by("-seized_at", "-id").values_list("pk", flat=True)
    case_ids = list(newest[:20])
    company = Party.objects.filter(case_id__in=case_ids, kind="company").exclude(name__contains="/").values_list(
        "name", flat=True).first()
    identifier = Identifier.objects.filter(case_id__in=case_ids, kind="container").values_list(
        "value", flat=True).first()
    return {"common": {"q": COMMON_WORD}, "rare": {"q": company.split()[0]}, "party": {"q": PARTY_NAME},
            "identifier": {"identifier": identifier}}


def measure_readers(*, runs: int = RUNS) -> dict:
    """{kind: {username, visible_share, first_page_db_ms, deep_page_db_ms, search: {...}}}, plus
    `search` at the top: the sparse reader's searches (the hard case for the policy). Each figure is
    the median of `runs` EXPLAIN ANALYZE timings (planning + execution), interleaved."""
    users = reader_users()
    terms = search_terms(users["sparse"])
    total = Case.objects.count()
    queries, figures = {}, {}
    for kind, user in users.items():
        pages = page_sqls(user, pages=DEEP_PAGE)
        queries[(kind, "first_page")] = pages[0]
        queries[(kind, "deep_page")] = pages[-1]
        for name, query in terms.items():
            queries[(kind, name)] = page_sqls(user, query)[0]
        figures[kind] = {"username": user.username, "visible_share": round(visible_cases(user).count() / total, 4),
                         "deep_page_number": len(pages)}
    names = {f"{kind}:{what}": sql for (kind, what), sql in queries.items()}
    times = time_queries(names, {name: runs for name in names}, warmup=1)
    for (kind, what) in queries:
        timing = times[f"{kind}:{what}"]
        if what in ("first_page", "deep_page"):
            figures[kind][f"{what}_db_ms"] = timing["median_ms"]
            figures[kind][f"{what}_db_p95_ms"] = timing["p95_ms"]
        else:
            figures[kind].setdefault("search", {})[f"{what}_db_ms"] = timing["median_ms"]
    figures["search"] = {"reader": "sparse", "terms": terms, **figures["sparse"]["search"]}
    return figures


def explain_reader(kind: str, what: str = "first_page") -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of one reader's query, for the notes."""
    users = reader_users()
    user = users[kind]
    if what in ("first_page", "deep_page"):
        pages = page_sqls(user, pages=DEEP_PAGE if what == "deep_page" else 1)
        sql = pages[-1]
    else:
        sql = page_sqls(user, search_terms(users["sparse"])[what])[0]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
