"""Issue 14's matching figures: bench/results.json "matching" and section 5 of bench/RESULTS.md.

At every size, on the keys the generator wrote (bench.bulk: what index_case_part writes):
- lookup: PostgreSQL's time (planning + execution, EXPLAIN ANALYZE with TIMING OFF) to find who
  else holds one key, i.e. the matches of a new identifier among all keys: keys the index holds
  (a random sample), keys held by several cases, and keys of new identifiers nobody holds;
- the matching task of one case (hits_match_case, what runs after each new identifier or
  party), in process and rolled back, on cases that hold a recurring value and on any case;
- the nightly re-match (hits_rematch_all): from an empty hits table (every hit at once, as on
  the first night over existing data), again with nothing missing, and with the hits of 1% of
  the cases lost (their tasks never ran); the hits it creates, and its plan at the largest size;
- GET /api/v1/hits/ for an officer of the agency with most hits: the page query's time and the
  queries per request; and the queries of the identifier POST with and without matching.
At the largest size also, under gunicorn and wrk (matching_http): the hits page against a bare
endpoint, and the identifier POST with matching enqueued against the same POST without it.

Tasks go to a Redis database of the bench's own (BENCH_REDIS_URL, by default db 13 of the
local Redis), as in production, where a worker delivers notifications and runs the matching
task: their publication is measured, their execution is a worker's. The database must be empty
at the start and is emptied after each phase.
"""
import contextlib
import os
import statistics
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership, Role
from cases.matching import match_key
from cases.choices import Status
from cases.models import Case, Hit, MatchKey
from cases.selectors_hits import hits_filtered
from cases.services.matching import _insert_hits_sql, hits_match_case, hits_rematch_all

from .dbtime import _server_ms, explain, sql_of, summary, time_queries
from .load import Endpoint, _median_of_rounds, gunicorn, wrk, wrk_interleaved
from .machine import load
from .measure_db import officer_context
from .plan import new_container
from .query_counts import NOT_READS, api_client, run, token_for

BROKER_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
LOOKUP_KEYS = 400  # per kind of key
TASK_CASES = 60  # per kind of case
LOST_SHARE = 0.01  # of the cases with hits, whose matching tasks are lost before the nightly run
HITS_PAGE_RUNS = 100
POST_LINES = 4000  # distinct identifiers per wrk run and endpoint (more than a run can send)
_posted = iter(range(10**6))  # new_container numbers handed out so far


# --- tasks to a broker, as in production ----------------------------------------------------

def _broker():
    import redis

    return redis.Redis.from_url(BROKER_URL)


def broker_messages() -> int:
    """Messages waiting in the bench's Redis database (all lists: Celery's queues)."""
    client = _broker()
    return sum(client.llen(name) for name in client.scan_iter() if client.type(name) == b"list")


@contextlib.contextmanager
def tasks_to_broker():
    """Celery publishes to BENCH_REDIS_URL instead of running tasks in this process."""
    from coordination.celery import app

    client = _broker()
    if client.dbsize():
        raise RuntimeError(f"{BROKER_URL} holds keys: give BENCH_REDIS_URL an empty database of the bench's own")
    if getattr(app, "_pool", None) is not None and app.conf.broker_url != BROKER_URL:
        # Celery keeps its connection pool (and the producer pool on it) for the process.
        raise RuntimeError("this process already published tasks to another broker")
    eager, broker = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, BROKER_URL
    try:
        yield client
    finally:
        app.conf.task_always_eager = eager
        if getattr(app, "_pool", None) is None:
            app.conf.broker_url = broker
        client.flushdb()


# --- lookup and the per-case task -----------------------------------------------------------

def _sample_keys(number: int, seed: float = 0.4) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed])
        cursor.execute("SELECT key FROM cases_matchkey ORDER BY random() LIMIT %s", [number])
        return [row[0] for row in cursor.fetchall()]


