"""The case workflow: draft → open → referred → judicial → closed → archived.

Each allowed step names who may take it. A step not in the table answers 409; a step the
actor's role or grant does not allow answers 403.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from agencies.models import AgencyKind, Role
from agencies.selectors import active_membership, agency_by_code
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import ActionForbidden, Conflict

from ..access import Action, access_level
from ..choices import ShareLevel, Status
from ..models import Case, CaseShare
from ..signals import case_transitioned
from .guard import audited_case, case_for_write, require
from .sharing import share_with_agency

OWNER_SIDE = "owner_side"  # the owning agency, or an agency holding a manage share
REFERRED_PROSECUTOR = "referred_prosecutor"  # a prosecutor of the agency the case is referred to

TRANSITIONS: dict[tuple[str, str], set[str]] = {
    (Status.DRAFT, Status.OPEN): {OWNER_SIDE},
    (Status.OPEN, Status.REFERRED): {OWNER_SIDE},
    (Status.REFERRED, Status.JUDICIAL): {REFERRED_PROSECUTOR},
    (Status.REFERRED, Status.OPEN): {OWNER_SIDE, REFERRED_PROSECUTOR},
    (Status.JUDICIAL, Status.CLOSED): {OWNER_SIDE, REFERRED_PROSECUTOR},
    (Status.OPEN, Status.CLOSED): {OWNER_SIDE},
    (Status.CLOSED, Status.OPEN): {OWNER_SIDE},
    (Status.CLOSED, Status.ARCHIVED): {OWNER_SIDE},
}


def actor_sides(actor, case: Case, access: str | None = None) -> set[str]:
    """Which sides of the workflow `actor` stands on; `access` saves a query when already known."""
    sides = set()
    if (access or access_level(actor, case)) in {"owner", "manage"}:
        sides.add(OWNER_SIDE)
    membership = active_membership(actor)
    if membership and membership.role == Role.PROSECUTOR and membership.agency_id == case.referred_to_id:
        sides.add(REFERRED_PROSECUTOR)
    return sides


def allowed_transitions(actor, case: Case, access: str | None = None) -> list[str]:
    """The statuses `actor` may move `case` to now, for offering buttons."""
    sides = actor_sides(actor, case, access)
    return [to for (start, to), who in TRANSITIONS.items() if start == case.status and who & sides]


def _refer(*, actor, case: Case, agency_code: str | None, why: str) -> None:
    if not agency_code:
        raise ValidationError({"agency": [_("A referral names the prosecution agency.")]})
    agency = agency_by_code(agency_code)
    if agency is None:
        raise ValidationError({"agency": [_("No active agency has the code “%(code)s”.") % {"code": agency_code}]})
    if agency.kind != AgencyKind.PROSECUTION:
        raise ValidationError({"agency": [_("%(code)s is not a prosecution agency.") % {"code": agency.code}]})
    # A referral is onward sharing: the SHARE action, so for H2 the owning agency only.
    require(actor=actor, action=Action.SHARE, case=case)
    case.referred_to = agency
    existing = CaseShare.objects.filter(case=case, agency=agency).values_list("level", flat=True).first()
    if existing not in {ShareLevel.CONTRIBUTE, ShareLevel.MANAGE}:
        share_with_agency(actor=actor, case=case, agency=agency, level=ShareLevel.CONTRIBUTE, justification=why)


@transaction.atomic
def case_transition(*, actor, case_id, to: str, reason: str = "", agency_code: str | None = None,
                    justification: str = "") -> Case:
    """Move the case to `to`. `reason` is the step's stated reason (shown to the other side);
    the audit record keeps `justification` where one is given, the reason otherwise."""
    case = case_for_write(actor=actor, case_id=case_id, action=Action.TRANSITION)
    if to not in Status.values:
        raise ValidationError({"to": [_("“%(to)s” is not a case status.") % {"to": to}]})
    who = TRANSITIONS.get((case.status, to))
    if who is None:
        raise Conflict(
            _("A case cannot move from %(start)s to %(to)s.") % {"start": case.status, "to": to},
            code="transition_not_allowed",
        )
    if not who & actor_sides(actor, case):
        raise ActionForbidden(_("Your role or grant does not allow moving this case to %(to)s.") % {"to": to})
    start, why = case.status, justification.strip() or reason
    if to == Status.REFERRED:
        _refer(actor=actor, case=case, agency_code=agency_code, why=why)
    elif start == Status.REFERRED and to == Status.OPEN:
        case.referred_to = None
    case.status = to
    case.version += 1
    case.save(update_fields=["status", "referred_to", "version", "updated_at"])
    audit_record(
        actor=actor,
        operation=Operation.ALTERATION,
        action="case_transition",
        object_type="case",
        object_id=case.pk,
        justification=why,
        recipient=case.referred_to.code if to == Status.REFERRED else "",
        changes={"status": {"before": start, "after": to}},
        **audited_case(case),
    )
    if to == Status.REFERRED:
        # Handing the case file to the prosecution is a disclosure of its own, whether or not that
        # agency held a share already: it shows in the prosecution agency's trail as well.
        audit_record(actor=actor, operation=Operation.DISCLOSURE, action="case_referral", object_type="case",
                     object_id=case.pk, justification=why, recipient=case.referred_to.code, **audited_case(case))
    case_transitioned.send(sender=Case, actor=actor, case=case, from_status=start, to_status=to, reason=reason)
    return case
