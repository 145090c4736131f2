"""Exhibits and their chain of custody (issue 16).

Custody moves only by appending a CustodyEvent; the table refuses UPDATE and DELETE at the
database (PostgreSQL trigger, migration 0008). A correction is a new event naming the one
it corrects.
"""
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import Case, SeizureItem


class ExhibitStatus(models.TextChoices):
    HELD = "held", _("Held")
    RETURNED = "returned", _("Returned")
    DESTROYED = "destroyed", _("Destroyed")


class CustodyPurpose(models.TextChoices):
    TRANSPORT = "transport", _("Transport")
    ANALYSIS = "analysis", _("Analysis")
    STORAGE = "storage", _("Storage")
    COURT = "court", _("Court")
    RETURN = "return", _("Return")
    DESTRUCTION = "destruction", _("Destruction")


# The purposes that end custody, and the status they leave the exhibit in.
FINAL_PURPOSES = {CustodyPurpose.RETURN: ExhibitStatus.RETURNED, CustodyPurpose.DESTRUCTION: ExhibitStatus.DESTROYED}


class Exhibit(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exhibits")
    number = models.CharField(max_length=12, help_text=_("Per case: EX-001, EX-002, ..."))
    description = models.CharField(max_length=2000)
    seal_number = models.CharField(max_length=100, blank=True)
    seizure = models.ForeignKey(SeizureItem, null=True, blank=True, on_delete=models.PROTECT, related_name="exhibits")
    holder = models.CharField(max_length=200)
    location = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ExhibitStatus.choices, default=ExhibitStatus.HELD)
    seal_broken = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="exhibit_number_unique_per_case")]

    def __str__(self) -> str:
        return f"{self.number} ({self.status})"


class CustodyEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="custody")
    from_holder = models.CharField(max_length=200)
    from_location = models.CharField(max_length=200)
    to_holder = models.CharField(max_length=200)
    to_location = models.CharField(max_length=200)
    purpose = models.CharField(max_length=12, choices=CustodyPurpose.choices)
    seal_intact = models.BooleanField()
    note = models.CharField(max_length=2000, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.exhibit_id}: {self.purpose} → {self.to_holder}"
