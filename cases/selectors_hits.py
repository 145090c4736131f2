"""Reads of hits and access requests. Each one starts from the access policy.

A hit belongs to the agency that owns its case: its members who can see that case see the
hit, and nobody else (an agency holding a share reads the case through the consultation
rules, and is not the party to coordinate). Whether the other case is `linked` is decided
here, per caller, at read time: the caller may see it now.
"""
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.db.models import Exists, OuterRef, Q, QuerySet

from agencies.selectors import active_membership
from audit.context import DeniedAttempt, note_denied_attempt
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import NotVisible

from .access import Action, visible_cases
from .models import AccessRequest, AccessRequestStatus, Hit, HitStatus, MatchKey
from .services.guard import audited_case

LINKED = HitStatus.LINKED.value


def _own_agency_id(user):
    membership = active_membership(user)
    return membership.agency_id if membership else None


def sees_hits_of(user, case) -> bool:
    """Whether `user` is shown the hits of `case` (already visible to them): its owning agency's members."""
    return _own_agency_id(user) == case.owner_agency_id


def hits_visible(*, user) -> QuerySet[Hit]:
    """The hits on the cases of the caller's agency that the caller may see, newest first, each
    with `other_visible` (its `shown_status` is then `linked`: Hit.shown_status)."""
    agency_id = _own_agency_id(user)
    if agency_id is None:
        return Hit.objects.none()
    other_visible = Exists(visible_cases(user).filter(pk=OuterRef("other_case_id")))
    return (
        Hit.objects.filter(case__in=visible_cases(user).filter(owner_agency_id=agency_id).values("pk"))
        .annotate(other_visible=other_visible)
        .select_related("case", "identifier", "party", "other_case__owner_agency")
        .order_by("-created_at", "-id")
    )


def hits_filtered(*, user, case_id=None, status: str | None = None) -> QuerySet[Hit]:
    hits = hits_visible(user=user)
    if case_id:
        hits = hits.filter(case_id=case_id)
    if status:
        # `linked` is the other case visible now; any stored status is shown only while it is not.
        hits = hits.filter(other_visible=True) if status == LINKED else hits.filter(status=status, other_visible=False)
    return hits


def not_visible(user, model, object_id) -> NotVisible:
    """The 404 for a hit or access request; when it exists, the attempt is noted for the audit
    trail of the case it hangs on (a hit's case, the case a request asks for), holding nothing
    but the id tried (Art. 25 LED: refused attempts are logged)."""
    try:
        row = model.objects.filter(pk=uuid.UUID(str(object_id))).values("case_id", "case__owner_agency__code").first()
    except ValueError:
        row = None
    if row:
        note_denied_attempt(DeniedAttempt(actor=user, object_type=model._meta.model_name, object_id=str(object_id),
                                          case_id=row["case_id"], case_agency=row["case__owner_agency__code"]))
    return NotVisible()


def hit_open(*, user, hit_id) -> Hit:
    """One hit, or NotVisible; opening it is a combination in the trail of the caller's case."""
    try:
        hit = hits_visible(user=user).get(pk=hit_id)
    except (Hit.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(user, Hit, hit_id) from None
    audit_record(
        actor=user,
        operation=Operation.COMBINATION,
        action="hit_open",
        object_type="hit",
        object_id=hit.pk,
        changes={"other_case": str(hit.other_case_id), "kind": hit.kind},
        **audited_case(hit.case),
    )
    return hit


def hit_other_case(hit: Hit) -> dict | None:
    """What a hit may say of the other case: its id and reference, only when the caller sees it."""
    if not getattr(hit, "other_visible", False):
        return None
    return {"id": hit.other_case_id, "reference": hit.other_case.reference}


def source_value(*, kind: str, identifier=None, party=None) -> dict:
    """What one side holds under a match key, as that side shows it: kind and its own value."""
    if identifier is not None:
        return {"kind": kind, "value": identifier.value}
    value = party.name if party else ""
    if party and party.date_of_birth and kind == "person":
        value = f"{value} ({party.date_of_birth.isoformat()})"
    return {"kind": kind, "value": value}


def hit_identifier(hit: Hit) -> dict:
    """The caller's own side of the match: the kind and its own case's value."""
    return source_value(kind=hit.kind, identifier=hit.identifier, party=hit.party)


def with_own_identifiers(access_requests, user) -> list[AccessRequest]:
    """Set `own_identifier` on each request: what the caller's side (the owner's case for an
    incoming request, the requester's case for an outgoing one) holds under its key. One query."""
    access_requests = list(access_requests)
    sides = {(own_side(request, user), request.key) for request in access_requests}
    sources = {}
    if sides:
        keys = MatchKey.objects.filter(case_id__in={case_id for case_id, _ in sides},
                                       key__in={key for _, key in sides}).select_related("identifier", "party")
        for match_key in keys:
            sources.setdefault((match_key.case_id, match_key.key), match_key)
    for request in access_requests:
        source = sources.get((own_side(request, user), request.key))
        request.own_identifier = (source_value(kind=request.kind, identifier=source.identifier, party=source.party)
                                  if source else {"kind": request.kind, "value": None})
    return access_requests


def own_side(access_request: AccessRequest, user):
    """The id of the request's case on the caller's side."""
    return access_request.case_id if is_incoming(access_request, user) else access_request.requester_case_id


def _incoming(user) -> Q:
    """Requests on cases of the caller's agency that the caller may share (the owner side)."""
    agency_id = _own_agency_id(user)
    if agency_id is None:
        return Q(pk__in=[])
    deciders = visible_cases(user, Action.SHARE).filter(owner_agency_id=agency_id).values("pk")
    return Q(case__owner_agency_id=agency_id, case__in=deciders)


def _outgoing(user) -> Q:
    """Requests of the caller's agency, from cases the caller may see."""
    agency_id = _own_agency_id(user)
    if agency_id is None:
        return Q(pk__in=[])
    return Q(requester_agency_id=agency_id, requester_case__in=visible_cases(user).values("pk"))


def _shown_status(status: str) -> Q:
    """A pending request past its expiry is shown as expired before the beat task marks it."""
    lapsed = Q(status=AccessRequestStatus.PENDING, expires_at__lte=timezone.now())
    if status == AccessRequestStatus.PENDING:
        return Q(status=status) & ~lapsed
    if status == AccessRequestStatus.EXPIRED:
        return Q(status=status) | lapsed
    return Q(status=status)


def access_requests_visible(*, user, direction: str | None = None, status: str | None = None
                            ) -> QuerySet[AccessRequest]:
    condition = {"incoming": _incoming, "outgoing": _outgoing}.get(direction)
    where = condition(user) if condition else (_incoming(user) | _outgoing(user))
    if status:
        where &= _shown_status(status)
    return (AccessRequest.objects.filter(where)
            .select_related("case", "requester_case", "requester", "requester_agency", "case__owner_agency",
                            "decided_by")
            .order_by("-created_at", "-id"))


def access_request_get(*, user, request_id) -> AccessRequest:
    try:
        return access_requests_visible(user=user).get(pk=request_id)
    except (AccessRequest.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(user, AccessRequest, request_id) from None


def is_incoming(access_request: AccessRequest, user) -> bool:
    return access_request.case.owner_agency_id == _own_agency_id(user)
