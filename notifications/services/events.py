"""Recording events: the entry points for every producer, and automatic follows."""
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from agencies.selectors import agency_code_and_role

from ..kinds import Kind
from ..models import CaseFollow, OutboxEvent
from ..outbox import record_event
from ..selectors import cases_with_review_due


def notify(*, kind: str, actor=None, case=None, agency: Agency | None = None, users: Iterable = (),
           payload: dict | None = None, dedupe_key: str | None = None) -> OutboxEvent | None:
    """Record an event of `kind`, delivered after the caller's transaction commits.

    For producers in any app (access requests, cross-case hits, H1 evidence use, ...):
    - `case`: the case the recipients must be able to see when it is delivered;
    - `agency`: the agency concerned, whose members hear of it where the kind says so;
    - `users`: addressees named by the producer;
    - `payload`: ids and codes only (see notifications.texts), never case content.
    Runs in the caller's transaction when there is one, so the row commits with the act.
    """
    kind = Kind(kind)
    body = dict(payload or {})
    addressees = sorted({user.pk for user in users})
    if addressees:
        body["users"] = addressees
    if actor is not None and getattr(actor, "is_authenticated", False):
        body.setdefault("by", agency_code_and_role(actor)[0])
    with transaction.atomic(savepoint=False):
        return record_event(kind=kind, case=case, agency=agency, actor=actor, payload=body, dedupe_key=dedupe_key)


def notify_audit_alert(*, agency_code: str, text: str, recipients: Iterable = (), alert_id=None) -> OutboxEvent | None:
    """An audit alert for the auditors of `agency_code` (platform administrators when blank).

    The text is the audit app's own and reaches only auditors; e-mails still carry only a link.
    Connected to audit.signals.audit_alert; other apps may call it directly.
    """
    agency = Agency.objects.filter(code=agency_code).first() if agency_code else None
    return notify(kind=Kind.AUDIT_ALERT, agency=agency, users=recipients, payload={"text": text, "alert": alert_id},
                  dedupe_key=f"audit_alert:{alert_id}" if alert_id is not None else None)


def retention_reviews_notify(*, today: datetime.date | None = None) -> int:
    """Record a review-due event once per case and review date, when the date comes within
    NOTIFICATIONS_RETENTION_NOTICE_DAYS (or has passed unnoticed); returns how many."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.NOTIFICATIONS_RETENTION_NOTICE_DAYS)
    due = {f"retention_review_due:{case.pk}:{case.review_due.isoformat()}": case
           for case in cases_with_review_due(on_or_before=horizon)}
    known = set(OutboxEvent.objects.filter(dedupe_key__in=list(due)).values_list("dedupe_key", flat=True))
    recorded = 0
    for key, case in due.items():
        if key not in known:
            recorded += notify(kind=Kind.RETENTION_REVIEW_DUE, case=case, dedupe_key=key,
                               payload={"review_due": case.review_due.isoformat()}) is not None
    return recorded


def follow_automatically(*, user, case) -> None:
    """Creators and those who act on a case follow it, unless they unfollowed it before."""
    if user is None or not getattr(user, "is_authenticated", False):
        return
    CaseFollow.objects.bulk_create([CaseFollow(user=user, case=case)], ignore_conflicts=True)
