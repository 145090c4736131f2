"""Attaching documents to a case and handing them out, each recorded in the audit trail."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Operation
from audit.services import audit_record
from coordination.errors import Conflict, NotVisible

from ..access import Action, not_visible, visible_cases
from ..documents import check_size, clean_filename, detect_content_type, sha256_of
from ..models import Case, Document
from .consultation import consultation_clear
from .guard import audited_case, case_for_write
from .integrity import document_verify
from .parts import save_case_part


@transaction.atomic
def document_attach(*, actor, case_id, uploaded_file, title: str, kind: str, justification: str = "") -> Document:
    """Store `uploaded_file` privately under the case.

    Raises DocumentTooLarge or UnsupportedDocumentType (cases.documents) before anything is
    written. The SHA-256 comes from the streaming upload handler when the file went through
    it (`uploaded_file.sha256`), otherwise it is computed here.
    """
    case = case_for_write(actor=actor, case_id=case_id, action=Action.CONTRIBUTE)
    check_size(uploaded_file.size)
    if not uploaded_file.size:
        raise ValidationError({"file": [_("The file is empty.")]})
    filename = clean_filename(uploaded_file.name or "")
    content_type = detect_content_type(uploaded_file, filename=filename)
    sha256 = getattr(uploaded_file, "sha256", None) or sha256_of(uploaded_file)
    document = Document(
        case=case,
        created_by=actor,
        title=title,
        kind=kind,
        original_filename=filename,
        content_type=content_type,
        size=uploaded_file.size,
        sha256=sha256,
    )
    document.full_clean(exclude=["file"])  # refuse bad input before the disk is touched
    document.file.save("upload", uploaded_file, save=False)  # the name comes from upload_to, not the caller
    # Storage moved a spooled upload into place: close it now, or its temporary file's
    # finaliser tries to remove a path that is gone.
    uploaded_file.close()
    try:
        # No title or filename in the audit record: auditors see who did what, not case content.
        changes = {"sha256": sha256, "size": document.size, "content_type": content_type, "kind": kind}
        return save_case_part(actor=actor, case=case, part=document, part_type="document", changes=changes,
                              justification=justification)
    except BaseException:
        document.file.delete(save=False)  # no orphan file when the row or its audit record fails
        raise


class DocumentIntegrityFailed(Conflict):
    """The stored file no longer matches its SHA-256 (409): it is not handed out. The mark,
    alert and audit record written on finding it are the platform's, not the caller's act:
    they stand although the request is refused."""

    def __init__(self):
        super().__init__(_("This document's file no longer matches the SHA-256 recorded when it was attached. "
                           "It is not handed out; the owning agency's auditors have been alerted."),
                         code="document_integrity")


def document_download(*, actor, case_id, document_id, justification: str = "",
                      acknowledge_conditions: bool = False) -> Document:
    """The document, if `actor` may see its case and its file still matches its SHA-256; the
    hand-out is audited as a consultation, behind what must come before any consultation (H3
    conditions, the justification).

    A document of another case, or of an invisible one, is NotVisible (404); a file that no
    longer matches is DocumentIntegrityFailed (409), with no consultation recorded.
    """
    justification = (justification or "").strip()
    with transaction.atomic():
        try:
            case = visible_cases(actor, Action.VIEW).select_related("owner_agency").get(pk=case_id)
        except (Case.DoesNotExist, ValidationError, ValueError, TypeError):
            raise not_visible(actor, case_id) from None
        try:
            document = Document.objects.select_related("case__owner_agency").get(pk=document_id, case_id=case.pk)
        except (Document.DoesNotExist, ValidationError, ValueError, TypeError):
            raise NotVisible() from None
        consultation_clear(actor=actor, case=case, justification=justification,
                           acknowledge_conditions=acknowledge_conditions)
    if not document_verify(document, occasion="download"):
        raise DocumentIntegrityFailed()
    with transaction.atomic():
        audit_record(
            actor=actor,
            operation=Operation.CONSULTATION,
            action="document_download",
            object_type="document",
            object_id=document.pk,
            justification=justification,
            changes={"sha256": document.sha256},
            **audited_case(case),
        )
    return document
