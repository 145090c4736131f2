"""E-mail: sent at once or in a daily digest, through Django's mail backends.

E-mail leaves the secure platform, so a message carries the kind of notice, the handling
code and a link into the platform: never a case reference, title, party or seizure.
Its Message-ID is derived from the row, so a message sent again after a crash between the
server's acknowledgement and the row's mark is recognisable as the same message.

An event's e-mails are sent by one run at a time (sender_lock), each marked sent by its own
UPDATE once the server has acknowledged it: a killed worker leaves at most the one in flight
to send again. A digest claims its rows (row lock, SKIP LOCKED) and marks them sent in one
transaction, so two workers never send the same digest.
"""
import logging
import smtplib
from collections import defaultdict
from email.policy import Compat32

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from cases.access import Action, users_who_can
from cases.choices import HandlingCode

from .kinds import Kind
from .models import DeliveryStatus, EmailDelivery, OutboxEvent
from .sender_lock import sole_sender

logger = logging.getLogger(__name__)


def _message_domain() -> str:
    return settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "portcullis"


LINK_SLOT = "@@link@@"  # where each recipient's link goes into an event's message, rendered once


def _item(*, kind: str, handling_code: str, link: str) -> dict:
    return {
        "kind": str(Kind(kind).label),  # get_kind_display() hashes every lazy choice: ~1 ms
        "handling_code": handling_code,
        "handling_label": HandlingCode(handling_code).label if handling_code else "",
        "link": link,
    }


def _link(notification_id) -> str:
    return settings.NOTIFICATIONS_SITE_URL.rstrip("/") + reverse("notifications:open", args=[notification_id])


class _ShortHeadersAsTheyAre(Compat32):
    """Django's e-mail policy (Compat32), writing a short ASCII header as it is: Compat32 runs
    each of a message's 13 headers through its folding machinery, which returns them unchanged
    at half the cost of building the message. The bytes are the same (a test holds it)."""

    def _fold(self, name, value, sanitize):
        if (isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value
                and len(name) + 2 + len(value) <= self.max_line_length):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


SHORT_HEADERS_AS_THEY_ARE = _ShortHeadersAsTheyAre()


class _Message(EmailMultiAlternatives):
    """A notification e-mail, built for fan-out: its MIME boundary comes from its Message-ID
    (which no line of the body starts with; a random one costs a regular expression compiled per
    message) and its short headers are written as they are."""

    def __init__(self, *, to: str, subject: str, text: str, html: str, message_id: str):
        super().__init__(subject=subject, body=text, to=[to],
                         headers={"Message-ID": f"<{message_id}@{_message_domain()}>"})
        self.attach_alternative(html, "text/html")
        self.boundary = f"=_{message_id}"

    def message(self):
        mime = super().message()
        mime.set_boundary(self.boundary)
        mime.policy = SHORT_HEADERS_AS_THEY_ARE
        return mime


def _render(template: str, context: dict) -> tuple[str, str]:
    return tuple(render_to_string(f"notifications/email/{template}.{ext}", context) for ext in ("txt", "html"))


class EventMessages:
    """The e-mails of one event, rendered once: recipients' copies differ only in their address,
    link and Message-ID."""

    def __init__(self, event: OutboxEvent):
        item = _item(kind=event.kind, handling_code=event.case.handling_code if event.case_id else "", link=LINK_SLOT)
        self.subject = f"Portcullis: {item['kind']}" + (f" [{item['handling_code']}]" if item["handling_code"] else "")
        self.text, self.html = _render("notification", {"item": item})

    def to(self, address: str, notification_id) -> _Message:
        link = _link(notification_id)
        return _Message(to=address, subject=self.subject, text=self.text.replace(LINK_SLOT, link),
                        html=self.html.replace(LINK_SLOT, escape(link)), message_id=f"notification-{notification_id}")


