"""The "Evidence use" tab's two acts: a prosecutor files a request, the owner decides one.

Each calls one service (cases.services.evidence). With HTMX the answer is the refreshed tabs;
without JavaScript a redirect back to the tab (post/redirect/get). A form with errors is shown
again on the tab, each message on its field.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.errors import Conflict

from ..forms_evidence import EvidenceRequestForm
from ..models import EvidenceRequestStatus
from ..selectors import case_get
from ..selectors_evidence import evidence_request_in
from ..services.evidence import evidence_request_decide, evidence_request_file
from .common import domain_errors, tab_url
from .detail import consulted_case, show_case
from .evidence import decision_form, item_labels

TAB = "evidence"


def _done(request, case, message: str):
    messages.success(request, message)
    if not request.htmx:
        return redirect(tab_url(case.pk, TAB))
    return show_case(request, case_get(user=request.user, case_id=case.pk), TAB)


@login_required
@require_POST
@domain_errors
def evidence_request_file_view(request, case_id):
    case, gate = consulted_case(request, case_id, TAB)
    if gate:
        return gate
    form = EvidenceRequestForm(request.POST, item_choices=list(item_labels(case).items()))
    if form.is_valid():
        try:
            evidence_request_file(actor=request.user, case_id=case.pk, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            return _done(request, case, _("Evidence use requested from %(agency)s.")
                         % {"agency": case.owner_agency.code})
    return show_case(request, case, TAB, form=form)


@login_required
@require_POST
@domain_errors
def evidence_request_decide_view(request, case_id, request_id):
    case, gate = consulted_case(request, case_id, TAB)
    if gate:
        return gate
    evidence_request_in(user=request.user, case_id=case.pk, request_id=request_id, owner_side_only=True)
    form = decision_form(request_id, request.POST)
    if form.is_valid():
        try:
            decided = evidence_request_decide(actor=request.user, case_id=case.pk, request_id=request_id,
                                              approve=form.approve, reason=form.cleaned_data["reason"])
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        except Conflict as conflict:
            messages.error(request, conflict.detail)
            return redirect(tab_url(case.pk, TAB))
        else:
            agency = decided.requester_agency.code
            return _done(request, case, _("Granted: %(agency)s may use these items as evidence.") % {"agency": agency}
                         if decided.status == EvidenceRequestStatus.GRANTED
                         else _("Refused: %(agency)s is told your reason.") % {"agency": agency})
    return show_case(request, case, TAB, form=(request_id, form))
