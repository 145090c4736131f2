"""/agency/: the browser pages of an agency's own administrators (issue 15). Members, service
accounts, the agency policy, and who sees the agency's cases.

Thin, as the API beside them (agencies.api.admin_views): every read is a selector and every
write one service, and each asks administered_agency() first, so any other role gets the 403
page (domain_errors) and another agency's member, key or disclosure a 404. The services write
the audit records.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from cases.models import CaseShare
from cases.selectors_disclosures import agency_disclosures
from cases.services.sharing import agency_disclosure_revoke
from cases.views.common import domain_errors
from coordination.errors import NotVisible
from coordination.params import query_page

from . import services_admin as services
from .forms_admin import (
    AgencyPolicyForm,
    DisclosureRevokeForm,
    MemberCreateForm,
    MemberRoleForm,
    ServiceAccountForm,
)
from .lockouts import agency_lockouts, member_lockout_lift
from .selectors_admin import (
    administered_agency,
    agency_member,
    agency_members_with_two_factor,
    agency_service_account,
    agency_service_accounts,
)
from .services_admin import POLICY_FIELDS
from .two_factor import member_two_factor_reset

PAGE_SIZE = 50
# The page's section, for the admin pages' tabs: by template name.
SECTIONS = {"member": "members", "service_account": "service-accounts", "policy": "policy",
            "disclosure": "disclosures"}


def _render(request, template: str, context: dict, status: int = 200):
    section = next(name for prefix, name in SECTIONS.items() if template.startswith(f"agency/{prefix}"))
    return render(request, template, {**context, "section": section}, status=status)


def _page(request, rows_from) -> tuple[list, dict]:
    """One page of a queryset, newest first; one row more than the page tells whether there is
    a next one (no COUNT)."""
    number = query_page(request.GET)
    start = (number - 1) * PAGE_SIZE
    rows = list(rows_from[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], {"number": number, "has_next": len(rows) > PAGE_SIZE}


# Members -------------------------------------------------------------------------------------

@login_required
@domain_errors
def member_list_view(request):
    agency = administered_agency(request.user)
    members, page = _page(request, agency_members_with_two_factor(agency=agency))
    locked = {lockout.member_id for lockout in agency_lockouts(actor=request.user)}
    return _render(request, "agency/members.html", {
        "agency": agency, "members": members, "locked": locked, "page": page,
    })


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def member_create_view(request):
    agency = administered_agency(request.user)
    form = MemberCreateForm(request.POST or None)
    if form.is_valid():
        try:
            membership = services.member_create(actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            messages.success(request, _("%(username)s is a member now. A link to choose a password has been sent "
                                        "to %(email)s.") % {"username": membership.user.username,
                                                            "email": membership.user.email})
            return redirect("agency:member", membership.user_id)
    return _render(request, "agency/member_create.html", {"agency": agency, "form": form},
                  status=400 if form.is_bound else 200)


def _show_member(request, member_id, role_form=None, status=200):
    agency = administered_agency(request.user)
    membership = agency_member(agency=agency, member_id=member_id)
    return _render(request, "agency/member.html", {
        "agency": agency,
        "member": membership,
        "own_account": membership.user_id == request.user.pk,
        "two_factor": user_has_device(membership.user, confirmed=True),
        "lockouts": [item for item in agency_lockouts(actor=request.user) if item.member_id == membership.user_id],
        "role_form": role_form or MemberRoleForm(initial={"role": membership.role}),
    }, status=status)


@login_required
@domain_errors
def member_view(request, member_id):
    return _show_member(request, member_id)


@login_required
@require_POST
@domain_errors
def member_role_view(request, member_id):
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        return _show_member(request, member_id, role_form=form, status=400)
    membership = services.member_set_role(actor=request.user, member_id=member_id, role=form.cleaned_data["role"])
    messages.success(request, _("%(username)s is now: %(role)s. Their sessions have ended.")
                     % {"username": membership.user.username, "role": membership.get_role_display()})
    return redirect("agency:member", member_id)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def member_deactivate_view(request, member_id):
    """GET asks to confirm; POST deactivates (member_deactivate: sessions and API tokens end)."""
    agency = administered_agency(request.user)
    if request.method == "POST":
        membership = services.member_deactivate(actor=request.user, member_id=member_id)
        messages.success(request, _("%(username)s is deactivated: their sessions and API tokens have ended.")
                         % {"username": membership.user.username})
        return redirect("agency:member", member_id)
    membership = agency_member(agency=agency, member_id=member_id)
    return _render(request, "agency/member_deactivate.html", {"agency": agency, "member": membership})


@login_required
@require_POST
@domain_errors
def member_two_factor_reset_view(request, member_id):
    member_two_factor_reset(actor=request.user, member_id=member_id)
    messages.success(request, _("Their authenticator app and backup codes are removed. They sign in next with their "
                                "password and set up a new app."))
    return redirect("agency:member", member_id)


@login_required
@require_POST
@domain_errors
def member_lockout_lift_view(request, member_id):
    membership = agency_member(agency=administered_agency(request.user), member_id=member_id)
    try:
        member_lockout_lift(actor=request.user, username=membership.user.username)
    except NotVisible:  # lapsed meanwhile: the member was checked above
        messages.info(request, _("%(username)s is not locked out.") % {"username": membership.user.username})
    else:
        messages.success(request, _("The lockout of %(username)s is lifted.") % {"username": membership.user.username})
    return redirect("agency:member", member_id)


# Service accounts ----------------------------------------------------------------------------

@login_required
@domain_errors
def service_account_list_view(request):
    agency = administered_agency(request.user)
    accounts, page = _page(request, agency_service_accounts(agency=agency))
    return _render(request, "agency/service_accounts.html", {"agency": agency, "accounts": accounts, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def service_account_create_view(request):
    """The key is in the answer to the POST and nowhere else: not in the session, not in a URL,
    not stored (only its hash is). A reload asks to send the form again, which makes a new
    account, never shows this key again."""
    agency = administered_agency(request.user)
    form = ServiceAccountForm(request.POST or None)
    if form.is_valid():
        try:
            account, key = services.service_account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            return _render(request, "agency/service_account_key.html", {"agency": agency, "account": account,
                                                                        "key": key})
    return _render(request, "agency/service_account_create.html", {"agency": agency, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def service_account_revoke_view(request, account_id):
    agency = administered_agency(request.user)
    if request.method == "POST":
        services.service_account_revoke(actor=request.user, account_id=account_id)
        messages.success(request, _("The service account is revoked: its key no longer works."))
        return redirect("agency:service-accounts")
    account = agency_service_account(agency=agency, account_id=account_id)
    return _render(request, "agency/service_account_revoke.html", {"agency": agency, "account": account})


# Policy --------------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def policy_view(request):
    agency = administered_agency(request.user)
    form = AgencyPolicyForm(request.POST or None,
                            initial={field: getattr(agency, field) for field in POLICY_FIELDS})
    if form.is_valid():
        try:
            services.agency_policy_update(actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            form.apply_service_errors(invalid)
        else:
            messages.success(request, _("The agency policy is saved."))
            return redirect("agency:policy")
    return _render(request, "agency/policy.html", {"agency": agency, "form": form},
                  status=400 if form.is_bound else 200)


# Who sees our cases --------------------------------------------------------------------------

def _disclosure_row(disclosure) -> dict:
    is_share = isinstance(disclosure, CaseShare)
    return {"disclosure": disclosure, "is_share": is_share,
            "recipient": disclosure.agency.code if is_share else disclosure.user.username}


@login_required
@domain_errors
def disclosure_list_view(request):
    """Shares and named grants merged, newest first: the first rows of each up to the end of
    the page, merged in memory (two queries, as the API's keyset pages)."""
    agency = administered_agency(request.user)
    number = query_page(request.GET)
    end = number * PAGE_SIZE
    rows = [row for disclosures in agency_disclosures(user=request.user)
            for row in disclosures.order_by("-created_at", "-id")[: end + 1]]
    rows.sort(key=lambda row: (row.created_at, row.pk), reverse=True)
    shown = rows[end - PAGE_SIZE : end]
    return _render(request, "agency/disclosures.html", {
        "agency": agency, "rows": [_disclosure_row(row) for row in shown],
        "page": {"number": number, "has_next": len(rows) > end},
    })


def _disclosure(request, disclosure_id):
    for disclosures in agency_disclosures(user=request.user):
        found = disclosures.filter(pk=disclosure_id).first()
        if found:
            return found
    raise NotVisible()


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def disclosure_revoke_view(request, disclosure_id):
    """GET asks to confirm (with an optional reason); POST revokes through the sharing services,
    as DELETE /api/v1/agency/disclosures/{id}/ does."""
    agency = administered_agency(request.user)
    row = _disclosure_row(_disclosure(request, disclosure_id))
    form = DisclosureRevokeForm(request.POST or None)
    if form.is_valid():
        agency_disclosure_revoke(actor=request.user, disclosure_id=disclosure_id,
                                 justification=form.cleaned_data["justification"])
        messages.success(request, _("%(recipient)s no longer sees %(reference)s.")
                         % {"recipient": row["recipient"], "reference": row["disclosure"].case.reference})
        return redirect("agency:disclosures")
    return _render(request, "agency/disclosure_revoke.html", {"agency": agency, "form": form, **row},
                  status=400 if form.is_bound else 200)
