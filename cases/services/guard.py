"""Loading a case for a write: visibility first (404), then the action (403), row locked."""
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from agencies.models import Role
from agencies.selectors import active_membership
from coordination.errors import ActionForbidden

from ..access import Action, can, not_visible, visible_cases
from ..choices import HandlingCode, Status
from ..models import Case


def case_for_write(*, actor, case_id, action: Action) -> Case:
    """The case locked for update, if `actor` may see it and perform `action` on it.

    Runs inside the caller's transaction, so the check and the write see the same state.
    """
    visible = visible_cases(actor)
    # The owning agency comes along for the audit record; only the case row is locked. Mutants
    # here are equivalent (a query more, a wider lock; SQLite locks no rows): no outcome changes.
    locked = visible.select_related("owner_agency").select_for_update(of=("self",))  # pragma: no mutate
    try:
        case = locked.get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(actor, case_id) from None
    require(actor=actor, action=action, case=case)
    if action != Action.TRANSITION and case.status == Status.ARCHIVED:
        raise ActionForbidden(_("An archived case is read-only."), code="archived")
    return case


def require(*, actor, action: Action, case: Case) -> None:
    """ActionForbidden (403), with the reason, unless `actor` may perform `action` on the visible `case`."""
    if not can(actor, action, case):
        code = _forbidden_code(actor, action, case)
        raise ActionForbidden(_forbidden_reason(actor, code), code=code)


def _forbidden_code(actor, action: Action, case: Case) -> str:
    if action == Action.SHARE and case.handling_code == HandlingCode.H2 and can(actor, Action.CHANGE, case):
        return "h2_no_reshare"
    if action == Action.GOVERN and can(actor, Action.CHANGE, case):
        return "owner_decision"
    return "forbidden"


def _forbidden_reason(actor, code: str) -> str:
    membership = active_membership(actor)
    if membership and membership.role == Role.ANALYST:
        return _("Analysts have read-only access to cases.")
    if code == "h2_no_reshare":
        return _("This case is H2: only the owning agency may share it onward, refer it or open it to named users.")
    if code == "owner_decision":
        return _("Only the owning agency decides a case's handling code, its H3 conditions and its restriction.")
    return _("Your access to this case does not allow this action.")


def ensure_still_visible(*, actor, case: Case) -> None:
    """Re-check after a write, before commit: an actor never writes a case out of their own
    sight (NetBox's restrict-after-save). Raising rolls the whole write back."""
    if not can(actor, Action.VIEW, case):
        raise ActionForbidden(_("This change would take the case out of your own access."), code="self_lockout")


def audited_case(case: Case) -> dict:
    """What an audit record says of the case it concerns: its id, the handling code at the
    time, and the owning agency, under whose trail the record is filed."""
    return {"case_id": case.pk, "case_agency": case.owner_agency.code, "handling_code": case.handling_code}
