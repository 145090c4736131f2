"""The audit trail at scale (issue 17): sealing and incremental verification at 10M records.

    python -m bench.audit_scale                      # 10M records, prints the `audit_scale` figures
    python -m bench.audit_scale --records 200000 --day 50000 --full
    python -m bench.audit_scale --records 2000000 --partitioned   # the monthly-partition prototype

Fills a database of its own (BENCH_AUDIT_DATABASE_URL, default portcullis_bench_auditscale,
dropped and created here; the name must contain "bench") with `records` audit records written
by PostgreSQL, a day's worth (`day`, 1M) per day up to an hour ago, each with its content hash
as audit.services writes it. Everything but the last day is sealed as the sealer would have
sealed it (the chain computed in the database too) and its last seal recorded as verified,
as yesterday's passes would have left the trail. Then, timed: the real sealer
(audit.sealing.seal_pending, batch by batch) seals the last day, and the real incremental pass
(audit.verification.verify) verifies it; with --full also the full pass over every record.
"""
import argparse
import datetime
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor

from .database import checkpoint, database_name, migrate, recreate_database, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portcullis_bench_auditscale"
COPY_AGENCIES = "ARRAY['NL-CUS-RTM', 'NL-CUS-AMS', 'DE-ZOLL-HAM', 'BE-DOU-ANR', 'NL-POL-NAT', 'NL-OM']"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
CHANGES = '{"title":{"after":"Cocaine in pineapples","before":"Cocaine in bananas"}}'
BATCH = 500_000
WRITERS = 2

# One record per id, as audit.services writes them: mostly consultations through a session,
# one in ten an alteration naming the field it changed, one in fifty a disclosure. PostgreSQL
# writes them (twice as fast as formatting them in Python here), content hash included: the
# same canonical JSON as audit.hashing (sorted keys, no spaces; every value here is plain
# ASCII), which the sealer and the verifier recompute in Python from the stored row, so a
# difference would stop the sealer and fail the run.
RECORDS = f"""
WITH base AS (
    SELECT id, %(start)s::timestamptz + %(step)s::interval * id AS at, 1 + (id * 7919) %% 1999 AS actor,
           md5((id %% 50000)::text)::uuid AS case_id, id %% 100 AS kind
    FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS id
), record AS (
    SELECT id, at, actor, ({COPY_AGENCIES})[1 + actor %% 6] AS actor_agency,
           CASE WHEN kind < 10 THEN 'alteration' WHEN kind < 12 THEN 'disclosure' ELSE 'consultation' END AS operation,
           CASE WHEN kind < 10 THEN 'case_update' WHEN kind < 12 THEN 'case_share' ELSE 'case_view' END AS action,
           case_id, ({COPY_AGENCIES})[1 + get_byte(decode(md5(case_id::text), 'hex'), 0) %% 6] AS case_agency,
           CASE WHEN kind < 12 AND kind >= 10 THEN ({COPY_AGENCIES})[1 + (actor + 1) %% 6] ELSE '' END AS recipient,
           CASE WHEN kind < 10 THEN '{CHANGES}' ELSE '{{}}' END AS changes,
           left(md5(id::text), 16) AS request_id, '10.' || actor %% 256 || '.' || id %% 256 || '.7' AS ip_address,
           left(md5(id::text || 's'), 24) AS session_ref
    FROM base
)
INSERT INTO audit_auditevent (id, at, actor_id, actor_username, actor_agency, actor_role, operation, action,
    object_type, object_id, case_id, case_agency, handling_code, justification, recipient, changes, request_id,
    ip_address, user_agent, session_ref, content_hash)
SELECT id, at, actor, 'user' || actor, actor_agency, 'officer', operation, action, 'case', case_id::text, case_id,
       case_agency, 'H1', '', recipient, changes::jsonb, request_id, ip_address::inet, '{USER_AGENT}', session_ref,
       encode(sha256(convert_to(
           '{{"action":"' || action || '","actor_agency":"' || actor_agency || '","actor_id":' || actor
           || ',"actor_role":"officer","actor_username":"user' || actor || '","at":"'
           || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00","case_agency":"'
           || case_agency || '","case_id":"' || case_id || '","changes":' || changes
           || ',"handling_code":"H1","ip_address":"' || ip_address || '","justification":"","object_id":"'
           || case_id || '","object_type":"case","operation":"' || operation || '","recipient":"' || recipient
           || '","request_id":"' || request_id || '","session_ref":"' || session_ref || '","user_agent":"{USER_AGENT}"}}',
           'UTF8')), 'hex')
FROM record
"""

