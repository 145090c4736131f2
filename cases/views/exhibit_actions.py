"""Adding an exhibit and recording its custody from the Exhibits tab; each calls one service.

With HTMX the answer is the refreshed tabs; without JavaScript a success redirects back to the
tab, field errors come back with 400 and a closed chain of custody (409) as a message.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordination.errors import Conflict

from ..models import Exhibit
from ..selectors import case_get
from ..services.exhibits import custody_record, exhibit_add
from .common import domain_errors, tab_url
from .detail import consulted_case, show_case
from .exhibits import custody_form, exhibit_form

TAB = "exhibits"


def _tab(request, case, form=None, status: int = 200):
    """The tab again; htmx swaps only successful answers, so it gets 200 whatever happened."""
    response = show_case(request, case, TAB, form=form)
    response.status_code = 200 if request.htmx else status
    return response


def _done(request, case, message: str):
    messages.success(request, message)
    if not request.htmx:
        return redirect(tab_url(case.pk, TAB))
    return _tab(request, case_get(user=request.user, case_id=case.pk))


@login_required
@require_POST
@domain_errors
def exhibit_add_view(request, case_id):
    case, gate = consulted_case(request, case_id, TAB)
    if gate:
        return gate
    form = exhibit_form(case, request.POST)
    if form.is_valid():
        try:
            exhibit = exhibit_add(actor=request.user, case_id=case.pk, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            return _done(request, case, _("Exhibit %(number)s added.") % {"number": exhibit.number})
    return _tab(request, case, form, status=400)


@login_required
@require_POST
@domain_errors
def custody_record_view(request, case_id, exhibit_id):
    case, gate = consulted_case(request, case_id, TAB)
    if gate:
        return gate
    exhibit = Exhibit.objects.filter(case_id=case.pk, pk=exhibit_id).prefetch_related("custody").first()
    if exhibit is None:
        raise Http404()
    form = custody_form(exhibit, request.POST)
    if form.is_valid():
        try:
            custody_record(actor=request.user, case_id=case.pk, exhibit_id=exhibit.pk, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        except Conflict as conflict:
            messages.error(request, conflict.detail)
            return _tab(request, case_get(user=request.user, case_id=case.pk), status=409)
        else:
            return _done(request, case, _("Custody of %(number)s recorded.") % {"number": exhibit.number})
    return _tab(request, case, form, status=400)
