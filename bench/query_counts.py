"""Queries per request, counted in-process with Django's test client on the bench database,
and the SQL each request ran (to time exactly what the API runs, and to look for COUNTs)."""
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.tokens import api_token_issue

# Each request is one transaction (ATOMIC_REQUESTS); its BEGIN and COMMIT are not counted,
# as the test suite does not count the savepoints that stand for them there.
NOT_READS = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def token_for(user) -> str:
    _token, key = api_token_issue(user=user)
    return key


def api_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {token_for(user)}")


def browser_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    return [query["sql"] for query in captured.captured_queries if not query["sql"].startswith(NOT_READS)]


def measure(user, *, seen_case_id, new_case_id) -> dict:
    """Counts for the hot paths. The detail is asked for a case first consulted here (so its
    audit record is written) and then again (grouped with that record: no write)."""
    api, browser = api_client(user), browser_client(user)
    urls = {
        "api_cases_list": (api, reverse("api:case-list")),
        "browser_cases_list": (browser, reverse("cases:list")),
        "dashboard": (browser, reverse("home")),
    }
    for client, url in urls.values():
        run(client, url)  # warm: per-process caches (content types, permission ids) fill once
    run(api, reverse("api:case-detail", args=[seen_case_id]))
    statements = {name: run(client, url) for name, (client, url) in urls.items()}
    detail = reverse("api:case-detail", args=[new_case_id])
    statements["api_case_detail"] = run(api, detail)
    statements["api_case_detail_repeat"] = run(api, detail)
    counts = [{"request": name, "capped": " LIMIT " in sql, "sql": sql[:300]}
              for name, sqls in statements.items() for sql in sqls if "COUNT(" in sql.upper()]
    return {
        "queries_per_request": {name: len(sqls) for name, sqls in statements.items()},
        "count_statements": counts,
        "api_list_page_sql": next(sql for sql in statements["api_cases_list"]
                                  if 'FROM "cases_case"' in sql and "LIMIT" in sql),
    }
