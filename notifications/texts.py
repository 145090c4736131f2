"""The inbox text of an event for one recipient.

Texts hold codes (agencies, levels, statuses) and, only for a recipient who may name the
case, its reference and handling code: never a title, party, seizure or note content.
"""
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

from cases.choices import DocumentKind, MatchKeyKind, ShareLevel, Status

from .kinds import Kind
from .models import OutboxEvent

PHRASES = {
    Kind.CASE_SHARED: _("Shared with {agency} ({level}) by {by}."),
    Kind.SHARE_LEVEL_CHANGED: _("The share of {agency} changed from {previous_level} to {level} by {by}."),
    Kind.SHARE_REVOKED: _("{by} revoked the share of {agency}."),
    Kind.CASE_REFERRED: _("Referred to {agency} by {by}."),
    Kind.REFERRAL_ACCEPTED: _("Referral accepted by {by}: the case is judicial."),
    Kind.REFERRAL_RETURNED: _("Referral returned by {by}: the case is open again."),
    Kind.STATUS_CHANGED: _("Status changed from {from_status} to {to_status} by {by}."),
    Kind.NOTE_ADDED: _("A note was added by {by}."),
    Kind.DOCUMENT_ADDED: _("A document was added by {by}."),
    Kind.SEIZURE_ADDED: _("A seizure was added by {by}."),
    Kind.ACCESS_REQUESTED: _("{by} requests {level} access to this case, from a hit ({identifier_kind})."),
    Kind.ACCESS_DECIDED: _("The access request to {other_agency} from this case was {decision} by {by}."),
    Kind.CROSS_CASE_HIT: _("Matches a case held by {other_agency} ({identifier_kind})."),
    Kind.EXHIBIT_SEAL_BROKEN: _("{by} found the seal of exhibit {exhibit} broken."),
    Kind.DOCUMENT_INTEGRITY_FAILED: _("The file of a document ({document_kind}) no longer matches its recorded "
                                      "SHA-256: it is marked on the case and no longer handed out."),
    Kind.EVIDENCE_USE_REQUESTED: _("{by} asks to use this H1 case in judicial proceedings."),
    Kind.EVIDENCE_USE_DECIDED: _("The evidence-use request was {decision} by {by}."),
    Kind.RETENTION_REVIEW_DUE: _("The data-retention review is due on {review_due}."),
    Kind.AUDIT_ALERT: _("Audit alert: {alert}"),
}


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "")


def _values(event: OutboxEvent) -> dict:
    payload = event.payload
    decision = payload.get("decision") or ("approved" if payload.get("approved") else "refused")
    return {
        "agency": event.agency.code if event.agency_id else "",
        "by": payload.get("by") or _("the platform"),
        "level": _label(ShareLevel, payload.get("level")),
        "previous_level": _label(ShareLevel, payload.get("previous_level")),
        "from_status": _label(Status, payload.get("from_status")),
        "to_status": _label(Status, payload.get("to_status")),
        "decision": {"approved": _("approved"), "granted": _("granted"), "refused": _("refused")}.get(decision, decision),
        "other_agency": payload.get("other_agency", ""),
        "identifier_kind": _label(MatchKeyKind, payload.get("identifier_kind")),
        "review_due": payload.get("review_due", ""),
        "exhibit": payload.get("exhibit", ""),
        "document_kind": _label(DocumentKind, payload.get("document_kind")),
        "alert": payload.get("text", ""),
    }


EXPIRED_REQUEST = _("The access request to {other_agency} from this case expired without an answer.")


def inbox_text(event: OutboxEvent, *, names_case: bool) -> str:
    expired = event.kind == Kind.ACCESS_DECIDED and event.payload.get("decision") == "expired"
    phrase = str(EXPIRED_REQUEST if expired else PHRASES[event.kind]).format_map(defaultdict(str, _values(event)))
    if names_case and event.case_id:
        return f"{event.case.reference} [{event.case.handling_code}]: {phrase}"
    return phrase
