"""Writes of an agency's own administrators: members, service accounts and the agency policy.

Each service first asks administered_agency() (403 for any other role) and looks its object
up inside that agency (404 for another agency's), then writes its audit record in the same
transaction. The records carry the admin as actor, so the agency's auditors read them in
their trail (audit.selectors.agency_events: the acts of their own agency's members).
"""
import datetime
import functools
import ipaddress
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from audit.models import Operation
from audit.services import audit_record
from coordination.errors import ActionForbidden

from .models import Agency, ApiToken, Membership, Role, ServiceAccount
from .selectors_admin import administered_agency, agency_member, agency_service_account, member_user
from .services import membership_set_role
from .tokens import api_token_create

SERVICE_ACCOUNT_ROLES = (Role.OFFICER.value, Role.ANALYST.value)
POLICY_FIELDS = ("require_2fa", "session_idle_minutes", "justify_foreign_consultation", "justify_exports")


def _not_oneself(actor, user) -> None:
    """An admin neither demotes nor deactivates themselves: the agency is never left without one
    by a slip, and a change to an admin account is always a second person's act."""
    if user.pk == actor.pk:
        raise ActionForbidden(_("Another administrator of your agency must change your own account."),
                              code="own_account")


@transaction.atomic
def member_create(*, actor, username: str, email: str, role: str, first_name: str = "",
                  last_name: str = "") -> Membership:
    """A new person in the admin's agency. They get no password: the e-mailed set-password link
    (single-use, it expires after PASSWORD_RESET_TIMEOUT) is the only way in."""
    agency = administered_agency(actor)
    User = get_user_model()
    if User._default_manager.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("This username is taken.")]})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    membership = membership_set_role(actor=actor, user=user, agency=agency, role=role)
    audit_record(actor=actor, operation=Operation.COLLECTION, action="member_create", object_type="user",
                 object_id=user.pk, recipient=user.get_username(),
                 changes={"agency": agency.code, "role": role})
    transaction.on_commit(functools.partial(send_set_password_link, user_id=user.pk), robust=True)
    return membership


