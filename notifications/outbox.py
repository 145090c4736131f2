"""The transactional outbox: rows written in the act's own transaction, enqueued after commit.

Nothing here waits for the broker: a row whose task could not be published, or whose
worker died, stays undelivered and the sweep enqueues it again once `sweep_after` passes.
"""
import datetime
import logging
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from .models import DeliveryStatus, OutboxEvent, WebhookDelivery

logger = logging.getLogger(__name__)

# At commit time a silent broker is left to the sweep: the request that committed must not hang.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
SWEEP_BATCH = 500


def sweep_delay() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS)


def event_task_id(event_id: int) -> str:
    return f"notifications.event.{event_id}"


def webhook_task_id(delivery_id) -> str:
    return f"notifications.webhook.{delivery_id}"


def _publish(task, row_id, task_id: str) -> bool:
    try:
        task.apply_async(args=[row_id], task_id=task_id, queue=settings.NOTIFICATIONS_QUEUE or None,
                         retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except BrokerUnavailable:
        logger.warning("Broker unavailable: %s waits for the outbox sweep.", task_id)
        return False
    return True


def enqueue_event(event_id: int) -> bool:
    from .tasks import deliver_outbox_event  # tasks import the delivery code, which imports this module

    return _publish(deliver_outbox_event, event_id, event_task_id(event_id))


def enqueue_webhook(delivery_id) -> bool:
    from .tasks import deliver_webhook

    return _publish(deliver_webhook, str(delivery_id), webhook_task_id(delivery_id))


def record_event(*, kind: str, case=None, agency=None, actor=None, payload: dict | None = None,
                 dedupe_key: str | None = None) -> OutboxEvent | None:
    """Write the outbox row inside the caller's transaction; its task is enqueued after commit.

    With a `dedupe_key` already recorded, nothing is written and None is returned.
    """
    now = timezone.now()
    event = OutboxEvent(
        kind=kind, case=case, agency=agency, payload=payload or {}, dedupe_key=dedupe_key, created_at=now,
        sweep_after=now + sweep_delay(),
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
    )
    if dedupe_key is None:
        event.save(force_insert=True)
    else:
        try:
            with transaction.atomic():  # a savepoint: a repeat must not spoil the caller's transaction
                event.save(force_insert=True)
        except IntegrityError:
            return None
    transaction.on_commit(partial(enqueue_event, event.pk), robust=True)
    return event


def sweep_undelivered(*, now: datetime.datetime | None = None) -> int:
    """Enqueue again every event and webhook delivery still undelivered after its timeout."""
    now = now or timezone.now()
    with transaction.atomic():
        event_ids = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(delivered_at__isnull=True, sweep_after__lte=now)
            .order_by("sweep_after").values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        delivery_ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, sweep_after__lte=now)
            .order_by("sweep_after").values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        OutboxEvent.objects.filter(pk__in=event_ids).update(sweep_after=now + sweep_delay())
        WebhookDelivery.objects.filter(pk__in=delivery_ids).update(sweep_after=now + sweep_delay())
        for event_id in event_ids:
            transaction.on_commit(partial(enqueue_event, event_id), robust=True)
        for delivery_id in delivery_ids:
            transaction.on_commit(partial(enqueue_webhook, delivery_id), robust=True)
    if event_ids or delivery_ids:
        logger.info("Outbox sweep re-enqueued %s events and %s webhook deliveries.", len(event_ids),
                    len(delivery_ids))
    return len(event_ids) + len(delivery_ids)


def postpone_sweep(model, row_id, seconds: float) -> None:
    """A task that will retry by itself in `seconds` is left alone by the sweep until then."""
    model.objects.filter(pk=row_id).update(sweep_after=timezone.now() + datetime.timedelta(seconds=seconds)
                                           + sweep_delay())
