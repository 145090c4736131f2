"""The access policy: the one place that decides who may see or do what with a case.

Every path that returns case data starts here: lists, detail, search, counts, exports,
downloads, notification recipients and match hits.

A user's access to a case comes from three sources, each capped by the user's role:
- owner: members of the owning agency, unless the case is restricted;
- agency share: guardian group permissions on the user's agency group, unless restricted;
- named grant: guardian user permissions (the only way into a restricted case).
Levels are cumulative (view < contribute < manage < owner); a share at a level carries
the permissions of every level below it, so each question is one indexed lookup.
"""
import uuid
from enum import IntEnum, StrEnum

from django.db.models import Case as SqlCase
from django.db.models import CharField, Q, QuerySet, Value, When

from agencies.models import Role
from agencies.selectors import active_membership
from audit.context import DeniedAttempt, note_denied_attempt
from coordination.errors import NotVisible

from .choices import HandlingCode
from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission


class Action(StrEnum):
    VIEW = "view"
    CONTRIBUTE = "contribute"  # add seizures, identifiers, parties, route, notes, documents
    CHANGE = "change"  # edit the case's own fields
    SHARE = "share"  # share with agencies or named users, revoke
    TRANSITION = "transition"  # move through the workflow (cases.workflow decides which step)


class Level(IntEnum):
    NONE = 0
    VIEW = 1
    CONTRIBUTE = 2
    MANAGE = 3
    OWNER = 4


ACTION_LEVEL = {
    Action.VIEW: Level.VIEW,
    Action.CONTRIBUTE: Level.CONTRIBUTE,
    Action.CHANGE: Level.MANAGE,
    Action.SHARE: Level.MANAGE,
    Action.TRANSITION: Level.CONTRIBUTE,
}

LEVEL_CODENAME = {Level.VIEW: "view_case", Level.CONTRIBUTE: "contribute_case", Level.MANAGE: "manage_case"}

# Roles cap what any grant allows. Separation of duties: auditors read audit records only;
# admins manage people, and reach case content only through a named grant.
ROLE_CAP = {
    Role.OFFICER: Level.OWNER,
    Role.LIAISON_OFFICER: Level.OWNER,
    Role.PROSECUTOR: Level.OWNER,
    Role.ANALYST: Level.VIEW,
    Role.AGENCY_ADMIN: Level.OWNER,
    Role.AUDITOR: Level.NONE,
}
ROLES_WITH_AGENCY_ACCESS = {Role.OFFICER, Role.LIAISON_OFFICER, Role.PROSECUTOR, Role.ANALYST}

_NOTHING = Q(pk__in=[])


def _user_grant_ids(user, level: Level):
    return CaseUserObjectPermission.objects.filter(
        user_id=user.pk, permission__codename=LEVEL_CODENAME[level]
    ).values("content_object_id")


def _group_grant_ids(group_id: int, level: Level):
    return CaseGroupObjectPermission.objects.filter(
        group_id=group_id, permission__codename=LEVEL_CODENAME[level]
    ).values("content_object_id")


def grant_condition(user, level: Level) -> Q:
    """A filter on Case for the cases where `user` holds at least `level`."""
    if user is None or not user.is_authenticated or not user.is_active:
        return _NOTHING
    membership = active_membership(user)
    cap = ROLE_CAP[membership.role] if membership else Level.OWNER
    if level > cap:
        return _NOTHING
    named = min(level, Level.MANAGE)
    condition = Q(pk__in=_user_grant_ids(user, named))
    if level == Level.OWNER:
        # A named manager inside the owning agency is an owner of a restricted case.
        condition &= Q(owner_agency_id=membership.agency_id) if membership else _NOTHING
    if membership and membership.role in ROLES_WITH_AGENCY_ACCESS:
        condition |= Q(owner_agency_id=membership.agency_id, restricted=False)
        if level < Level.OWNER:
            condition |= Q(restricted=False, pk__in=_group_grant_ids(membership.agency.group_id, level))
    return condition


def _action_condition(user, action: Action) -> Q:
    condition = grant_condition(user, ACTION_LEVEL[action])
    if action == Action.SHARE:
        # H2: no onward sharing without the owner's permission; recipients cannot re-share.
        condition &= ~Q(handling_code=HandlingCode.H2) | grant_condition(user, Level.OWNER)
    return condition


def visible_cases(user, action: Action | str = Action.VIEW) -> QuerySet[Case]:
    """The cases `user` may perform `action` on, as one filtered queryset."""
    return Case.objects.filter(_action_condition(user, Action(action)))


def can(user, action: Action | str, case: Case) -> bool:
    return visible_cases(user, action).filter(pk=case.pk).exists()


def with_access_level(queryset: QuerySet[Case], user) -> QuerySet[Case]:
    """Annotate `access` (owner, manage, contribute or view) in the same query."""
    whens = []
    for level, label in ((Level.OWNER, "owner"), (Level.MANAGE, "manage"), (Level.CONTRIBUTE, "contribute")):
        condition = grant_condition(user, level)
        if condition != _NOTHING:
            whens.append(When(condition, then=Value(label)))
    if not whens:
        return queryset.annotate(access=Value("view", output_field=CharField()))
    return queryset.annotate(access=SqlCase(*whens, default=Value("view"), output_field=CharField()))


def access_level(user, case: Case) -> str | None:
    """The caller's access to one case, or None when it is not visible."""
    return with_access_level(visible_cases(user).filter(pk=case.pk), user).values_list("access", flat=True).first()


def not_visible(user, case_id) -> NotVisible:
    """The 404 for `case_id`; when the case exists, the attempt is noted for the audit trail
    (Art. 25 LED: refused attempts are logged), without telling the caller anything."""
    existing = Case.objects.filter(pk=case_id).values("pk", "handling_code").first() if _is_uuid(case_id) else None
    if existing:
        note_denied_attempt(DeniedAttempt(actor=user, object_type="case", object_id=str(existing["pk"]),
                                          case_id=existing["pk"], handling_code=existing["handling_code"]))
    return NotVisible()


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
