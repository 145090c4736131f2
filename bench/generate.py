"""Grows the bench database to a number of cases, in bulk, then leaves it as a running
database would be: indexes built, statistics fresh, vacuumed."""
import contextlib
import time

from django.db import connection

from cases.models import Case

from .bulk import BulkWriter
from .plan import case_plans
from .population import Population

LOADED_TABLES = ["cases_case", "cases_caseshare", "cases_casegrant", "cases_casegroupobjectpermission",
                 "cases_caseuserobjectpermission", "cases_seizureitem", "cases_identifier", "cases_party",
                 "cases_routeleg", "cases_note", "cases_matchkey", "audit_auditevent"]
# Below this many new cases, keeping the indexes is quicker than rebuilding them.
REBUILD_FROM = 50_000


def grow_to(population: Population, size: int, *, now) -> dict:
    """Add cases until there are `size`; returns how long it took and the row counts."""
    started = time.perf_counter()
    present = Case.objects.count()  # bench bookkeeping, not a request path
    adding = max(0, size - present)
    indexes = plain_indexes_dropped() if adding >= REBUILD_FROM else contextlib.nullcontext()
    with indexes:
        BulkWriter(population, seed=present).write(case_plans(population, start=present, count=adding, now=now))
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would otherwise do in the middle of the measurements
    return {"size": size, "load_seconds": round(loaded - started, 1),
            "vacuum_seconds": round(time.perf_counter() - loaded, 1), "rows": row_counts()}


@contextlib.contextmanager
def plain_indexes_dropped():
    """Drop the loaded tables' indexes that back no constraint, and build them again after:
    one sorted build is far cheaper than a million random inserts into each (the keys are
    random UUIDs). The definitions come from the catalogue, so they come back identical."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT indexname, indexdef FROM pg_indexes i
            WHERE schemaname = current_schema() AND tablename = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""", [LOADED_TABLES])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in LOADED_TABLES + ["auth_user"]:
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts
