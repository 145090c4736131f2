"""The single entry point for writing audit records.

Art. 25 LED: every act is logged in the same transaction as the act, so nothing that is
done goes unlogged and nothing unlogged is done.
"""
from typing import Any

from django.db import transaction
from django.utils import timezone

from .context import DeniedAttempt, actor_agency_and_role, current_request_context
from .hashing import content_hash
from .models import AuditEvent, Operation


def audit_record(
    *,
    actor,
    operation: Operation | str,
    action: str,
    object_type: str,
    object_id: Any,
    case_id=None,
    handling_code: str = "",
    justification: str = "",
    recipient: str = "",
    changes: dict | None = None,
) -> AuditEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the act it records")
    agency, role = actor_agency_and_role(actor)
    request = current_request_context()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        actor_agency=agency,
        actor_role=role,
        operation=Operation(operation),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        case_id=case_id,
        handling_code=handling_code,
        justification=justification,
        recipient=recipient,
        changes=changes or {},
        request_id=request.request_id,
        ip_address=request.ip_address,
        user_agent=request.user_agent,
        session_ref=request.session_ref,
    )
    event.content_hash = content_hash(event)
    event.save(force_insert=True)
    return event


def audit_access_denied(attempt: DeniedAttempt) -> AuditEvent:
    """A refused attempt on an object that exists (LED Art. 25: attempts are logged too)."""
    return audit_record(
        actor=attempt.actor,
        operation=Operation.ACCESS_DENIED,
        action="not_visible",
        object_type=attempt.object_type,
        object_id=attempt.object_id,
        case_id=attempt.case_id,
        handling_code=attempt.handling_code,
    )
