"""Reads of case data. Each one starts from the access policy."""
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from agencies.models import Role
from agencies.selectors import active_membership
from coordination.errors import ActionForbidden

from .access import Action, not_visible, visible_cases, with_access_level
from .models import Case, CaseGrant, CaseShare, Note

CASE_PARTS = ("seizures", "identifiers", "parties", "route")


def case_list(*, user) -> QuerySet[Case]:
    """The cases `user` may see, newest seizure first, each with the caller's `access`."""
    return with_access_level(visible_cases(user, Action.VIEW), user).select_related("owner_agency", "referred_to")


def _one(queryset: QuerySet[Case], case_id, user) -> Case:
    try:
        return queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(user, case_id) from None


def case_header(*, user, case_id) -> Case:
    """One visible case without its parts (for nested routes), or NotVisible."""
    return _one(case_list(user=user), case_id, user)


def case_shares(*, case: Case) -> QuerySet[CaseShare]:
    """Who else holds the case: only the owner side may know."""
    if case.access not in {"owner", "manage"}:
        return CaseShare.objects.none()
    return CaseShare.objects.filter(case=case).select_related("agency", "granted_by")


def case_grants(*, case: Case) -> QuerySet[CaseGrant]:
    """The users opened to the case by name: like shares, for the owner side only."""
    if case.access not in {"owner", "manage"}:
        return CaseGrant.objects.none()
    return CaseGrant.objects.filter(case=case).select_related("user", "granted_by")


def case_get(*, user, case_id, before_parts: Callable[[Case], None] | None = None) -> Case:
    """One visible case with its parts loaded, or NotVisible. `case.access` holds the caller's level;
    `case.visible_shares` the shares, which only the owner side sees.

    `before_parts(case)` runs on the visible case before any of its parts is read: a reader's
    consultation is checked and recorded there (case_consult), so a refusal shows nothing.
    """
    case = _one(case_list(user=user), case_id, user)
    if before_parts:
        before_parts(case)
    # Notes with their authors in the same query: the API shows each note's author.
    notes = Prefetch("notes", queryset=Note.objects.select_related("created_by"))
    prefetch_related_objects([case], *CASE_PARTS, notes)
    case.visible_shares = list(case_shares(case=case))
    return case


def case_for_audit(*, user, case_id) -> Case:
    """The case whose trail `user` may read: its owning agency's auditors, and its managers.

    Auditors see no case content, only who did what to it; anyone else who cannot see the
    case gets NotVisible, and a mere viewer gets ActionForbidden.
    """
    membership = active_membership(user)
    if membership and membership.role == Role.AUDITOR:
        return _one(Case.objects.filter(owner_agency_id=membership.agency_id).only("id", "owner_agency_id"), case_id,
                    user)
    case = case_header(user=user, case_id=case_id)
    if case.access not in {"owner", "manage"}:
        raise ActionForbidden("A case's audit trail is for its owning agency's auditors and managers.")
    return case
