"""Domain events, sent inside the service's transaction.

Other apps (notifications) subscribe to them to write their own rows in the same
transaction; cases never imports those apps.
"""
from django.dispatch import Signal

# Each is sent with sender=Case and keyword arguments: actor, case, and those named.
case_created = Signal()
case_updated = Signal()  # changes
case_shared = Signal()  # share, previous_level
case_unshared = Signal()  # agency
case_transitioned = Signal()  # from_status, to_status, reason
case_part_added = Signal()  # part, part_type

# Hit/no-hit, sent with sender=Hit or AccessRequest.
hit_created = Signal()  # hit (one side; no actor: the matcher found it)
access_requested = Signal()  # actor, access_request
access_decided = Signal()  # actor (None when it lapsed), access_request

# Exhibits and H1 evidence use (issue 16), sent with sender=Case.
exhibit_seal_broken = Signal()  # actor, case, exhibit, event
evidence_use_requested = Signal()  # actor, case, evidence_request
evidence_use_decided = Signal()  # actor, case, evidence_request

# Documents as evidence (issue 16), sent with sender=Case; no actor: the platform found it.
document_integrity_failed = Signal()  # case, document
