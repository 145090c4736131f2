"""May an item of a case be used as evidence by an agency? (issue 16, handling code H1)

An item is the case itself, a document, a note or an exhibit. Items of a case that is not H1,
and every item for the owning agency itself, are usable. Otherwise an item is usable once a
request of the agency naming it has been granted; until then it is withheld, and the standing
says why (refused with the owner's reason, pending, or never asked for).
"""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .choices import HandlingCode
from .models import EvidenceRequestItem, EvidenceRequestStatus

USABLE, WITHHELD = "usable", "withheld"


@dataclass(frozen=True)
class EvidenceStanding:
    usable: bool
    status: str  # "not_h1", "owner", "granted", "refused", "pending", "not_requested"
    reason: str = ""  # why it is withheld, for the case file's evidence section


NOT_REQUESTED = EvidenceStanding(False, "not_requested", "")


def needs_permission(*, case, agency_id) -> bool:
    """H1 items need the owner's permission, except for the owner itself."""
    return case.handling_code == HandlingCode.H1 and agency_id != case.owner_agency_id


def evidence_standing(*, case, agency_id) -> dict[tuple[str, str], EvidenceStanding]:
    """Decided or pending standings of `agency_id`'s requests on `case`, keyed by (item_type,
    str(item_id)); an item not in the result stands by `standing_of`. One query."""
    rows = (EvidenceRequestItem.objects
            .filter(request__case=case, request__requester_agency_id=agency_id)
            .values_list("item_type", "item_id", "request__status", "request__reason")
            .order_by("request__created_at", "request__id"))
    found: dict[tuple[str, str], EvidenceStanding] = {}
    rank = {EvidenceRequestStatus.GRANTED: 3, EvidenceRequestStatus.REFUSED: 2, EvidenceRequestStatus.PENDING: 1}
    for item_type, item_id, status, reason in rows:
        key = (item_type, str(item_id))
        current = found.get(key)
        # A grant stands whatever came later; otherwise the latest refusal, then a pending request.
        if current is None or rank[status] >= rank[current.status]:
            found[key] = EvidenceStanding(status == EvidenceRequestStatus.GRANTED, str(status), reason)
    return found


def standing_of(standings: dict, *, case, agency_id, item_type: str, item_id) -> EvidenceStanding:
    if case.handling_code != HandlingCode.H1:
        return EvidenceStanding(True, "not_h1")
    if agency_id == case.owner_agency_id:
        return EvidenceStanding(True, "owner")
    return standings.get((item_type, str(item_id)), NOT_REQUESTED)


def withheld_reason(standing: EvidenceStanding) -> str:
    """The line the case file prints for a withheld item."""
    if standing.status == "refused":
        return _("Refused by the owning agency: %(reason)s") % {"reason": standing.reason}
    if standing.status == "pending":
        return _("Use as evidence requested; the owning agency has not decided yet.")
    return _("H1: not to be used as evidence without the owning agency's permission, which has not been requested.")
