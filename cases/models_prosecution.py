"""The prosecutor's side of a case (issue 16): H1 evidence-use requests and built case files.

An H1 item (the case itself, a document, a note or an exhibit) may be used as evidence only
with the owning agency's permission. A prosecutor files an EvidenceRequest for a set of items;
the owning agency grants or refuses the whole request, with a reason. A grant holds for the
requester's agency. A CaseFile is the PDF built for one requester, by a Celery task.
"""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .models import Case


class EvidenceRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class EvidenceItemType(models.TextChoices):
    CASE = "case", _("The case itself")
    DOCUMENT = "document", _("Document")
    NOTE = "note", _("Note")
    EXHIBIT = "exhibit", _("Exhibit")


class EvidenceRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField()
    status = models.CharField(max_length=10, choices=EvidenceRequestStatus.choices,
                              default=EvidenceRequestStatus.PENDING)
    reason = models.TextField(blank=True, help_text=_("The owner's reason for the decision"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "requester_agency", "status"], name="evidencerequest_case_agency")]

    def __str__(self) -> str:
        return f"{self.requester_agency_id} asks to use items of case {self.case_id} ({self.status})"


class EvidenceRequestItem(models.Model):
    """One item of a request. `item_id` names a document, note or exhibit of the request's case,
    or the case itself; checked by the service when the request is filed."""

    request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="items")
    item_type = models.CharField(max_length=10, choices=EvidenceItemType.choices)
    item_id = models.UUIDField()

    class Meta:
        ordering = ["request", "item_type", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "item_type", "item_id"], name="evidence_item_once_per_request"),
        ]

    def __str__(self) -> str:
        return f"{self.item_type} {self.item_id}"


class CaseFileStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def case_file_storage_name(case_file: "CaseFile", filename: str) -> str:
    # Private storage, never derived from anything the caller sent.
    return f"case-files/{case_file.case_id}/{case_file.id}.pdf"


class CaseFile(models.Model):
    """The PDF case file built for one requester; downloadable by that requester only."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="case_files")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=CaseFileStatus.choices, default=CaseFileStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to=case_file_storage_name, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="casefile_requester")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="casefile_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"case file {self.id} of case {self.case_id} ({self.status})"
