"""Sealing: the hash chain over the trail, written after the fact by one sealer at a time.

Records are inserted unsealed in the act's own transaction (no global lock on the hot path).
The sealer chains them in id order once every transaction that could still hold a smaller id
has ended. That is the horizon (a few seconds) or, on PostgreSQL, earlier than the start of the
oldest other transaction that has written anything and is still open, whichever is older: a
record is never sealed past an id that may yet commit. The window in which a fresh record is
not yet in the chain is therefore the horizon plus the beat interval, seconds, not minutes.
"""
import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .hashing import GENESIS, HASHED_FIELDS, chain_hash, content_hash
from .models import AuditEvent, AuditSeal

SEALER_LOCK_KEY = 0x5EA1  # pg_advisory_xact_lock key: one sealer at a time
BATCH = 5000


CLOCK_MARGIN = datetime.timedelta(seconds=1)  # the application's clock (`at`) against the database's


def seal_horizon() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "AUDIT_SEAL_HORIZON_SECONDS", 5))


def _oldest_open_writer_start() -> datetime.datetime | None:
    """When the oldest other open transaction that has written something (it holds a
    transaction id) began; None when there is none, or off PostgreSQL (SQLite has one writer)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # the activity view is cached per transaction
        cursor.execute(
            "SELECT min(xact_start) FROM pg_stat_activity WHERE backend_xid IS NOT NULL"
            " AND backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database()")
        return cursor.fetchone()[0]


def seal_cutoff(horizon: datetime.timedelta | None = None) -> datetime.datetime:
    """Records written before this instant may be sealed: older than the horizon, and older
    than any transaction still open that may hold a smaller id."""
    cutoff = timezone.now() - (seal_horizon() if horizon is None else horizon)
    oldest = _oldest_open_writer_start()
    return cutoff if oldest is None else min(cutoff, oldest - CLOCK_MARGIN)


def _lock_sealer() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK_KEY])


def last_seal() -> AuditSeal | None:
    return AuditSeal.objects.order_by("-event_id").first()


@transaction.atomic
def seal_pending(*, horizon: datetime.timedelta | None = None, batch: int = BATCH) -> int:
    """Seal the records before the cutoff (seal_cutoff), in id order; returns how many were sealed.

    A record whose content no longer matches its hash is not sealed: sealing stops there and
    verification names it.
    """
    _lock_sealer()
    cutoff = seal_cutoff(horizon)
    head = last_seal()
    previous_id, previous_hash = (head.event_id, head.chain_hash) if head else (None, GENESIS)
    pending = (AuditEvent.objects.filter(id__gt=previous_id or 0).order_by("id")
               .values_list("id", "content_hash", *HASHED_FIELDS, named=True)[:batch])  # rows, not models
    seals = []
    for event in pending:
        if event.at >= cutoff or content_hash(event) != event.content_hash:
            break
        previous_hash = chain_hash(previous_hash, event.id, event.content_hash)
        seals.append(AuditSeal(event_id=event.id, previous_event_id=previous_id, chain_hash=previous_hash))
        previous_id = event.id
    AuditSeal.objects.bulk_create(seals)
    return len(seals)
