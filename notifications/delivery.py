"""Delivering one outbox event: the fan-out to inbox, e-mail and webhooks.

Safe to run any number of times, also concurrently: inbox items and deliveries are inserted
under their unique constraints (ON CONFLICT DO NOTHING), and one run at a time sends an event's
e-mails. A run cut short (worker killed) is finished by the next one.
"""
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .email import pending_immediate_emails, send_immediate
from .models import (
    DeliveryStatus,
    EmailDelivery,
    EmailMode,
    EmailPreference,
    Notification,
    OutboxEvent,
    WebhookDelivery,
)
from .outbox import enqueue_webhook, sweep_delay
from .recipients import Recipient, recipients, webhook_endpoints
from .texts import inbox_text

BATCH_SIZE = 500


def deliver_event(event_id: int) -> None:
    event = OutboxEvent.objects.select_related("case", "agency").filter(pk=event_id).first()
    if event is None or event.delivered_at is not None:
        return
    _hold_off_sweep(event_id, started=True)
    chosen = recipients(event)
    with transaction.atomic():
        inbox = _write_inbox(event, chosen)
        _queue_emails(event, chosen, inbox)
        _queue_webhooks(event)
    _withhold_emails_of_others(event, chosen)
    send_immediate(event, on_progress=partial(_hold_off_sweep, event_id))
    if not pending_immediate_emails(event_id).exists():
        OutboxEvent.objects.filter(pk=event_id, delivered_at__isnull=True).update(delivered_at=timezone.now())


def _hold_off_sweep(event_id: int, started: bool = False) -> None:
    """While this run makes progress, the sweep does not start a second one."""
    changes = {"sweep_after": timezone.now() + sweep_delay()}
    if started:
        changes["attempts"] = F("attempts") + 1
    OutboxEvent.objects.filter(pk=event_id).update(**changes)


def _write_inbox(event: OutboxEvent, chosen: list[Recipient]) -> dict[int, object]:
    """Inbox items for the recipients; returns recipient id -> inbox item id."""
    texts = {named: inbox_text(event, names_case=named) for named in (True, False)}
    Notification.objects.bulk_create(
        [Notification(event=event, recipient=r.user, kind=event.kind, case_id=event.case_id, text=texts[r.names_case])
         for r in chosen],
        ignore_conflicts=True, batch_size=BATCH_SIZE,
    )
    return dict(
        Notification.objects.filter(event=event, recipient_id__in=[r.user.pk for r in chosen])
        .values_list("recipient_id", "pk")
    )


def _queue_emails(event: OutboxEvent, chosen: list[Recipient], inbox: dict) -> None:
    ids = [r.user.pk for r in chosen if r.user.email]
    modes = dict(EmailPreference.objects.filter(user_id__in=ids, kind=event.kind).values_list("user_id", "mode"))
    rows = [
        EmailDelivery(notification_id=inbox[user_id], digest=modes.get(user_id) == EmailMode.DIGEST)
        for user_id in ids if modes.get(user_id, EmailMode.IMMEDIATE) != EmailMode.OFF
    ]
    EmailDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH_SIZE)


def _queue_webhooks(event: OutboxEvent) -> None:
    known = set(WebhookDelivery.objects.filter(event=event).values_list("endpoint_id", flat=True))
    sweep_after = timezone.now() + sweep_delay()
    new = [WebhookDelivery(event=event, endpoint=endpoint, sweep_after=sweep_after)
           for endpoint in webhook_endpoints(event) if endpoint.pk not in known]
    WebhookDelivery.objects.bulk_create(new, ignore_conflicts=True)
    # Ids are made here, so those a concurrent run inserted first simply do not exist.
    for delivery_id in WebhookDelivery.objects.filter(pk__in=[d.pk for d in new]).values_list("pk", flat=True):
        transaction.on_commit(partial(enqueue_webhook, delivery_id), robust=True)


def _withhold_emails_of_others(event: OutboxEvent, chosen: list[Recipient]) -> None:
    """A run after the first may find someone's access gone: their unsent e-mail is withheld."""
    EmailDelivery.objects.filter(notification__event=event, status=DeliveryStatus.PENDING).exclude(
        notification__recipient_id__in=[r.user.pk for r in chosen]
    ).update(status=DeliveryStatus.WITHHELD)
