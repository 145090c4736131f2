"""The audit trail (Art. 25 Law Enforcement Directive).

Audit knows no domain app: it stores the actor's agency and role as they were at the
moment of the act, and object references as type and id, so a record stays true after
the membership or the object has changed or gone.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    COLLECTION = "collection", _("Collection")
    ALTERATION = "alteration", _("Alteration")
    CONSULTATION = "consultation", _("Consultation")
    DISCLOSURE = "disclosure", _("Disclosure")
    COMBINATION = "combination", _("Combination")
    ERASURE = "erasure", _("Erasure")
    ACCESS_DENIED = "access_denied", _("Access denied")


class AuditEvent(models.Model):
    """One act, as it was. Insert-only: a trigger refuses UPDATE and DELETE on PostgreSQL, and
    `content_hash` plus the seal chain (AuditSeal) make any change detectable."""

    # Indexes are few on purpose: every consultation inserts a row, and each index is paid on
    # every insert. Time-range scans over the whole trail use a BRIN index on PostgreSQL
    # (migration 0004); the composite indexes below serve everything else.
    at = models.DateTimeField(default=timezone.now)
    # No database constraint: the trail outlives the account, and removing a user must not
    # rewrite (SET NULL) the records of what they did.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        db_index=False, related_name="+",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    actor_agency = models.CharField(max_length=32, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    operation = models.CharField(max_length=20, choices=Operation.choices)
    action = models.CharField(max_length=64, help_text=_("The service or view that acted, e.g. case_share."))
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    case_id = models.UUIDField(null=True, blank=True)
    # The agency owning that case at the time: the record belongs in its auditors' trail too,
    # whoever acted (a foreign consultation, a refused attempt).
    case_agency = models.CharField(max_length=32, blank=True)
    handling_code = models.CharField(max_length=2, blank=True)
    justification = models.TextField(blank=True)
    recipient = models.CharField(max_length=150, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    # A one-way reference to the browser session or API token the act came through.
    session_ref = models.CharField(max_length=32, blank=True)
    content_hash = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["actor_agency", "at"]),
            models.Index(fields=["case_agency", "at"], condition=~models.Q(case_agency=""), name="audit_case_agency_at"),
            # A case's trail, and the consultation grouping's check, which names the session
            # before the time so that other sessions' records of the case are never visited.
            models.Index(fields=["case_id", "actor", "action", "session_ref", "at"], name="audit_case_actor_session"),
            # Only disclosures name a recipient; the rest need no entry.
            models.Index(fields=["recipient", "at"], condition=~models.Q(recipient=""), name="audit_recipient_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.operation} {self.object_type}:{self.object_id}"


class AuditSeal(models.Model):
    """The hash chain, written by the sealing task in event order (insert-only as well).

    Each seal names its predecessor; the unique constraint means no two seals can claim the
    same one, even if two sealers ever ran at once.
    """

    event_id = models.BigIntegerField(primary_key=True)
    previous_event_id = models.BigIntegerField(null=True, unique=True)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event_id"]


class AuditCheckpoint(models.Model):
    """A seal a verification pass found intact, with the chain hash it had then: the next
    incremental pass starts after it (audit.verification). Insert-only, like the trail."""

    event_id = models.BigIntegerField()
    chain_hash = models.CharField(max_length=64)
    full = models.BooleanField(help_text=_("Whether the pass recomputed the trail from its first record"))
    verified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["event_id"], name="audit_checkpoint_event")]

    def __str__(self) -> str:
        return f"{self.verified_at:%Y-%m-%d %H:%M:%S} record {self.event_id} ({'full' if self.full else 'incremental'})"


class AuditExportCursor(models.Model):
    """How far each external sink has received the trail, so export resumes exactly there."""

    sink = models.CharField(max_length=100, unique=True)
    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class AlertKind(models.TextChoices):
    CHAIN_BROKEN = "chain_broken", _("Audit chain broken")
    CONSULTATION_VOLUME = "consultation_volume", _("Unusually many consultations")
    NIGHT_CONSULTATIONS = "night_consultations", _("Many consultations at night")
    DOCUMENT_TAMPERED = "document_tampered", _("Document no longer matches its SHA-256")


class AuditAlert(models.Model):
    """An alert raised from the trail; unique per subject and window, so re-running a check
    never raises it twice."""

    kind = models.CharField(max_length=30, choices=AlertKind.choices)
    agency = models.CharField(max_length=32, blank=True, help_text=_("Whose auditors are told; blank: platform"))
    subject = models.CharField(max_length=150, help_text=_("Username, or the broken record"))
    window_start = models.DateTimeField()
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject", "window_start"], name="one_alert_per_subject_window")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class AuditDigest(models.Model):
    """Marks a weekly digest as sent to an agency's auditors (idempotence)."""

    agency = models.CharField(max_length=32)
    week_start = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "week_start"], name="one_digest_per_agency_week")]
