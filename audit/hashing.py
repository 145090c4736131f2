"""Canonical content of an audit record and the hash chain over the records.

The content hash covers every field a record holds; the chain hash of a record covers its
id, its content hash and the chain hash of the record before it, so changing, removing or
slipping in a record breaks every chain hash after it.
"""
import datetime
import hashlib
import json

GENESIS = "0" * 64
CONTENT_FIELDS = (
    "at", "actor_id", "actor_username", "actor_agency", "actor_role", "operation", "action", "object_type",
    "object_id", "case_id", "handling_code", "justification", "recipient", "changes", "request_id",
    "ip_address", "user_agent", "session_ref",
)


# Values kept as they are, tested by exact type first: verification hashes every record.
_AS_IS = frozenset({str, int, bool, dict, list, type(None)})
# One encoder, not one per call as json.dumps(**options) builds; the same output.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _canonical(value):
    if type(value) in _AS_IS:
        return value
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.timezone.utc).isoformat(timespec="microseconds")
    if value is None or isinstance(value, bool | int | str | dict | list):
        return value
    return str(value)


def content_hash(event) -> str:
    return hash_of_content({name: getattr(event, name) for name in HASHED_FIELDS})


# Fields added later count only where set, so records written before them keep their hash.
LATER_FIELDS = ("case_agency",)
HASHED_FIELDS = (*CONTENT_FIELDS, *LATER_FIELDS)


def hash_of_content(values) -> str:
    """The hash of a record given as a mapping of its fields (as written, before it is saved)."""
    content = {name: _canonical(values[name]) for name in CONTENT_FIELDS}
    content.update({name: values[name] for name in LATER_FIELDS if values.get(name)})
    encoded = _ENCODER.encode(content)
    return hashlib.sha256(encoded.encode()).hexdigest()


def chain_hash(previous_chain_hash: str, event_id: int, event_content_hash: str) -> str:
    return hashlib.sha256(f"{previous_chain_hash}:{event_id}:{event_content_hash}".encode()).hexdigest()
