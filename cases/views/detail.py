"""The case page and its tabs.

Before anything of a case is shown, the consultation service (case_consult) checks what must
come first, H3 conditions and the reason for opening another agency's case, and records the
consultation (Art. 25 LED). When something must come first, the page is the gate that asks for
it; the rule itself is the service's, met alike by the API, downloads and exports.
"""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from agencies.models import AgencyKind
from agencies.selectors import agency_list
from audit.selectors import case_events
from coordination.errors import ActionForbidden
from coordination.params import query_int

from ..access import Action, can
from ..choices import HandlingCode, Status
from ..forms import GateForm, GrantForm, IdentifierForm, NoteForm, PartyForm, RouteLegForm, SeizureForm, ShareForm
from ..selectors import case_for_audit, case_get, case_grants, case_header
from ..selectors_hits import hits_filtered, sees_hits_of
from ..selectors_parts import case_documents_failing_integrity, case_notes
from ..services import case_consult
from ..services.consultation import CONDITIONS_REQUIRED, JUSTIFICATION_REQUIRED, consultation_needs
from ..services.workflow import allowed_transitions
from .common import TAB_NAMES, TABS, TABS_TARGET, domain_errors, htmx_target, tab_url
from .evidence import evidence_context
from .exhibits import exhibits_context
from .hits import hit_row

ACTIVITY_PAGE = 100
HITS_SHOWN = 50  # the tab's first rows; the Hits page filtered on the case has them all
WRITERS = {"owner", "manage", "contribute"}
MANAGERS = {"owner", "manage"}
PART_FORMS = {
    "seizures": SeizureForm,
    "identifiers": IdentifierForm,
    "parties": PartyForm,
    "route": RouteLegForm,
    "notes": NoteForm,
}
GATE_CODES = {CONDITIONS_REQUIRED, JUSTIFICATION_REQUIRED}


# Pages behind the same gate as the tabs: the case file (issue 16) shows the whole case.
CASE_FILE_PAGE = "case-file"
GATED_PAGES = TAB_NAMES | {CASE_FILE_PAGE}


def consulted_as(tab: str) -> str:
    """Parties are personal data: listing them, or the case file that holds them, is a
    consultation of its own."""
    return "parties" if tab in {"parties", CASE_FILE_PAGE} else "case"


class GateFirst(Exception):
    """The consultation service asks for something before the first view of `case`."""

    def __init__(self, case):
        super().__init__()
        self.case = case


def _consult(request, tab: str):
    """The consultation, before any part of the case is read; GateFirst when the service asks
    for the conditions or a reason first."""
    def before_parts(case):
        try:
            case_consult(actor=request.user, case=case, what=consulted_as(tab))
        except ActionForbidden as refused:
            if refused.code in GATE_CODES:
                raise GateFirst(case) from None
            raise
    return before_parts


def consulted_case(request, case_id, tab: str):
    """(the case with its parts, None) once its consultation is recorded, or (None, the gate page)."""
    try:
        return case_get(user=request.user, case_id=case_id, before_parts=_consult(request, tab)), None
    except GateFirst as gate:
        return None, _gate(request, gate.case, tab)


def _gate(request, case, tab: str, form: GateForm | None = None, status: int = 200):
    if request.htmx:
        return HttpResponseClientRedirect(tab_url(case.pk, tab))
    if form is None:
        form = _gate_form(request, case)
    return render(request, "cases/detail/gate.html", {"case": case, "tab": tab, "form": form}, status=status)


def _gate_form(request, case, data=None) -> GateForm:
    needs = consultation_needs(request.user, case)
    return GateForm(data, needs_ack=CONDITIONS_REQUIRED in needs, needs_reason=JUSTIFICATION_REQUIRED in needs)


def _tab_counts(case) -> dict[str, int]:
    return {
        "seizures": len(case.seizures.all()),
        "identifiers": len(case.identifiers.all()),
        "parties": len(case.parties.all()),
        "route": len(case.route.all()),
        "notes": len(case.notes.all()),
        "exhibits": case.exhibits.count(),
        "sharing": len(case.visible_shares),
    }


def _tabs(case, sees_hits: bool) -> list[dict]:
    counts = _tab_counts(case)
    hidden = {"activity"} if case.access not in MANAGERS else set()
    if not sees_hits:
        hidden.add("hits")
    if case.handling_code != HandlingCode.H1:
        hidden.add("evidence")
    shown = [(slug, label) for slug, label in TABS if slug not in hidden]
    return [{"slug": slug, "label": label, "count": counts.get(slug), "url": tab_url(case.pk, slug)}
            for slug, label in shown]


