"""Changes made from the case page: inline additions, sharing, and workflow steps.

Each view calls one service. With HTMX an addition answers with the refreshed tabs; without
JavaScript it redirects back to the tab (post/redirect/get).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination.errors import Conflict

from .. import services
from ..services.sharing import grantee_named
from ..choices import Status
from ..forms import GrantForm, IdentifierForm, NoteForm, PartyForm, RouteLegForm, SeizureForm, ShareForm, TransitionForm
from ..selectors import case_get
from .common import domain_errors, tab_url
from .detail import consulted_case, show_case


def _share(*, actor, case_id, agency: str, level: str, justification: str):
    return services.case_share(actor=actor, case_id=case_id, agency_code=agency, level=level,
                               justification=justification)


def _grant(*, actor, case_id, username: str, level: str, justification: str):
    return services.case_grant_user(actor=actor, case_id=case_id, user=grantee_named(username), level=level,
                                    justification=justification)


# tab -> (form, service, message when done)
ADDERS = {
    "seizures": (SeizureForm, services.seizure_add, gettext_lazy("Seizure added.")),
    "identifiers": (IdentifierForm, services.identifier_add, gettext_lazy("Identifier added.")),
    "parties": (PartyForm, services.party_add, gettext_lazy("Party added.")),
    "route": (RouteLegForm, services.route_leg_add, gettext_lazy("Route leg added.")),
    "notes": (NoteForm, services.note_add, gettext_lazy("Note added.")),
    "sharing": (ShareForm, _share, gettext_lazy("Case shared.")),
    "grants": (GrantForm, _grant, gettext_lazy("The case is opened to that user.")),
}
# Named grants are added from the sharing tab.
SHOWN_ON = {"grants": "sharing"}


def _form(tab: str, case, data=None):
    form_class = ADDERS[tab][0]
    if form_class is ShareForm:
        return ShareForm(data, owner_agency_id=case.owner_agency_id)
    return form_class(data)


@login_required
@require_POST
@domain_errors
def case_part_add_view(request, case_id, tab: str):
    if tab not in ADDERS:
        raise Http404()
    shown = SHOWN_ON.get(tab, tab)
    case, gate = consulted_case(request, case_id, shown)
    if gate:
        return gate
    form = _form(tab, case, request.POST)
    if form.is_valid():
        try:
            ADDERS[tab][1](actor=request.user, case_id=case.pk, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            messages.success(request, ADDERS[tab][2])
            if not request.htmx:
                return redirect(tab_url(case.pk, shown))
            case, form = case_get(user=request.user, case_id=case.pk), None
    return show_case(request, case, shown, form=form)


@login_required
@require_POST
@domain_errors
def case_share_revoke_view(request, case_id, share_id):
    services.case_unshare(actor=request.user, case_id=case_id, share_id=share_id,
                          justification=request.POST.get("justification", "")[:500])
    messages.success(request, _("Share revoked: that agency no longer sees the case."))
    return redirect(tab_url(case_id, "sharing"))


@login_required
@require_POST
@domain_errors
def case_grant_revoke_view(request, case_id, grant_id):
    services.case_revoke_grant(actor=request.user, case_id=case_id, grant_id=grant_id,
                               justification=request.POST.get("justification", "")[:500])
    messages.success(request, _("Grant revoked: that user no longer sees the case by name."))
    return redirect(tab_url(case_id, "sharing"))


@login_required
@require_POST
@domain_errors
def case_transition_view(request, case_id):
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return render(request, "400.html", status=400)
    target = Status(form.cleaned_data["to"])
    try:
        services.case_transition(actor=request.user, case_id=case_id, to=target,
                                 reason=form.cleaned_data["reason"], agency_code=form.cleaned_data["agency"] or None)
    except ValidationError as invalid:
        messages.error(request, " ".join(invalid.messages))
    except Conflict as conflict:
        messages.error(request, conflict.detail)
    else:
        messages.success(request, _("The case is now %(status)s.") % {"status": target.label})
    return redirect(tab_url(case_id, "overview"))
