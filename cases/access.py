"""The access policy: the one place that decides who may see or do what with a case.

Every path that returns case data starts here: lists, detail, search, counts, exports,
downloads, notification recipients and match hits.

A user's access to a case comes from three sources, each capped by the user's role:
- owner: members of the owning agency, unless the case is restricted;
- agency share: guardian group permissions on the user's agency group, unless restricted;
- named grant: guardian user permissions (the only way into a restricted case).
Levels are cumulative (view < contribute < manage < owner); a share at a level carries
the permissions of every level below it, so each question is one indexed lookup.

The SQL shape is chosen for lists of a million cases (bench/RESULTS.md): the owning
agency is a column test, an agency grant is a correlated EXISTS on guardian's
(group, permission, case) index probed only for the rows a page actually reads, and the
named grants (a handful per user) one small hashed set. Permission ids are resolved once per
process instead of joining auth_permission in every subquery.
"""
import uuid
from collections import defaultdict
from enum import IntEnum, StrEnum

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case as SqlCase
from django.db.models import BooleanField, Expression, F, Q, QuerySet, Value, When

from agencies.models import Membership, Role
from agencies.selectors import active_membership
from audit.context import DeniedAttempt, note_denied_attempt
from coordination.errors import NotVisible

from .choices import HandlingCode
from .models import Case, CaseGroupObjectPermission, CaseUserObjectPermission


class Action(StrEnum):
    VIEW = "view"
    CONTRIBUTE = "contribute"  # add seizures, identifiers, parties, route, notes, documents
    CHANGE = "change"  # edit the case's own fields
    SHARE = "share"  # share with agencies or named users, refer, revoke
    TRANSITION = "transition"  # move through the workflow (cases.workflow decides which step)
    GOVERN = "govern"  # the owner's own decisions: handling code, H3 conditions, restriction


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
    Action.GOVERN: Level.OWNER,
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


_permission_ids_cache: dict[str, tuple[ContentType, dict[str, int]]] = {}


def _permission_id(level: Level) -> int:
    """The id of the level's guardian permission, resolved once per process.

    Held against Django's own cached ContentType object: a flush (transactional tests)
    recreates content types and permissions, Django then drops its cached ContentType, and
    these ids are looked up again instead of going stale.
    """
    content_type = ContentType.objects.get_for_model(Case)
    cached = _permission_ids_cache.get(content_type._state.db)
    if cached is None or cached[0] is not content_type:
        ids = dict(Permission.objects.filter(content_type=content_type).values_list("codename", "id"))
        cached = _permission_ids_cache[content_type._state.db] = (content_type, ids)
    return cached[1][LEVEL_CODENAME[level]]


class _GrantSql(Expression):
    """A test against guardian's direct-FK permission tables, written as SQL.

    Built with the ORM, each of these is a subquery that Django builds and compiles anew on
    every request; for a page with the caller's access level that came to milliseconds per
    request, more than PostgreSQL took to run it. The case's own columns (`{pk}`,
    `{restricted}`) stay ORM expressions, so the SQL follows the query's table aliases. The SQL
    is written in lower case: its keywords ignore case, so an upper/lower-case mutant of it
    would change nothing (`make mutate`).
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, sql: str, params: tuple):
        super().__init__()
        self.sql, self.params = sql, params
        self.pk, self.restricted = F("pk"), F("restricted")

    def get_source_expressions(self):
        return [self.pk, self.restricted]

    def set_source_expressions(self, expressions):
        self.pk, self.restricted = expressions

    def as_sql(self, compiler, connection):
        pk, restricted = (compiler.compile(column)[0] for column in (self.pk, self.restricted))
        quote = connection.ops.quote_name
        tables = {"user_grants": quote(CaseUserObjectPermission._meta.db_table),
                  "agency_grants": quote(CaseGroupObjectPermission._meta.db_table)}
        return self.sql.format(pk=pk, restricted=restricted, **tables), self.params


def _named_grant(user, level: Level) -> _GrantSql:
    """The user holds `level` on the case by name. A user has a handful of these: PostgreSQL
    hashes them once per query, or starts from them when they are all the user has."""
    return _GrantSql("{pk} in (select held.content_object_id from {user_grants} held "
                     "where held.user_id = %s and held.permission_id = %s)", (user.pk, _permission_id(level)))


def _agency_grant(group_id: int, level: Level) -> _GrantSql:
    """The case is shared with the group at `level` and is not restricted.

    An agency can hold tens of thousands of grants, so they are probed per row on guardian's
    unique (group, permission, case) index rather than gathered into a hash for every page.
    Testing the outer `restricted` inside the subquery keeps PostgreSQL from turning the
    probe into such a hash (it cannot hash a correlated test that is not an equality).
    """
    return _GrantSql("exists (select 1 from {agency_grants} held where held.content_object_id = {pk} "
                     "and held.group_id = %s and held.permission_id = %s and not {restricted})",
                     (group_id, _permission_id(level)))


def role_cap(user) -> Level:
    """The most any grant gives `user`. Only members of an active agency hold case access: a
    platform account without a membership (a superuser included) reaches nothing."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Level.NONE
    membership = active_membership(user)
    return ROLE_CAP[membership.role] if membership else Level.NONE


