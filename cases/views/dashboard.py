"""The dashboard: what is waiting for the reader, every count through the access policy."""
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from agencies.selectors import active_membership

from ..forms import ACTIVE
from ..selectors_dashboard import CappedCount, Scope, active_case_count, latest_cases, visible_case_count
from ..services.case import CASE_CREATOR_ROLES


@dataclass(frozen=True)
class Tile:
    key: str
    title: str
    description: str
    count: CappedCount
    url: str


# Later apps (notifications, hits, access requests) add their own tiles here from their
# AppConfig.ready(): a provider takes the request and returns a Tile or None.
TILE_PROVIDERS: list[Callable[..., Tile | None]] = []


def register_dashboard_tile(provider: Callable[..., Tile | None]) -> None:
    if provider not in TILE_PROVIDERS:
        TILE_PROVIDERS.append(provider)


def _list_url(scope: str) -> str:
    return f"{reverse('cases:list')}?{urlencode({'scope': scope, 'status': ACTIVE})}"


def _case_tiles(user, membership) -> list[Tile]:
    tiles = [
        Tile("agency", _("My agency's open cases"), _("Active cases owned by %(agency)s.") % {
            "agency": membership.agency.code}, active_case_count(user=user, scope=Scope.AGENCY), _list_url(Scope.AGENCY)),
        Tile("shared", _("Shared with my agency"), _("Active cases other agencies shared with %(agency)s.") % {
            "agency": membership.agency.code}, active_case_count(user=user, scope=Scope.SHARED), _list_url(Scope.SHARED)),
    ]
    if membership.role == Role.PROSECUTOR:
        tiles.append(Tile("referred", _("Referred to my office"), _("Cases referred to %(agency)s for prosecution.") % {
            "agency": membership.agency.code}, active_case_count(user=user, scope=Scope.REFERRED),
            _list_url(Scope.REFERRED)))
    tiles.append(Tile("visible", _("All cases I may see"), _("Every case open to you, in any status."),
                      visible_case_count(user=user), reverse("cases:list")))
    return tiles


@login_required
def dashboard_view(request):
    membership = active_membership(request.user)
    # Auditors read the trail, never case content; the policy gives them no case to count.
    reads_cases = membership is None or membership.role != Role.AUDITOR
    tiles = _case_tiles(request.user, membership) if membership and reads_cases else []
    tiles += [tile for tile in (provider(request) for provider in TILE_PROVIDERS) if tile]
    return render(request, "cases/dashboard.html", {
        "tiles": tiles,
        "latest": latest_cases(user=request.user) if reads_cases else [],
        "reads_cases": reads_cases,
        "can_create": membership is not None and membership.role in CASE_CREATOR_ROLES,
    })
