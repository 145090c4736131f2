"""Reads behind the dashboard and the case list's scopes; each starts from the access policy.

Counts are capped: the dashboard needs "how much is waiting", not an exact COUNT(*) over
every visible case, and a capped count costs the same however many cases there are
(NetBox #16093: summary counts go through the policy too, so none leaks a case).
"""
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import QuerySet

from agencies.selectors import active_membership

from .access import Action, visible_cases
from .choices import Status
from .models import Case, CaseShare
from .selectors import case_list

COUNT_CAP = 100
ACTIVE_STATUSES = (Status.DRAFT, Status.OPEN, Status.REFERRED, Status.JUDICIAL)


class Scope(StrEnum):
    AGENCY = "agency"  # owned by the reader's agency
    SHARED = "shared"  # shared with the reader's agency
    REFERRED = "referred"  # referred to the reader's (prosecution) agency


@dataclass(frozen=True)
class CappedCount:
    value: int
    capped: bool  # True: there are at least `value` cases, maybe more


def scoped(queryset: QuerySet[Case], *, user, scope: str) -> QuerySet[Case]:
    """Narrow an already visible queryset to one of the reader's scopes."""
    membership = active_membership(user)
    if membership is None:
        return queryset.none()
    agency_id = membership.agency_id
    if scope == Scope.AGENCY:
        return queryset.filter(owner_agency_id=agency_id)
    if scope == Scope.SHARED:
        return queryset.filter(pk__in=CaseShare.objects.filter(agency_id=agency_id).values("case_id"))
    if scope == Scope.REFERRED:
        return queryset.filter(referred_to_id=agency_id)
    return queryset.none()


def capped_count(queryset: QuerySet[Case], cap: int | None = None) -> CappedCount:
    """COUNT over at most cap + 1 rows: "100+" instead of a scan of the whole set."""
    cap = cap or COUNT_CAP
    number = queryset.order_by()[: cap + 1].count()
    return CappedCount(min(number, cap), number > cap)


def active_case_count(*, user, scope: str) -> CappedCount:
    """How many active (not closed or archived) cases of `scope` the reader may see."""
    visible = visible_cases(user, Action.VIEW).filter(status__in=ACTIVE_STATUSES)
    return capped_count(scoped(visible, user=user, scope=scope))


def visible_case_count(*, user) -> CappedCount:
    """How many cases, in any status, the reader may see."""
    return capped_count(visible_cases(user, Action.VIEW))


def latest_cases(*, user, limit: int = 6) -> list[Case]:
    """The most recent seizures the reader may see, each with the reader's `access`."""
    return list(case_list(user=user)[:limit])
