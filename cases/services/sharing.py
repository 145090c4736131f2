"""Sharing a case with agencies (group grants) and named users (user grants).

Every grant and revocation is a disclosure in the audit trail, with its recipient.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from agencies.models import Agency
from agencies.selectors_admin import administered_agency
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import ActionForbidden, NotVisible

from ..access import LEVEL_CODENAME, Action, Level, role_cap
from ..choices import ShareLevel, Status
from ..models import Case, CaseGrant, CaseShare
from ..signals import case_shared, case_unshared
from .guard import audited_case, case_for_write, ensure_still_visible

SHARE_LEVEL = {ShareLevel.VIEW: Level.VIEW, ShareLevel.CONTRIBUTE: Level.CONTRIBUTE, ShareLevel.MANAGE: Level.MANAGE}
# Number of cumulative grants held -> the level's name.
SHARE_NAMES = {1: ShareLevel.VIEW.value, 2: ShareLevel.CONTRIBUTE.value, 3: ShareLevel.MANAGE.value}


def _set_grants(holder, case: Case, level: Level) -> None:
    """Grant every level up to `level` and none above it (levels are cumulative)."""
    for each, codename in LEVEL_CODENAME.items():
        if each <= level:
            assign_perm(f"cases.{codename}", holder, case)
        else:
            remove_perm(f"cases.{codename}", holder, case)


def _level(level: str) -> Level:
    if level not in SHARE_LEVEL:
        raise ValidationError({"level": [_("Choose view, contribute or manage.")]})
    return SHARE_LEVEL[level]


def share_with_agency(*, actor, case: Case, agency: Agency, level: str, justification: str = "") -> CaseShare:
    """Create or change the share; the caller has checked the actor may share `case`."""
    grant_level = _level(level)
    if agency.pk == case.owner_agency_id:
        raise ValidationError({"agency": [_("A case cannot be shared with the agency that owns it.")]})
    if not agency.active:
        raise ValidationError({"agency": [_("Agency %(code)s is not active.") % {"code": agency.code}]})
    share = CaseShare.objects.select_for_update().filter(case=case, agency=agency).first()
    previous = share.level if share else None
    if share is None:
        share = CaseShare(case=case, agency=agency)
    share.level = level
    share.granted_by = actor
    share.save()
    _set_grants(agency.group, case, grant_level)
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        action="case_share",
        object_type="case_share",
        object_id=share.pk,
        justification=justification,
        recipient=agency.code,
        changes={"level": {"before": previous, "after": level}},
        **audited_case(case),
    )
    case_shared.send(sender=Case, actor=actor, case=case, share=share, previous_level=previous)
    return share


@transaction.atomic
def case_share(*, actor, case_id, agency_code: str, level: str, justification: str = "") -> CaseShare:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.SHARE)
    agency = Agency.objects.filter(code=agency_code).select_related("group").first()
    if agency is None:
        raise ValidationError({"agency": [_("No agency has the code “%(code)s”.") % {"code": agency_code}]})
    if case.restricted:
        raise ValidationError(
            {"agency": [_("A restricted case is opened to named users, not to whole agencies.")]}
        )
    return share_with_agency(actor=actor, case=case, agency=agency, level=level, justification=justification)


@transaction.atomic
def case_unshare(*, actor, case_id, share_id, justification: str = "") -> None:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.SHARE)
    try:
        share = CaseShare.objects.select_related("agency__group").get(pk=share_id, case=case)
    except (CaseShare.DoesNotExist, ValidationError, ValueError):
        raise NotVisible() from None
    _revoke_share(actor=actor, case=case, share=share, justification=justification)


def _revoke_share(*, actor, case: Case, share: CaseShare, justification: str) -> None:
    share_id = share.pk
    _set_grants(share.agency.group, case, Level.NONE)
    share.delete()
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        action="case_unshare",
        object_type="case_share",
        object_id=share_id,
        justification=justification,
        recipient=share.agency.code,
        changes={"level": {"before": share.level, "after": None}},
        **audited_case(case),
    )
    case_unshared.send(sender=Case, actor=actor, case=case, agency=share.agency)


def grantee_named(username: str):
    """The active user a named grant is for; a 400 on `username` when there is none."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise ValidationError({"username": [_("No active user has this username.")]})
    return user


