"""Documents as evidence: the stored file must still hash to the SHA-256 recorded at upload.

Checked at every hand-out (download, case file) and by a periodic task. A file that no longer
matches, or is gone, is marked on the document once (`integrity_failed_at`), alerted to the
owning agency's auditors, told to the case's owners and recorded in the audit trail.

The mark stays, even if the file is later put back: evidence that was altered once is not
handed out again until its owners attach it anew. A marked document is therefore not re-hashed.
"""
from django.db import transaction
from django.utils import timezone

from audit.alerts import raise_alert
from audit.models import AlertKind, Operation
from audit.services import audit_record

from ..documents import sha256_of
from ..models import Case, Document
from ..signals import document_integrity_failed
from .guard import audited_case

INTACT, FAILED, UNCHECKED = "ok", "failed", "unchecked"


def integrity_status(document: Document) -> str:
    """What a reader is told of the document's file: ok, failed or unchecked (never re-hashed yet)."""
    if document.integrity_failed_at:
        return FAILED
    return INTACT if document.integrity_checked_at else UNCHECKED


def stored_sha256(document: Document) -> str | None:
    """The SHA-256 of the file as stored now, read in chunks; None when it is gone."""
    try:
        with document.file.storage.open(document.file.name, "rb") as stored:
            return sha256_of(stored)
    except (FileNotFoundError, ValueError):  # ValueError: the row names no file at all
        return None


def document_verify(document: Document, *, occasion: str = "periodic_check") -> bool:
    """True when the stored file still matches its recorded SHA-256.

    `occasion` (download, case_file, periodic_check) goes into the audit record. The mark and
    what follows it are written in their own savepoint, so a caller that refuses the hand-out
    afterwards can keep them.
    """
    if document.integrity_failed_at:
        return False
    found = stored_sha256(document)
    now = timezone.now()
    if found == document.sha256:
        Document.objects.filter(pk=document.pk).update(integrity_checked_at=now)
        document.integrity_checked_at = now
        return True
    _mark_failed(document, found=found, at=now, occasion=occasion)
    return False


def documents_verify(documents, *, occasion: str = "case_file") -> list[Document]:
    """The documents, of those given, whose file no longer matches (for exports such as the case file)."""
    return [document for document in documents if not document_verify(document, occasion=occasion)]


def _mark_failed(document: Document, *, found: str | None, at, occasion: str) -> None:
    with transaction.atomic():
        # Only the first to mark it alerts: a concurrent check (task and download) finds it marked.
        marked = Document.objects.filter(pk=document.pk, integrity_failed_at__isnull=True).update(
            integrity_failed_at=at, integrity_checked_at=at)
        document.integrity_failed_at = document.integrity_failed_at or at
        document.integrity_checked_at = at
        if not marked:
            return
        case = document.case
        found_text = found or "missing"
        # Hashes, ids and codes only: auditors see no case content (no title, no filename).
        audit_record(
            actor=None,
            operation=Operation.ALTERATION,
            action="document_integrity_failed",
            object_type="document",
            object_id=document.pk,
            changes={"integrity_failed_at": {"before": None, "after": at.isoformat()},
                     "sha256_recorded": document.sha256, "sha256_found": found_text, "occasion": occasion},
            **audited_case(case),
        )
        raise_alert(
            kind=AlertKind.DOCUMENT_TAMPERED, agency=case.owner_agency.code, subject=f"document {document.pk}",
            window_start=at,
            details={"case": str(case.pk), "document": str(document.pk), "sha256_recorded": document.sha256,
                     "sha256_found": found_text, "occasion": occasion},
            text=(f"The file of document {document.pk} (case {case.pk}) no longer matches its recorded SHA-256 "
                  f"({'file missing' if found is None else 'found ' + found}); it is marked on the case and "
                  f"no longer handed out."),
        )
        document_integrity_failed.send(sender=Case, case=case, document=document)
