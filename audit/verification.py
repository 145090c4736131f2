"""Recomputing the trail: content hashes, the chain of seals, and nothing out of order.

Both tables are read in id order, in chunks, so verification runs in constant memory.
"""
from dataclasses import dataclass

from .hashing import GENESIS, chain_hash, content_hash
from .models import AuditEvent, AuditSeal

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

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _events():
    return AuditEvent.objects.order_by("id").iterator(chunk_size=CHUNK)


def _seals():
    return AuditSeal.objects.order_by("event_id").iterator(chunk_size=CHUNK)


def verify_trail() -> Verification:
    """The first break in the trail, if any; a changed, deleted or out-of-order record."""
    seals = _seals()
    seal = next(seals, None)
    previous_id, previous_hash = None, GENESIS
    events = sealed = 0
    for event in _events():
        events += 1
        while seal is not None and seal.event_id < event.id:
            # A seal whose record is gone: the record was deleted.
            return Verification(events, sealed, Break(seal.event_id, "deleted (its seal remains)"))
        if content_hash(event) != event.content_hash:
            return Verification(events, sealed, Break(event.id, "changed after it was written"))
        if seal is None or seal.event_id != event.id:
            if seal is not None:
                # Unsealed, yet later records are sealed: it was slipped in behind the seal.
                return Verification(events, sealed, Break(event.id, "inserted out of order (not in the chain)"))
            continue  # newer than the last seal: waiting for the sealer
        if seal.previous_event_id != previous_id:
            return Verification(events, sealed, Break(
                event.id, f"chain names {seal.previous_event_id} as predecessor, but it is {previous_id} "
                          "(a record between them was deleted)"))
        expected = chain_hash(previous_hash, event.id, event.content_hash)
        if seal.chain_hash != expected:
            return Verification(events, sealed, Break(event.id, "chain hash does not match (record or seal changed)"))
        previous_id, previous_hash = event.id, seal.chain_hash
        sealed += 1
        seal = next(seals, None)
    if seal is not None:
        return Verification(events, sealed, Break(seal.event_id, "deleted (its seal remains)"))
    return Verification(events, sealed, None)