def grant_condition(user, level: Level) -> Q:
    """A filter on Case for the cases where `user` holds at least `level`."""
    if level > role_cap(user):
        return _NOTHING
    membership = active_membership(user)
    condition = Q(_named_grant(user, min(level, Level.MANAGE)))
    if level == Level.OWNER:
        # A named manager inside the owning agency is an owner of a restricted case.
        condition &= Q(owner_agency_id=membership.agency_id)
    if membership.role in ROLES_WITH_AGENCY_ACCESS:
        # The cheap column test first: PostgreSQL evaluates OR arms in order and stops at the first true one.
        condition = Q(owner_agency_id=membership.agency_id, restricted=False) | condition
        if level < Level.OWNER:
            condition |= _agency_grant(membership.agency.group_id, level)
    return condition


def _action_condition(user, action: Action) -> Q:
    condition = grant_condition(user, ACTION_LEVEL[action])
    if action == Action.SHARE:
        # H2: no onward sharing (share, referral, named grant) without the owner's permission.
        condition &= ~Q(handling_code=HandlingCode.H2) | grant_condition(user, Level.OWNER)
    return condition


def must_acknowledge_conditions(user, case: Case) -> bool:
    """H3: a reader outside the owning agency accepts the owner's conditions before the first
    consultation (the consultation service keeps the acknowledgements)."""
    if case.handling_code != HandlingCode.H3:
        return False
    membership = active_membership(user)
    return membership is None or membership.agency_id != case.owner_agency_id


def visible_cases(user, action: Action | str = Action.VIEW) -> QuerySet[Case]:
    """The cases `user` may perform `action` on, as one filtered queryset."""
    return Case.objects.filter(_action_condition(user, Action(action)))


def can(user, action: Action | str, case: Case) -> bool:
    return visible_cases(user, action).filter(pk=case.pk).exists()


def users_who_can(users, action: Action | str, case: Case) -> set[int]:
    """The ids of `users` who may perform `action` on `case`: `can` for many users at once.

    Three queries whatever the number of users (the notification fan-out asks for a thousand).
    It decides as grant_condition and _action_condition do, rule for rule, over the same
    rows; tests/test_access_sets.py holds it to `can` for every cell of the permission matrix.
    """
    action = Action(action)
    ids = [user.pk for user in users if user.is_authenticated and user.is_active]
    memberships = Membership.objects.filter(user_id__in=ids, active=True, agency__active=True).select_related("agency")
    named = defaultdict(set)
    for user_id, permission_id in CaseUserObjectPermission.objects.filter(
            content_object_id=case.pk, user_id__in=ids).values_list("user_id", "permission_id"):
        named[user_id].add(permission_id)
    shared = defaultdict(set)
    for group_id, permission_id in CaseGroupObjectPermission.objects.filter(
            content_object_id=case.pk).values_list("group_id", "permission_id"):
        shared[group_id].add(permission_id)

    def holds(membership, level: Level) -> bool:
        if level > ROLE_CAP[membership.role]:
            return False
        own_agency = case.owner_agency_id == membership.agency_id
        if membership.role in ROLES_WITH_AGENCY_ACCESS and not case.restricted:
            if own_agency or (level < Level.OWNER and _permission_id(level) in shared[membership.agency.group_id]):
                return True
        by_name = _permission_id(min(level, Level.MANAGE)) in named[membership.user_id]
        return by_name and (level < Level.OWNER or own_agency)

    allowed = set()
    for membership in memberships:
        permitted = holds(membership, ACTION_LEVEL[action])
        if permitted and action == Action.SHARE and case.handling_code == HandlingCode.H2:
            permitted = holds(membership, Level.OWNER)
        if permitted:
            allowed.add(membership.user_id)
    return allowed


def with_access_level(queryset: QuerySet[Case], user) -> QuerySet[Case]:
    """Annotate `access` (owner, manage, contribute or view) in the same query."""
    whens = []
    for level, label in ((Level.OWNER, "owner"), (Level.MANAGE, "manage"), (Level.CONTRIBUTE, "contribute")):
        condition = grant_condition(user, level)
        if condition != _NOTHING:
            whens.append(When(condition, then=Value(label)))
    if not whens:
        return queryset.annotate(access=Value("view"))
    return queryset.annotate(access=SqlCase(*whens, default=Value("view")))


def access_level(user, case: Case) -> str | None:
    """The caller's access to one case, or None when it is not visible."""
    return with_access_level(visible_cases(user).filter(pk=case.pk), user).values_list("access", flat=True).first()


def _note_attempt_on_case(user, case_id, *, visible: bool = False, **what) -> None:
    """Queue a denied attempt on `case_id` for the audit trail, when that case exists. The
    record is filed under the owning agency (its auditors see who tried their case); on a case
    the actor may not see it holds nothing but the id tried, so the attempting agency's trail
    learns nothing new."""
    fields = ("pk", "owner_agency__code", "handling_code")
    existing = Case.objects.filter(pk=case_id).values(*fields).first() if _is_uuid(case_id) else None
    if existing:
        note_denied_attempt(DeniedAttempt(
            actor=user, object_type="case", object_id=str(existing["pk"]), case_id=existing["pk"],
            case_agency=existing["owner_agency__code"], handling_code=existing["handling_code"] if visible else "",
            **what))


def not_visible(user, case_id) -> NotVisible:
    """The 404 for `case_id`; when the case exists, the attempt is noted for the audit trail
    (Art. 25 LED: refused attempts are logged), without telling the caller anything."""
    _note_attempt_on_case(user, case_id)
    return NotVisible()


def note_refused_action(user, case_id, code: str) -> None:
    """A 403 on a case the caller can see (a role, grant or missing justification refused the
    act): noted for the audit trail like a 404 on an existing case."""
    _note_attempt_on_case(user, case_id, visible=True, action="forbidden", changes={"code": code})


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
