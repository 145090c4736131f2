"""The prosecutor's case file as a PDF (issue 16): requested in a web request, built by a
Celery task, handed out to its requester only.

The request answers at once: it checks what every read of the case must meet first (the H3
conditions, the first-consultation reason, the export reason where the agency asks for one),
writes a queued row and enqueues the build after commit. The build runs with the requester as
reader, so the file holds exactly what they may see; it re-checks their access first, because
a share may have been revoked in between. Producing the file is a disclosure to its requester
and handing it out a consultation (Art. 25 LED).
"""
import hashlib
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import active_membership, exports_need_justification
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import ActionForbidden, Conflict, NotVisible

from ..access import Action, can, not_visible, visible_cases
from ..models import Case, CaseFile, CaseFileStatus
from .consultation import CONDITIONS_REQUIRED, JUSTIFICATION_REQUIRED, consultation_clear, consultation_needs
from .guard import audited_case

logger = logging.getLogger(__name__)

# Where the build stands, for the browser's progress bar and the API's `progress`.
PROGRESS_STARTED = 5
PROGRESS_GATHERING = 10
PROGRESS_RENDERING = 40
PROGRESS_WRITING = 90
PROGRESS_DONE = 100


class BuildRefused(Exception):
    """The build may not go on; the message is the row's `error`, shown to the requester."""


@transaction.atomic
def case_file_request(*, actor, case_id, justification: str = "", acknowledge_conditions: bool = False) -> CaseFile:
    """Queue the build of `case_id`'s case file for `actor`; the task runs after commit.

    The same rules as any read of the case come first (consultation_clear), and a case file is
    an export: where the agency's policy asks for a reason on every export, one is required.
    """
    case = _visible_case(actor, case_id)
    justification = (justification or "").strip()
    consultation_clear(actor=actor, case=case, justification=justification,
                       acknowledge_conditions=acknowledge_conditions)
    if not justification and exports_need_justification(actor):
        raise ActionForbidden(_("State why you need the case file: your agency's policy asks for a justification "
                                "on every export."), code=JUSTIFICATION_REQUIRED)
    membership = active_membership(actor)
    case_file = CaseFile.objects.create(case=case, requested_by=actor, requester_agency_id=membership.agency_id,
                                        justification=justification)
    transaction.on_commit(partial(_enqueue_build, case_file.pk))
    return case_file


def case_file_export_needs(actor, case: Case) -> set[str]:
    """What the browser's build form must ask for: CONDITIONS_REQUIRED and/or JUSTIFICATION_REQUIRED."""
    needs = consultation_needs(actor, case)
    if exports_need_justification(actor):
        needs.add(JUSTIFICATION_REQUIRED)
    return needs


def _enqueue_build(case_file_id) -> None:
    from ..tasks import build_case_file  # tasks import the services

    try:
        build_case_file.apply_async(args=[str(case_file_id)], queue=settings.CASE_FILE_QUEUE or None)
    except Exception:  # the broker is down: say so on the row rather than leave it queued for ever
        logger.exception("Could not enqueue the build of case file %s", case_file_id)
        CaseFile.objects.filter(pk=case_file_id, status=CaseFileStatus.QUEUED).update(
            status=CaseFileStatus.FAILED, error=_("The build could not be queued; try again later."),
            finished_at=timezone.now())


