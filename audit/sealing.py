"""Sealing: the hash chain over the trail, written after the fact by one sealer at a time.

Records are inserted unsealed in the act's own transaction (no global lock on the hot path).
The sealer chains them in id order once they are older than the horizon, by which time any
transaction that drew a smaller id has committed or rolled back (production bounds
transaction time with statement and idle-in-transaction timeouts well below the horizon).
"""
import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .hashing import GENESIS, chain_hash, content_hash
from .models import AuditEvent, AuditSeal

SEALER_LOCK_KEY = 0x5EA1  # pg_advisory_xact_lock key: one sealer at a time
BATCH = 5000


def seal_horizon() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "AUDIT_SEAL_HORIZON_SECONDS", 120))


def _lock_sealer() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SEALER_LOCK_KEY])


def last_seal() -> AuditSeal | None:
    return AuditSeal.objects.order_by("-event_id").first()


@transaction.atomic
def seal_pending(*, horizon: datetime.timedelta | None = None, batch: int = BATCH) -> int:
    """Seal the records past the horizon, in id order; returns how many were sealed.

    A record whose content no longer matches its hash is not sealed: sealing stops there and
    verification names it.
    """
    _lock_sealer()
    cutoff = timezone.now() - (seal_horizon() if horizon is None else horizon)
    head = last_seal()
    previous_id, previous_hash = (head.event_id, head.chain_hash) if head else (None, GENESIS)
    pending = AuditEvent.objects.filter(id__gt=previous_id or 0).order_by("id")[:batch]
    seals = []
    for event in pending:
        if event.at >= cutoff or content_hash(event) != event.content_hash:
            break
        previous_hash = chain_hash(previous_hash, event.id, event.content_hash)
        seals.append(AuditSeal(event_id=event.id, previous_event_id=previous_id, chain_hash=previous_hash))
        previous_id = event.id
    AuditSeal.objects.bulk_create(seals)
    return len(seals)
