"""Reads of case data. Each one starts from the access policy."""
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from coordination.errors import NotVisible

from .access import Action, visible_cases, with_access_level
from .models import Case, CaseShare

CASE_PARTS = ("seizures", "identifiers", "parties", "route", "notes")


def case_list(*, user) -> QuerySet[Case]:
    """The cases `user` may see, newest seizure first, each with the caller's `access`."""
    return with_access_level(visible_cases(user, Action.VIEW), user).select_related("owner_agency", "referred_to")


def case_get(*, user, case_id) -> Case:
    """One visible case with its parts loaded, or NotVisible. `case.access` holds the caller's level;
    `case.visible_shares` the shares, which only the owner side sees."""
    queryset = case_list(user=user).prefetch_related(*CASE_PARTS)
    try:
        case = queryset.get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError):
        raise NotVisible() from None
    case.visible_shares = (
        list(CaseShare.objects.filter(case=case).select_related("agency"))
        if case.access in {"owner", "manage"}
        else []
    )
    return case
