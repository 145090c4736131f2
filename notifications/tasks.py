"""Celery tasks: thin, take ids (JSON), and safe to run twice.

acks_late: a message is acknowledged only when its task has run, so a worker killed mid-task
leaves it for another (after the broker's visibility_timeout); the outbox sweep re-enqueues
sooner. Retries back off exponentially with full jitter, capped below visibility_timeout so
Redis never hands a retry that is still waiting to a second worker.
"""
import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from .delivery import deliver_event
from .email import send_digests
from .models import OutboxEvent, WebhookDelivery
from .outbox import postpone_sweep, sweep_undelivered
from .services import retention_reviews_notify
from .webhooks import attempt_delivery

logger = logging.getLogger(__name__)

RETRY_BACKOFF_SECONDS = 2
RETRY_BACKOFF_MAX_SECONDS = 600
EVENT_MAX_RETRIES = 8


def _retry_later(task, *, model, row_id, retries: int, exc: Exception | None = None):
    if task.request.is_eager:
        # Embedded mode (no broker): a retry would run at once, inside the request. Left pending.
        logger.warning("%s %s left pending after a failed attempt.", model.__name__, row_id)
        return
    countdown = get_exponential_backoff_interval(
        RETRY_BACKOFF_SECONDS, retries, RETRY_BACKOFF_MAX_SECONDS, full_jitter=True
    )
    postpone_sweep(model, row_id, countdown)
    raise task.retry(exc=exc, countdown=countdown)


@shared_task(bind=True, acks_late=True, max_retries=EVENT_MAX_RETRIES)
def deliver_outbox_event(self, event_id: int) -> None:
    try:
        deliver_event(event_id)
    except OSError as exc:  # the mail server or the network (smtplib errors are OSErrors); the batch is safe to redo
        _retry_later(self, model=OutboxEvent, row_id=event_id, retries=self.request.retries, exc=exc)


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: str) -> None:
    """Attempts are counted on the delivery row (the sweep may restart the task), which also
    gives up after NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS."""
    outcome = attempt_delivery(delivery_id)
    if not outcome.finished:
        _retry_later(self, model=WebhookDelivery, row_id=delivery_id, retries=outcome.attempts - 1)


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    return sweep_undelivered()


@shared_task(acks_late=True)
def send_email_digests() -> int:
    return send_digests()


@shared_task(acks_late=True)
def notify_retention_reviews_due() -> int:
    return retention_reviews_notify()
