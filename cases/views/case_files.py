"""The PDF case file in the browser (issue 16): the build form on the review page, the progress
fragment the page polls without a reload, and the download.

The build is a Celery task: the POST only queues it (cases.services.case_files), the fragment
polls /cases/case-files/<id>/status/ every second until the file is done or failed, then shows
the download link with the file's SHA-256. A case file is its requester's alone (404 otherwise).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from coordination.errors import Conflict

from ..forms_case_file import CaseFileBuildForm
from ..models import Case, CaseFileStatus
from ..selectors import case_header
from ..services.case_files import (
    case_file_download, case_file_export_needs, case_file_get, case_file_latest, case_file_request,
)
from ..services.consultation import CONDITIONS_REQUIRED, JUSTIFICATION_REQUIRED
from .common import domain_errors

FINISHED = {CaseFileStatus.DONE, CaseFileStatus.FAILED}


def build_form(user, case: Case, data=None) -> CaseFileBuildForm:
    needs = case_file_export_needs(user, case)
    return CaseFileBuildForm(data, needs_ack=CONDITIONS_REQUIRED in needs,
                             needs_reason=JUSTIFICATION_REQUIRED in needs)


def build_panel(user, case: Case, form: CaseFileBuildForm | None = None, case_file=None) -> dict:
    """What the build panel shows: the form, and the reader's latest case file of this case."""
    return {"case": case, "build_form": form or build_form(user, case),
            "case_file": case_file or case_file_latest(user=user, case=case), "finished": FINISHED}


@login_required
@require_POST
@domain_errors
def case_file_build_view(request, case_id):
    case = case_header(user=request.user, case_id=case_id)
    form = build_form(request.user, case, request.POST)
    case_file = None
    if form.is_valid():
        case_file = case_file_request(actor=request.user, case_id=case.pk,
                                      justification=form.cleaned_data.get("justification", ""),
                                      acknowledge_conditions=bool(form.cleaned_data.get("acknowledge")))
        form = None
    if request.htmx:
        return render(request, "cases/case_file/_build_panel.html", build_panel(request.user, case, form, case_file))
    if form is not None:
        messages.error(request, _("The case file was not built: %(errors)s")
                       % {"errors": " ".join(str(error) for errors in form.errors.values() for error in errors)})
    return redirect(reverse("cases:case-file", args=[case.pk]) + "#case-file-build")


@login_required
@require_GET
@domain_errors
def case_file_status_view(request, file_id):
    case_file = case_file_get(actor=request.user, file_id=file_id)
    return render(request, "cases/case_file/_build_status.html", {"case_file": case_file, "finished": FINISHED})


@login_required
@require_GET
@domain_errors
def case_file_download_view(request, file_id):
    try:
        handed_out = case_file_download(actor=request.user, file_id=file_id)
    except Conflict as conflict:  # not built yet, or the stored file no longer matches its hash
        messages.error(request, conflict.detail)
        return redirect(reverse("cases:case-file", args=[case_file_get(actor=request.user, file_id=file_id).case_id]))
    response = HttpResponse(handed_out.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{handed_out.filename}"'
    response["X-Content-SHA256"] = handed_out.case_file.sha256
    response["Cache-Control"] = "private, no-store"
    return response
