"""Celery's part of the audit trail: export, anomaly alerts, digests, verification alerts."""
import datetime
import json

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from audit import tasks
from audit.anomalies import AnomalySettings, detect_anomalies, last_complete_window
from audit.digests import send_weekly_digests
from audit.export import FileSink, export_pending
from audit.hashing import content_hash
from audit.models import AlertKind, AuditAlert, AuditEvent, AuditExportCursor
from audit.sealing import seal_pending
from audit.services import audit_record
from notifications.models import OutboxEvent

NOW = datetime.timedelta(0)


def consultation(username: str, agency: str, case_number: int, at: datetime.datetime) -> AuditEvent:
    """A consultation record as the services write it, at a chosen time (generated activity)."""
    event = AuditEvent(at=at, actor_username=username, actor_agency=agency, actor_role="officer",
                       operation="consultation", action="case_view", object_type="case",
                       object_id=str(case_number), case_id=f"00000000-0000-0000-0000-{case_number:012d}")
    event.content_hash = content_hash(event)
    event.save(force_insert=True)
    return event


@pytest.fixture
def sink(tmp_path) -> FileSink:
    return FileSink(str(tmp_path / "audit.jsonl"))


def exported_ids(sink: FileSink) -> list[int]:
    return [json.loads(line)["id"] for line in sink.path.read_text().splitlines()]


def test_export_sends_each_sealed_record_once_and_resumes(cast, sink):
    seal_pending(horizon=NOW, batch=10**6)
    first = export_pending(sink, batch=100)
    assert first == AuditEvent.objects.count()
    assert export_pending(sink) == 0  # nothing twice
    with transaction.atomic():
        late = audit_record(actor=cast["rtm.officer"], operation="consultation", action="case_view",
                            object_type="case", object_id="late")
    assert export_pending(sink) == 0  # not sealed yet: not final, not exported
    seal_pending(horizon=NOW, batch=10**6)
    assert export_pending(sink) == 1
    ids = exported_ids(sink)
    assert ids == sorted(set(ids)) and ids[-1] == late.pk
    assert json.loads(sink.path.read_text().splitlines()[-1])["actor"]["username"] == "rtm.officer"


def test_export_after_a_crash_between_write_and_cursor_does_not_repeat(cast, sink):
    seal_pending(horizon=NOW, batch=10**6)
    export_pending(sink)
    AuditExportCursor.objects.filter(sink=sink.name).update(last_event_id=0)  # the cursor save was lost
    with transaction.atomic():
        audit_record(actor=None, operation="erasure", action="test", object_type="x", object_id="1")
    seal_pending(horizon=NOW, batch=10**6)
    assert export_pending(sink) == 1
    ids = exported_ids(sink)
    assert len(ids) == len(set(ids)) == AuditEvent.objects.count()


def test_a_burst_of_consultations_alerts_the_agencys_auditors_once(cast):
    now = timezone.now()
    window = last_complete_window(now, datetime.timedelta(hours=1))
    for day in range(1, 8):  # usual: two cases an hour, now and then
        for number in range(2):
            consultation("anr.officer", "BE-CUS-ANR", number, window - datetime.timedelta(days=day))
    for number in range(30):  # then thirty different cases in one hour
        consultation("anr.officer", "BE-CUS-ANR", 100 + number, window + datetime.timedelta(minutes=number))
    for number in range(5):  # a colleague with a normal hour
        consultation("rtm.officer", "NL-CUS-RTM", number, window + datetime.timedelta(minutes=number))
    config = AnomalySettings(window=datetime.timedelta(hours=1), factor=5, minimum=20, night_minimum=1000,
                             night_hours=(22, 6))

    raised = detect_anomalies(now=now, config=config)
    again = detect_anomalies(now=now, config=config)

    assert [(alert.kind, alert.subject, alert.details["cases"]) for alert in raised] == [
        (AlertKind.CONSULTATION_VOLUME, "anr.officer", 30)]
    assert again == []
    assert AuditAlert.objects.filter(subject="anr.officer").count() == 1


def test_many_cases_at_night_raise_a_night_alert(cast):
    night = timezone.localtime(timezone.now()).replace(hour=2, minute=0, second=0, microsecond=0)
    for number in range(12):
        consultation("liaison.officer", "EU-LIA", number, night + datetime.timedelta(minutes=number))
    config = AnomalySettings(window=datetime.timedelta(hours=1), factor=1000, minimum=1000, night_minimum=10,
                             night_hours=(22, 6))

    raised = detect_anomalies(now=night + datetime.timedelta(hours=1, minutes=5), config=config)

    assert [(alert.kind, alert.subject) for alert in raised] == [(AlertKind.NIGHT_CONSULTATIONS, "liaison.officer")]


def test_auditors_are_told_about_an_alert(cast):
    now = timezone.now()
    window = last_complete_window(now, datetime.timedelta(hours=1))
    for number in range(25):
        consultation("rtm.analyst", "NL-CUS-RTM", number, window + datetime.timedelta(minutes=1))
    detect_anomalies(now=now, config=AnomalySettings(window=datetime.timedelta(hours=1), factor=5, minimum=20,
                                                     night_minimum=1000, night_hours=(22, 6)))
    event = OutboxEvent.objects.get(kind="audit_alert")
    assert event.agency.code == "NL-CUS-RTM" and "rtm.analyst" in event.payload["text"]


def test_weekly_digest_goes_to_each_agencys_auditors_once(cast):
    today = timezone.localdate()
    last_week = timezone.now() - datetime.timedelta(days=7)
    consultation("rtm.officer", "NL-CUS-RTM", 1, last_week.replace(hour=12))
    sent = send_weekly_digests(today=today + datetime.timedelta(days=0))
    again = send_weekly_digests(today=today)
    recipients = [message.to for message in mail.outbox]
    assert sent >= 1 and again == 0
    assert ["rtm.auditor@portcullis.example"] in recipients
    digest = next(message for message in mail.outbox if message.to == ["rtm.auditor@portcullis.example"])
    assert "NL-CUS-RTM" in digest.subject and "consultation" in digest.body


def test_the_periodic_check_alerts_platform_admins_on_a_break(cast):
    seal_pending(horizon=NOW, batch=10**6)
    assert tasks.verify_audit_trail.apply().get() is True
    newest = AuditEvent.objects.order_by("-id").first()
    forged = AuditEvent(id=newest.id + 10_000, at=newest.at, object_type="x", object_id="x", operation="erasure",
                        action="forged", content_hash="0" * 64)  # does not match its own content
    forged.save(force_insert=True)

    assert tasks.verify_audit_trail.apply().get() is False

    alert = AuditAlert.objects.get(kind=AlertKind.CHAIN_BROKEN)
    assert alert.details["event_id"] == forged.id
    told = OutboxEvent.objects.get(kind="audit_alert")
    assert told.agency is None and str(forged.id) in told.payload["text"]  # platform administrators
