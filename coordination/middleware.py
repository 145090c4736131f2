"""Response headers that hold on every page, API answer, error page and static file.

Everything Django renders is made per request and may carry case data, so no cache, shared
or private, may keep it: `Cache-Control: no-store`. That is deliberately not limited to the
paths that hold case data today (case pages, the API, exports, downloads, the dashboard,
notifications): a new page or endpoint is covered without anyone remembering to add it. The
only exception is a file WhiteNoise serves from the static folders, which is the same for
everyone and meant to be cached.
"""
from django.conf import settings
from whitenoise.middleware import WhiteNoiseFileResponse

NO_STORE = "no-store"


class SecurityHeadersMiddleware:
    """Sets `Permissions-Policy` and `X-Frame-Options` on every response and
    `Cache-Control: no-store` on every response but a static file. Sits before WhiteNoise in
    MIDDLEWARE, so it sees both.

    (Content-Security-Policy comes from django-csp, Referrer-Policy and nosniff from
    SecurityMiddleware; both also sit before WhiteNoise.)
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY_DENY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        # XFrameOptionsMiddleware sets it on what Django renders; this covers static files too.
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if not isinstance(response, WhiteNoiseFileResponse):
            # Overrides whatever a view set (e.g. "private, max-age=600"): nothing is stored.
            if NO_STORE not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = NO_STORE
            response.headers.pop("Expires", None)
        return response
