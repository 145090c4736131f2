"""Who is calling the API, and the credential check that issues personal tokens.

The browser signs in with a session (and CSRF); agency systems send `Authorization: Token
<key>`. django-axes counts failed logins per username and address, for the browser login
and the token endpoint alike, and locks the pair out once it has seen too many.
"""
from axes.helpers import get_lockout_message
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django_otp import match_token, user_has_device
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from coordination.client_address import client_ip

from .tokens import (
    api_token_address_allowed,
    api_token_for_key,
    api_token_is_live,
    api_token_issue_denied,
    api_token_mark_used,
    note_token_refused,
)
from .two_factor import two_factor_enrolment_required


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`; request.auth is the ApiToken, so it can be revoked."""

    keyword = "Token"

    def authenticate(self, request):
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != self.keyword.lower().encode():
            return None
        if len(words) != 2:
            note_token_refused(token=None, reason="malformed")
            raise AuthenticationFailed(_("Invalid token header."))
        token = api_token_for_key(words[1].decode("latin-1"))
        if token is None or not api_token_is_live(token):
            note_token_refused(token=token, reason="invalid")
            raise AuthenticationFailed(_("Invalid or expired token."))
        if not api_token_address_allowed(token, client_ip(request)):
            note_token_refused(token=token, reason="address_not_allowed")
            raise AuthenticationFailed(_("This key is not accepted from this address."))
        api_token_mark_used(token)
        return token.user, token

    def authenticate_header(self, request) -> str:
        # A named scheme makes DRF answer anonymous calls 401 instead of 403 (API.md).
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'A personal token from POST /api/v1/auth/token/, sent as "Token <key>".',
        }


class TwoFactorEnrolmentRequired(Exception):
    """The password was right, but the user's agency requires a second factor they have not
    set up: they must enrol in the browser before the API issues them a token."""


def user_for_token_issue(request: HttpRequest, *, username: str, password: str, otp: str = ""):
    """The user these credentials prove, or None after auditing the refusal;
    TwoFactorEnrolmentRequired (audited too) for a user who must enrol first.

    `request` is Django's own request: Axes reads the caller's address from it and flags a
    lockout on it, which its middleware turns into the lockout answer.
    """
    user = authenticate(request, username=username, password=password)
    if user is None:
        reason = "credentials"
    elif user_has_device(user) and not (otp and match_token(user, otp)):
        reason = "otp"
        # A wrong second factor is a failed login too, so guessing codes meets the same lockout.
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    elif two_factor_enrolment_required(user):
        reason = "two_factor_enrolment_required"
    else:
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        return user
    User = get_user_model()
    api_token_issue_denied(
        username=username,
        user=user or User._default_manager.filter(**{User.USERNAME_FIELD: username}).first(),
        reason=reason,
        locked_out=bool(getattr(request, "axes_locked_out", False)),
    )
    if reason == "two_factor_enrolment_required":
        raise TwoFactorEnrolmentRequired()
    return None


def lockout_response(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """Axes' answer to a locked-out caller: the API's JSON error shape, or plain text for the browser."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if getattr(request.resolver_match, "namespace", "") == "api":
        return JsonResponse({"detail": str(get_lockout_message())}, status=status)
    return HttpResponse(get_lockout_message(), status=status)
