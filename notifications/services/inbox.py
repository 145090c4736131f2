"""The user's own side: reading the inbox, following cases, e-mail preferences."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.selectors import case_header
from coordination.errors import NotVisible

from ..kinds import Kind
from ..models import CaseFollow, EmailMode, EmailPreference, Notification


def _own_notification(actor, notification_id) -> Notification:
    try:
        return Notification.objects.get(pk=notification_id, recipient_id=actor.pk)
    except (Notification.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None


@transaction.atomic
def notification_mark_read(*, actor, notification_id) -> Notification:
    notification = _own_notification(actor, notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient_id=actor.pk, read_at__isnull=True).update(read_at=timezone.now())


def _set_following(actor, case_id, following: bool) -> CaseFollow:
    case = case_header(user=actor, case_id=case_id)  # NotVisible (404) for a case the actor cannot see
    follow, _created = CaseFollow.objects.update_or_create(user=actor, case=case, defaults={"following": following})
    return follow


@transaction.atomic
def case_follow(*, actor, case_id) -> CaseFollow:
    return _set_following(actor, case_id, True)


@transaction.atomic
def case_unfollow(*, actor, case_id) -> CaseFollow:
    return _set_following(actor, case_id, False)


@transaction.atomic
def email_preferences_set(*, actor, email: dict[str, str]) -> None:
    """How `actor` wants each named kind by e-mail: immediate, digest or off."""
    unknown = sorted(kind for kind in email if kind not in Kind.values)
    if unknown:
        raise ValidationError({"email": [_("Not kinds of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)}]})
    if any(mode not in EmailMode.values for mode in email.values()):
        raise ValidationError({"email": [_("Choose immediate, digest or off for each kind.")]})
    for kind, mode in email.items():
        EmailPreference.objects.update_or_create(user=actor, kind=kind, defaults={"mode": mode})
