"""May an item of a case be used as evidence by an agency? (issue 16, handling code H1)

An item is the case itself, a document, a note or an exhibit. Items of a case that is not H1,
and every item for the owning agency itself, are usable. Otherwise an item is usable once a
request of the agency naming it has been granted; until then it is withheld, and the standing
says why (refused with the owner's reason, pending, or never asked for).

The requests themselves are read here too: the owning agency sees every request on its case,
a requesting agency only its own.
"""
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from agencies.models import Role
from agencies.selectors import active_membership

from .access import Action, can
from .choices import HandlingCode
from .models import EvidenceRequest, EvidenceRequestItem, EvidenceRequestStatus
from .selectors import case_header
from .selectors_hits import not_visible

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
    for item_type, item_id, status, reason in rows:
        key = (item_type, str(item_id))
        current = found.get(key)
        # A grant stands whatever came later; otherwise the latest request tells (a request
        # filed again after a refusal is pending, not refused).
        if current is None or current.status != EvidenceRequestStatus.GRANTED:
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


def _agency_id_of(user):
    membership = active_membership(user)
    return membership.agency_id if membership else None


def evidence_requests_on(*, user, case) -> QuerySet[EvidenceRequest]:
    """The evidence-use requests on `case` (already visible to `user`), newest first: the owning
    agency sees every request, any other agency only its own."""
    requests = EvidenceRequest.objects.filter(case=case)
    agency_id = _agency_id_of(user)
    if agency_id is None:
        return requests.none()
    if agency_id != case.owner_agency_id:
        requests = requests.filter(requester_agency_id=agency_id)
    return (requests.select_related("requested_by", "requester_agency", "decided_by")
            .prefetch_related("items").order_by("-created_at", "-id"))


def evidence_request_in(*, user, case_id, request_id, owner_side_only: bool = False) -> EvidenceRequest:
    """One request on a case the user can see, or NotVisible (404): a request of another agency,
    or any request when `owner_side_only` and the user is not of the owning agency."""
    case = case_header(user=user, case_id=case_id)
    requests = evidence_requests_on(user=user, case=case)
    if owner_side_only and _agency_id_of(user) != case.owner_agency_id:
        requests = requests.none()
    try:
        evidence_request = requests.get(pk=request_id)
    except (EvidenceRequest.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(user, EvidenceRequest, request_id) from None
    evidence_request.case = case
    return evidence_request


def files_evidence_requests(user, case) -> bool:
    """Whether `user` may ask to use items of the visible `case` as evidence (the service's rule:
    a prosecutor of another agency than the owner, on an H1 case)."""
    membership = active_membership(user)
    return (membership is not None and membership.role == Role.PROSECUTOR
            and needs_permission(case=case, agency_id=membership.agency_id))


def decides_evidence_requests(user, case) -> bool:
    """Whether `user` decides the requests on the visible `case`: the owning agency's members who
    may share it (the service's rule)."""
    return _agency_id_of(user) == case.owner_agency_id and can(user, Action.SHARE, case)
