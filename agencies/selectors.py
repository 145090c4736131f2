"""Reads about agencies and who belongs where."""
from django.db.models import QuerySet

from .models import Agency, Membership

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
