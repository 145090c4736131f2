"""The single entry point for writing audit records.

Art. 25 LED: every act is logged in the same transaction as the act, so nothing that is
done goes unlogged and nothing unlogged is done.
"""
from typing import Any

from django.db import transaction

from .context import actor_agency_and_role, current_request_context
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
    return AuditEvent.objects.create(
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
    )
