"""Tags every request with an id, the caller's address and session, for the audit trail,
and writes the denied attempts the request noted once its own transaction is over."""
import hashlib
import re
import uuid

from django.conf import settings
from django.db import transaction

from coordination.client_address import client_ip

from .context import RequestContext, reset_request_context, set_request_context

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def session_reference(request) -> str:
    """A one-way reference to the session cookie or API token: groups a caller's acts
    without storing a credential."""
    credential = request.headers.get("Authorization", "") or request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return hashlib.sha256(credential.encode()).hexdigest()[:32] if credential else ""


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        supplied = request.headers.get("X-Request-ID", "")
        request_id = supplied if _SAFE_REQUEST_ID.match(supplied) else uuid.uuid4().hex
        request.request_id = request_id
        context = RequestContext(
            request_id=request_id,
            # The same address the token throttle and Axes count: forwarded only through our proxies.
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:400],
            session_ref=session_reference(request),
        )
        token = set_request_context(context)
        try:
            response = self.get_response(request)
            self._record_denied_attempts(context)
        finally:
            reset_request_context(token)
        response["X-Request-ID"] = request_id
        return response

    @staticmethod
    def _record_denied_attempts(context: RequestContext) -> None:
        from .services import audit_access_denied

        for attempt in context.denied:
            with transaction.atomic():
                audit_access_denied(attempt)
