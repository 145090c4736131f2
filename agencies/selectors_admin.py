"""Reads for an agency's own administrators: its members, service accounts and policy.

Every read starts from administered_agency(): only an agency admin has one (403 for every
other role), and every lookup is filtered to it, so another agency's member or key is a 404.
"""
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.errors import ActionForbidden, NotVisible

from .models import Agency, Membership, Role, ServiceAccount
from .selectors import active_membership


def administered_agency(user) -> Agency:
    """The agency `user` administers; ActionForbidden (403) for anyone who is not its admin."""
    membership = active_membership(user)
    if membership is None or membership.role != Role.AGENCY_ADMIN:
        raise ActionForbidden(_("Only agency administrators manage their agency."), code="agency_admins_only")
    return membership.agency


def agency_members(*, agency: Agency) -> QuerySet[Membership]:
    """The agency's people, deactivated ones included (a member never disappears), as their
    current membership; service accounts are listed apart."""
    return (Membership.objects.filter(agency=agency, active=True, user__service_account__isnull=True)
            .select_related("user").order_by("-created_at", "-id"))


def agency_members_with_two_factor(*, agency: Agency) -> QuerySet[Membership]:
    """agency_members, each with `two_factor`: whether they hold a confirmed authenticator app
    (one subquery, not a query per row)."""
    enrolled = TOTPDevice.objects.filter(user_id=OuterRef("user_id"), confirmed=True)
    return agency_members(agency=agency).annotate(two_factor=Exists(enrolled))


def agency_member(*, agency: Agency, member_id) -> Membership:
    """One member by user id; NotVisible (404) unless it is a person of `agency`."""
    try:
        return agency_members(agency=agency).get(user_id=int(member_id))
    except (Membership.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotVisible() from None


def member_user(*, agency: Agency, member_id):
    """The member's user row, locked for the change about to be made."""
    membership = agency_member(agency=agency, member_id=member_id)
    return get_user_model().objects.select_for_update().get(pk=membership.user_id)


def agency_service_accounts(*, agency: Agency) -> QuerySet[ServiceAccount]:
    return (ServiceAccount.objects.filter(agency=agency).select_related("user", "token")
            .prefetch_related("user__memberships").order_by("-created_at", "-id"))


def agency_service_account(*, agency: Agency, account_id) -> ServiceAccount:
    try:
        return agency_service_accounts(agency=agency).get(pk=account_id)
    except (ServiceAccount.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None