def _recurring_keys(number: int) -> list[str]:
    """Keys held by 2 to MATCHING_MAX_CASES cases, found among a random sample through the index."""
    found = []
    for key in _sample_keys(100 * number, seed=0.7):
        holders = MatchKey.objects.filter(key=key).values("case_id").distinct().count()
        if 2 <= holders <= settings.MATCHING_MAX_CASES:
            found.append(key)
            if len(found) == number:
                break
    return found


def lookup_sql(key: str, agency_id: int) -> str:
    """Who else holds this key: the matches of a new identifier of `agency_id`'s case."""
    return sql_of(MatchKey.objects.filter(key=key).exclude(owner_agency_id=agency_id)
                  .values_list("case_id", "owner_agency_id", "kind"))


def lookup_times(agency_id: int) -> dict:
    groups = {
        "held": _sample_keys(LOOKUP_KEYS),
        "recurring": _recurring_keys(LOOKUP_KEYS // 4),
        "new": [match_key("container", new_container(900_000 + number)) for number in range(LOOKUP_KEYS)],
    }
    samples = {name: [] for name in groups}
    with connection.cursor() as cursor:
        for key in groups["held"][:20]:  # warm-up
            _server_ms(cursor, lookup_sql(key, agency_id))
        for position in range(max(len(keys) for keys in groups.values())):  # interleaved across the groups
            for name, keys in groups.items():
                if position < len(keys):
                    samples[name].append(_server_ms(cursor, lookup_sql(keys[position], agency_id)))
    result = {name: summary(values) for name, values in samples.items() if values}
    result["plan"] = explain(lookup_sql(groups["held"][0], agency_id))
    return result


def _cases_with_recurring_keys(number: int) -> list:
    keys = _recurring_keys(number)
    return list(dict.fromkeys(MatchKey.objects.filter(key__in=keys).values_list("case_id", flat=True)))[:number]


def task_times() -> dict:
    """hits_match_case for one case, in process, each rolled back: the work after each new
    identifier or party (with the hits it creates, their audit records and outbox rows)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.5)")
        cursor.execute("SELECT DISTINCT case_id FROM cases_matchkey ORDER BY 1 LIMIT %s",
                       [TASK_CASES])  # uuid order: any cases
        any_cases = [row[0] for row in cursor.fetchall()]
    groups = {"recurring": _cases_with_recurring_keys(TASK_CASES), "any": any_cases}
    times = {name: [] for name in groups}
    created = {name: 0 for name in groups}
    for position in range(max(len(cases) for cases in groups.values())):
        for name, cases in groups.items():
            if position < len(cases):
                with transaction.atomic():
                    started = time.perf_counter()
                    created[name] += len(hits_match_case(case_id=cases[position]))
                    times[name].append((time.perf_counter() - started) * 1000)
                    transaction.set_rollback(True)
    return {name: {"median_ms": round(statistics.median(values), 2), "max_ms": round(max(values), 2),
                   "cases": len(values), "hits_per_case": round(created[name] / len(values), 2)}
            for name, values in times.items() if values}


# --- the nightly re-match -------------------------------------------------------------------

class StatementClock:
    """Wall time of each statement (connection.execute_wrapper)."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:  # the start of each statement only: a first re-match runs a million
            self.statements.append((sql[:40], time.perf_counter() - started))


def timed_rematch(client) -> dict:
    """hits_rematch_all once: wall time, and where it goes. `withdraw` is everything before the
    hits INSERT (finding the frequent keys and withdrawing their open hits), `insert` the
    INSERT ... SELECT, `after` the rest: loading the new hits, one audit record and one outbox
    row each, the commit and publishing the delivery tasks to the broker."""
    clock = StatementClock()
    before = broker_messages()
    started = time.perf_counter()
    with connection.execute_wrapper(clock):
        created = len(hits_rematch_all())
    total = time.perf_counter() - started
    position = next((index for index, (sql, _) in enumerate(clock.statements)
                     if sql.startswith('INSERT INTO "cases_hit"')), len(clock.statements))
    withdraw = sum(seconds for _, seconds in clock.statements[:position])
    insert = clock.statements[position][1] if position < len(clock.statements) else 0.0
    return {"seconds": round(total, 2), "hits_created": created, "withdraw_s": round(withdraw, 2),
            "insert_s": round(insert, 2), "after_s": round(total - withdraw - insert, 2),
            "after_ms_per_hit": round((total - withdraw - insert) / created * 1000, 3) if created else None,
            "statements": len(clock.statements), "tasks_published": broker_messages() - before}


def lose_tasks(share: float) -> dict:
    """Delete the hits (both sides) of a random `share` of the cases holding hits, as if their
    matching tasks had been lost while no worker ran."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT case_id) FROM cases_hit")
        with_hits = cursor.fetchone()[0]
        cursor.execute("SELECT setseed(0.6)")
        cursor.execute("""
            WITH lost AS (SELECT case_id FROM (SELECT DISTINCT case_id FROM cases_hit) c ORDER BY random() LIMIT %s)
            DELETE FROM cases_hit WHERE case_id IN (SELECT case_id FROM lost)
                                     OR other_case_id IN (SELECT case_id FROM lost)""",
                       [max(1, round(share * with_hits))])
        return {"cases_with_hits": with_hits, "cases_lost": max(1, round(share * with_hits)),
                "hits_deleted": cursor.rowcount}


def rematch_plan() -> str:
    """The re-match's INSERT ... SELECT, EXPLAIN ANALYZE'd and rolled back (at the largest size)."""
    sql = _insert_hits_sql(connection.vendor, for_one_case=False)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, [timezone.now(), settings.MATCHING_MAX_CASES])
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def rematch_phase(client, *, final: bool) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_hit CASCADE")  # hits of a smaller size: start from none
    phase = {"from_empty": timed_rematch(client)}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_hit")  # as autovacuum would after so many new rows
    phase["nothing_missing"] = timed_rematch(client)
    phase["lost"] = lose_tasks(LOST_SHARE)
    phase["nightly"] = timed_rematch(client)
    if final:
        phase["plan"] = rematch_plan()
    client.flushdb()  # the delivery tasks published: a worker's work
    return phase


# --- the hits page and the identifier POST, in process ----------------------------------------

def busiest_officer():
    """An officer of the agency whose cases hold the most hits: the bench's Rotterdam officer
    when that is Rotterdam, else its first officer."""
    busiest = (Hit.objects.values("case__owner_agency_id").annotate(hits=Count("pk")).order_by("-hits").first())
    officer, agency_id = officer_context()
    if busiest and busiest["case__owner_agency_id"] != agency_id:
        membership = (Membership.objects.filter(agency_id=busiest["case__owner_agency_id"], role=Role.OFFICER,
                                                active=True).select_related("user").order_by("pk").first())
        officer = membership.user
    return officer, busiest["hits"] if busiest else 0


def hits_page(officer) -> dict:
    url = reverse("api:hit-list")
    client = api_client(officer)
    run(client, url)  # warm
    statements = run(client, url)
    page_sql = next(sql for sql in statements if 'FROM "cases_hit"' in sql and "LIMIT" in sql)
    return {"username": officer.username, "queries_per_request": len(statements),
            "hits_visible": hits_filtered(user=officer).count(), "page_sql": page_sql,
            **time_queries({"page": page_sql}, {"page": HITS_PAGE_RUNS})["page"]}


def writable_case_ids(agency_id: int, number: int, *, skip: int = 0) -> list[str]:
    """The agency's newest open, unrestricted cases: where its officers add identifiers."""
    ids = (Case.objects.filter(owner_agency_id=agency_id, restricted=False, status=Status.OPEN)
           .order_by("-seized_at", "-id").values_list("pk", flat=True))
    return [str(pk) for pk in ids[skip:skip + number]]


def _posted_body() -> str:
    number = next(_posted)
    value = new_container(number)
    return '{"kind": "container", "value": "%s %s-%s"}' % (value[:4], value[4:10], value[10])


def post_queries(officer, case_id) -> dict:
    """Statements of one identifier POST with matching (its key, the task published) and
    without (bench-only endpoint), each a new container on the same case."""
    client = api_client(officer)
    counts = {}
    for name, path in (("with_matching", f"/api/v1/cases/{case_id}/identifiers/"),
                       ("without_matching", f"/bench/cases/{case_id}/identifiers/")):
        for _ in range(2):  # the second counted: the first also fills per-process caches
            with CaptureQueriesContext(connection) as captured:
                response = client.post(path, _posted_body(), content_type="application/json")
            if response.status_code != 201:
                raise RuntimeError(f"POST {path} answered {response.status_code}: {response.content[:200]}")
        counts[name] = len([query for query in captured.captured_queries if not query["sql"].startswith(NOT_READS)])
    return counts


def post_breakdown(case_id, runs: int = 200) -> dict:
    """Where the matching's share of an identifier POST goes, in process: writing the new
    identifier's key (index_case_part: the HMAC and the INSERT, each in a rolled-back
    transaction) and publishing the matching task to the broker (what runs on commit)."""
    from cases.models import Identifier
    from cases.services.matching import _enqueue_match, index_case_part

    case = Case.objects.select_related("owner_agency").get(pk=case_id)
    index_ms, publish_ms = [], []
    for number in range(runs):
        with transaction.atomic():
            value = new_container(800_000 + number)
            identifier = Identifier.objects.create(case=case, kind="container", raw_value=value, value=value,
                                                   created_by_id=case.created_by_id)
            started = time.perf_counter()
            index_case_part(case=case, part=identifier)
            index_ms.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)  # its on-commit publication is dropped with it
        started = time.perf_counter()
        _enqueue_match(case.pk)
        publish_ms.append((time.perf_counter() - started) * 1000)
    return {"runs": runs, "index_case_part_ms": round(statistics.median(index_ms), 3),
            "publish_task_ms": round(statistics.median(publish_ms), 3)}