def set_password_link(user) -> str:
    """A link to Django's set-password view. The token hashes the user's password and last
    login, so it stops working once used; it expires after PASSWORD_RESET_TIMEOUT."""
    path = reverse("password_set_confirm", kwargs={"uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                                                   "token": default_token_generator.make_token(user)})
    return settings.NOTIFICATIONS_SITE_URL.rstrip("/") + path


def send_set_password_link(*, user_id: int) -> None:
    user = get_user_model()._default_manager.get(pk=user_id)
    hours = settings.PASSWORD_RESET_TIMEOUT // 3600
    send_mail(
        subject=_("Your Portcullis account"),
        message=_("An administrator of your agency has created a Portcullis account for you, with the "
                  "username %(username)s.\n\nChoose your password here (the link works once, for %(hours)s "
                  "hours):\n%(link)s\n") % {"username": user.get_username(), "hours": hours,
                                           "link": set_password_link(user)},
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def member_set_role(*, actor, member_id, role: str) -> Membership:
    agency = administered_agency(actor)
    user = agency_member(agency=agency, member_id=member_id).user
    _not_oneself(actor, user)
    return membership_set_role(actor=actor, user=user, agency=agency, role=role)


@transaction.atomic
def member_deactivate(*, actor, member_id) -> Membership:
    """End a member's access at once, keeping the person: the user row, memberships and audit
    trail stay. Their API tokens are deleted; their browser sessions end at their next request,
    because an inactive user is no longer authenticated and the new unusable password changes
    the session's auth hash (so even a later reactivation revives no old session)."""
    agency = administered_agency(actor)
    user = member_user(agency=agency, member_id=member_id)
    _not_oneself(actor, user)
    if user.is_active:
        tokens = ApiToken.objects.filter(user=user)
        prefixes = sorted(tokens.values_list("prefix", flat=True))
        tokens.delete()
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        audit_record(actor=actor, operation=Operation.ALTERATION, action="member_deactivate", object_type="user",
                     object_id=user.pk, recipient=user.get_username(),
                     changes={"is_active": {"before": True, "after": False}, "api_tokens_revoked": prefixes})
    return agency_member(agency=agency, member_id=member_id)


def _networks(allowed_ips: list[str]) -> list[str]:
    networks, errors = [], []
    for text in allowed_ips:
        try:
            networks.append(str(ipaddress.ip_network(text.strip(), strict=False)))
        except ValueError:
            errors.append(_("“%(value)s” is not an IP network in CIDR notation.") % {"value": text[:60]})
    if errors:
        raise ValidationError({"allowed_ips": errors})
    return networks


@transaction.atomic
def service_account_create(*, actor, name: str, role: str, expires_at: datetime.datetime | None = None,
                           allowed_ips: list[str] | None = None) -> tuple[ServiceAccount, str]:
    """An agency system's account and its key, returned once and stored as a hash."""
    agency = administered_agency(actor)
    if role not in SERVICE_ACCOUNT_ROLES:
        raise ValidationError({"role": [_("A service account is an officer or an analyst.")]})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("Choose a time in the future.")]})
    networks = _networks(allowed_ips or [])
    User = get_user_model()
    user = User(username=f"svc.{agency.code.lower()}.{secrets.token_hex(4)}", first_name=name[:150])
    user.set_unusable_password()  # a key, never a password or a browser session
    user.save()
    membership_set_role(actor=actor, user=user, agency=agency, role=role)
    token, key = api_token_create(user=user, expires_at=expires_at)
    account = ServiceAccount(agency=agency, user=user, name=name, token=token, allowed_ips=networks,
                             created_by=actor)
    account.full_clean()
    account.save()
    audit_record(actor=actor, operation=Operation.COLLECTION, action="service_account_issue",
                 object_type="service_account", object_id=account.pk, recipient=user.get_username(),
                 changes={"name": name, "role": role, "prefix": token.prefix, "allowed_ips": networks,
                          "expires_at": expires_at.isoformat() if expires_at else None})
    return account, key


@transaction.atomic
def service_account_revoke(*, actor, account_id) -> None:
    """The key stops working at once; the account stays, inactive, as the actor of its past acts."""
    agency = administered_agency(actor)
    account = agency_service_account(agency=agency, account_id=account_id)
    if account.revoked_at is not None:
        return
    prefix = account.token.prefix if account.token else ""
    if account.token:
        account.token.delete()
    account.token, account.revoked_at = None, timezone.now()
    account.save(update_fields=["token", "revoked_at"])
    account.user.is_active = False
    account.user.save(update_fields=["is_active"])
    audit_record(actor=actor, operation=Operation.ERASURE, action="service_account_revoke",
                 object_type="service_account", object_id=account.pk, recipient=account.user.get_username(),
                 changes={"name": account.name, "prefix": prefix})


@transaction.atomic
def agency_policy_update(*, actor, **policy) -> Agency:
    """The admin's own agency policy (POLICY_FIELDS)."""
    return agency_policy_set(actor=actor, agency=administered_agency(actor), **policy)


@transaction.atomic
def agency_policy_set(*, actor, agency: Agency, **policy) -> Agency:
    """Change some of POLICY_FIELDS; the caller has established that `actor` may (the agency's
    admin through agency_policy_update, the demo seed, a platform admin). Audited when anything
    changed, with the before and after of each field."""
    unknown = set(policy) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"not policy fields: {', '.join(sorted(unknown))}")
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    diff = {field: {"before": getattr(agency, field), "after": value}
            for field, value in policy.items() if getattr(agency, field) != value}
    if not diff:
        return agency
    for field, value in policy.items():
        setattr(agency, field, value)
    agency.full_clean()
    agency.save(update_fields=list(diff))
    audit_record(actor=actor, operation=Operation.ALTERATION, action="agency_policy_update", object_type="agency",
                 object_id=agency.code, case_agency=agency.code, changes=diff)
    return agency
