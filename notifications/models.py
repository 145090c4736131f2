"""The transactional outbox and what it is delivered into: inbox items, e-mails, webhook calls.

Each delivery table holds one row per (event, recipient) of its channel, under a unique
constraint: a retried or duplicated task finds the row and never delivers twice.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from cases.models import Case

from .kinds import Kind


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    WITHHELD = "withheld", _("Withheld: the recipient may no longer hear of it")
    FAILED = "failed", _("Failed: given up")


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", _("At once")
    DIGEST = "digest", _("In a daily digest")
    OFF = "off", _("Not by e-mail")


class OutboxEvent(models.Model):
    """One domain event, written in the transaction of the act that caused it.

    After commit a Celery task delivers it; if that never happens (broker down, worker
    killed), the sweep re-enqueues it once `sweep_after` has passed. The payload holds ids
    and codes only, never case content.
    """

    kind = models.CharField(max_length=40, choices=Kind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text=_("The agency concerned: shared with, referred to, whose auditors are told."),
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(
        max_length=150, null=True, blank=True, unique=True,
        help_text=_("Periodic producers (retention reviews, audit alerts) record an event once per key."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    sweep_after = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0, help_text=_("Deliveries started by a worker"))
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["sweep_after"], condition=Q(delivered_at__isnull=True), name="outbox_undelivered"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Notification(models.Model):
    """An item in a user's inbox: the in-app channel, one per (event, recipient)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(help_text=_("Rendered for this recipient: only what they may see."))
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="one_inbox_item_per_event_recipient"),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="inbox_newest_first"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True), name="inbox_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.kind}"


class EmailDelivery(models.Model):
    """The e-mail of one inbox item: one per (event, recipient), sent at once or in the digest."""

    notification = models.OneToOneField(Notification, on_delete=models.CASCADE, related_name="email")
    digest = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "e-mail deliveries"
        indexes = [
            models.Index(fields=["digest"], condition=Q(status="pending"), name="email_pending"),
        ]


class EmailPreference(models.Model):
    """How a user wants one kind of notification by e-mail; no row means at once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    mode = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_email_preference_per_kind")]


class CaseFollow(models.Model):
    """A user following a case. `following=False` remembers an unfollow, so acting on the case
    again does not follow it automatically."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    following = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "case"], name="one_follow_per_user_case")]
        indexes = [models.Index(fields=["case"], condition=Q(following=True), name="case_followers")]


class WebhookEndpoint(models.Model):
    """An agency system's URL, registered by an agency admin. The secret signs every call, so it
    is kept in clear (a hash could not sign) and shown to the admin once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    kinds = models.JSONField(default=list, blank=True, help_text=_("Kinds to send; empty: every kind"))
    secret = models.CharField(max_length=64, editable=False)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.url}"

    def wants(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


class WebhookDelivery(models.Model):
    """One event for one endpoint. Its id travels as the X-Portcullis-Delivery header, so a
    receiver can recognise a repeat."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sweep_after = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_webhook_delivery_per_event_endpoint"),
        ]
        indexes = [
            models.Index(fields=["sweep_after"], condition=Q(status="pending"), name="webhook_undelivered"),
        ]


class WebhookAttempt(models.Model):
    """One call of a delivery, for the delivery log agency admins read."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