def measure_matching(*, final: bool) -> dict:
    """Everything measured at each size (the HTTP part only at the largest, by matching_http)."""
    officer, agency_id = officer_context()
    step = {"load_before": load(), "match_keys": MatchKey.objects.count()}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM (SELECT key FROM cases_matchkey GROUP BY key "
                       "HAVING count(DISTINCT case_id) > %s) frequent", [settings.MATCHING_MAX_CASES])
        step["frequent_keys"] = cursor.fetchone()[0]
    step["lookup"] = lookup_times(agency_id)
    if not final:
        step["lookup"].pop("plan")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE cases_hit CASCADE")  # the task finds what a first run finds
    with tasks_to_broker() as client:
        step["task"] = task_times()
        step["rematch"] = rematch_phase(client, final=final)
        busiest, hits = busiest_officer()
        step["hits_page"] = {"agency_hits": hits, **hits_page(busiest)}
        if final:
            step["hits_page"]["plan"] = explain(step["hits_page"]["page_sql"])
        step["identifier_post_queries"] = post_queries(officer, writable_case_ids(agency_id, 1)[0])
        step["identifier_post_breakdown"] = post_breakdown(writable_case_ids(agency_id, 1)[0])
    step["hits"] = Hit.objects.count()
    step["load_after"] = load()
    return step


