"""Who sees our cases: every share and named grant of an agency's cases, for its admins.

Read from the grant records (CaseShare, CaseGrant), never through visible_cases: admins
govern who may see the agency's cases without reading them, so only each case's id and
reference come along, never its title or content.
"""
from django.db.models import QuerySet

from agencies.selectors_admin import administered_agency

from .models import CaseGrant, CaseShare

_CASE_FIELDS = ("id", "level", "created_at", "updated_at", "case__id", "case__reference", "granted_by__username")


def agency_disclosures(*, user) -> tuple[QuerySet[CaseShare], QuerySet[CaseGrant]]:
    """The shares and the named grants of the cases the admin's agency owns (403 for others)."""
    agency = administered_agency(user)
    shares = (CaseShare.objects.filter(case__owner_agency=agency).select_related("case", "agency", "granted_by")
              .only(*_CASE_FIELDS, "agency__code"))
    grants = (CaseGrant.objects.filter(case__owner_agency=agency).select_related("case", "user", "granted_by")
              .only(*_CASE_FIELDS, "user__username"))
    return shares, grants
