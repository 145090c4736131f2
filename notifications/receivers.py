"""Domain events from cases and audit, turned into outbox rows.

The case signals are sent inside each service's transaction, so the rows written here commit
or roll back with the act itself.
"""
from agencies.models import Membership
from audit.signals import audit_alert
from cases import signals as case_signals
from cases.choices import Status

from .kinds import Kind
from .models import CaseFollow
from .services import follow_automatically, notify, notify_audit_alert

PART_KINDS = {"note": Kind.NOTE_ADDED, "document": Kind.DOCUMENT_ADDED, "seizure": Kind.SEIZURE_ADDED}


def _transition_kind(from_status: str, to_status: str) -> str:
    if to_status == Status.REFERRED:
        return Kind.CASE_REFERRED
    if from_status == Status.REFERRED and to_status == Status.JUDICIAL:
        return Kind.REFERRAL_ACCEPTED
    if from_status == Status.REFERRED and to_status == Status.OPEN:
        return Kind.REFERRAL_RETURNED
    return Kind.STATUS_CHANGED


def on_case_acted(sender, actor, case, **kwargs) -> None:
    follow_automatically(user=actor, case=case)


def on_case_shared(sender, actor, case, share, previous_level, **kwargs) -> None:
    follow_automatically(user=actor, case=case)
    if previous_level == share.level:
        return
    if case.referred_to_id == share.agency_id and case.status != Status.REFERRED:
        return  # the share a referral grants: the referral notice tells that agency
    notify(kind=Kind.CASE_SHARED if previous_level is None else Kind.SHARE_LEVEL_CHANGED, actor=actor, case=case,
           agency=share.agency, payload={"level": share.level, "previous_level": previous_level})


def on_case_unshared(sender, actor, case, agency, **kwargs) -> None:
    notify(kind=Kind.SHARE_REVOKED, actor=actor, case=case, agency=agency)


def on_case_transitioned(sender, actor, case, from_status, to_status, **kwargs) -> None:
    follow_automatically(user=actor, case=case)
    # The reason is free text and stays out: it may hold case content.
    notify(kind=_transition_kind(from_status, to_status), actor=actor, case=case,
           agency=case.referred_to if to_status == Status.REFERRED else None,
           payload={"from_status": from_status, "to_status": to_status})


def on_case_part_added(sender, actor, case, part, part_type, **kwargs) -> None:
    follow_automatically(user=actor, case=case)
    if part_type in PART_KINDS:
        notify(kind=PART_KINDS[part_type], actor=actor, case=case, payload={"part": str(part.pk)})


def on_hit_created(sender, hit, **kwargs) -> None:
    """The side's liaison officers and its case's followers hear that another agency holds
    something of this kind: that agency's code and the kind, nothing of the other case."""
    notify(kind=Kind.CROSS_CASE_HIT, case=hit.case, agency=hit.case.owner_agency,
           payload={"hit": str(hit.pk), "other_agency": hit.other_case.owner_agency.code,
                    "identifier_kind": hit.kind},
           dedupe_key=f"cross_case_hit:{hit.pk}")


def on_access_requested(sender, actor, access_request, **kwargs) -> None:
    """Those of the owning agency who may decide (share the case) hear of it."""
    notify(kind=Kind.ACCESS_REQUESTED, actor=actor, case=access_request.case, agency=access_request.case.owner_agency,
           payload={"access_request": str(access_request.pk), "level": access_request.level,
                    "identifier_kind": access_request.kind})


def on_access_decided(sender, actor, access_request, **kwargs) -> None:
    """The requester and the followers of the requesting case hear the answer (or the lapse)."""
    notify(kind=Kind.ACCESS_DECIDED, actor=actor, case=access_request.requester_case,
           agency=access_request.requester_agency, users=[access_request.requester],
           payload={"access_request": str(access_request.pk), "decision": access_request.status,
                    "level": access_request.decided_level, "other_agency": access_request.case.owner_agency.code})