def _sharing_context(request, case, form=None) -> dict:
    can_share = case.access in MANAGERS and can(request.user, Action.SHARE, case)
    share_form = form if isinstance(form, ShareForm) else None
    grant_form = form if isinstance(form, GrantForm) else None
    if can_share and not case.restricted and share_form is None:
        share_form = ShareForm(owner_agency_id=case.owner_agency_id)
    if can_share and grant_form is None:
        grant_form = GrantForm()
    return {
        "can_share": can_share,
        "share_form": share_form if can_share and not case.restricted else None,
        "grant_form": grant_form if can_share else None,
        "grants": list(case_grants(case=case)),
        # H2: a manager on the receiving side holds the case but may not pass it on.
        "h2_no_reshare": case.access == "manage" and case.handling_code == HandlingCode.H2 and not can_share,
    }


def _activity_context(request, case) -> dict:
    before = query_int(request.GET, "before")
    case_for_audit(user=request.user, case_id=case.pk)
    events = case_events(case_id=case.pk).order_by("-id")
    if before is not None:
        events = events.filter(id__lt=before)
    rows = list(events[: ACTIVITY_PAGE + 1])
    return {"events": rows[:ACTIVITY_PAGE], "older": rows[ACTIVITY_PAGE - 1].id if len(rows) > ACTIVITY_PAGE else None}


def show_case(request, case, tab: str, form=None):
    """Render one tab of a visible case whose consultation the service has recorded."""
    writable = case.access in WRITERS and case.status != Status.ARCHIVED
    sees_hits = sees_hits_of(request.user, case)
    if tab == "hits" and not sees_hits:
        raise Http404()
    if tab == "evidence" and case.handling_code != HandlingCode.H1:
        raise Http404()
    context = {
        "case": case,
        "tab": tab,
        "tabs": _tabs(case, sees_hits),
        "can_contribute": writable,
        "can_change": writable and case.access in MANAGERS,
        "part_form": form if tab in PART_FORMS else None,
    }
    if tab in PART_FORMS and writable and form is None:
        context["part_form"] = PART_FORMS[tab]()
    if tab == "sharing":
        context.update(_sharing_context(request, case, form))
    if tab == "overview":
        context["documents_failing_integrity"] = case_documents_failing_integrity(case=case)
    if tab == "notes":
        context["notes"] = case_notes(case=case)
    if tab == "activity":
        context.update(_activity_context(request, case))
    if tab == "hits":
        context["hit_rows"] = [hit_row(hit) for hit in hits_filtered(user=request.user, case_id=case.pk)[:HITS_SHOWN]]
    if tab == "identifiers":
        context["can_govern"] = can(request.user, Action.GOVERN, case)
    if tab == "evidence":
        context.update(evidence_context(request, case, form))
    if tab == "exhibits":
        context.update(exhibits_context(case, form, writable=writable))
    if htmx_target(request) == TABS_TARGET:
        return render(request, "cases/detail/_tabs.html", context)
    transitions = allowed_transitions(request.user, case, case.access)
    context["transitions"] = [Status(step) for step in transitions]
    # Referral asks for the prosecution agency: offer the active ones.
    context["prosecution_agencies"] = (
        list(agency_list().filter(kind=AgencyKind.PROSECUTION, active=True)) if Status.REFERRED in transitions else [])
    return render(request, "cases/detail/page.html", context)


@login_required
@vary_on_headers("HX-Request", "HX-Target")
@domain_errors
def case_detail_view(request, case_id, tab: str = "overview"):
    if tab not in TAB_NAMES:
        raise Http404()
    case, gate = consulted_case(request, case_id, tab)
    return gate or show_case(request, case, tab)


@login_required
@require_POST
@domain_errors
def case_open_view(request, case_id):
    """The gate's answer: acknowledge the H3 conditions and/or give the reason, then open."""
    case = case_header(user=request.user, case_id=case_id)
    tab = request.POST.get("tab") if request.POST.get("tab") in GATED_PAGES else "overview"
    form = _gate_form(request, case, request.POST)
    if not form.is_valid():
        return _gate(request, case, tab, form, status=400)
    case_consult(actor=request.user, case=case, what=consulted_as(tab),
                 justification=form.cleaned_data.get("justification", ""),
                 acknowledge_conditions=form.cleaned_data.get("acknowledge", False))
    return redirect(tab_url(case.pk, tab))
