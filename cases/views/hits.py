"""Hit/no-hit in the browser: the Hits page, a hit (opening it is audited), asking for access,
the access requests of both sides with the owner's decision, the owner's "do not match", and
the dashboard tiles.

Every read is a selector of cases.selectors_hits and every write one service; a hit shows the
reader's own case and value and the other agency, and of the other case only what
hit_other_case allows (its reference, once the reader may see it).
"""
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.selectors import active_membership
from coordination.errors import Conflict
from coordination.params import BadQueryParameter, query_page

from ..choices import MatchKeyKind, ShareLevel
from ..forms_hits import AccessRequestForm, DecisionForm, MatchingForm
from ..models import AccessRequestStatus, HitStatus
from ..selectors_dashboard import capped_count
from ..selectors_hits import (
    access_request_get,
    access_requests_visible,
    hit_identifier,
    hit_open,
    hit_other_case,
    hits_filtered,
    hits_visible,
    is_incoming,
    with_own_identifiers,
)
from ..services.access_requests import access_request_create, access_request_decide
from ..services.matching import identifier_exclude_from_matching
from .common import domain_errors, tab_url
from .dashboard import Tile

PAGE_SIZE = 50
DIRECTIONS = ("incoming", "outgoing")
PARTY_KINDS = {MatchKeyKind.COMPANY, MatchKeyKind.PERSON}  # names, not codes: shown as text


def _query_uuid(name: str, raw: str | None):
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except (ValueError, TypeError, AttributeError):
        raise BadQueryParameter(name, _("Choose a case from the list.")) from None


def _query_choice(name: str, raw: str | None, choices) -> str | None:
    if not raw:
        return None
    if raw not in choices:
        raise BadQueryParameter(name, _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)})
    return raw


def hit_row(hit) -> dict:
    """What a hit shows of both cases: the reader's own, and the other only through hit_other_case."""
    return {"hit": hit, "identifier": hit_identifier(hit), "other_case": hit_other_case(hit),
            "other_agency": hit.other_case.owner_agency, "status": HitStatus(hit.shown_status)}


# Hits ----------------------------------------------------------------------------------------

@login_required
@domain_errors
def hit_list_view(request):
    number = query_page(request.GET)
    case_id = _query_uuid("case", request.GET.get("case"))
    status = _query_choice("status", request.GET.get("status"), HitStatus.values)
    start = (number - 1) * PAGE_SIZE
    hits = list(hits_filtered(user=request.user, case_id=case_id, status=status)[start : start + PAGE_SIZE + 1])
    cases_with_hits = (hits_visible(user=request.user).order_by("case__reference")
                       .values_list("case_id", "case__reference").distinct())
    return render(request, "hits/list.html", {
        "rows": [hit_row(hit) for hit in hits[:PAGE_SIZE]],
        "page": {"number": number, "has_next": len(hits) > PAGE_SIZE},
        "cases": list(cases_with_hits),
        "statuses": HitStatus.choices,
        "chosen": {"case": case_id, "status": status or ""},
        "filtered": bool(case_id or status),
    })


def _show_hit(request, hit_id, form=None, status=200):
    """The hit page. Opening it is a combination in the reader's trail (hit_open)."""
    hit = hit_open(user=request.user, hit_id=hit_id)
    row = hit_row(hit)
    asked = list(access_requests_visible(user=request.user, direction="outgoing").filter(hit_id=hit.pk))
    pending = any(item.status == AccessRequestStatus.PENDING and not item.is_lapsed() for item in asked)
    can_ask = row["status"] != HitStatus.LINKED and not pending
    return render(request, "hits/detail.html", {
        **row,
        "requests": [request_row(item, request.user) for item in asked],
        "form": (form or AccessRequestForm()) if can_ask else None,
        "pending": pending,
    }, status=status)


@login_required
@domain_errors
def hit_detail_view(request, hit_id):
    return _show_hit(request, hit_id)


