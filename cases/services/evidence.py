"""H1 evidence-use requests (issue 16): a prosecutor asks, the owning agency decides.

An H1 item (the case itself, a document, a note or an exhibit) may not be used in judicial
proceedings without the owner's permission. A prosecutor who can see the case files one
request per set of items, with a justification; the owning agency's members who may share the
case grant or refuse the whole request. A grant is a disclosure to the requesting agency, and
its refusal is recorded under the same operation, as for access requests. Both sides are
notified (cases.signals, turned into outbox rows by notifications in this transaction).
"""
import uuid
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Role
from agencies.selectors import active_membership
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import ActionForbidden, Conflict

from ..access import Action
from ..choices import HandlingCode
from ..models import (
    Case,
    Document,
    EvidenceItemType,
    EvidenceRequest,
    EvidenceRequestItem,
    EvidenceRequestStatus,
    Exhibit,
    Note,
)
from ..selectors_evidence import evidence_request_in
from ..signals import evidence_use_decided, evidence_use_requested
from .consultation import consultation_clear
from .guard import audited_case, case_for_write

PART_MODELS = {EvidenceItemType.DOCUMENT: Document, EvidenceItemType.NOTE: Note, EvidenceItemType.EXHIBIT: Exhibit}
MAX_ITEMS = 500


def _audit(*, actor, evidence_request: EvidenceRequest, case: Case, operation: str, action: str,
           justification: str, changes: dict) -> None:
    audit_record(actor=actor, operation=operation, action=action, object_type="evidence_request",
                 object_id=evidence_request.pk, justification=justification,
                 recipient=evidence_request.requester_agency.code, changes=changes, **audited_case(case))


def _require_prosecutor(actor) -> None:
    membership = active_membership(actor)
    if membership is None or membership.role != Role.PROSECUTOR:
        raise ActionForbidden(_("Only prosecutors file evidence-use requests."), code="prosecutors_only")


def _require_permission_needed(case: Case, agency_id) -> None:
    """Nothing to ask: a case that is not H1, or the owner's own case."""
    if case.handling_code != HandlingCode.H1:
        raise ValidationError({"items": [_("This case is not H1: its items may be used as evidence without "
                                           "asking the owning agency.")]})
    if agency_id == case.owner_agency_id:
        raise ValidationError({"items": [_("Your agency owns this case: it needs no permission to use it.")]})


def _parsed_items(items: Iterable) -> list[tuple[str, uuid.UUID]]:
    """(type, id) pairs in the order given, duplicates collapsed; field messages name the bad item."""
    pairs, errors = [], []
    for position, item in enumerate(items or [], start=1):
        item = item if isinstance(item, dict) else {}
        item_type, item_id = item.get("type"), item.get("id")
        try:
            parsed = (EvidenceItemType(item_type).value, uuid.UUID(str(item_id)))
        except (ValueError, TypeError):
            errors.append(_("Item %(position)s: give a type (case, document, note or exhibit) and an id.")
                          % {"position": position})
            continue
        if parsed not in pairs:
            pairs.append(parsed)
    if errors:
        raise ValidationError({"items": errors})
    if not pairs:
        raise ValidationError({"items": [_("Choose at least one item to use as evidence.")]})
    if len(pairs) > MAX_ITEMS:
        raise ValidationError({"items": [_("At most %(count)s items per request.") % {"count": MAX_ITEMS}]})
    return pairs


def _check_items_of(case: Case, pairs: list[tuple[str, uuid.UUID]]) -> None:
    """Every item must be this case, or one of its documents, notes or exhibits. An item of any
    other case, visible or not, gets the same answer: nothing is told of other cases."""
    found = {(EvidenceItemType.CASE.value, case.pk)}
    for item_type, model in PART_MODELS.items():
        ids = [item_id for kind, item_id in pairs if kind == item_type]
        if ids:
            found |= {(item_type.value, pk) for pk in model.objects.filter(case=case, pk__in=ids)
                      .values_list("pk", flat=True)}
    missing = [_("%(type)s %(id)s: no such item in this case.") % {"type": kind, "id": item_id}
               for kind, item_id in pairs if (kind, item_id) not in found]
    if missing:
        raise ValidationError({"items": missing})


