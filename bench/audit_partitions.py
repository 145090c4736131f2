"""Prototype (issue 17): audit_auditevent as a table partitioned by month, on PostgreSQL 15.

Not a migration yet: bench.audit_scale --partitioned applies it to its own database, after
`migrate`, and measures sealing and verification on it. The steps are those a migration would
take on a live trail, without copying a single record:

1. The id's identity becomes a plain sequence (PG 15 has no identity on partitioned tables).
2. The existing table gets a unique index on (id, at) (the partitioned primary key must hold
   the partition key) and a CHECK (at < first day of next month), validated without blocking
   inserts; in a migration these two are CONCURRENTLY / NOT VALID + VALIDATE steps.
3. It is renamed to audit_auditevent_legacy (its indexes too, names being schema-wide), a
   partitioned audit_auditevent takes its place, and it is attached as the partition of
   everything before next month: the CHECK spares the scan, matching indexes are adopted.
4. The primary key, Django's indexes and the BRIN index are declared on the parent, and the
   append-only trigger too: PostgreSQL clones a parent's row trigger onto every partition,
   present and future.
5. One partition per month ahead (ensure_partitions, a daily beat task) and a DEFAULT partition,
   so an insert never fails for want of a partition.
"""
import datetime

from django.db import connection

TABLE = "audit_auditevent"
LEGACY = "audit_auditevent_legacy"


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_y{month:%Y}m{month:%m}"


def _indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname <> %s",
                   [TABLE, f"{TABLE}_pkey"])
    return cursor.fetchall()


def partition_by_month(*, today: datetime.date, months_ahead: int = 3) -> None:
    bound = next_month(month_start(today))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {TABLE}")
        last_id = cursor.fetchone()[0]
        indexes = _indexes(cursor)
        # 1. a plain sequence
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id DROP IDENTITY")
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq AS bigint")
        cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s, %s)", [max(last_id, 1), last_id > 0])
        # 2. what the parent's key and the bound need
        cursor.execute(f"CREATE UNIQUE INDEX {LEGACY}_id_at ON {TABLE} (id, at)")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {LEGACY}_bound CHECK (at < %s) NOT VALID", [bound])
        cursor.execute(f"ALTER TABLE {TABLE} VALIDATE CONSTRAINT {LEGACY}_bound")
        # 3. swap in the partitioned table and attach the old one
        cursor.execute(f"DROP TRIGGER {TABLE}_append_only ON {TABLE}")  # the parent's clone replaces it
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {LEGACY}")
        # Its key on id alone gives way to (id, at), the parent's, on the index built in step 2.
        cursor.execute(f"ALTER TABLE {LEGACY} DROP CONSTRAINT {TABLE}_pkey")
        cursor.execute(f"ALTER TABLE {LEGACY} ADD CONSTRAINT {LEGACY}_pkey PRIMARY KEY USING INDEX {LEGACY}_id_at")
        for name, _definition in indexes:
            cursor.execute(f"ALTER INDEX {name} RENAME TO {name}_legacy")
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {LEGACY} INCLUDING DEFAULTS) PARTITION BY RANGE (at)")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at)")
        cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {LEGACY} FOR VALUES FROM (MINVALUE) TO (%s)", [bound])
        # 4. indexes and the trigger on the parent, adopted by or cloned onto every partition
        for _name, definition in indexes:
            cursor.execute(definition.replace(f" ON public.{TABLE} ", f" ON {TABLE} "))
        cursor.execute(f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
                       "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    ensure_partitions(today=today, months_ahead=months_ahead)


def ensure_partitions(*, today: datetime.date, months_ahead: int = 3) -> None:
    """Create the partitions of the coming months that do not exist yet (idempotent, by name)."""
    month = next_month(month_start(today))
    with connection.cursor() as cursor:
        for _ in range(months_ahead):
            upper = next_month(month)
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {partition_name(month)} PARTITION OF {TABLE} "
                           "FOR VALUES FROM (%s) TO (%s)", [month, upper])
            month = upper


def layout() -> list[tuple[str, str, list[str]]]:
    """Each partition, its bound and its triggers: what the report shows."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid),
                   array(SELECT tgname FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname""", [TABLE])
        return cursor.fetchall()
