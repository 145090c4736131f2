"""E-mail: sent at once or in a daily digest, through Django's mail backends.

E-mail leaves the secure platform, so a message carries the kind of notice, the handling
code and a link into the platform: never a case reference, title, party or seizure.
Each message is claimed (row lock, SKIP LOCKED) and marked sent in one transaction, so two
workers never send the same row; its Message-ID is derived from the row, so a resend after
a crash between the SMTP acknowledgement and the commit is recognisable as the same message.
"""
import logging
import smtplib
from collections import defaultdict

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from cases.access import Action, can
from cases.choices import HandlingCode

from .kinds import Kind
from .models import DeliveryStatus, EmailDelivery, Notification

logger = logging.getLogger(__name__)


def _message_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "portcullis"


def _item(notification: Notification) -> dict:
    code = notification.case.handling_code if notification.case_id else ""
    return {
        "kind": str(Kind(notification.kind).label),  # get_kind_display() hashes every lazy choice: ~1 ms
        "handling_code": code,
        "handling_label": HandlingCode(code).label if code else "",
        "link": settings.NOTIFICATIONS_SITE_URL.rstrip("/") + reverse("notifications:open", args=[notification.pk]),
    }


def _message(*, to: str, subject: str, template: str, context: dict, message_id: str) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"notifications/email/{template}.txt", context),
        to=[to],
        headers={"Message-ID": f"<{message_id}@{_message_domain()}>"},
    )
    message.attach_alternative(render_to_string(f"notifications/email/{template}.html", context), "text/html")
    return message


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    item = _item(notification)
    subject = f"Portcullis: {item['kind']}" + (f" [{item['handling_code']}]" if item["handling_code"] else "")
    return _message(to=notification.recipient.email, subject=subject, template="notification",
                    context={"item": item}, message_id=f"notification-{notification.pk}")


def _send_claimed(connection, deliveries: list[EmailDelivery], build) -> bool:
    """Lock those of `deliveries` still pending, send one message built from them, mark them
    sent; False when another worker holds or has sent them all. A recipient the server refuses
    for good is marked failed."""
    with transaction.atomic():
        claimed = set(
            EmailDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.PENDING).values_list("pk", flat=True)
        )
        rows = [d for d in deliveries if d.pk in claimed]
        if not rows:
            return False
        try:
            connection.send_messages([build(rows)])
            status = DeliveryStatus.SENT
        except smtplib.SMTPRecipientsRefused:
            logger.warning("Mail server refused the recipient of e-mail deliveries %s.", sorted(claimed))
            status = DeliveryStatus.FAILED
        EmailDelivery.objects.filter(pk__in=claimed).update(status=status, sent_at=timezone.now())
    return True


def with_message_data(deliveries):
    """What building a message reads, loaded in the same query."""
    return deliveries.select_related("notification__recipient", "notification__case").order_by("pk")


def send_immediate(deliveries: list[EmailDelivery], *, on_progress=None) -> int:
    """Send each e-mail over one connection; returns how many this worker sent."""
    if not deliveries:
        return 0
    handled = 0
    with get_connection() as connection:
        for index, delivery in enumerate(deliveries, start=1):
            handled += _send_claimed(connection, [delivery], lambda rows: notification_message(rows[0].notification))
            if on_progress and index % 100 == 0:
                on_progress()
    return handled


def digest_message(deliveries: list[EmailDelivery]) -> EmailMultiAlternatives:
    recipient = deliveries[0].notification.recipient
    items = [_item(delivery.notification) for delivery in deliveries]
    return _message(to=recipient.email, subject=f"Portcullis: {len(items)} notifications", template="digest",
                    context={"items": items}, message_id=f"digest-{recipient.pk}-{deliveries[0].pk}")


def send_digests() -> int:
    """One e-mail per user with their pending digest items; items about a case the user can no
    longer see are withheld first."""
    pending = with_message_data(EmailDelivery.objects.filter(status=DeliveryStatus.PENDING, digest=True))
    by_user = defaultdict(list)
    for delivery in pending:
        by_user[delivery.notification.recipient].append(delivery)
    sent = 0
    with get_connection() as connection:
        for user, deliveries in by_user.items():
            reachable = user.is_active and user.email
            visible = [d for d in deliveries if reachable and (
                not d.notification.case_id or can(user, Action.VIEW, d.notification.case))]
            EmailDelivery.objects.filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.PENDING).exclude(
                pk__in=[d.pk for d in visible]).update(status=DeliveryStatus.WITHHELD)
            if visible:
                sent += _send_claimed(connection, visible, digest_message)
    return sent