def on_exhibit_seal_broken(sender, actor, case, exhibit, event, **kwargs) -> None:
    """The case's owners (its agency's members who see it) and its followers hear of a broken seal."""
    notify(kind=Kind.EXHIBIT_SEAL_BROKEN, actor=actor, case=case, agency=case.owner_agency,
           payload={"exhibit": exhibit.number, "event": str(event.pk)})


def on_evidence_use_requested(sender, actor, case, evidence_request, **kwargs) -> None:
    """The prosecutor follows the case; those of the owning agency who may decide (share the
    case) hear of the request: its id and how many items, never the justification."""
    follow_automatically(user=actor, case=case)
    notify(kind=Kind.EVIDENCE_USE_REQUESTED, actor=actor, case=case, agency=case.owner_agency,
           payload={"evidence_request": str(evidence_request.pk), "items": evidence_request.items.count()})


def on_evidence_use_decided(sender, actor, case, evidence_request, **kwargs) -> None:
    """The requester and their agency's followers of the case hear the decision (not its reason:
    free text)."""
    colleagues = Membership.objects.filter(agency_id=evidence_request.requester_agency_id, active=True)
    following = CaseFollow.objects.filter(case=case, following=True, user_id__in=colleagues.values("user_id"))
    notify(kind=Kind.EVIDENCE_USE_DECIDED, actor=actor, case=case, agency=evidence_request.requester_agency,
           users=[evidence_request.requested_by, *(follow.user for follow in following.select_related("user"))],
           payload={"evidence_request": str(evidence_request.pk), "decision": evidence_request.status})


def on_document_integrity_failed(sender, case, document, **kwargs) -> None:
    """The case's owners and followers hear that a document's file no longer matches (its auditors
    are alerted through audit)."""
    notify(kind=Kind.DOCUMENT_INTEGRITY_FAILED, case=case, agency=case.owner_agency,
           payload={"document": str(document.pk), "document_kind": document.kind},
           dedupe_key=f"document_integrity_failed:{document.pk}:{document.integrity_failed_at.isoformat()}")


def on_audit_alert(sender, alert, recipients=(), text="", **kwargs) -> None:
    notify_audit_alert(agency_code=alert.agency, text=text, recipients=recipients, alert_id=alert.pk)


def connect() -> None:
    uid = "notifications.{}".format
    case_signals.case_created.connect(on_case_acted, dispatch_uid=uid("case_created"))
    case_signals.case_updated.connect(on_case_acted, dispatch_uid=uid("case_updated"))
    case_signals.case_shared.connect(on_case_shared, dispatch_uid=uid("case_shared"))
    case_signals.case_unshared.connect(on_case_unshared, dispatch_uid=uid("case_unshared"))
    case_signals.case_transitioned.connect(on_case_transitioned, dispatch_uid=uid("case_transitioned"))
    case_signals.case_part_added.connect(on_case_part_added, dispatch_uid=uid("case_part_added"))
    case_signals.hit_created.connect(on_hit_created, dispatch_uid=uid("hit_created"))
    case_signals.access_requested.connect(on_access_requested, dispatch_uid=uid("access_requested"))
    case_signals.access_decided.connect(on_access_decided, dispatch_uid=uid("access_decided"))
    case_signals.exhibit_seal_broken.connect(on_exhibit_seal_broken, dispatch_uid=uid("exhibit_seal_broken"))
    case_signals.evidence_use_requested.connect(on_evidence_use_requested, dispatch_uid=uid("evidence_use_requested"))
    case_signals.evidence_use_decided.connect(on_evidence_use_decided, dispatch_uid=uid("evidence_use_decided"))
    case_signals.document_integrity_failed.connect(on_document_integrity_failed,
                                                   dispatch_uid=uid("document_integrity_failed"))
    audit_alert.connect(on_audit_alert, dispatch_uid=uid("audit_alert"))
