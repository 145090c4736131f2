"""The audit trail's after-work, run by Celery beat. Every task is idempotent."""
from celery import shared_task
from django.utils import timezone

from .alerts import raise_alert
from .anomalies import detect_anomalies
from .digests import send_weekly_digests
from .export import configured_sink, export_pending
from .models import AlertKind
from .sealing import seal_pending
from .verification import verify

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "retry_jitter": True, "max_retries": 5}


@shared_task(**RETRY)
def seal_audit_trail() -> int:
    return seal_pending()


@shared_task(**RETRY)
def verify_audit_trail(full: bool = False) -> bool:
    """Seal, then recompute the chain since the last verified seal (everything when `full`: the
    nightly pass); a break alerts the platform administrators."""
    seal_pending()
    result = verify(full=full)
    if not result.ok:
        broken = result.first_break
        raise_alert(
            kind=AlertKind.CHAIN_BROKEN, agency="", subject=f"record {broken.event_id}",
            window_start=timezone.now().replace(minute=0, second=0, microsecond=0),
            details={"event_id": broken.event_id, "reason": broken.reason},
            text=f"The audit trail is broken at {broken}. Run `manage.py verify_audit` and investigate.",
        )
    return result.ok


@shared_task(**RETRY)
def export_audit_trail() -> int:
    sink = configured_sink()
    return export_pending(sink) if sink else 0


@shared_task(**RETRY)
def detect_consultation_anomalies() -> int:
    return len(detect_anomalies())


@shared_task(**RETRY)
def send_weekly_auditor_digests() -> int:
    return send_weekly_digests()