@transaction.atomic
def evidence_request_file(*, actor, case_id, items: Iterable, justification: str,
                          acknowledge_conditions: bool = False) -> EvidenceRequest:
    """A prosecutor who can see the H1 case asks its owner to use `items` as evidence.

    404 for a case they cannot see; 403 for anyone but a prosecutor; 400 when there is nothing
    to ask (not H1, or their own agency's case), without a justification, or for an item that
    is not of this case. The H3 conditions and the agency's justification rule come first, as
    for every read: the items named are the case's content.
    """
    case = case_for_write(actor=actor, case_id=case_id, action=Action.VIEW)
    _require_prosecutor(actor)
    membership = active_membership(actor)
    _require_permission_needed(case, membership.agency_id)
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": [_("Say why the prosecution needs these items as evidence.")]})
    pairs = _parsed_items(items)
    consultation_clear(actor=actor, case=case, justification=justification,
                       acknowledge_conditions=acknowledge_conditions)
    _check_items_of(case, pairs)
    evidence_request = EvidenceRequest.objects.create(case=case, requested_by=actor,
                                                      requester_agency=membership.agency,
                                                      justification=justification)
    EvidenceRequestItem.objects.bulk_create(
        [EvidenceRequestItem(request=evidence_request, item_type=kind, item_id=item_id) for kind, item_id in pairs])
    _audit(actor=actor, evidence_request=evidence_request, case=case, operation=Operation.COLLECTION,
           action="evidence_request_file", justification=justification,
           changes={"items": [f"{kind}:{item_id}" for kind, item_id in pairs]})
    evidence_use_requested.send(sender=Case, actor=actor, case=case, evidence_request=evidence_request)
    return evidence_request


def _pending_for_decision(actor, case_id, request_id) -> EvidenceRequest:
    """The request locked, if the actor is on the case's owner side (404 otherwise, like a
    request they cannot see) and may share the case (403 otherwise); 409 once decided."""
    visible = evidence_request_in(user=actor, case_id=case_id, request_id=request_id, owner_side_only=True)
    case = case_for_write(actor=actor, case_id=visible.case_id, action=Action.SHARE)
    # The case row is locked first, as by every write of the case, then the request's own row.
    evidence_request = (EvidenceRequest.objects.select_for_update(of=("self",))
                        .select_related("requester_agency", "requested_by").get(pk=visible.pk))
    evidence_request.case = case
    if evidence_request.status != EvidenceRequestStatus.PENDING:
        raise Conflict(_("This request has already been %(status)s.")
                       % {"status": evidence_request.get_status_display().lower()}, code="already_decided")
    return evidence_request


@transaction.atomic
def evidence_request_decide(*, actor, case_id, request_id, approve: bool, reason: str = "") -> EvidenceRequest:
    """The owning agency grants (a disclosure to the requesting agency) or refuses, with a reason."""
    evidence_request = _pending_for_decision(actor, case_id, request_id)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": [_("Say why the request is refused.")]})
    evidence_request.status = EvidenceRequestStatus.GRANTED if approve else EvidenceRequestStatus.REFUSED
    evidence_request.reason = reason
    evidence_request.decided_by, evidence_request.decided_at = actor, timezone.now()
    evidence_request.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    items = [f"{kind}:{item_id}" for kind, item_id in evidence_request.items.values_list("item_type", "item_id")]
    _audit(actor=actor, evidence_request=evidence_request, case=evidence_request.case, operation=Operation.DISCLOSURE,
           action="evidence_request_grant" if approve else "evidence_request_refuse", justification=reason,
           changes={"decision": evidence_request.status, "items": items})
    evidence_use_decided.send(sender=Case, actor=actor, case=evidence_request.case,
                              evidence_request=evidence_request)
    return evidence_request
