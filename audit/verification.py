"""Recomputing the trail: content hashes, the chain of seals, and nothing out of order.

Both tables are read in id order, in chunks, so verification runs in constant memory.

A full pass starts at the first record. An incremental pass starts after the last seal an
earlier pass found intact (AuditCheckpoint): it recomputes only what was written since, chained
from that seal's stored hash, so its cost follows the day's records, not the trail's size. A
record before the checkpoint changed later is left to the periodic full pass
(AUDIT_FULL_VERIFY_HOUR), which recomputes everything.
"""
from dataclasses import dataclass

from .hashing import GENESIS, HASHED_FIELDS, chain_hash, content_hash
from .models import AuditCheckpoint, AuditEvent, AuditSeal

CHUNK = 5000


@dataclass(frozen=True)
class Break:
    event_id: int
    reason: str

    def __str__(self) -> str:
        return f"audit record {self.event_id}: {self.reason}"


@dataclass(frozen=True)
class Verification:
    events: int
    sealed: int
    first_break: Break | None
    since: int | None = None  # the verified seal an incremental pass started after; None: full
    head: tuple[int, str] | None = None  # the last seal found intact: (event_id, chain_hash)

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events(after: int | None):
    # Plain rows, not model instances: building a model per record was a third of the time.
    events = AuditEvent.objects.order_by("id").values_list("id", "content_hash", *HASHED_FIELDS, named=True)
    if after is not None:
        events = events.filter(id__gt=after)
    return events.iterator(chunk_size=CHUNK)


def _seals(after: int | None):
    seals = AuditSeal.objects.order_by("event_id").values_list("event_id", "previous_event_id", "chain_hash",
                                                               named=True)
    if after is not None:
        seals = seals.filter(event_id__gt=after)
    return seals.iterator(chunk_size=CHUNK)


def verify_trail(*, since: AuditCheckpoint | None = None) -> Verification:
    """The first break in the trail, if any; a changed, deleted or out-of-order record.

    With `since`, only the records after that checkpoint's seal, chained from its hash."""
    if since is None:
        previous_id, previous_hash = None, GENESIS
    else:
        anchor = AuditSeal.objects.filter(event_id=since.event_id).values_list("chain_hash", flat=True).first()
        if anchor != since.chain_hash:
            reason = "its seal is gone" if anchor is None else "its seal changed"
            return Verification(0, 0, Break(since.event_id, f"{reason} since it was verified"), since=since.event_id)
        previous_id, previous_hash = since.event_id, since.chain_hash
    start = previous_id
    seals = _seals(start)
    seal = next(seals, None)
    events = sealed = 0

    def result(first_break: Break | None) -> Verification:
        head = (previous_id, previous_hash) if previous_id is not None else None
        return Verification(events, sealed, first_break, since=start, head=head)

    for event in _events(start):
        events += 1
        while seal is not None and seal.event_id < event.id:
            # A seal whose record is gone: the record was deleted.
            return result(Break(seal.event_id, "deleted (its seal remains)"))
        if content_hash(event) != event.content_hash:
            return result(Break(event.id, "changed after it was written"))
        if seal is None or seal.event_id != event.id:
            if seal is not None:
                # Unsealed, yet later records are sealed: it was slipped in behind the seal.
                return result(Break(event.id, "inserted out of order (not in the chain)"))
            continue  # newer than the last seal: waiting for the sealer
        if seal.previous_event_id != previous_id:
            return result(Break(
                event.id, f"chain names {seal.previous_event_id} as predecessor, but it is {previous_id} "
                          "(a record between them was deleted)"))
        expected = chain_hash(previous_hash, event.id, event.content_hash)
        if seal.chain_hash != expected:
            return result(Break(event.id, "chain hash does not match (record or seal changed)"))
        previous_id, previous_hash = event.id, seal.chain_hash
        sealed += 1
        seal = next(seals, None)
    if seal is not None:
        return result(Break(seal.event_id, "deleted (its seal remains)"))
    return result(None)


def last_checkpoint() -> AuditCheckpoint | None:
    return AuditCheckpoint.objects.order_by("-event_id", "-id").first()


def verify(*, full: bool = False) -> Verification:
    """Verify the trail (incrementally from the last checkpoint unless `full`, or when there is
    none yet) and, when it is intact, remember its newest seal as the next pass's start."""
    since = None if full else last_checkpoint()
    result = verify_trail(since=since)
    if result.ok and result.head is not None and (since is None or result.head[0] != since.event_id):
        AuditCheckpoint.objects.create(event_id=result.head[0], chain_hash=result.head[1], full=since is None)
    return result
