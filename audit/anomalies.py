"""Insider signals in the consultation trail, kept simple enough to explain to a supervisor.

1. Volume: in the last complete window a user opened more distinct cases than `factor` times
   their usual number for such a window (and at least `minimum`).
2. Night: in a night window (local time) a user opened at least `night_minimum` distinct cases.
"""
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from .alerts import raise_alert
from .models import AlertKind, AuditEvent, Operation

BASELINE_DAYS = 14


@dataclass(frozen=True)
class AnomalySettings:
    window: datetime.timedelta
    factor: float
    minimum: int
    night_minimum: int
    night_hours: tuple[int, int]  # [start, end) in local time, wrapping midnight

    @classmethod
    def from_settings(cls) -> "AnomalySettings":
        return cls(
            window=datetime.timedelta(hours=getattr(settings, "AUDIT_ANOMALY_WINDOW_HOURS", 1)),
            factor=getattr(settings, "AUDIT_ANOMALY_FACTOR", 5.0),
            minimum=getattr(settings, "AUDIT_ANOMALY_MINIMUM", 20),
            night_minimum=getattr(settings, "AUDIT_NIGHT_MINIMUM", 10),
            night_hours=getattr(settings, "AUDIT_NIGHT_HOURS", (22, 6)),
        )


def _distinct_cases_by_actor(start, end) -> dict[tuple[str, str], int]:
    rows = (
        AuditEvent.objects.filter(operation=Operation.CONSULTATION, at__gte=start, at__lt=end, case_id__isnull=False)
        .values("actor_username", "actor_agency")
        .annotate(cases=Count("case_id", distinct=True))
    )
    return {(row["actor_username"], row["actor_agency"]): row["cases"] for row in rows}


def _is_night(moment: datetime.datetime, hours: tuple[int, int]) -> bool:
    hour = timezone.localtime(moment).hour
    start, end = hours
    return hour >= start or hour < end if start > end else start <= hour < end


def last_complete_window(now: datetime.datetime, window: datetime.timedelta) -> datetime.datetime:
    epoch = datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc)
    return epoch + ((now - epoch) // window) * window - window


def detect_anomalies(*, now: datetime.datetime | None = None, config: AnomalySettings | None = None) -> list:
    """Check the last complete window; returns the alerts newly raised."""
    config = config or AnomalySettings.from_settings()
    start = last_complete_window(now or timezone.now(), config.window)
    end = start + config.window
    current = _distinct_cases_by_actor(start, end)
    baseline_start = start - datetime.timedelta(days=BASELINE_DAYS)
    history = _distinct_cases_by_actor(baseline_start, start)
    windows_in_baseline = datetime.timedelta(days=BASELINE_DAYS) / config.window
    raised = []
    for (username, agency), cases in current.items():
        usual = history.get((username, agency), 0) / windows_in_baseline
        if cases >= config.minimum and cases > config.factor * max(usual, 1.0):
            raised.append(raise_alert(
                kind=AlertKind.CONSULTATION_VOLUME, agency=agency, subject=username, window_start=start,
                details={"cases": cases, "usual": round(usual, 2), "factor": config.factor,
                         "window_minutes": config.window.total_seconds() / 60},
                text=(f"{username} ({agency}) opened {cases} different cases between {timezone.localtime(start):%Y-%m-%d %H:%M} "
                      f"and {timezone.localtime(end):%H:%M}; their usual number for such a period is {usual:.1f}."),
            ))
        if _is_night(start, config.night_hours) and cases >= config.night_minimum:
            raised.append(raise_alert(
                kind=AlertKind.NIGHT_CONSULTATIONS, agency=agency, subject=username, window_start=start,
                details={"cases": cases, "night_hours": list(config.night_hours)},
                text=(f"{username} ({agency}) opened {cases} different cases at night, between "
                      f"{timezone.localtime(start):%Y-%m-%d %H:%M} and {timezone.localtime(end):%H:%M}."),
            ))
    return [alert for alert in raised if alert is not None]
