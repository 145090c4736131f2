"""The weekly digest for each agency's auditors: what was done, by whom, and what was flagged."""
import datetime

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from .context import auditors_of
from .models import AuditAlert, AuditDigest, AuditEvent, Operation


def week_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday())


def digest_text(agency: str, start: datetime.datetime, end: datetime.datetime) -> str:
    events = AuditEvent.objects.filter(actor_agency=agency, at__gte=start, at__lt=end)
    by_operation = dict(events.values_list("operation").annotate(n=Count("id")).order_by("operation"))
    top = (events.filter(operation=Operation.CONSULTATION).values("actor_username")
           .annotate(cases=Count("case_id", distinct=True)).order_by("-cases")[:5])
    alerts = AuditAlert.objects.filter(agency=agency, created_at__gte=start, created_at__lt=end)
    lines = [f"Audit digest for {agency}, {start:%Y-%m-%d} to {end:%Y-%m-%d}", "", "Acts by operation:"]
    lines += [f"  {operation}: {count}" for operation, count in by_operation.items()] or ["  none"]
    lines += ["", "Most cases consulted:"]
    lines += [f"  {row['actor_username']}: {row['cases']}" for row in top] or ["  none"]
    lines += ["", f"Alerts: {alerts.count()}"]
    lines += [f"  {alert}" for alert in alerts[:20]]
    return "\n".join(lines)


def send_weekly_digests(*, today: datetime.date | None = None) -> int:
    """Send last week's digest to each agency's auditors, once; returns how many were sent."""
    this_week = week_start(today or timezone.localdate())
    start_day = this_week - datetime.timedelta(days=7)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(start_day, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(this_week, datetime.time.min, tzinfo=tz)
    agencies = AuditEvent.objects.filter(at__gte=start, at__lt=end).exclude(actor_agency="") \
        .values_list("actor_agency", flat=True).distinct()
    sent = 0
    for agency in sorted(set(agencies)):
        addresses = [user.email for user in auditors_of(agency) if user.email]
        if not addresses:
            continue
        try:
            with transaction.atomic():
                AuditDigest.objects.create(agency=agency, week_start=start_day)
                send_mail(subject=f"[Portcullis audit] Weekly digest {agency}", message=digest_text(agency, start, end),
                          from_email=None, recipient_list=addresses)
        except IntegrityError:
            continue
        sent += 1
    return sent
