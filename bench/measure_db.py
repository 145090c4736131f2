"""Database-side measurements at one size: the list query three ways (our policy, stock
guardian on the same grants, the plain column filter), the designs it replaced, and other
kinds of reader. Imported once Django is set up (bench.run)."""
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import get_objects_for_user

from agencies.models import Membership
from agencies.selectors import active_membership
from cases.access import visible_cases
from cases.models import Case
from cases.selectors import case_list

from .dbtime import explain, sql_of, time_queries
from .guardian_baseline import owner_grants
from .machine import load
from .query_counts import measure as count_queries
from .variants import column_page, guardian_page, policy_page, previous_policy_page, previous_visible_cases

OFFICER = "rtm.officer"  # a Rotterdam customs officer: sees about a third of all cases
DB_RUNS, GUARDIAN_RUNS, READER_RUNS = 200, 30, 30
OTHER_READERS = {"liaison officer (EU-LIA)": "liaison.officer", "prosecutor (NL-OM-RTM)": "rtm.prosecutor",
                 "analyst (NL-CUS-RTM)": "rtm.analyst", "agency admin, named grants only": "rtm.admin"}
# Readers from agencies without a cast member: their first officer.
OTHER_AGENCY_OFFICERS = {"police officer (NL-POL-RTM)": "NL-POL-RTM", "customs officer (GR-CUS-PIR)": "GR-CUS-PIR"}


def officer_context():
    officer = get_user_model().objects.get(username=OFFICER)
    return officer, active_membership(officer).agency_id


def owned_case_ids(agency_id: int, number: int) -> list[str]:
    """The agency's newest unrestricted cases: what its officers open most."""
    ids = Case.objects.filter(owner_agency_id=agency_id, restricted=False).order_by("-seized_at", "-id")
    return [str(pk) for pk in ids.values_list("pk", flat=True)[:number]]


def list_query_times(officer, agency_id: int) -> dict:
    """Our policy against the plain column filter and the two designs it replaced."""
    queries = {"policy": sql_of(policy_page(officer)), "column": sql_of(column_page(agency_id)),
               "previous_policy": sql_of(previous_policy_page(officer)),
               "exists_hashable": sql_of(previous_policy_page(officer, agency_grants_as_hash=False))}
    return time_queries(queries, {name: DB_RUNS for name in queries})


def guardian_phase(officer, *, final: bool) -> dict:
    """Stock guardian on the same grants, timed against our policy in the same phase."""
    with owner_grants() as added:
        with CaptureQueriesContext(connection) as guardian_queries:
            guardian_ids = [case.pk for case in guardian_page(officer)]
        guardian_sql, policy_sql = sql_of(guardian_page(officer)), sql_of(policy_page(officer))
        phase = {
            "owner_grant_rows_added": added,
            "times": time_queries({"guardian": guardian_sql, "policy": policy_sql},
                                  {"guardian": GUARDIAN_RUNS, "policy": GUARDIAN_RUNS}),
            "same_first_page": guardian_ids == [row["id"] for row in policy_page(officer)],
            "visible_by_guardian": get_objects_for_user(officer, "cases.view_case", Case).count(),
            "visible_by_policy": visible_cases(officer).count(),
            "guardian_queries": [query["sql"] for query in guardian_queries.captured_queries],
            "guardian_sql": guardian_sql,
        }
        if final:
            phase["guardian_plan"] = explain(guardian_sql)
    return phase


def other_readers() -> dict:
    """People who see far fewer cases than the Rotterdam officer: the policy's hard cases."""
    readers = dict(OTHER_READERS)
    for label, code in OTHER_AGENCY_OFFICERS.items():
        membership = Membership.objects.filter(agency__code=code, role="officer", active=True).order_by("pk").first()
        readers[label] = membership.user.username
    users = get_user_model().objects.in_bulk(list(readers.values()), field_name="username")
    total = Case.objects.count()
    results = {}
    for label, username in readers.items():
        user = users[username]
        queries = {"policy": sql_of(policy_page(user)), "previous_policy": sql_of(previous_policy_page(user))}
        results[label] = {"username": username, "visible_share": round(visible_cases(user).count() / total, 4),
                          **time_queries(queries, {name: READER_RUNS for name in queries})}
    return results


def whole_set_times(officer) -> dict:
    """Paths that evaluate the policy over every case instead of one page (not hot paths)."""
    queries = {
        "count_visible_policy": f"SELECT count(*) FROM ({sql_of(visible_cases(officer).values('pk'))}) visible",
        "count_visible_previous_policy":
            f"SELECT count(*) FROM ({sql_of(previous_visible_cases(officer).values('pk'))}) visible",
        "browser_list_sorted_by_title": sql_of(case_list(user=officer).order_by("title", "id")[:26]),
    }
    return time_queries(queries, {name: 3 for name in queries}, warmup=1)


def python_cost(officer, agency_id: int, runs: int = 300) -> dict:
    """Milliseconds of Python to build and compile each list query (no database): what a
    request pays before PostgreSQL sees the query."""
    builders = {"policy": lambda: policy_page(officer), "previous_policy": lambda: previous_policy_page(officer),
                "column": lambda: column_page(agency_id)}
    costs = {}
    for name, build in builders.items():
        started = time.perf_counter()
        for _ in range(runs):
            build().query.get_compiler(using="default").as_sql()
        costs[name] = round((time.perf_counter() - started) / runs * 1000, 3)
    return costs


def measure_size(*, final: bool) -> dict:
    """Everything measured at each size; `final` adds what is only measured at the largest."""
    officer, agency_id = officer_context()
    seen, new = owned_case_ids(agency_id, 2)
    step = {"load_before": load()}
    step.update(count_queries(officer, seen_case_id=seen, new_case_id=new))
    step["api_sql_is_timed_sql"] = step["api_list_page_sql"] == sql_of(policy_page(officer))
    step["list_query"] = list_query_times(officer, agency_id)
    step["guardian"] = guardian_phase(officer, final=final)
    if final:
        step["plans"] = {"policy": explain(sql_of(policy_page(officer))),
                         "column": explain(sql_of(column_page(agency_id)))}
        step["python_build_compile_ms"] = python_cost(officer, agency_id)
        step["other_readers"] = other_readers()
        step["whole_set"] = whole_set_times(officer)
    step["load_after"] = load()
    return step
