"""Access requests from hits: ask, decide, lapse.

The requester's agency asks the owner of the other case for a share at a level (view or
contribute). The owner side decides with the sharing service's own rights (SHARE; on H2 only
the owner), so an approval is an ordinary share: its disclosure record, notifications and H2
rules apply. Every step is audited on both sides and both sides are notified.
"""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.selectors import active_membership
from audit.models import Operation
from audit.services import audit_record
from coordination.errors import Conflict

from ..access import Action
from ..choices import ShareLevel
from ..models import AccessRequest, AccessRequestStatus, Case, CaseShare, Hit, HitStatus
from ..signals import access_decided, access_requested
from ..selectors_hits import access_request_get, hits_visible, not_visible
from .guard import audited_case, case_for_write
from .sharing import SHARE_LEVEL, share_with_agency

REQUESTABLE_LEVELS = (ShareLevel.VIEW.value, ShareLevel.CONTRIBUTE.value)


def _audit(*, actor, access_request: AccessRequest, case: Case, operation: str, action: str,
           changes: dict, justification: str = "", recipient: str = "") -> None:
    """A record in the trail of `case`, naming both cases of the request."""
    audit_record(
        actor=actor, operation=operation, action=action, object_type="access_request",
        object_id=access_request.pk, justification=justification, recipient=recipient,
        changes={"requester_case": str(access_request.requester_case_id), "case": str(access_request.case_id),
                 **changes},
        **audited_case(case),
    )


def _clean_level(level: str, field: str = "level") -> str:
    if level not in REQUESTABLE_LEVELS:
        raise ValidationError({field: [_("Choose view or contribute.")]})
    return level


@transaction.atomic
def access_request_create(*, actor, hit_id, level: str, justification: str) -> AccessRequest:
    """Ask for the other case of a hit the actor can see. 404 for a hit they cannot see; 409
    when a request on it is still pending, or the other case is already visible to them."""
    level = _clean_level(level)
    justification = (justification or "").strip()
    if not justification:
        raise ValidationError({"justification": [_("Say why your agency needs this case.")]})
    try:
        hit = hits_visible(user=actor).select_for_update(of=("self",)).get(pk=hit_id)
    except (Hit.DoesNotExist, ValidationError, ValueError, TypeError):
        raise not_visible(actor, Hit, hit_id) from None
    if hit.other_visible:
        raise Conflict(_("Your agency can already see the other case."), code="already_visible")
    membership = active_membership(actor)
    access_request = AccessRequest(
        hit=hit, requester_case=hit.case, case=hit.other_case, requester=actor, requester_agency=membership.agency,
        kind=hit.kind, key=hit.key, level=level, justification=justification,
        expires_at=timezone.now() + datetime.timedelta(days=settings.ACCESS_REQUEST_TTL_DAYS),
    )
    try:
        with transaction.atomic():
            access_request.save()
    except IntegrityError:  # one_pending_request_per_hit
        raise Conflict(_("A request from this hit is already waiting for an answer."), code="already_requested") \
            from None
    Hit.objects.filter(pk=hit.pk).update(status=HitStatus.REQUESTED)
    for case in (hit.case, hit.other_case):
        _audit(actor=actor, access_request=access_request, case=case, operation=Operation.COMBINATION,
               action="access_request_create", changes={"level": level}, justification=justification,
               recipient=hit.other_case.owner_agency.code)
    access_requested.send(sender=AccessRequest, actor=actor, access_request=access_request)
    return access_request


def _pending_for_decision(actor, request_id) -> AccessRequest:
    """The request locked, if the actor is on its owner side (404 otherwise) and may share its
    case (the sharing service's own check: 403, archived cases read-only)."""
    visible = access_request_get(user=actor, request_id=request_id)
    if visible.case.owner_agency_id != getattr(active_membership(actor), "agency_id", None):
        raise not_visible(actor, AccessRequest, visible.pk)  # the requester's side asks, it does not decide
    case = case_for_write(actor=actor, case_id=visible.case_id, action=Action.SHARE)
    access_request = (AccessRequest.objects.select_for_update(of=("self",))
                      .select_related("requester_case__owner_agency", "requester_agency__group", "requester")
                      .get(pk=visible.pk))
    access_request.case = case
    if access_request.status != AccessRequestStatus.PENDING:
        raise Conflict(_("This request has already been %(status)s.") % {"status": access_request.get_status_display()
                                                                        .lower()}, code="already_decided")
    if access_request.expires_at <= timezone.now():
        raise Conflict(_("This request has expired."), code="expired")
    return access_request


