"""The browser login: password, and the authenticator code for accounts that have one.

The same rule as the token endpoint (agencies.authentication): a user with a confirmed TOTP
device must give a valid code. A wrong or missing code is a failed login, so Axes counts it
towards the lockout and the audit trail records it, and the answer is the same generic error
as a wrong password: it does not tell a guesser that the password was right.

The Django admin's login uses the same check (AdminSecondFactorLoginForm, wired in
coordination/urls.py), and the two-factor gate (agencies.sessions) covers the admin's pages.
"""
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device


class SecondFactorLoginForm(AuthenticationForm):
    otp = forms.CharField(
        label=_("Authenticator code"), required=False, max_length=16, strip=True,
        help_text=_("Only if your account uses an authenticator app. A backup code works too, once."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your username, password or authenticator code did not match. Try again."),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user_has_device(user):
            return
        code = self.cleaned_data.get("otp") or ""
        # No code is a refusal without a try: a try would count against the device's throttle.
        if not code or match_token(user, code) is None:
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()},
                                   request=self.request)
            raise self.get_invalid_login_error()


class AdminSecondFactorLoginForm(SecondFactorLoginForm, AdminAuthenticationForm):
    """The admin's login: staff only (AdminAuthenticationForm), with the same second factor."""

    error_messages = {**AdminAuthenticationForm.error_messages, **SecondFactorLoginForm.error_messages}
