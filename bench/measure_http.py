"""End-to-end HTTP at the largest size: the API list and detail, the browser list, and the
bench-only bare list and audit-free detail, under gunicorn and wrk (bench.load)."""
from django.conf import settings

from .audit_cost import AUDIT_ENDPOINTS, interleaved_cost, paired_server_times
from .database import checkpoint
from .hooks import HookContext, run_hooks
from .load import WORKERS, Endpoint, gunicorn, measure
from .machine import load
from .measure_db import officer_context, owned_case_ids
from .query_counts import browser_client, token_for
from .variants import CaseListPagination, policy_page

DETAIL_POOL = 5000  # distinct cases the detail measurements cycle through


def endpoints(officer, pool: list[str]) -> dict[str, Endpoint]:
    token = {"BENCH_AUTHORIZATION": f"Token {token_for(officer)}"}
    session = browser_client(officer).cookies[settings.SESSION_COOKIE_NAME].value
    cookie = {"BENCH_COOKIE": f"{settings.SESSION_COOKIE_NAME}={session}"}
    return {
        "api_cases": Endpoint("/api/v1/cases/", lambda: token),
        "bare": Endpoint("/bench/bare/cases/", lambda: token),
        # A fresh token per run: its consultations are not grouped with an earlier run's,
        # so every request writes its audit record.
        "api_case_detail": Endpoint("/api/v1/cases/", lambda: {"BENCH_AUTHORIZATION": f"Token {token_for(officer)}"},
                                    paths=[f"/api/v1/cases/{pk}/" for pk in pool]),
        "api_case_detail_without_audit": Endpoint("/bench/cases/", lambda: token,
                                                  paths=[f"/bench/cases/{pk}/" for pk in pool]),
        "api_case_detail_repeated": Endpoint(f"/api/v1/cases/{pool[0]}/", lambda: token),
        "browser_cases": Endpoint("/cases/", lambda: cookie),
    }


def http_phase(population, *, size: int, rounds: int, seconds: int, connections: int) -> dict:
    officer, agency_id = officer_context()
    pool = owned_case_ids(agency_id, DETAIL_POOL + 2)[2:]  # not the two bench.query_counts consulted
    bare_ids = ",".join(str(row["id"]) for row in policy_page(officer)[:CaseListPagination.page_size])
    targets = endpoints(officer, pool)
    result = {"load_before": load(), "connections": connections, "rounds": rounds, "seconds": seconds,
              "workers": WORKERS, "detail_pool": len(pool), "checkpoint": checkpoint()}
    general = {name: endpoint for name, endpoint in targets.items() if name not in AUDIT_ENDPOINTS}
    audit = {name: targets[name] for name in AUDIT_ENDPOINTS}
    with gunicorn({"BENCH_BARE_CASE_IDS": bare_ids}) as base:
        result["endpoints"] = measure(base, general, rounds=rounds, seconds=seconds, connections=connections)
        # The audit cost is a difference of a few per cent: twice the rounds to steady it, each
        # phase after a checkpoint of what the phase before wrote.
        checkpoint()
        result["endpoints"].update(measure(base, audit, rounds=2 * rounds, seconds=seconds, connections=connections))
        checkpoint()
        result["audit_interleaved"] = interleaved_cost(base, audit["api_case_detail"], audit["api_case_detail_without_audit"],
                                                       rounds=2 * rounds, seconds=seconds, connections=connections)
        result["saturated"] = measure(base, {name: targets[name] for name in ("api_cases", "bare")}, rounds=1,
                                      seconds=seconds, connections=4 * connections)
        result["load_after"] = load()
        checkpoint()
        result["audit_paired"] = paired_server_times(officer, pool[::-1])
        result["hooks"] = run_hooks(HookContext(size=size, officer=officer, population=population, base_url=base))
    return result
