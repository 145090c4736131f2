"""The single entry point for writing audit records: audit_record, and for acts recorded
once per session and period (consultations) audit_record_once_per_session.

Art. 25 LED: every act is logged in the same transaction as the act, so nothing that is
done goes unlogged and nothing unlogged is done.
"""
import datetime
import functools
from typing import Any

from django.db import connections, transaction
from django.utils import timezone

from .context import DeniedAttempt, actor_agency_and_role, current_request_context
from .hashing import hash_of_content
from .models import AuditEvent, Operation


def audit_record(
    *,
    actor,
    operation: Operation | str,
    action: str,
    object_type: str,
    object_id: Any,
    case_id=None,
    case_agency: str = "",
    handling_code: str = "",
    justification: str = "",
    recipient: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    event = AuditEvent(**_record_values(actor=actor, operation=operation, action=action, object_type=object_type,
                                        object_id=object_id, case_id=case_id, case_agency=case_agency,
                                        handling_code=handling_code,
                                        justification=justification, recipient=recipient, changes=changes))
    event.save(force_insert=True)
    return event


def audit_record_once_per_session(*, within: datetime.timedelta, **record) -> int | None:
    """Record the act (audit_record's arguments) unless this actor already did the same on this
    case, through the same session or token, within `within`. The new record's id, or None when
    an earlier record stands for it.

    One INSERT ... SELECT ... WHERE NOT EXISTS on every database: the check and the write are one
    round trip. Two simultaneous first views may both be recorded; a duplicate record is
    harmless, a missing one is not, so no lock is taken.
    """
    connection = transaction.get_connection()
    values = _record_values(**record)
    unknown = values.keys() - {field.attname for field in _RECORD_FIELDS}
    if unknown:  # audit_record's signature refuses these; the statement would drop them silently
        raise TypeError(f"not fields of an audit record: {', '.join(sorted(unknown))}")
    params = {field.attname: field.get_db_prep_save(values[field.attname], connection) for field in _RECORD_FIELDS}
    since = _AT_FIELD.get_db_prep_save(values["at"] - within, connection)
    guard = [params["case_id"], params["actor_id"], params["action"], since, params["session_ref"]]
    with connection.cursor() as cursor:
        cursor.execute(_insert_unless_recorded_sql(connection.alias), [*params.values(), *guard])
        row = cursor.fetchone()
    return row[0] if row else None


_RECORD_FIELDS = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
_AT_FIELD = AuditEvent._meta.get_field("at")


@functools.cache
def _insert_unless_recorded_sql(alias: str) -> str:
    quote = connections[alias].ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    return (
        f"INSERT INTO {table} ({', '.join(quote(field.column) for field in _RECORD_FIELDS)}) "
        f"SELECT {', '.join(['%s'] * len(_RECORD_FIELDS))} WHERE NOT EXISTS (SELECT 1 FROM {table} "
        f"WHERE {quote('case_id')} = %s AND {quote('actor_id')} = %s AND {quote('action')} = %s "
        f"AND {quote('at')} >= %s AND {quote('session_ref')} = %s) RETURNING {quote('id')}"
    )


def _record_values(*, actor, operation: Operation | str, object_id: Any, changes: dict | None = None,
                   **what) -> dict[str, Any]:
    """A record's fields by attribute name, with who acted and through which request, and its
    content hash. `what`: action and object_type, and case_id, handling_code, justification and
    recipient where they apply."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the act it records")
    agency, role = actor_agency_and_role(actor)
    request = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    values = {
        "at": timezone.now(),
        "actor_id": actor.pk if authenticated else None,
        "actor_username": actor.get_username() if authenticated else "",
        "actor_agency": agency,
        "actor_role": role,
        "operation": Operation(operation).value,
        "object_id": str(object_id),
        "case_id": None,
        "case_agency": "",
        "handling_code": "",
        "justification": "",
        "recipient": "",
        "changes": changes or {},
        "request_id": request.request_id,
        "ip_address": request.ip_address,
        "user_agent": request.user_agent,
        "session_ref": request.session_ref,
        **what,
    }
    values["content_hash"] = hash_of_content(values)
    return values


def audit_access_denied(attempt: DeniedAttempt) -> AuditEvent:
    """A refused attempt on an object that exists (LED Art. 25: attempts are logged too)."""
    return audit_record(
        actor=attempt.actor,
        operation=Operation.ACCESS_DENIED,
        action=attempt.action,
        object_type=attempt.object_type,
        object_id=attempt.object_id,
        case_id=attempt.case_id,
        case_agency=attempt.case_agency,
        handling_code=attempt.handling_code,
        changes=attempt.changes,
    )
