"""Server-side time of a query: PostgreSQL's own planning plus execution time, from
EXPLAIN (ANALYZE, TIMING OFF), repeated and interleaved across variants so that the load of
the moment weighs on all of them alike."""
import statistics

from django.db import connection


def sql_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        return cursor.mogrify(sql, params).decode()


def _server_ms(cursor, sql: str) -> tuple[float, float]:
    cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
    plan = cursor.fetchone()[0][0]
    return plan["Planning Time"], plan["Execution Time"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def summary(samples: list[tuple[float, float]]) -> dict:
    totals = [planning + execution for planning, execution in samples]
    return {"median_ms": round(statistics.median(totals), 3), "p95_ms": round(percentile(totals, 0.95), 3),
            "planning_median_ms": round(statistics.median(s[0] for s in samples), 3),
            "execution_median_ms": round(statistics.median(s[1] for s in samples), 3), "runs": len(samples)}


def time_queries(queries: dict[str, str], runs: dict[str, int], *, warmup: int = 3) -> dict[str, dict]:
    """{name: SQL} timed runs[name] times each, round-robin, after `warmup` untimed runs."""
    samples = {name: [] for name in queries}
    with connection.cursor() as cursor:
        for name, sql in queries.items():
            for _ in range(warmup):
                _server_ms(cursor, sql)
        for round_number in range(max(runs.values())):
            for name, sql in queries.items():
                if round_number < runs[name]:
                    samples[name].append(_server_ms(cursor, sql))
    return {name: summary(values) for name, values in samples.items()}


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())
