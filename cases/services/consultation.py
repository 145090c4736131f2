"""Consultations: who looked at which case, when and why (Art. 25 LED), and what must come first.

Two things may have to come before a reader sees anything of a case, on every entry point
(browser, API, downloads, exports, case files): accepting the owner's H3 conditions, and the
reason for opening another agency's case where the reader's agency asks for one. Both live
here, so a new entry point meets them by calling `case_consult` before it reads.

Opening the same case again and again in one session is one record per hour, not one per
page view: enough to answer "who saw it, when", without drowning the trail.
"""
import datetime
import hashlib

from django.db import transaction
from django.utils.translation import gettext as _

from agencies.selectors import active_membership
from audit.models import AuditEvent, Operation
from audit.services import audit_record, audit_record_once_per_session
from coordination.errors import ActionForbidden

from ..access import must_acknowledge_conditions
from ..models import Case
from .guard import audited_case

CONSULTATION_GROUPING = datetime.timedelta(hours=1)
H3_ACKNOWLEDGEMENT = "h3_acknowledge"
CONDITIONS_REQUIRED = "conditions_acknowledgement_required"
JUSTIFICATION_REQUIRED = "justification_required"


def conditions_hash(case: Case) -> str:
    """Identifies the version of the H3 conditions an acknowledgement was given to, without
    putting their text in the audit trail (auditors see no case content)."""
    return hashlib.sha256(case.h3_conditions.encode()).hexdigest()


def conditions_acknowledged(actor, case: Case) -> bool:
    """True unless `actor` must accept this version of the case's H3 conditions first."""
    if not must_acknowledge_conditions(actor, case):
        return True
    return AuditEvent.objects.filter(case_id=case.pk, actor_id=actor.pk, action=H3_ACKNOWLEDGEMENT,
                                     changes__conditions_sha256=conditions_hash(case)).exists()


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


def consultation_needs(actor, case: Case) -> set[str]:
    """What must come before `actor` consults `case`: CONDITIONS_REQUIRED, JUSTIFICATION_REQUIRED."""
    needs = set()
    if not conditions_acknowledged(actor, case):
        needs.add(CONDITIONS_REQUIRED)
    if justification_required(actor, case):
        needs.add(JUSTIFICATION_REQUIRED)
    return needs


def consultation_clear(*, actor, case: Case, justification: str, acknowledge_conditions: bool) -> None:
    """Raise 403 with the code of what is missing; record the acknowledgement when it is given.

    Runs before anything of the case is read, and refuses before it writes anything. The refusal
    carries the conditions themselves: the reader may see the case, and must know what they are
    asked to accept.
    """
    needs = consultation_needs(actor, case)
    if CONDITIONS_REQUIRED in needs and not acknowledge_conditions:
        raise ActionForbidden(
            _("This case is H3: accept the owning agency's conditions before you consult it."),
            code=CONDITIONS_REQUIRED, extra={"conditions": case.h3_conditions},
        )
    if JUSTIFICATION_REQUIRED in needs and not justification:
        raise ActionForbidden(
            _("State why you open this case: it is held by another agency and your agency's policy asks for a "
              "justification on first consultation."),
            code=JUSTIFICATION_REQUIRED,
        )
    if CONDITIONS_REQUIRED in needs:
        with transaction.atomic(savepoint=False):
            audit_record(actor=actor, operation=Operation.CONSULTATION, action=H3_ACKNOWLEDGEMENT,
                         object_type="case", object_id=case.pk, changes={"conditions_sha256": conditions_hash(case)},
                         **audited_case(case))


def case_consult(*, actor, case: Case, justification: str = "", what: str = "case",
                 acknowledge_conditions: bool = False) -> None:
    """Before showing `actor` anything of `case` (what: case, parties, notes, ...): check what
    must come first (consultation_clear) and record the consultation.

    A view with a reason is always its own record; without one, a single record per case,
    session and hour stands for them all. No savepoint: inside a request this joins the
    request's transaction at no extra cost (a refusal comes before it).
    """
    justification = (justification or "").strip()
    record = dict(actor=actor, operation=Operation.CONSULTATION, action=f"{what}_view", object_type="case",
                  object_id=case.pk, justification=justification, **audited_case(case))
    consultation_clear(actor=actor, case=case, justification=justification,
                       acknowledge_conditions=acknowledge_conditions)
    with transaction.atomic(savepoint=False):
        if justification:
            audit_record(**record)
        else:
            audit_record_once_per_session(**record, within=CONSULTATION_GROUPING)