def case_file_get(*, actor, file_id) -> CaseFile:
    """The case file, with its case, for its requester; anyone else: NotVisible (404)."""
    try:
        return CaseFile.objects.select_related("case").get(pk=file_id, requested_by_id=actor.pk)
    except (CaseFile.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotVisible() from None


def case_file_latest(*, user, case: Case) -> CaseFile | None:
    """The reader's most recent case file of `case`, for the review page's build panel."""
    return CaseFile.objects.filter(case=case, requested_by_id=user.pk).select_related("case").first()


@dataclass(frozen=True)
class CaseFileDownload:
    case_file: CaseFile
    content: bytes

    @property
    def filename(self) -> str:
        return f"case-file-{self.case_file.case.reference}.pdf"


@transaction.atomic
def case_file_download(*, actor, file_id, justification: str = "",
                       acknowledge_conditions: bool = False) -> CaseFileDownload:
    """The built PDF, for its requester while they can still see the case; audited as a
    consultation. The bytes handed out are the ones checked against the recorded SHA-256.

    409 while the file is not built, or when the stored bytes no longer match their hash.
    """
    case_file = case_file_get(actor=actor, file_id=file_id)
    case = _visible_case(actor, case_file.case_id)
    if case_file.status != CaseFileStatus.DONE:
        raise Conflict(_("The case file is not ready: its build is %(status)s.")
                       % {"status": case_file.get_status_display().lower()}, code="case_file_not_ready")
    justification = (justification or "").strip() or case_file.justification
    consultation_clear(actor=actor, case=case, justification=justification,
                       acknowledge_conditions=acknowledge_conditions)
    with case_file.file.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != case_file.sha256:
        logger.error("Case file %s no longer matches its recorded SHA-256", case_file.pk)
        raise Conflict(_("The stored case file no longer matches its recorded SHA-256; build it again."),
                       code="case_file_integrity")
    audit_record(actor=actor, operation=Operation.CONSULTATION, action="case_file_download", object_type="case_file",
                 object_id=case_file.pk, justification=justification, changes={"sha256": case_file.sha256},
                 **audited_case(case))
    return CaseFileDownload(case_file=case_file, content=content)


def _visible_case(actor, case_id) -> Case:
    try:
        return visible_cases(actor, Action.VIEW).select_related("owner_agency").get(pk=case_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(actor, case_id) from None


def case_file_build(*, file_id) -> CaseFile:
    """Build the PDF of a queued (or interrupted) case file; the Celery task's body.

    Progress is saved as it goes, each step committed on its own so the requester's poll sees
    it. Any failure leaves the row failed with a short reason, never running. A file already
    done or failed is left alone (a task delivered twice).
    """
    claimed = CaseFile.objects.filter(pk=file_id, status__in=[CaseFileStatus.QUEUED, CaseFileStatus.RUNNING]).update(
        status=CaseFileStatus.RUNNING, progress=PROGRESS_STARTED, started_at=timezone.now(), error="")
    case_file = CaseFile.objects.select_related("case__owner_agency", "requested_by", "requester_agency").get(
        pk=file_id)
    if not claimed:
        return case_file
    try:
        _build(case_file)
    except Exception as failure:
        logger.exception("Case file %s failed", case_file.pk)
        reason = str(failure) if isinstance(failure, BuildRefused) else _("The PDF could not be built.")
        if case_file.file:
            case_file.file.delete(save=False)
        case_file.status, case_file.error, case_file.finished_at = CaseFileStatus.FAILED, reason[:300], timezone.now()
        case_file.save(update_fields=["status", "error", "finished_at", "file"])
    return case_file


def _progress(case_file: CaseFile, percent: int) -> None:
    case_file.progress = percent
    case_file.save(update_fields=["progress"])


def _build(case_file: CaseFile) -> None:
    from ..case_file_pdf import case_file_pdf  # WeasyPrint loads only where PDFs are built

    requester, case = case_file.requested_by, case_file.case
    _still_allowed(requester, case)
    _progress(case_file, PROGRESS_GATHERING)
    pdf = case_file_pdf(case_file=case_file, on_rendering=lambda: _progress(case_file, PROGRESS_RENDERING))
    _progress(case_file, PROGRESS_WRITING)
    case_file.file.save("case-file.pdf", ContentFile(pdf.content), save=False)  # the name comes from upload_to
    case_file.sha256, case_file.size, case_file.pages = hashlib.sha256(pdf.content).hexdigest(), len(pdf.content), pdf.pages
    with transaction.atomic():
        _still_allowed(requester, case)  # nothing is disclosed to someone who lost the case meanwhile
        case_file.status, case_file.progress, case_file.finished_at = CaseFileStatus.DONE, PROGRESS_DONE, timezone.now()
        case_file.save(update_fields=["file", "sha256", "size", "pages", "status", "progress", "finished_at"])
        audit_record(actor=requester, operation=Operation.DISCLOSURE, action="case_file_produce",
                     object_type="case_file", object_id=case_file.pk, justification=case_file.justification,
                     recipient=requester.get_username(),
                     changes={"sha256": case_file.sha256, "size": case_file.size, "pages": case_file.pages},
                     **audited_case(case))


def _still_allowed(requester, case: Case) -> None:
    """The requester's access, at build time: a share revoked or conditions changed since the request."""
    if not requester.is_active or not can(requester, Action.VIEW, case):
        raise BuildRefused(_("You can no longer see this case; the case file was not built."))
    if CONDITIONS_REQUIRED in consultation_needs(requester, case):
        raise BuildRefused(_("The owning agency changed the case's H3 conditions; accept them and build again."))