# --- under gunicorn and wrk, at the largest size ---------------------------------------------

def _post_endpoint(token: dict, prefix: str, pool: list[str], lines: int = POST_LINES) -> Endpoint:
    return Endpoint(prefix, lambda: token,
                    paths=[f"{prefix}{pool[number % len(pool)]}/identifiers/\t{_posted_body()}"
                           for number in range(lines)])


def identifier_post_http(base: str, officer, pool: list[str], *, rounds: int, seconds: int,
                         connections: int) -> dict:
    """POST /api/v1/cases/{id}/identifiers/ (a new container each time, on the officer's own
    cases) against the bench-only POST without matching: in separate wrk rounds (throughput),
    then alternated on every connection, the same case back to back (bench.audit_cost's method)."""
    token = {"BENCH_AUTHORIZATION": f"Token {token_for(officer)}"}
    prefixes = {"with_matching": "/api/v1/cases/", "without_matching": "/bench/cases/"}
    for prefix in prefixes.values():  # warm-up
        wrk(base, _post_endpoint(token, prefix, pool, 400), seconds=2, connections=connections)
    before = broker_messages()
    runs = {name: [] for name in prefixes}
    for _ in range(rounds):
        for name, prefix in prefixes.items():
            runs[name].append(wrk(base, _post_endpoint(token, prefix, pool), seconds=seconds,
                                  connections=connections))
    separate = {name: _median_of_rounds(values) for name, values in runs.items()}
    enqueued_in_rounds = broker_messages() - before
    pairs = []
    per_round = []
    for _ in range(2 * rounds):
        run_pairs = wrk_interleaved(base, _post_endpoint(token, prefixes["with_matching"], pool),
                                    _post_endpoint(token, prefixes["without_matching"], pool),
                                    seconds=seconds, connections=connections, expect_status=201)
        per_round.append(_closed_loop_ratio(run_pairs))
        pairs += run_pairs
    with_ms, without_ms = [pair[1] for pair in pairs], [pair[2] for pair in pairs]
    return {
        "separate_rounds": separate,
        "rps_ratio": round(separate["with_matching"]["rps"] / separate["without_matching"]["rps"], 3),
        "match_tasks_enqueued_in_rounds": enqueued_in_rounds,
        "posts_with_matching_in_rounds": separate["with_matching"]["requests"],
        "interleaved": {
            "rounds": 2 * rounds, "pairs": len(pairs),
            "with_matching_ms": {"median": round(statistics.median(with_ms), 3),
                                 "mean": round(statistics.fmean(with_ms), 3)},
            "without_matching_ms": {"median": round(statistics.median(without_ms), 3),
                                    "mean": round(statistics.fmean(without_ms), 3)},
            "paired_difference_ms": round(statistics.median(a - b for _, a, b in pairs), 3),
            # Closed loop: throughput per connection = 1 / mean latency.
            "throughput_ratio": _closed_loop_ratio(pairs),
            "throughput_ratio_per_round": per_round,
        },
    }


