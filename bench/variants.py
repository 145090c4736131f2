"""The case-list queries the bench times: the first page of 50 newest-first, as each design
would build it. Each returns a queryset sliced the way DRF's cursor paginator slices it
(page size + 1 rows, to know whether there is a next page)."""
from django.contrib.auth.models import Permission
from django.db.models import Case as SqlCase
from django.db.models import CharField, Exists, OuterRef, Q, Value, When
from guardian.shortcuts import get_objects_for_user

from agencies.selectors import active_membership
from cases.access import LEVEL_CODENAME, ROLE_CAP, ROLES_WITH_AGENCY_ACCESS, Level
from cases.api.case_rows import case_rows
from cases.api.pagination import CaseListPagination
from cases.models import Case, CaseGroupObjectPermission, CaseUserObjectPermission
from cases.selectors import case_list
from coordination.keyset import Ordering

# The paginator's own default order ("-seized_at", "-pk"): on rows of .values() "-pk" and "-id"
# compile differently, and the timed SQL must be the API's.
ORDERING = Ordering.parse(CaseListPagination.default_ordering, CaseListPagination.orderings).order_by()
FIRST_PAGE = CaseListPagination.page_size + 1
RELATED = ("owner_agency", "referred_to")


def policy_page(user):
    """What GET /api/v1/cases/ runs (bench.requests checks that the SQL is identical): rows of the
    list's fields as dicts (cases.api.case_rows)."""
    return case_rows(case_list(user=user)).order_by(*ORDERING)[:FIRST_PAGE]


def guardian_page(user):
    """Stock django-guardian, default arguments, on the same grants (bench.guardian_baseline)."""
    return get_objects_for_user(user, "cases.view_case", Case).select_related(*RELATED).order_by(*ORDERING)[
        :FIRST_PAGE]


def column_page(agency_id: int):
    """The limit: one indexed column, no access policy."""
    return Case.objects.filter(owner_agency_id=agency_id).select_related(*RELATED).order_by(*ORDERING)[:FIRST_PAGE]


def previous_visible_cases(user, *, agency_grants_as_hash: bool = True):
    """The policy as it was before issue 4: grant sets as `id IN (subquery joining
    auth_permission)`. With agency_grants_as_hash=False, the agency grants are instead a plain
    EXISTS with the permission id resolved once, which PostgreSQL is still free to turn into
    a hash of all the agency's grants: the step before the current design."""
    return Case.objects.filter(_previous_condition(user, Level.VIEW, agency_grants_as_hash))


def previous_policy_page(user, *, agency_grants_as_hash: bool = True):
    whens = [When(_previous_condition(user, level, agency_grants_as_hash), then=Value(label))
             for level, label in ((Level.OWNER, "owner"), (Level.MANAGE, "manage"), (Level.CONTRIBUTE, "contribute"))]
    queryset = previous_visible_cases(user, agency_grants_as_hash=agency_grants_as_hash).annotate(
        access=SqlCase(*whens, default=Value("view"), output_field=CharField()))
    return queryset.select_related(*RELATED).order_by(*ORDERING)[:FIRST_PAGE]


def _previous_condition(user, level: Level, agency_grants_as_hash: bool) -> Q:
    membership = active_membership(user)
    if level > (ROLE_CAP[membership.role] if membership else Level.OWNER):
        return Q(pk__in=[])
    codename = LEVEL_CODENAME[min(level, Level.MANAGE)]
    condition = Q(pk__in=CaseUserObjectPermission.objects.filter(user_id=user.pk, permission__codename=codename)
                  .values("content_object_id"))
    if level == Level.OWNER:
        condition &= Q(owner_agency_id=membership.agency_id)
    if membership.role in ROLES_WITH_AGENCY_ACCESS:
        condition |= Q(owner_agency_id=membership.agency_id, restricted=False)
        if level < Level.OWNER:
            grants = CaseGroupObjectPermission.objects.filter(group_id=membership.agency.group_id)
            if agency_grants_as_hash:
                grants = grants.filter(permission__codename=codename)
                condition |= Q(restricted=False, pk__in=grants.values("content_object_id"))
            else:
                permission = Permission.objects.get(content_type__app_label="cases", codename=codename)
                grants = grants.filter(permission_id=permission.pk, content_object_id=OuterRef("pk"))
                condition |= Q(Exists(grants), restricted=False)
    return condition
