"""What every case page shares: domain errors mapped to responses, and the tabs."""
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRefresh

from coordination.errors import ActionForbidden, NotVisible
from coordination.params import BadQueryParameter, bad_query_response

from ..access import note_refused_action

# (slug, label); the overview lives at /cases/<id>/, every other tab at /cases/<id>/<slug>/.
TABS = [
    ("overview", _("Overview")),
    ("seizures", _("Seizures")),
    ("identifiers", _("Identifiers")),
    ("parties", _("Parties")),
    ("route", _("Route")),
    ("notes", _("Notes")),
    ("exhibits", _("Exhibits")),
    ("sharing", _("Sharing")),
    ("evidence", _("Evidence use")),  # H1 cases only
    ("hits", _("Hits")),  # the "Linked cases and hits" panel
    ("activity", _("Activity")),
]
TAB_NAMES = {slug for slug, _label in TABS}
# The swap targets of the HTMX partial updates.
TABS_TARGET = "case-tabs"
RESULTS_TARGET = "case-results"


def tab_url(case_id, tab: str) -> str:
    if tab == "overview":
        return reverse("cases:detail", args=[case_id])
    return reverse("cases:tab", args=[case_id, tab])


def htmx_target(request) -> str | None:
    return request.htmx.target if request.htmx and not request.htmx.history_restore_request else None


def domain_errors(view):
    """NotVisible is a 404 that says nothing; ActionForbidden a 403 that says why; a bad query
    parameter a 400 that names it, with nothing the request wrote kept.

    Under HTMX the page reloads instead, so the reason shows as a message in its place.
    """
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotVisible:
            raise Http404() from None
        except BadQueryParameter as error:
            return bad_query_response(request, error)
        except ActionForbidden as refused:
            if "case_id" in kwargs:  # reads the case: before the transaction is marked for rollback
                note_refused_action(request.user, kwargs["case_id"], refused.code)
            transaction.set_rollback(True)
            if request.htmx:
                messages.error(request, refused.detail)
                return HttpResponseClientRefresh()
            return render(request, "403.html", {"reason": refused.detail}, status=403)

    return wrapper