def _closed_loop_ratio(pairs) -> float:
    """Mean of the two orders (with matching first, without first) of without ÷ with mean latency."""
    ratios = []
    for order in ("AB", "BA"):
        group = [pair for pair in pairs if pair[0] == order]
        if group:
            ratios.append(statistics.fmean(pair[2] for pair in group) / statistics.fmean(pair[1] for pair in group))
    return round(statistics.fmean(ratios), 3)


def hits_page_http(officer, *, rounds: int, seconds: int, connections: int) -> dict:
    """GET /api/v1/hits/ for the busiest agency's officer against the bare endpoint serving the
    same rows (bench.views.BareHitList)."""
    from .load import measure

    token = {"BENCH_AUTHORIZATION": f"Token {token_for(officer)}"}
    page_ids = ",".join(str(hit.pk) for hit in hits_filtered(user=officer)[:50])
    endpoints = {"api_hits": Endpoint("/api/v1/hits/", lambda: token),
                 "bare_hits": Endpoint("/bench/bare/hits/", lambda: token)}
    with gunicorn({"BENCH_BARE_HIT_IDS": page_ids}) as base:
        result = measure(base, endpoints, rounds=rounds, seconds=seconds, connections=connections)
    result["ratio"] = round(result["api_hits"]["rps"] / result["bare_hits"]["rps"], 3)
    return result


def matching_http(*, rounds: int, seconds: int, connections: int) -> dict:
    officer, agency_id = officer_context()
    busiest, _hits = busiest_officer()
    result = {"load_before": load(), "connections": connections, "rounds": rounds, "seconds": seconds}
    result["hits_page"] = {"username": busiest.username,
                           **hits_page_http(busiest, rounds=rounds, seconds=seconds, connections=connections)}
    pool = writable_case_ids(agency_id, 3000)
    with tasks_to_broker(), gunicorn({"REDIS_URL": BROKER_URL}) as base:
        result["identifier_post"] = {"username": officer.username, "cases": len(pool),
                                     **identifier_post_http(base, officer, pool, rounds=rounds, seconds=seconds,
                                                            connections=connections)}
    result["load_after"] = load()
    return result
