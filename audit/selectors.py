"""Reads of the audit trail."""
from django.db.models import Q, QuerySet

from .context import actor_agency_and_role
from .models import AuditEvent, Operation

AUDITOR_ROLE = "auditor"


def agency_events(*, user) -> QuerySet[AuditEvent] | None:
    """What an auditor may read: the acts of their own agency's members, as they were
    recorded at the time; every act by anyone on their agency's cases (another agency's
    consultations and refused attempts included); and every disclosure to their agency (a share
    shows up in both trails). Never another agency's internal trail. None for anyone who is
    not an auditor."""
    agency, role = actor_agency_and_role(user)
    if role != AUDITOR_ROLE or not agency:
        return None
    return AuditEvent.objects.filter(Q(actor_agency=agency) | Q(case_agency=agency)
                                     | Q(operation=Operation.DISCLOSURE, recipient=agency))


def case_events(*, case_id) -> QuerySet[AuditEvent]:
    """A case's trail; the caller has checked the reader may see it."""
    return AuditEvent.objects.filter(case_id=case_id)