def _grant(actor, access_request: AccessRequest, level: str, reason: str) -> None:
    """The share, through the sharing service; a share the agency already holds at this level
    or above (made since the request) stays as it is."""
    case = access_request.case
    if case.restricted:
        raise ValidationError({"approve": [_("A restricted case is opened to named users, not to whole agencies.")]})
    held = CaseShare.objects.filter(case=case, agency=access_request.requester_agency).values_list("level", flat=True)
    if held and SHARE_LEVEL[held[0]] >= SHARE_LEVEL[level]:
        return
    share_with_agency(actor=actor, case=case, agency=access_request.requester_agency, level=level,
                      justification=reason or access_request.justification)


@transaction.atomic
def access_request_decide(*, actor, request_id, approve: bool, level: str | None = None,
                          reason: str = "") -> AccessRequest:
    """The owner side approves (a share at `level`, at most the level asked) or refuses (with a reason)."""
    access_request = _pending_for_decision(actor, request_id)
    reason = (reason or "").strip()
    if approve:
        level = _clean_level(level or access_request.level)
        if SHARE_LEVEL[level] > SHARE_LEVEL[access_request.level]:
            raise ValidationError({"level": [_("At most the level asked for (%(level)s).")
                                             % {"level": access_request.level}]})
        _grant(actor, access_request, level, reason)
    elif not reason:
        raise ValidationError({"reason": [_("Say why the request is refused.")]})
    access_request.status = AccessRequestStatus.APPROVED if approve else AccessRequestStatus.REFUSED
    access_request.decided_by, access_request.decided_at = actor, timezone.now()
    access_request.decided_level = level if approve else ""
    access_request.reason = reason
    access_request.save(update_fields=["status", "decided_by", "decided_at", "decided_level", "reason"])
    if access_request.hit_id:
        Hit.objects.filter(pk=access_request.hit_id).update(
            status=HitStatus.GRANTED if approve else HitStatus.REFUSED)
    _record_decision(actor=actor, access_request=access_request, decision=access_request.status, reason=reason)
    return access_request


def _record_decision(*, actor, access_request: AccessRequest, decision: str, reason: str) -> None:
    """The decision in both trails (a disclosure, or its refusal) and to the requester's side."""
    changes = {"decision": decision, "level": access_request.decided_level or None}
    for case in (access_request.case, access_request.requester_case):
        _audit(actor=actor, access_request=access_request, case=case, operation=Operation.DISCLOSURE,
               action="access_request_decide", changes=changes, justification=reason,
               recipient=access_request.requester_agency.code)
    access_decided.send(sender=AccessRequest, actor=actor, access_request=access_request)


def access_requests_expire(*, now: datetime.datetime | None = None) -> int:
    """Pending requests past their expiry lapse (the beat task); their hits can be asked again."""
    now = now or timezone.now()
    expired = 0
    for request_id in AccessRequest.objects.filter(status=AccessRequestStatus.PENDING, expires_at__lte=now) \
            .values_list("pk", flat=True):
        expired += _expire_one(request_id, now)
    return expired


@transaction.atomic
def _expire_one(request_id, now) -> int:
    access_request = (AccessRequest.objects.select_for_update(of=("self",))
                      .select_related("case__owner_agency", "requester_case__owner_agency", "requester_agency",
                                      "requester")
                      .filter(pk=request_id, status=AccessRequestStatus.PENDING, expires_at__lte=now).first())
    if access_request is None:  # decided in the meantime
        return 0
    access_request.status = AccessRequestStatus.EXPIRED
    access_request.save(update_fields=["status"])
    if access_request.hit_id:
        Hit.objects.filter(pk=access_request.hit_id, status=HitStatus.REQUESTED).update(status=HitStatus.NEW)
    for case in (access_request.case, access_request.requester_case):
        _audit(actor=None, access_request=access_request, case=case, operation=Operation.ALTERATION,
               action="access_request_expire", changes={"status": [AccessRequestStatus.PENDING.value,
                                                                   AccessRequestStatus.EXPIRED.value]})
    access_decided.send(sender=AccessRequest, actor=None, access_request=access_request)
    return 1
