"""Reads of a case's parts for display, given a case the reader already holds from
cases.selectors (so the access policy has already answered)."""
from django.db.models import Prefetch, QuerySet

from .models import Case, CustodyEvent, Document, Exhibit, Note


def case_notes(*, case: Case) -> QuerySet[Note]:
    """The case's notes with their authors, oldest first, in one query."""
    return Note.objects.filter(case_id=case.pk).select_related("created_by").order_by("created_at", "id")


def case_documents_failing_integrity(*, case: Case) -> list[Document]:
    """The case's documents whose stored file no longer matches its SHA-256, first found first."""
    return list(Document.objects.filter(case_id=case.pk, integrity_failed_at__isnull=False)
                .only("id", "title", "kind", "sha256", "integrity_failed_at").order_by("integrity_failed_at", "id"))


def case_exhibits(*, case: Case) -> list[Exhibit]:
    """The case's exhibits in number order, each with its seizure and its chain of custody
    (oldest first, with who recorded each event): two queries however many there are."""
    custody = CustodyEvent.objects.select_related("recorded_by").order_by("recorded_at", "id")
    return list(Exhibit.objects.filter(case_id=case.pk).select_related("seizure")
                .prefetch_related(Prefetch("custody", queryset=custody)).order_by("number"))
