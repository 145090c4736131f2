"""Base viewsets: access is declared once, here, so no endpoint can forget it.

Every case-bearing endpoint resolves its case through the access policy in `initial()`,
before any handler runs: an invisible case answers 404 for every nested route, method and
query string. Writes then go through services, which lock the case and check the action
again inside their transaction.
"""
from rest_framework import viewsets

from cases.selectors import case_header


class CaseScopedViewSet(viewsets.GenericViewSet):
    """For routes under /cases/{case_id}/: `self.case` is the visible case, with `access`."""

    case_url_kwarg = "case_id"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.case = case_header(user=request.user, case_id=kwargs[self.case_url_kwarg])
