"""The "Evidence use" tab of an H1 case (issue 16): what a prosecutor may ask for, and the
requests with their status; the owning agency's deciders get a grant/refuse form on each
pending one. The rules are the service's (cases.services.evidence) and the selectors'."""
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from ..forms_evidence import EvidenceDecisionForm, EvidenceRequestForm
from ..models import EvidenceItemType, EvidenceRequestStatus, Exhibit
from ..selectors_evidence import decides_evidence_requests, evidence_requests_on, files_evidence_requests


def item_labels(case) -> dict[str, str]:
    """"type:id" -> a label, for every item of the case that may be asked for, in the form's order."""
    labels = {f"{EvidenceItemType.CASE.value}:{case.pk}": _("The case itself (%(reference)s)")
              % {"reference": case.reference}}
    for document in case.documents.order_by("created_at", "id"):
        labels[f"document:{document.pk}"] = _("Document: %(title)s") % {"title": document.title}
    for note in case.notes.order_by("created_at", "id"):
        labels[f"note:{note.pk}"] = _("Note of %(date)s: %(text)s") % {
            "date": note.created_at.date().isoformat(), "text": Truncator(note.text).chars(80)}
    for exhibit in Exhibit.objects.filter(case=case).order_by("number"):
        labels[f"exhibit:{exhibit.pk}"] = _("Exhibit %(number)s: %(description)s") % {
            "number": exhibit.number, "description": Truncator(exhibit.description).chars(80)}
    return labels


def decision_form(request_id, data=None) -> EvidenceDecisionForm:
    return EvidenceDecisionForm(data, auto_id=f"evidence-{request_id}-%s")


def evidence_context(request, case, form=None) -> dict:
    """The tab's context. `form`: a bound EvidenceRequestForm, or (request id, bound decision
    form), to show again with its errors."""
    labels = item_labels(case)
    request_form = None
    if files_evidence_requests(request.user, case):
        request_form = form if isinstance(form, EvidenceRequestForm) else EvidenceRequestForm(
            item_choices=list(labels.items()))
    deciding = decides_evidence_requests(request.user, case)
    failed_decision = form if isinstance(form, tuple) else (None, None)
    rows = []
    for evidence_request in evidence_requests_on(user=request.user, case=case):
        pending = evidence_request.status == EvidenceRequestStatus.PENDING
        rows.append({
            "request": evidence_request,
            "items": [labels.get(f"{item.item_type}:{item.item_id}", f"{item.item_type} {item.item_id}")
                      for item in evidence_request.items.all()],
            "form": (failed_decision[1] if failed_decision[0] == evidence_request.pk
                     else decision_form(evidence_request.pk)) if deciding and pending else None,
        })
    return {"evidence_rows": rows, "evidence_form": request_form, "decides_evidence": deciding}