def _send(mail, message: EmailMultiAlternatives, row_ids) -> DeliveryStatus:
    """Sent, or failed when the server refuses the recipient for good; other errors propagate."""
    try:
        mail.send_messages([message])
    except smtplib.SMTPRecipientsRefused:
        logger.warning("Mail server refused the recipient of e-mail deliveries %s.", sorted(row_ids))
        return DeliveryStatus.FAILED
    return DeliveryStatus.SENT


def _send_claimed(mail, deliveries: list[EmailDelivery], build) -> bool:
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
        status = _send(mail, build(rows), claimed)
        EmailDelivery.objects.filter(pk__in=claimed).update(status=status, sent_at=timezone.now())
    return True


def _mark(delivery_id: int, status: DeliveryStatus) -> None:
    """One UPDATE, committed at once. Written out: the ORM's would cost the worker three times
    the statement's own time (0.4 against 0.15 ms), a thousand times in a fan-out."""
    table = connection.ops.quote_name(EmailDelivery._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET status = %s, sent_at = %s WHERE id = %s",
                       [str(status), connection.ops.adapt_datetimefield_value(timezone.now()), delivery_id])


def pending_immediate_emails(event_id: int):
    return EmailDelivery.objects.filter(notification__event_id=event_id, status=DeliveryStatus.PENDING, digest=False)


def send_immediate(event: OutboxEvent, *, on_progress=None) -> int:
    """Send the event's pending e-mails over one connection; returns how many this run handled
    (none when another run is sending them)."""
    with sole_sender(event.pk) as sole:
        deliveries = list(pending_immediate_emails(event.pk).order_by("pk").values_list(
            "pk", "notification_id", "notification__recipient__email")) if sole else []
        if not deliveries:
            return 0
        messages = EventMessages(event)
        with get_connection() as mail:
            for index, (delivery_id, notification_id, address) in enumerate(deliveries, start=1):
                status = _send(mail, messages.to(address, notification_id), [delivery_id])
                _mark(delivery_id, status)
                if on_progress and index % 100 == 0:
                    on_progress()
    return len(deliveries)


def digest_message(deliveries: list[EmailDelivery]) -> EmailMultiAlternatives:
    recipient = deliveries[0].notification.recipient
    items = [_item(kind=d.notification.kind, link=_link(d.notification_id),
                   handling_code=d.notification.case.handling_code if d.notification.case_id else "")
             for d in deliveries]
    text, html = _render("digest", {"items": items})
    return _Message(to=recipient.email, subject=f"Portcullis: {len(items)} notifications", text=text, html=html,
                    message_id=f"digest-{recipient.pk}-{deliveries[0].pk}")


def _still_visible(deliveries: list[EmailDelivery]) -> set[int]:
    """The ids of those of `deliveries` about no case or about a case their recipient may still
    see: one set check per case (users_who_can), not one per item."""
    by_case = defaultdict(list)
    for delivery in deliveries:
        by_case[delivery.notification.case].append(delivery)
    visible = set()
    for case, items in by_case.items():
        allowed = users_who_can({d.notification.recipient for d in items}, Action.VIEW, case) if case else None
        visible |= {d.pk for d in items if allowed is None or d.notification.recipient_id in allowed}
    return visible


def send_digests() -> int:
    """One e-mail per user with their pending digest items; items about a case the user can no
    longer see are withheld first."""
    pending = list(EmailDelivery.objects.filter(status=DeliveryStatus.PENDING, digest=True)
                   .select_related("notification__recipient", "notification__case").order_by("pk"))
    still_visible = _still_visible(pending)
    by_user = defaultdict(list)
    for delivery in pending:
        by_user[delivery.notification.recipient].append(delivery)
    sent = 0
    with get_connection() as mail:
        for user, deliveries in by_user.items():
            reachable = user.is_active and user.email
            visible = [d for d in deliveries if reachable and d.pk in still_visible]
            EmailDelivery.objects.filter(pk__in=[d.pk for d in deliveries], status=DeliveryStatus.PENDING).exclude(
                pk__in=[d.pk for d in visible]).update(status=DeliveryStatus.WITHHELD)
            if visible:
                sent += _send_claimed(mail, visible, digest_message)
    return sent
