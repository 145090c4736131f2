"""Tamper evidence: the hash chain, `verify_audit`, and the append-only table."""
import datetime
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction

from audit.hashing import content_hash
from audit.models import AuditEvent, AuditSeal
from audit.sealing import seal_pending
from audit.services import audit_record
from audit.verification import verify_trail

NOW = datetime.timedelta(0)


@pytest.fixture
def sealed_trail(cast):
    """The session's trail plus three fresh records, all sealed."""
    with transaction.atomic():
        for number in range(3):
            audit_record(actor=cast["rtm.officer"], operation="alteration", action="case_update",
                         object_type="case", object_id=f"tamper-{number}")
    seal_pending(horizon=NOW, batch=10**6)
    assert verify_trail().ok
    return list(AuditEvent.objects.filter(object_id__startswith="tamper-").order_by("id"))


@pytest.fixture
def unlocked_trail(db):
    """What an attacker with the database owner's rights can do: switch the trigger off."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER USER")


@pytest.fixture
def short_horizon(settings):
    settings.AUDIT_SEAL_HORIZON_SECONDS = 0


def fresh_records(actor, prefix: str, number: int = 3) -> list[AuditEvent]:
    with transaction.atomic():
        for index in range(number):
            audit_record(actor=actor, operation="alteration", action="case_update", object_type="case",
                         object_id=f"{prefix}-{index}")
    return list(AuditEvent.objects.filter(object_id__startswith=f"{prefix}-").order_by("id"))


def test_verify_audit_seals_fresh_records_first_so_a_later_deletion_is_named(cast, short_horizon, capsys):
    records = fresh_records(cast["rtm.officer"], "fresh")
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    assert AuditSeal.objects.filter(event_id=records[-1].id).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
    AuditEvent.objects.filter(pk=records[1].pk).delete()
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit", "--full")  # the record is behind the seal verified above
    assert exit_.value.code == 1
    assert f"audit record {records[1].pk}: deleted" in capsys.readouterr().err


def test_verify_audit_waits_out_the_horizon_for_the_newest_record(cast, settings):
    settings.AUDIT_SEAL_HORIZON_SECONDS = 1
    records = fresh_records(cast["rtm.officer"], "waited", number=1)
    call_command("verify_audit")
    assert AuditSeal.objects.filter(event_id=records[0].id).exists()
    call_command("verify_audit", "--no-seal")  # still intact, nothing more to seal


@pytest.mark.postgres
def test_an_open_writing_transaction_holds_sealing_back(cast):
    import psycopg2

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: no transaction can hold a smaller id open")
    other = psycopg2.connect(**connection.get_connection_params())
    try:
        with other.cursor() as cursor:  # an open transaction holding a transaction id, as a writer does
            cursor.execute("SELECT pg_current_xact_id()")
        later = fresh_records(cast["rtm.officer"], "held", number=1)
        seal_pending(horizon=NOW, batch=10**6)  # what came before that transaction may be sealed ...
        assert not AuditSeal.objects.filter(event_id=later[0].id).exists()  # ... but not what came after
        other.rollback()
        seal_pending(horizon=NOW, batch=10**6)
        assert AuditSeal.objects.filter(event_id=later[0].id).exists()
    finally:
        other.close()


def test_an_intact_sealed_trail_verifies(sealed_trail, short_horizon, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out
    assert AuditSeal.objects.filter(event_id=sealed_trail[-1].id).exists()


def test_a_changed_record_is_named(sealed_trail, unlocked_trail, short_horizon, capsys):
    target = sealed_trail[1]
    AuditEvent.objects.filter(pk=target.pk).update(justification="added afterwards")
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_audit")
    assert exit_.value.code == 1
    assert f"audit record {target.pk}: changed" in capsys.readouterr().err


def test_a_changed_record_with_a_recomputed_content_hash_breaks_the_chain(sealed_trail, unlocked_trail):
    target = sealed_trail[1]
    target.justification = "rewritten with care"
    AuditEvent.objects.filter(pk=target.pk).update(justification=target.justification,
                                                   content_hash=content_hash(target))
    result = verify_trail()
    assert result.first_break.event_id == target.pk
    assert "chain hash" in result.first_break.reason


def test_a_deleted_record_is_named(sealed_trail, unlocked_trail):
    target = sealed_trail[1]
    AuditEvent.objects.filter(pk=target.pk).delete()
    assert verify_trail().first_break.event_id == target.pk


def test_a_deleted_record_and_its_seal_are_found_at_the_next_record(sealed_trail, unlocked_trail):
    target, following = sealed_trail[1], sealed_trail[2]
    AuditEvent.objects.filter(pk=target.pk).delete()
    AuditSeal.objects.filter(event_id=target.pk).delete()
    result = verify_trail()
    assert result.first_break.event_id == following.pk
    assert "deleted" in result.first_break.reason


def test_a_record_slipped_in_behind_the_seal_is_named(sealed_trail, unlocked_trail):
    # The forger frees a slot among sealed records and puts a record of their own there.
    slot = sealed_trail[1]
    AuditSeal.objects.filter(event_id=slot.pk).delete()
    AuditEvent.objects.filter(pk=slot.pk).delete()
    forged = AuditEvent(id=slot.pk, at=slot.at, actor_username="nobody", operation="consultation",
                        action="case_view", object_type="case", object_id="forged")
    forged.content_hash = content_hash(forged)
    forged.save(force_insert=True)
    result = verify_trail()
    assert result.first_break.event_id == forged.id
    assert "out of order" in result.first_break.reason


def test_records_newer_than_the_horizon_wait_for_the_sealer(cast):
    with transaction.atomic():
        fresh = audit_record(actor=cast["rtm.officer"], operation="consultation", action="case_view",
                             object_type="case", object_id="fresh")
    seal_pending(horizon=datetime.timedelta(minutes=5), batch=10**6)
    assert not AuditSeal.objects.filter(event_id=fresh.pk).exists()
    assert verify_trail().ok


@pytest.mark.django_db(transaction=True)
def test_the_table_refuses_update_and_delete():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite is the embedded demo")
    with transaction.atomic():
        event = audit_record(actor=None, operation="erasure", action="test", object_type="x", object_id="1")
    for attempt in (lambda: AuditEvent.objects.filter(pk=event.pk).update(justification="x"),
                    lambda: AuditEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert AuditEvent.objects.get(pk=event.pk).justification == ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_sealers_never_claim_the_same_predecessor():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises all writers; the race only exists on PostgreSQL")
    with transaction.atomic():
        for number in range(200):
            audit_record(actor=None, operation="consultation", action="case_view", object_type="case",
                         object_id=str(number))
    errors = []

    def seal():
        try:
            for _ in range(5):
                seal_pending(horizon=NOW, batch=50)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=seal) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditSeal.objects.count() == AuditEvent.objects.count()
    assert verify_trail().ok
