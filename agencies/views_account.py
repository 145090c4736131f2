"""Browser pages of a person's own sign-in: two-factor enrolment, backup codes, password change.

Thin: each view calls one function of agencies.two_factor. New backup codes are handed from
the POST that made them to the page that shows them through the session, once: a reload or the
back button shows the count left, never the codes again.
"""
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_otp import user_has_device

from .tokens import api_tokens_revoke_all
from .two_factor import (
    BACKUP_CODE_COUNT,
    backup_codes_left,
    backup_codes_replace,
    totp_device_confirm,
    totp_device_pending,
    totp_qr_svg,
    totp_secret,
    two_factor_enrolment_required,
)

NEW_CODES = "portcullis_new_backup_codes"


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Code from the app"), max_length=16, strip=True)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@login_required
def account_security(request):
    return render(request, "registration/account_security.html", {
        "enrolled": user_has_device(request.user, confirmed=True),
        "codes_left": backup_codes_left(request.user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request):
    if user_has_device(request.user, confirmed=True):
        return redirect("account:security")
    device = totp_device_pending(request.user)
    form = ConfirmCodeForm(request.POST or None)
    if form.is_valid():
        codes = totp_device_confirm(actor=request.user, device_id=device.pk, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[NEW_CODES] = codes
            messages.success(request, _("Two-factor sign-in is on. From now on, log in with a code from the app."))
            return redirect(reverse("account:backup-codes") + "?next=" + _next_url(request))
        form.add_error("code", _("That code did not match. Check the time on your phone and try the current code."))
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "qr_svg": totp_qr_svg(device), "secret": totp_secret(device),
        "required": two_factor_enrolment_required(request.user), "next": _next_url(request),
    })


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request):
    enrolled = user_has_device(request.user, confirmed=True)
    if request.method == "POST" and enrolled:
        request.session[NEW_CODES] = backup_codes_replace(actor=request.user)
        return redirect("account:backup-codes")
    return render(request, "registration/two_factor_backup_codes.html", {
        "codes": request.session.pop(NEW_CODES, None), "codes_left": backup_codes_left(request.user),
        "count": BACKUP_CODE_COUNT, "enrolled": enrolled, "next": _next_url(request),
    })


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view: the new password meets AUTH_PASSWORD_VALIDATORS; the changed password hash
    ends every other session of the user, and update_session_auth_hash keeps this one."""

    template_name = "registration/password_change.html"
    success_url = reverse_lazy("account:security")

    def form_valid(self, form):
        response = super().form_valid(form)
        revoked = api_tokens_revoke_all(actor=self.request.user, user=self.request.user, reason="password_changed")
        messages.success(self.request, _("Your password is changed. Your other sessions have ended.") + (
            " " + _("Your API tokens were revoked.") if revoked else ""))
        return response