# The seals the sealer would have written up to `last`, chained in id order.
SEALS = """
CREATE FUNCTION pg_temp.bench_chain(last bigint, sealed timestamptz)
RETURNS TABLE (event_id bigint, previous_event_id bigint, chain_hash text, sealed_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
    previous bigint := NULL;
    hash text := repeat('0', 64);
    event record;
BEGIN
    FOR event IN SELECT e.id, e.content_hash FROM audit_auditevent e WHERE e.id <= last ORDER BY e.id LOOP
        hash := encode(sha256(convert_to(hash || ':' || event.id || ':' || event.content_hash, 'UTF8')), 'hex');
        event_id := event.id; previous_event_id := previous; chain_hash := hash; sealed_at := sealed;
        RETURN NEXT;
        previous := event.id;
    END LOOP;
END $$;
INSERT INTO audit_auditseal SELECT * FROM pg_temp.bench_chain(%(last)s, %(sealed)s);
"""


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--day", type=int, default=1_000_000, help="records per day: the last day is timed")
    parser.add_argument("--full", action="store_true", help="also time a full verification pass")
    parser.add_argument("--partitioned", action="store_true",
                        help="partition the trail by month first (prototype: bench.audit_partitions)")
    return parser.parse_args()


def write_records(first: int, last: int, start: datetime.datetime, step: datetime.timedelta) -> None:
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute(RECORDS, {"start": start, "step": step, "first": first, "last": last})
        print(f"audit_scale: records {first:,} to {last:,}", flush=True)
    finally:
        connection.close()


def fill(records: int, day: int) -> dict:
    """Write the records, and the seals of all but the last day; returns the timings."""
    from django.db import connection
    from django.utils import timezone

    end = timezone.now() - datetime.timedelta(hours=1)
    step = datetime.timedelta(days=1) / day
    start = end - step * records
    presealed = records - day
    started = time.monotonic()
    with connection.cursor() as cursor:
        # As bulk loads do: the secondary indexes are built once at the end, not row by row.
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent' "
                       "AND indexname <> 'audit_auditevent_pkey' AND indexdef NOT LIKE '%%ON ONLY%%'")
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
        with ThreadPoolExecutor(max_workers=WRITERS) as writers:  # two backends: the hashing is PostgreSQL's CPU
            list(writers.map(lambda first: write_records(first, min(first + BATCH - 1, records), start, step),
                             range(1, records + 1, BATCH)))
        for _name, definition in indexes:
            cursor.execute(definition)
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [records])
        filled = time.monotonic()
        cursor.execute(SEALS, {"last": presealed, "sealed": end})
        cursor.execute("SELECT chain_hash FROM audit_auditseal WHERE event_id = %s", [presealed])
        chain = cursor.fetchone()[0]
        cursor.execute("ANALYZE audit_auditevent")
        cursor.execute("ANALYZE audit_auditseal")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('audit_auditevent'))")
        size = cursor.fetchone()[0]
    return {"fill_s": round(filled - started, 1), "presealing_s": round(time.monotonic() - filled, 1),
            "table_size": size, "presealed": presealed, "last_verified_seal": (presealed, chain)}


def measure(records: int, day: int, full: bool) -> dict:
    from audit.models import AuditCheckpoint, AuditSeal
    from audit.sealing import BATCH, seal_pending
    from audit.verification import verify

    filled = fill(records, day)
    presealed, chain = filled.pop("last_verified_seal")
    AuditCheckpoint.objects.create(event_id=presealed, chain_hash=chain, full=True)
    checkpoint()

    started, sealed = time.monotonic(), 0
    while (batch := seal_pending(batch=BATCH)) == BATCH:
        sealed += batch
    sealed += batch
    seal_s = time.monotonic() - started
    assert AuditSeal.objects.count() == records, "the sealer left records unsealed"

    started = time.monotonic()
    incremental = verify()
    incremental_s = time.monotonic() - started
    assert incremental.ok and incremental.events == day, incremental
    results = {
        "records": records, **filled, "sealed": sealed, "seal_s": round(seal_s, 1),
        "seal_per_s": round(sealed / seal_s), "incremental_records": incremental.events,
        "incremental_verify_s": round(incremental_s, 1),
        "incremental_verify_per_s": round(incremental.events / incremental_s),
    }
    if day == 1_000_000:
        results["incremental_verify_1m_s"] = results["incremental_verify_s"]  # the key
    print(f"audit_scale: {json.dumps(results)}", flush=True)
    if full:
        started = time.monotonic()
        everything = verify(full=True)
        results["full_verify_s"] = round(time.monotonic() - started, 1)
        assert everything.ok and everything.events == records, everything
        results["full_verify_per_s"] = round(records / results["full_verify_s"])
    return results


def main() -> None:
    args = arguments()
    url = os.environ.get("BENCH_AUDIT_DATABASE_URL") or DEFAULT_URL
    recreate_database(url)
    setup_django(url)
    migrate()
    if args.partitioned:
        from .audit_partitions import layout, partition_by_month

        # The old table keeps what is before the records (nothing): they land in monthly partitions.
        before = datetime.date.today() - datetime.timedelta(days=args.records / args.day + 31)
        partition_by_month(today=before, months_ahead=4)
    results = {"database": database_name(url), "partitioned": args.partitioned,
               **measure(args.records, args.day, args.full)}
    if args.partitioned:
        results["partitions"] = layout()
    print(json.dumps({"audit_scale": results}, indent=2), flush=True)


if __name__ == "__main__":
    main()
