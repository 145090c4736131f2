"""Incremental verification: each pass starts after the last seal an earlier pass found intact;
the nightly full pass recomputes everything."""
import datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit import tasks
from audit.hashing import content_hash
from audit.models import AlertKind, AuditAlert, AuditCheckpoint, AuditEvent, AuditSeal
from audit.sealing import seal_pending
from audit.services import audit_record
from audit.verification import verify

NOW = datetime.timedelta(0)


def sealed_records(actor, prefix: str, number: int = 3) -> list[AuditEvent]:
    with transaction.atomic():
        for index in range(number):
            audit_record(actor=actor, operation="alteration", action="case_update", object_type="case",
                         object_id=f"{prefix}-{index}")
    seal_pending(horizon=NOW, batch=10**6)
    return list(AuditEvent.objects.filter(object_id__startswith=f"{prefix}-").order_by("id"))


@pytest.fixture
def unlocked_trail(db):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("audit_auditevent", "audit_auditseal"):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")


def test_a_pass_that_finds_the_trail_intact_remembers_its_newest_seal(cast):
    seal_pending(horizon=NOW, batch=10**6)
    first = verify()
    assert first.ok and first.since is None  # nothing verified yet: from the first record
    newest = AuditSeal.objects.order_by("-event_id").first()
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.event_id, checkpoint.chain_hash, checkpoint.full) == (newest.event_id, newest.chain_hash, True)

    records = sealed_records(cast["rtm.officer"], "later")
    second = verify()
    assert second.ok and second.since == newest.event_id
    assert second.events == second.sealed == len(records)  # only what was written since
    assert AuditCheckpoint.objects.order_by("-id").first().event_id == records[-1].id


def test_an_incremental_pass_names_a_record_deleted_since_the_last_pass(cast, unlocked_trail):
    seal_pending(horizon=NOW, batch=10**6)
    assert verify().ok
    records = sealed_records(cast["rtm.officer"], "since")
    AuditEvent.objects.filter(pk=records[1].pk).delete()
    result = verify()
    assert result.first_break.event_id == records[1].pk and "deleted" in result.first_break.reason
    assert not verify().ok  # the checkpoint does not move past a break


def test_an_incremental_pass_names_an_unsealed_record_changed_since(cast, unlocked_trail):
    seal_pending(horizon=NOW, batch=10**6)
    assert verify().ok
    with transaction.atomic():
        fresh = audit_record(actor=cast["rtm.officer"], operation="consultation", action="case_view",
                             object_type="case", object_id="fresh")
    AuditEvent.objects.filter(pk=fresh.pk).update(justification="added afterwards")
    assert verify().first_break.event_id == fresh.pk


def test_a_change_before_the_last_verified_seal_is_left_to_the_full_pass(cast, unlocked_trail, capsys):
    records = sealed_records(cast["rtm.officer"], "old")
    call_command("verify_audit", "--no-seal")
    target = records[0]
    target.justification = "rewritten with care"
    AuditEvent.objects.filter(pk=target.pk).update(justification=target.justification,
                                                   content_hash=content_hash(target))

    call_command("verify_audit", "--no-seal")
    assert f"since verified record {records[-1].id}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit", "--no-seal", "--full")
    assert exit_.value.code == 1
    assert f"audit record {target.pk}: chain hash does not match" in capsys.readouterr().err


def test_a_rewritten_seal_at_the_checkpoint_is_named(cast, unlocked_trail):
    records = sealed_records(cast["rtm.officer"], "anchor")
    assert verify().ok
    AuditSeal.objects.filter(event_id=records[-1].id).update(chain_hash="f" * 64)
    result = verify()
    assert result.first_break.event_id == records[-1].id
    assert "seal changed since it was verified" in result.first_break.reason


def test_the_nightly_full_pass_alerts_on_a_break_the_incremental_one_cannot_see(cast, unlocked_trail):
    records = sealed_records(cast["rtm.officer"], "nightly")
    assert tasks.verify_audit_trail.apply().get() is True
    AuditEvent.objects.filter(pk=records[0].pk).update(justification="added afterwards")
    assert tasks.verify_audit_trail.apply().get() is True  # behind the checkpoint
    assert tasks.verify_audit_trail.apply(kwargs={"full": True}).get() is False
    assert AuditAlert.objects.get(kind=AlertKind.CHAIN_BROKEN).details["event_id"] == records[0].pk


def test_the_full_pass_is_scheduled_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["audit-verify-full"]
    assert entry["task"] == "audit.tasks.verify_audit_trail" and entry["kwargs"] == {"full": True}
    assert entry["schedule"].hour == {settings.AUDIT_FULL_VERIFY_HOUR}


@pytest.mark.django_db(transaction=True)
def test_checkpoints_refuse_update_and_delete():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite is the embedded demo")
    checkpoint = AuditCheckpoint.objects.create(event_id=1, chain_hash="0" * 64, full=True)
    for attempt in (lambda: AuditCheckpoint.objects.filter(pk=checkpoint.pk).update(event_id=2),
                    lambda: AuditCheckpoint.objects.filter(pk=checkpoint.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditCheckpoint.objects.get(pk=checkpoint.pk).event_id == 1
