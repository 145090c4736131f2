"""Opening a case, and editing one with optimistic locking.

When someone else saved the case while the officer was editing, nothing is lost: the form
comes back with the officer's own changes, the other side's saved values in every field the
officer left alone, and a note under each field both of them changed.
"""
import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from agencies.selectors import active_membership
from coordination.errors import ActionForbidden, Conflict

from .. import services
from ..forms import CaseEditForm, CaseForm, local_minute
from ..selectors import case_header
from ..services.case import CASE_CREATOR_ROLES
from .common import domain_errors, tab_url
from .detail import GATE_CODES

EDITORS = {"owner", "manage"}


@login_required
@domain_errors
def case_create_view(request):
    membership = active_membership(request.user)
    if membership is None or membership.role not in CASE_CREATOR_ROLES:
        raise ActionForbidden(_("Only officers, liaison officers and prosecutors open cases."))
    if request.method != "POST":
        form = CaseForm(initial={"seized_at": local_minute(timezone.now())})
        return render(request, "cases/form.html", {"form": form})
    form = CaseForm(request.POST)
    if form.is_valid():
        try:
            case = services.case_create(actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            messages.success(request, _("Case %(reference)s opened as a draft. Add its seizures, identifiers, parties "
                                        "and route below.") % {"reference": case.reference})
            return redirect(tab_url(case.pk, "overview"))
    return render(request, "cases/form.html", {"form": form}, status=400)


def _display(form: CaseEditForm, name: str, value) -> str:
    """A saved value as the officer reads it."""
    field = form.fields[name]
    if value in (None, ""):
        return _("(empty)")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if hasattr(field, "choices"):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, datetime.datetime):
        return formats.date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _merged_form(mine: CaseEditForm, current) -> tuple[CaseEditForm, list[str]]:
    """The form after a conflict: the officer's changes over the values saved meanwhile."""
    changed = mine.changes()
    loaded = mine.loaded_values()
    theirs = CaseEditForm.values_of(current)
    data = {name: changed.get(name, theirs[name]) for name in CaseEditForm.EDITABLE}
    data.update({f"initial-{name}": theirs[name] for name in CaseEditForm.EDITABLE})
    data.update(version=current.version, justification=mine.cleaned_data.get("justification", ""))
    merged = CaseEditForm(data, initial=theirs, owner=mine.owner)
    both = [name for name in changed if theirs[name] != loaded[name] and theirs[name] != changed[name]]
    for name in both:
        merged[name].saved_meanwhile = _display(merged, name, theirs[name])
    return merged, both


@login_required
@domain_errors
def case_edit_view(request, case_id):
    case = case_header(user=request.user, case_id=case_id)
    if case.access not in EDITORS:
        raise ActionForbidden(_("Only the owning agency and agencies holding a manage share edit a case."))
    try:  # the form shows the case: a consultation, behind the same gate as the case page
        services.case_consult(actor=request.user, case=case)
    except ActionForbidden as refused:
        if refused.code not in GATE_CODES:
            raise
        return redirect(tab_url(case.pk, "overview"))
    context = {"case": case}
    if request.method != "POST":
        context["form"] = CaseEditForm(initial={**CaseEditForm.values_of(case), "version": case.version},
                                       owner=case.access == "owner")
        return render(request, "cases/form.html", context)
    form = CaseEditForm(request.POST, initial=CaseEditForm.values_of(case), owner=case.access == "owner")
    if form.is_valid():
        try:
            services.case_update(actor=request.user, case_id=case.pk, version=form.cleaned_data["version"],
                                 justification=form.cleaned_data["justification"], **form.changes())
        except Conflict:
            current = case_header(user=request.user, case_id=case.pk)
            form, both = _merged_form(form, current)
            context.update(case=current, form=form, conflict=True, conflicting=both)
            return render(request, "cases/form.html", context, status=409)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(tab_url(case.pk, "overview"))
    context["form"] = form
    return render(request, "cases/form.html", context, status=400)
