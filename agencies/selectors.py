"""Reads about agencies and who belongs where."""
from django.db.models import QuerySet

from .models import Agency, Membership, Role

_CACHE_ATTR = "_portcullis_membership"


def active_membership(user) -> Membership | None:
    """The user's one active membership, loaded once per user object (i.e. per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, _CACHE_ATTR):
        membership = (
            Membership.objects.select_related("agency")
            .filter(user_id=user.pk, active=True, agency__active=True)
            .first()
        )
        setattr(user, _CACHE_ATTR, membership)
    return getattr(user, _CACHE_ATTR)


def forget_membership(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def agency_code_and_role(user) -> tuple[str, str]:
    membership = active_membership(user)
    if membership is None:
        return "", "platform_admin" if getattr(user, "is_superuser", False) else ""
    return membership.agency.code, membership.role


def agency_list() -> QuerySet[Agency]:
    return Agency.objects.all().order_by("code")


def agency_by_code(code: str) -> Agency | None:
    return Agency.objects.filter(code=code, active=True).first()


def auditors_of_agency(code: str) -> list:
    """The active auditors of the agency with `code`."""
    return [
        membership.user
        for membership in Membership.objects.filter(
            agency__code=code, role=Role.AUDITOR, active=True, user__is_active=True
        ).select_related("user")
    ]


def exports_need_justification(user) -> bool:
    """The user's agency policy on exports; with no agency, always."""
    membership = active_membership(user)
    return membership is None or membership.agency.justify_exports
