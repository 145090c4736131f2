"""Raising alerts from the trail: recorded once, announced to the people who must act."""
import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from .context import auditors_of
from .models import AlertKind, AuditAlert
from .signals import audit_alert


def alert_recipients(agency: str) -> list:
    """An agency's auditors; platform administrators for alerts about the platform itself."""
    if agency:
        return auditors_of(agency)
    return list(get_user_model().objects.filter(is_superuser=True, is_active=True))


def raise_alert(*, kind: AlertKind, agency: str, subject: str, window_start: datetime.datetime, details: dict,
                text: str) -> AuditAlert | None:
    """Record the alert and tell its recipients; None if this alert was raised already."""
    try:
        with transaction.atomic():
            alert = AuditAlert.objects.create(kind=kind, agency=agency, subject=subject,
                                              window_start=window_start, details=details)
    except IntegrityError:
        return None
    # Delivery (inbox, e-mail with a link only, webhooks) is the notifications app's job.
    audit_alert.send(sender=AuditAlert, alert=alert, recipients=alert_recipients(agency), text=text)
    return alert