def _grantee_cap(user, level: Level) -> None:
    """A named grant goes to an active agency member whose role can use it: an auditor reads
    audit records only, an analyst never writes (separation of duties), a platform account
    without an agency reaches no case at all."""
    cap = role_cap(user)
    if cap == Level.NONE:
        raise ValidationError({"username": [_("This user's role gives no access to case content.")]})
    if level > cap:
        raise ValidationError({"level": [_("This user's role allows at most %(level)s access.")
                                         % {"level": SHARE_NAMES[min(cap, Level.MANAGE)]}]})


def grant_named_user(*, actor, case: Case, user, level: str, justification: str = "") -> CaseGrant:
    """Create or change the named grant; the caller has checked the actor may share `case`."""
    grant_level = _level(level)
    _grantee_cap(user, grant_level)
    grant = CaseGrant.objects.select_for_update().filter(case=case, user=user).first()
    previous = grant.level if grant else None
    grant = grant or CaseGrant(case=case, user=user)
    grant.level, grant.granted_by = level, actor
    grant.save()
    _set_grants(user, case, grant_level)
    audit_record(actor=actor, operation=Operation.DISCLOSURE, action="case_grant_user", object_type="case_grant",
                 object_id=grant.pk, justification=justification, recipient=user.get_username(),
                 changes={"level": {"before": previous, "after": level}}, **audited_case(case))
    return grant


@transaction.atomic
def case_grant_user(*, actor, case_id, user, level: str, justification: str = "") -> CaseGrant:
    """Open a case to a named user: the only way into a restricted case. Onward sharing, so
    it needs the SHARE action (for H2, ownership)."""
    case = case_for_write(actor=actor, case_id=case_id, action=Action.SHARE)
    return grant_named_user(actor=actor, case=case, user=user, level=level, justification=justification)


@transaction.atomic
def case_revoke_grant(*, actor, case_id, grant_id, justification: str = "") -> None:
    case = case_for_write(actor=actor, case_id=case_id, action=Action.SHARE)
    try:
        grant = CaseGrant.objects.select_related("user").get(pk=grant_id, case=case)
    except (CaseGrant.DoesNotExist, ValidationError, ValueError):
        raise NotVisible() from None
    _revoke_grant(actor=actor, case=case, grant=grant, justification=justification)
    ensure_still_visible(actor=actor, case=case)


def _revoke_grant(*, actor, case: Case, grant: CaseGrant, justification: str) -> None:
    grant_id = grant.pk
    _set_grants(grant.user, case, Level.NONE)
    grant.delete()
    audit_record(actor=actor, operation=Operation.DISCLOSURE, action="case_revoke_user", object_type="case_grant",
                 object_id=grant_id, justification=justification, recipient=grant.user.get_username(),
                 changes={"level": {"before": grant.level, "after": None}}, **audited_case(case))


@transaction.atomic
def agency_disclosure_revoke(*, actor, disclosure_id, justification: str = "") -> None:
    """An agency admin withdraws a share or named grant of a case their agency owns.

    Separation of duties: admins decide who may see the agency's cases, never read them
    (cases.access gives their role no agency access). So this path does not go through
    visible_cases: it is authorised by the agency's ownership of the case
    (_owned_case_locked), and the admin is answered 204 or 404, never case content. The
    revocation itself is the one case_unshare and case_revoke_grant make: the same guardian
    permissions withdrawn, the same disclosure record (filed under the owning agency, with
    its recipient) and, for a share, the same notice to the agency that loses it.
    """
    agency = administered_agency(actor)
    mine = {"case__owner_agency": agency}
    try:
        share = CaseShare.objects.select_related("agency__group").filter(pk=disclosure_id, **mine).first()
        grant = None if share else CaseGrant.objects.select_related("user").filter(pk=disclosure_id, **mine).first()
    except (ValidationError, ValueError, TypeError):
        raise NotVisible() from None
    disclosure = share or grant
    if disclosure is None:
        raise NotVisible()
    case = _owned_case_locked(agency=agency, case_id=disclosure.case_id)
    if share:
        _revoke_share(actor=actor, case=case, share=share, justification=justification)
    else:
        _revoke_grant(actor=actor, case=case, grant=grant, justification=justification)


def _owned_case_locked(*, agency: Agency, case_id) -> Case:
    """A case `agency` owns, row locked, for its admin's governance of who sees it: authorised
    by ownership, not by visible_cases, since admins read no case content. Archived cases stay
    read-only here too (as case_for_write)."""
    try:
        case = (Case.objects.select_related("owner_agency").select_for_update(of=("self",))
                .get(pk=case_id, owner_agency=agency))
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None
    if case.status == Status.ARCHIVED:
        raise ActionForbidden(_("An archived case is read-only."), code="archived")
    return case
