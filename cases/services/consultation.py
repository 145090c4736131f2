"""Consultations: who looked at which case, when and why (Art. 25 LED).

Opening the same case again and again in one session is one record per hour, not one per
page view: enough to answer "who saw it, when", without drowning the trail. The check and
the record are one statement, sent with the first query that loads what is shown
(case_consulting), because this runs on every case detail.
"""
import contextlib
import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.selectors import active_membership
from audit.models import AuditEvent, Operation
from audit.services import audit_record, audit_record_once_per_session_with_next_query
from coordination.errors import ActionForbidden

from ..choices import HandlingCode
from ..models import Case

CONSULTATION_GROUPING = datetime.timedelta(hours=1)
H3_ACKNOWLEDGEMENT = "h3_acknowledge"


def _consulted_before(actor, case: Case) -> bool:
    # Acknowledging H3 conditions is recorded as a consultation, but it is not a justified look.
    return (
        AuditEvent.objects.filter(case_id=case.pk, actor_id=actor.pk, operation=Operation.CONSULTATION)
        .exclude(action=H3_ACKNOWLEDGEMENT)
        .exists()
    )


def justification_required(actor, case: Case) -> bool:
    """The first consultation of a case owned by another agency needs a reason, where the
    reader's agency asks for one."""
    membership = active_membership(actor)
    if membership is None or membership.agency_id == case.owner_agency_id:
        return False
    return membership.agency.justify_foreign_consultation and not _consulted_before(actor, case)


def conditions_acknowledged(actor, case: Case) -> bool:
    if case.handling_code != HandlingCode.H3:
        return True
    return AuditEvent.objects.filter(case_id=case.pk, actor_id=actor.pk, action=H3_ACKNOWLEDGEMENT).exists()


@transaction.atomic
def case_acknowledge_conditions(*, actor, case: Case) -> None:
    """H3: the reader confirms the owner's conditions before the first view."""
    if conditions_acknowledged(actor, case):
        return
    audit_record(actor=actor, operation=Operation.CONSULTATION, action=H3_ACKNOWLEDGEMENT, object_type="case",
                 object_id=case.pk, case_id=case.pk, handling_code=case.handling_code,
                 changes={"conditions": case.h3_conditions})


@contextlib.contextmanager
def case_consulting(*, actor, case: Case, justification: str = "", what: str = "case"):
    """Around loading what `actor` is shown of `case` (what: case, parties, notes, ...): record
    the consultation, with the block's first query where it can (one round trip less on every
    case detail).

    Raises ActionForbidden(code="justification_required") before the block when the policy asks
    for a reason and none was given; the caller shows nothing then. A view with a reason is
    always its own record; without one, a single record per case, session and hour stands for
    them all.
    """
    justification = (justification or "").strip()
    if not justification and justification_required(actor, case):
        raise ActionForbidden(
            _("State why you open this case: it is held by another agency and your agency's policy asks for a "
              "justification on first consultation."),
            code="justification_required",
        )
    record = dict(actor=actor, operation=Operation.CONSULTATION, action=f"{what}_view", object_type="case",
                  object_id=case.pk, case_id=case.pk, handling_code=case.handling_code, justification=justification)
    # No savepoint: inside a request this joins the request's transaction at no extra cost.
    with transaction.atomic(savepoint=False):
        if justification:
            audit_record(**record)
            yield
        else:
            with audit_record_once_per_session_with_next_query(**record, within=CONSULTATION_GROUPING):
                yield


def case_consult(*, actor, case: Case, justification: str = "", what: str = "case") -> None:
    """Record that `actor` consulted `case`, on its own (case_consulting's rules)."""
    with case_consulting(actor=actor, case=case, justification=justification, what=what):
        pass
