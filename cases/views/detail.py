"""The case page and its tabs.

Before anything of a case is shown, the consultation is recorded (Art. 25 LED). Two things
may have to come first: acknowledging the H3 conditions, and the reason for opening another
agency's case where the reader's agency asks for one. Both are asked on one gate page.
"""
import contextlib

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

from ..access import Action, can
from ..choices import HandlingCode, Status
from ..forms import GateForm, IdentifierForm, NoteForm, PartyForm, RouteLegForm, SeizureForm, ShareForm
from ..selectors import case_for_audit, case_get
from ..selectors_parts import case_notes
from ..services import case_acknowledge_conditions, case_consult
from ..services.consultation import case_consulting, conditions_acknowledged, justification_required
from ..services.workflow import allowed_transitions
from .common import TAB_NAMES, TABS, TABS_TARGET, domain_errors, htmx_target, tab_url

ACTIVITY_PAGE = 100
WRITERS = {"owner", "manage", "contribute"}
MANAGERS = {"owner", "manage"}
PART_FORMS = {
    "seizures": SeizureForm,
    "identifiers": IdentifierForm,
    "parties": PartyForm,
    "route": RouteLegForm,
    "notes": NoteForm,
}


def consulted_as(tab: str) -> str:
    """Parties are personal data: listing them is a consultation of its own."""
    return "parties" if tab == "parties" else "case"


def _gate(request, case, tab: str, form: GateForm | None = None, status: int = 200):
    if request.htmx:
        return HttpResponseClientRedirect(tab_url(case.pk, tab))
    return render(request, "cases/detail/gate.html", {"case": case, "tab": tab, "form": form}, status=status)


class GateFirst(Exception):
    """Something must come before the first view of `case`: the gate page, with `form`."""

    def __init__(self, case, form: GateForm):
        super().__init__()
        self.case, self.form = case, form


def _gate_form(request, case, *, needs_ack: bool) -> GateForm:
    needs_reason = not needs_ack or justification_required(request.user, case)
    return GateForm(needs_ack=needs_ack, needs_reason=needs_reason)


@contextlib.contextmanager
def consulting_behind_gate(request, case, tab: str):
    """Around loading what the tab shows: record the consultation (with the first part query,
    case_consulting), or raise GateFirst before anything is read when the gate must come first."""
    needs_ack = not conditions_acknowledged(request.user, case)
    with contextlib.ExitStack() as consulting:
        if not needs_ack:
            try:
                consulting.enter_context(case_consulting(actor=request.user, case=case, what=consulted_as(tab)))
            except ActionForbidden as refused:
                if refused.code != "justification_required":
                    raise
            else:
                yield
                return
        raise GateFirst(case, _gate_form(request, case, needs_ack=needs_ack))


def consultation_gate(request, case, tab: str):
    """The gate page when something must come before the first view, else None (and the
    consultation is recorded). For a case whose parts are already loaded; the case page itself
    uses consulting_behind_gate."""
    try:
        with consulting_behind_gate(request, case, tab):
            return None
    except GateFirst as gate:
        return _gate(request, gate.case, tab, gate.form)


def _tab_counts(case) -> dict[str, int]:
    return {
        "seizures": len(case.seizures.all()),
        "identifiers": len(case.identifiers.all()),
        "parties": len(case.parties.all()),
        "route": len(case.route.all()),
        "notes": len(case.notes.all()),
        "sharing": len(case.visible_shares),
    }


def _tabs(case) -> list[dict]:
    counts = _tab_counts(case)
    shown = [(slug, label) for slug, label in TABS if slug != "activity" or case.access in MANAGERS]
    return [{"slug": slug, "label": label, "count": counts.get(slug), "url": tab_url(case.pk, slug)}
            for slug, label in shown]


def _sharing_context(request, case, form=None) -> dict:
    can_share = case.access in MANAGERS and can(request.user, Action.SHARE, case)
    if can_share and not case.restricted and form is None:
        form = ShareForm(owner_agency_id=case.owner_agency_id)
    return {
        "can_share": can_share,
        "share_form": form if can_share and not case.restricted else None,
        # H2: a manager on the receiving side holds the case but may not pass it on.
        "h2_no_reshare": case.access == "manage" and case.handling_code == HandlingCode.H2 and not can_share,
    }


def _activity_context(request, case) -> dict:
    case_for_audit(user=request.user, case_id=case.pk)
    events = case_events(case_id=case.pk).order_by("-id")
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(id__lt=int(before))
    rows = list(events[: ACTIVITY_PAGE + 1])
    return {"events": rows[:ACTIVITY_PAGE], "older": rows[ACTIVITY_PAGE - 1].id if len(rows) > ACTIVITY_PAGE else None}


def show_case(request, case, tab: str, form=None, *, consulted: bool = False):
    """Render one tab of a visible case, after the consultation gate (passed already where
    `consulted`)."""
    gate = None if consulted else consultation_gate(request, case, tab)
    if gate:
        return gate
    writable = case.access in WRITERS and case.status != Status.ARCHIVED
    context = {
        "case": case,
        "tab": tab,
        "tabs": _tabs(case),
        "can_contribute": writable,
        "can_change": writable and case.access in MANAGERS,
        "part_form": form if tab in PART_FORMS else None,
    }
    if tab in PART_FORMS and writable and form is None:
        context["part_form"] = PART_FORMS[tab]()
    if tab == "sharing":
        context.update(_sharing_context(request, case, form))
    if tab == "notes":
        context["notes"] = case_notes(case=case)
    if tab == "activity":
        context.update(_activity_context(request, case))
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
    try:
        case = case_get(user=request.user, case_id=case_id,
                        while_loading_parts=lambda visible: consulting_behind_gate(request, visible, tab))
    except GateFirst as gate:
        return _gate(request, gate.case, tab, gate.form)
    return show_case(request, case, tab, consulted=True)


@login_required
@require_POST
@domain_errors
def case_open_view(request, case_id):
    """The gate's answer: acknowledge the H3 conditions and/or give the reason, then open."""
    case = case_get(user=request.user, case_id=case_id)
    tab = request.POST.get("tab") if request.POST.get("tab") in TAB_NAMES else "overview"
    needs_ack = not conditions_acknowledged(request.user, case)
    # Asked before the acknowledgement is recorded: that record is itself a consultation.
    needs_reason = justification_required(request.user, case)
    form = GateForm(request.POST, needs_ack=needs_ack, needs_reason=needs_reason)
    if not form.is_valid():
        return _gate(request, case, tab, form, status=400)
    if needs_ack:
        case_acknowledge_conditions(actor=request.user, case=case)
    case_consult(actor=request.user, case=case, what=consulted_as(tab),
                 justification=form.cleaned_data.get("justification", ""))
    return redirect(tab_url(case.pk, tab))
