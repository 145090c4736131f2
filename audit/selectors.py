"""Reads of the audit trail."""
from django.db.models import QuerySet

from .context import actor_agency_and_role
from .models import AuditEvent

AUDITOR_ROLE = "auditor"


def agency_events(*, user) -> QuerySet[AuditEvent] | None:
    """What an auditor may read: the acts of their own agency's members, as they were
    recorded at the time. None for anyone who is not an auditor."""
    agency, role = actor_agency_and_role(user)
    if role != AUDITOR_ROLE or not agency:
        return None
    return AuditEvent.objects.filter(actor_agency=agency)


def case_events(*, case_id) -> QuerySet[AuditEvent]:
    """A case's trail; the caller has checked the reader may see it."""
    return AuditEvent.objects.filter(case_id=case_id)