@login_required
@require_POST
@domain_errors
def hit_request_view(request, hit_id):
    """Ask the other agency of the hit for access to its case (access_request_create)."""
    form = AccessRequestForm(request.POST)
    if form.is_valid():
        try:
            created = access_request_create(actor=request.user, hit_id=hit_id, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        except Conflict as conflict:
            messages.error(request, conflict.detail)
            return redirect("hits:detail", hit_id)
        else:
            messages.success(request, _("Access requested from %(agency)s. You will be notified of the answer.")
                             % {"agency": created.case.owner_agency.code})
            return redirect("hits:detail", hit_id)
    return _show_hit(request, hit_id, form=form, status=400)


# Access requests -----------------------------------------------------------------------------

def request_row(access_request, user, form=None) -> dict:
    """One request as its reader's side shows it: the own case (a link), the other agency, and
    for the owner side who asks, from which of their cases (by reference only), and why."""
    incoming = is_incoming(access_request, user)
    status = AccessRequestStatus.EXPIRED if access_request.is_lapsed() else AccessRequestStatus(access_request.status)
    decidable = incoming and status == AccessRequestStatus.PENDING
    return {
        "request": access_request,
        "incoming": incoming,
        "own_case": access_request.case if incoming else access_request.requester_case,
        "other_agency": access_request.requester_agency if incoming else access_request.case.owner_agency,
        "status": status,
        "value_is_code": access_request.kind not in PARTY_KINDS,
        "level": ShareLevel(access_request.level).label,
        "decided_level": ShareLevel(access_request.decided_level).label if access_request.decided_level else "",
        "form": (form or DecisionForm(asked=access_request.level, auto_id=f"decide-{access_request.pk}-%s"))
        if decidable else None,
    }


def _section(user, direction: str, status: str | None, number: int, form_for=None) -> dict:
    start = (number - 1) * PAGE_SIZE
    rows = list(access_requests_visible(user=user, direction=direction, status=status)[start : start + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    forms = form_for or {}
    return {
        "direction": direction,
        "rows": [request_row(item, user, forms.get(item.pk)) for item in with_own_identifiers(rows[:PAGE_SIZE], user)],
        "has_next": has_next,
    }


def _access_requests_page(request, form_for=None, status_code=200):
    number = query_page(request.GET)
    direction = _query_choice("direction", request.GET.get("direction"), DIRECTIONS)
    status = _query_choice("status", request.GET.get("status"), AccessRequestStatus.values)
    shown = [direction] if direction else list(DIRECTIONS)
    return render(request, "hits/access_requests.html", {
        "sections": [_section(request.user, name, status, number, form_for) for name in shown],
        "number": number,
        "direction": direction or "",
        "status": status or "",
        "statuses": AccessRequestStatus.choices,
    }, status=status_code)


@login_required
@domain_errors
def access_request_list_view(request):
    return _access_requests_page(request)


@login_required
@require_POST
@domain_errors
def access_request_decide_view(request, request_id):
    """The owner side's answer (access_request_decide): a share at the level granted, or a refusal."""
    asked = access_request_get(user=request.user, request_id=request_id).level
    form = DecisionForm(request.POST, asked=asked, auto_id=f"decide-{request_id}-%s")
    if form.is_valid():
        try:
            result = access_request_decide(actor=request.user, request_id=request_id, approve=form.approve,
                                           level=form.cleaned_data["level"] or None,
                                           reason=form.cleaned_data["reason"])
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        except Conflict as conflict:
            messages.error(request, conflict.detail)
            return redirect("hits:access-requests")
        else:
            messages.success(request, _decision_message(result))
            return redirect("hits:access-requests")
    return _access_requests_page(request, form_for={request_id: form}, status_code=400)


def _decision_message(access_request) -> str:
    agency, case = access_request.requester_agency.code, access_request.case.reference
    if access_request.status == AccessRequestStatus.APPROVED:
        return _("Approved: %(agency)s now holds %(case)s at %(level)s level.") % {
            "agency": agency, "case": case, "level": ShareLevel(access_request.decided_level).label.lower()}
    return _("Refused: %(agency)s is told your reason.") % {"agency": agency}


# The owner's "do not match" ------------------------------------------------------------------

@login_required
@require_POST
@domain_errors
def identifier_matching_view(request, case_id, identifier_id):
    form = MatchingForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    excluded = form.cleaned_data["excluded"]
    identifier = identifier_exclude_from_matching(actor=request.user, case_id=case_id, identifier_id=identifier_id,
                                                  excluded=excluded,
                                                  justification=form.cleaned_data["justification"])
    messages.success(request, (_("%(value)s is no longer matched with other agencies' cases.") if excluded else
                               _("%(value)s is matched with other agencies' cases again.")) % {
        "value": identifier.value})
    return redirect(tab_url(case_id, "identifiers"))


# Dashboard tiles (registered in CasesConfig.ready) -------------------------------------------

def _reads_cases(request):
    membership = active_membership(request.user)
    return membership if membership and membership.role != Role.AUDITOR else None


def incoming_requests_tile(request) -> Tile | None:
    if not _reads_cases(request):
        return None
    pending = access_requests_visible(user=request.user, direction="incoming", status=AccessRequestStatus.PENDING)
    return Tile("incoming-requests", _("Access requests to decide"),
                _("Other agencies ask for your agency's cases."), capped_count(pending),
                f"{reverse('hits:access-requests')}?direction=incoming&status=pending")


def outgoing_requests_tile(request) -> Tile | None:
    membership = _reads_cases(request)
    if not membership:
        return None
    pending = access_requests_visible(user=request.user, direction="outgoing", status=AccessRequestStatus.PENDING)
    return Tile("outgoing-requests", _("Our access requests"),
                _("Requests of %(agency)s still waiting for an answer.") % {"agency": membership.agency.code},
                capped_count(pending), f"{reverse('hits:access-requests')}?direction=outgoing&status=pending")


def new_hits_tile(request) -> Tile | None:
    if not _reads_cases(request):
        return None
    return Tile("new-hits", _("New hits"),
                _("Another agency holds something your agency's cases hold too."),
                capped_count(hits_filtered(user=request.user, status=HitStatus.NEW)),
                f"{reverse('hits:list')}?status=new")


DASHBOARD_TILES = (new_hits_tile, incoming_requests_tile, outgoing_requests_tile)
