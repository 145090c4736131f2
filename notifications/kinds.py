"""What can be notified, who hears of it, and what a recipient must still satisfy at delivery.

An event names its audience (the case's followers, an agency's members, addressees); who is
in it, and whether each may still hear of it, is resolved when the worker delivers it.
"""
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CASE_SHARED = "case_shared", _("Case shared with your agency")
    SHARE_LEVEL_CHANGED = "share_level_changed", _("Share level changed")
    SHARE_REVOKED = "share_revoked", _("Share revoked")
    CASE_REFERRED = "case_referred", _("Case referred to a prosecution agency")
    REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
    REFERRAL_RETURNED = "referral_returned", _("Referral returned")
    STATUS_CHANGED = "status_changed", _("Case status changed")
    NOTE_ADDED = "note_added", _("Note added")
    DOCUMENT_ADDED = "document_added", _("Document added")
    SEIZURE_ADDED = "seizure_added", _("Seizure added")
    ACCESS_REQUESTED = "access_requested", _("Access requested")
    ACCESS_DECIDED = "access_decided", _("Access request decided")
    CROSS_CASE_HIT = "cross_case_hit", _("Cross-case hit")
    EXHIBIT_SEAL_BROKEN = "exhibit_seal_broken", _("Exhibit seal found broken")
    DOCUMENT_INTEGRITY_FAILED = "document_integrity_failed", _("Document no longer matches its SHA-256")
    EVIDENCE_USE_REQUESTED = "evidence_use_requested", _("H1 evidence-use requested")
    EVIDENCE_USE_DECIDED = "evidence_use_decided", _("H1 evidence-use request decided")
    RETENTION_REVIEW_DUE = "retention_review_due", _("Data-retention review due")
    AUDIT_ALERT = "audit_alert", _("Audit alert")


class Audience(StrEnum):
    FOLLOWERS = "followers"  # users following the event's case
    AGENCY = "agency"  # active members of the event's agency
    LIAISON = "liaison"  # the liaison officers of the event's agency
    # Addressees named by the producer (payload "users") are always candidates.


class Check(StrEnum):
    SEES_CASE = "sees_case"  # the access policy lets the recipient view the case now
    FORMERLY_INFORMED = "formerly_informed"  # lost access, and had been told of the case before
    AUDITOR = "auditor"  # an auditor of the event's agency (platform administrators without one)
    ADDRESSED = "addressed"  # named by the producer; the case is named only if still visible
    DECIDES = "decides"  # the access policy lets the recipient share the case (decide a request)


@dataclass(frozen=True)
class KindRule:
    audience: frozenset[Audience]
    check: Check


_FOLLOWERS = frozenset({Audience.FOLLOWERS})
_AGENCY = frozenset({Audience.AGENCY})
_BOTH = _FOLLOWERS | _AGENCY
_ADDRESSEES = frozenset()

RULES: dict[str, KindRule] = {
    Kind.CASE_SHARED: KindRule(_AGENCY, Check.SEES_CASE),
    Kind.SHARE_LEVEL_CHANGED: KindRule(_AGENCY, Check.SEES_CASE),
    Kind.SHARE_REVOKED: KindRule(_AGENCY, Check.FORMERLY_INFORMED),
    Kind.CASE_REFERRED: KindRule(_BOTH, Check.SEES_CASE),
    Kind.REFERRAL_ACCEPTED: KindRule(_FOLLOWERS, Check.SEES_CASE),
    Kind.REFERRAL_RETURNED: KindRule(_FOLLOWERS, Check.SEES_CASE),
    Kind.STATUS_CHANGED: KindRule(_FOLLOWERS, Check.SEES_CASE),
    Kind.NOTE_ADDED: KindRule(_FOLLOWERS, Check.SEES_CASE),
    Kind.DOCUMENT_ADDED: KindRule(_FOLLOWERS, Check.SEES_CASE),
    Kind.SEIZURE_ADDED: KindRule(_FOLLOWERS, Check.SEES_CASE),
    # Hit/no-hit: the case is always the recipient's side, and the texts name the other side's
    # agency at most.
    Kind.ACCESS_REQUESTED: KindRule(_AGENCY, Check.DECIDES),
    Kind.ACCESS_DECIDED: KindRule(_FOLLOWERS, Check.ADDRESSED),
    Kind.CROSS_CASE_HIT: KindRule(frozenset({Audience.LIAISON, Audience.FOLLOWERS}), Check.SEES_CASE),
    # The case's owners: the owning agency's members who may see it (the event's agency is the owner).
    Kind.EXHIBIT_SEAL_BROKEN: KindRule(_BOTH, Check.SEES_CASE),
    Kind.DOCUMENT_INTEGRITY_FAILED: KindRule(_BOTH, Check.SEES_CASE),
    # H1 evidence use: the owner's members who may decide hear of a request; the requester and
    # their agency's followers of the case (named by the producer) hear the decision.
    Kind.EVIDENCE_USE_REQUESTED: KindRule(_AGENCY, Check.DECIDES),
    Kind.EVIDENCE_USE_DECIDED: KindRule(_ADDRESSEES, Check.SEES_CASE),
    Kind.RETENTION_REVIEW_DUE: KindRule(_FOLLOWERS, Check.SEES_CASE),
    Kind.AUDIT_ALERT: KindRule(_AGENCY, Check.AUDITOR),
}

# Events about one side of a hit: only that side's agency systems hear of them, whoever else
# holds the case.
OWN_SIDE_ONLY = frozenset({Kind.CROSS_CASE_HIT, Kind.ACCESS_REQUESTED, Kind.ACCESS_DECIDED})
