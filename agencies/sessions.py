"""Browser sessions: how long they live, what they are bound to, and the two-factor gate.

A session is stamped at login (session_stamp, on user_logged_in) with the time and the
membership the user signed in with. On each request of a logged-in session,
AccountSecurityMiddleware logs it out (the session row is deleted on the server) when

- it has been idle longer than the agency's `session_idle_minutes` (SESSION_IDLE_MINUTES
  for users without an agency, i.e. platform admins);
- it is older than SESSION_ABSOLUTE_SECONDS (12 hours), however busy;
- the user's membership is no longer the one they signed in with: a role change
  (agencies.services.membership_set_role) retires the membership and makes another, so every
  session of the member ends, as a password change ends the others through Django's session
  auth hash (and a deactivation through the inactive user and the reset password);
- it carries no stamp (made before this rule, or not by a login).

Then, before any view, a user whose agency requires two-factor sign-in and who has no device
reaches only the enrolment pages, logout and the language switch.
"""
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .selectors import active_membership
from .two_factor import two_factor_enrolment_required

LOGIN_AT = "portcullis_login_at"
SEEN_AT = "portcullis_seen_at"
MEMBERSHIP = "portcullis_membership"
# Last activity is written at most this often: a session write on every request would cost a
# database UPDATE per page and per HTMX fragment, for a precision no idle policy needs.
SEEN_PRECISION_SECONDS = 60
# Views a user who must enrol may still reach (resolver view names).
ENROLMENT_OPEN_VIEWS = {"account:security", "account:two-factor-setup", "account:backup-codes", "logout",
                        "admin:logout", "set_language"}


def session_stamp(sender, request, user, **kwargs) -> None:
    """On login: when, and as which membership. Only for a session login (the token endpoint
    sends user_logged_in too, and must not start a session)."""
    session = getattr(request, "session", None)
    if session is None or session.get(SESSION_KEY) != user._meta.pk.value_to_string(user):
        return
    membership = active_membership(user)
    session[LOGIN_AT] = session[SEEN_AT] = int(time.time())
    session[MEMBERSHIP] = membership.pk if membership else None


def session_end_reason(session, user, now: int) -> str:
    """Why this logged-in session must end now, or ''."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        return "unstamped"
    if now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    membership = active_membership(user)
    if (membership.pk if membership else None) != session.get(MEMBERSHIP):
        return "membership_changed"
    idle_minutes = membership.agency.session_idle_minutes if membership else settings.SESSION_IDLE_MINUTES
    if now - seen_at > idle_minutes * 60:
        return "idle"
    return ""


class AccountSecurityMiddleware:
    """After the session, authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            reason = session_end_reason(request.session, request.user, now)
            if reason:
                logout(request)
                messages.info(request, _("Your session has ended. Please log in again."))
            elif now - request.session[SEEN_AT] >= SEEN_PRECISION_SECONDS:
                request.session[SEEN_AT] = now
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or not two_factor_enrolment_required(request.user):
            return None
        match = request.resolver_match
        if match.view_name in ENROLMENT_OPEN_VIEWS:
            return None
        if match.namespace == "api":
            return JsonResponse({"detail": _("Your agency requires two-factor sign-in. Set up an authenticator "
                                             "app in the browser first."), "code": "two_factor_enrolment_required"},
                                status=403)
        return redirect(reverse("account:two-factor-setup") + "?" + urlencode({"next": request.get_full_path()}))
