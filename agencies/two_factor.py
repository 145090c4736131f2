"""Two-factor sign-in: an authenticator app (TOTP) plus single-use backup codes, on django-otp.

A user is enrolled once they hold a confirmed device; from then on the browser login, the
admin login and the token endpoint all ask for a code (agencies.login, agencies.authentication,
through django_otp.match_token, which tries the app's code and the backup codes alike). A backup
code is deleted by django-otp as it is accepted, so each works once. Where the agency requires
two-factor sign-in, a user who is not enrolled reaches only the enrolment pages
(agencies.sessions.AccountSecurityMiddleware).
"""
from base64 import b32encode

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import Operation
from audit.services import audit_record

from .selectors import active_membership
from .tokens import api_tokens_revoke_all
from .selectors_admin import administered_agency, member_user
from .services_admin import _not_oneself

BACKUP_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def two_factor_enrolment_required(user) -> bool:
    """The user must have a second factor and has none yet: where their agency requires it, and
    for platform staff (no agency; they manage every agency) where PLATFORM_REQUIRE_2FA says so,
    which is the default in production.

    Service accounts are exempt: they hold a key, never a password or a browser session."""
    membership = active_membership(user)
    if membership is None:
        required = user.is_staff and settings.PLATFORM_REQUIRE_2FA
    else:
        required = membership.agency.require_2fa and not hasattr(user, "service_account")
    return required and not user_has_device(user, confirmed=True)


def totp_device_pending(user) -> TOTPDevice:
    """The app device being enrolled: the same one until it is confirmed, so reloading the page
    shows the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def totp_secret(device: TOTPDevice) -> str:
    """The key as people type it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG drawn on the server: nothing leaves for a QR service, and the
    page needs no script (CSP). The secret never goes into a URL of ours or a log."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


def _new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def totp_device_confirm(*, actor, device_id: int, code: str) -> list[str] | None:
    """Confirm the actor's pending app device with a code it shows, and issue backup codes.

    The new backup codes (to show once), or None when the code did not match."""
    device = TOTPDevice.objects.select_for_update().filter(user=actor, pk=device_id, confirmed=False).first()
    if device is None or not device.verify_token(code.replace(" ", "")):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    codes = _new_backup_codes(actor)
    audit_record(actor=actor, operation=Operation.ALTERATION, action="two_factor_enrol", object_type="user",
                 object_id=actor.pk, recipient=actor.get_username(),
                 changes={"device": APP_DEVICE_NAME, "backup_codes": len(codes)})
    return codes


@transaction.atomic
def backup_codes_replace(*, actor) -> list[str]:
    """A fresh set of backup codes for an enrolled user; the old ones stop working."""
    if not TOTPDevice.objects.filter(user=actor, confirmed=True).exists():
        raise ValueError("backup codes belong to an enrolled authenticator app")
    codes = _new_backup_codes(actor)
    audit_record(actor=actor, operation=Operation.ALTERATION, action="two_factor_backup_codes_replace",
                 object_type="user", object_id=actor.pk, recipient=actor.get_username(),
                 changes={"backup_codes": len(codes)})
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def member_two_factor_reset(*, actor, member_id) -> None:
    """An agency admin removes a member's authenticator app and backup codes (a lost phone).

    The member signs in next with their password alone and, where the agency requires it, is sent
    straight to enrol again. Only a member of the admin's own agency (404 otherwise); audited."""
    agency = administered_agency(actor)
    user = member_user(agency=agency, member_id=member_id)
    _not_oneself(actor, user)
    removed = {"authenticator_apps": TOTPDevice.objects.filter(user=user).delete()[1].get(TOTPDevice._meta.label, 0),
               "backup_code_sets": StaticDevice.objects.filter(user=user).delete()[1].get(StaticDevice._meta.label, 0)}
    audit_record(actor=actor, operation=Operation.ERASURE, action="member_two_factor_reset", object_type="user",
                 object_id=user.pk, recipient=user.get_username(), changes=removed)
    # Whoever holds the lost phone may hold a key made with it too.
    api_tokens_revoke_all(actor=actor, user=user, reason="two_factor_reset")
