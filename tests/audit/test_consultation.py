"""Who looked at what and why: consultation records, justifications, H3 acknowledgement,
denied attempts and failed logins."""
import datetime

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from audit.context import RequestContext, reset_request_context, set_request_context
from audit.hashing import content_hash
from audit.models import AuditEvent
from audit.sealing import seal_pending
from audit.services import audit_record_once_per_session
from audit.verification import verify_trail
from cases.services import case_acknowledge_conditions, case_consult, case_create, case_share, seizure_add
from cases.services.consultation import conditions_acknowledged
from coordination.errors import ActionForbidden


def postgres_only(reason: str) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip(reason)


def api(user, **headers) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(**headers)
    return client


def views_of(case, username) -> int:
    return AuditEvent.objects.filter(case_id=case.pk, actor_username=username, action="case_view").count()


def test_repeated_views_in_one_session_and_hour_are_one_record(cast, matrix_case):
    case = matrix_case("owned")
    client = APIClient()
    client.force_login(cast["rtm.officer"])
    for _ in range(3):
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert views_of(case, "rtm.officer") == 1


def test_a_new_session_is_a_new_record(cast, matrix_case):
    case = matrix_case("owned")
    for _ in range(2):
        client = APIClient()
        client.force_login(cast["rtm.officer"])  # a fresh session cookie each time
        assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert views_of(case, "rtm.officer") == 2


def test_first_look_at_another_agencys_case_needs_a_reason(cast, matrix_case):
    case = matrix_case("shared_view")
    reader = cast["anr.officer"]
    with pytest.raises(ActionForbidden) as refused:
        case_consult(actor=reader, case=case)
    assert refused.value.code == "justification_required"
    case_consult(actor=reader, case=case, justification="Same consignee as our case BEANR-2026-000003")
    case_consult(actor=reader, case=case)  # later looks need none
    assert AuditEvent.objects.get(case_id=case.pk, actor_username="anr.officer").justification.startswith("Same")


def test_own_agency_cases_need_no_reason_and_policy_can_waive_it(cast, matrix_case):
    case_consult(actor=cast["rtm.analyst"], case=matrix_case("owned"))
    agency = cast["anr.officer"].memberships.get().agency
    agency.justify_foreign_consultation = False
    agency.save()
    case_consult(actor=cast["anr.officer"], case=matrix_case("shared_view"))


@pytest.mark.parametrize("part", ["seizures", "identifiers", "parties", "route", "notes", "documents"])
def test_listing_a_part_of_another_agencys_case_is_a_consultation_that_needs_a_reason(cast, matrix_case, part):
    case, url = matrix_case("shared_view"), f"/api/v1/cases/{matrix_case('shared_view').pk}/{part}/"
    consultations = AuditEvent.objects.filter(case_id=case.pk, actor_username="anr.officer", operation="consultation")
    refused = api(cast["anr.officer"]).get(url)
    assert (refused.status_code, refused.json()["code"]) == (403, "justification_required")
    assert "results" not in refused.json() and not consultations.exists()
    assert api(cast["anr.officer"], HTTP_X_JUSTIFICATION="Same vessel as BEANR-2026-000007").get(url).status_code == 200
    record = consultations.get()
    assert (record.action, record.justification) == (
        "parties_view" if part == "parties" else "case_view", "Same vessel as BEANR-2026-000007")
    assert api(cast["anr.officer"]).get(url).status_code == 200  # later looks need none


def test_h3_conditions_are_acknowledged_once_and_audited(cast):
    case = case_create(actor=cast["rtm.officer"], title="H3 case", port="NLRTM", handling_code="H3",
                       h3_conditions="Do not contact the consignee.", legal_basis="Art. 46 UCC",
                       seized_at="2026-11-01T10:00:00+01:00")
    assert not conditions_acknowledged(cast["rtm.officer"], case)
    case_acknowledge_conditions(actor=cast["rtm.officer"], case=case)
    case_acknowledge_conditions(actor=cast["rtm.officer"], case=case)
    assert conditions_acknowledged(cast["rtm.officer"], case)
    acknowledgement = AuditEvent.objects.get(case_id=case.pk, action="h3_acknowledge")
    assert acknowledgement.changes == {"conditions": "Do not contact the consignee."}


def test_an_outsiders_attempt_on_an_existing_case_is_recorded_but_a_random_id_is_not(cast, matrix_case):
    case = matrix_case("owned")
    outsider = api(cast["ham.officer"])
    assert outsider.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert outsider.get(f"/api/v1/cases/{case.pk}/notes/").status_code == 404
    assert outsider.get("/api/v1/cases/00000000-0000-0000-0000-000000000000/").status_code == 404
    denied = AuditEvent.objects.filter(operation="access_denied", actor_username="ham.officer")
    assert list(denied.values_list("case_id", flat=True)) == [case.pk, case.pk]


def test_failed_browser_login_is_recorded_without_the_password_for_the_accounts_auditors(cast):
    Client().post("/accounts/login/", {"username": "rtm.officer", "password": "guess-number-one"})
    event = AuditEvent.objects.filter(action="login_failed").latest("id")
    assert (event.operation, event.object_id, event.actor_id) == ("access_denied", "rtm.officer",
                                                                  cast["rtm.officer"].pk)
    assert "guess" not in str(event.changes) + event.justification
    seen = api(cast["rtm.auditor"]).get("/api/v1/audit/", {"operation": "access_denied"}).json()["results"]
    assert event.pk in {row["id"] for row in seen}


def test_a_403_on_a_visible_case_is_a_denied_attempt(cast, matrix_case):
    case = matrix_case("shared_view")
    refused = api(cast["anr.officer"]).post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Mine now"}, format="json")
    assert refused.status_code == 403
    denied = AuditEvent.objects.get(case_id=case.pk, operation="access_denied", actor_username="anr.officer")
    assert (denied.action, denied.changes, denied.handling_code) == ("forbidden", {"code": "forbidden"},
                                                                     case.handling_code)
    justification = api(cast["anr.officer"]).get(f"/api/v1/cases/{case.pk}/")
    assert justification.status_code == 403
    assert AuditEvent.objects.filter(case_id=case.pk, action="forbidden",
                                     changes={"code": "justification_required"}).count() == 1


def test_a_refused_token_is_a_denied_attempt_and_an_expired_one_names_its_holder(cast):
    from django.core.cache import cache
    from django.utils import timezone

    from agencies.tokens import api_token_issue

    cache.delete("audit:token-refused:address:10.9.8.7")
    junk = APIClient(REMOTE_ADDR="10.9.8.7")
    for _ in range(3):  # a burst from one address is one record
        assert junk.get("/api/v1/me/", HTTP_AUTHORIZATION="Token not-a-real-key-at-all").status_code == 401
    unknown = AuditEvent.objects.filter(action="token_refused", ip_address="10.9.8.7")
    assert [(event.operation, event.actor_id, event.changes) for event in unknown] == [
        ("access_denied", None, {"reason": "invalid"})]
    token, key = api_token_issue(user=cast["rtm.officer"])
    token.expires_at = timezone.now()
    token.save()
    assert APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    expired = AuditEvent.objects.filter(action="token_refused").latest("id")
    assert (expired.actor_username, expired.object_id, expired.changes) == (
        "rtm.officer", str(token.pk), {"reason": "expired", "prefix": token.prefix})


def test_audit_csv_export_needs_a_reason_and_is_itself_recorded(cast):
    auditor = api(cast["rtm.auditor"])
    refused = auditor.get("/api/v1/audit/export/")
    assert (refused.status_code, refused.json()["code"]) == (403, "justification_required")
    exported = api(cast["rtm.auditor"], HTTP_X_JUSTIFICATION="Supervisor request 2026-114").get(
        "/api/v1/audit/export/", {"operation": "disclosure"})
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert exported.status_code == 200 and lines[0].startswith("id,at,operation")
    assert all(",disclosure," in line for line in lines[1:])
    record = AuditEvent.objects.get(action="audit_export")
    assert (record.justification, record.changes["filters"]) == ("Supervisor request 2026-114",
                                                                 {"operation": "disclosure"})


def test_auditor_browses_and_exports_the_trail_in_the_browser(cast, client):
    client.force_login(cast["rtm.auditor"])
    page = client.get("/audit/", {"operation": "disclosure"})
    assert page.status_code == 200 and b"case_share" in page.content and b"case_create" not in page.content
    refused = client.post("/audit/?operation=disclosure", {"justification": ""})
    assert refused.status_code == 400 and b"justification" in refused.content
    exported = client.post("/audit/?operation=disclosure", {"justification": "Supervisor request"})
    assert exported["Content-Type"].startswith("text/csv")
    assert b"case_share" in b"".join(exported.streaming_content)


@pytest.mark.parametrize("username", ["rtm.officer", "rtm.admin", "liaison.officer"])
def test_only_auditors_open_the_audit_page(cast, client, username):
    client.force_login(cast[username])
    assert client.get("/audit/").status_code == 403


def test_acknowledging_h3_conditions_does_not_stand_in_for_a_justification(cast):
    case = case_create(actor=cast["rtm.officer"], title="H3 shared", port="NLRTM", handling_code="H3",
                       h3_conditions="Not for the consignee's eyes.", legal_basis="Art. 46 UCC",
                       seized_at="2026-11-01T10:00:00+01:00")
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level="view")
    case_acknowledge_conditions(actor=cast["liaison.officer"], case=case)
    with pytest.raises(ActionForbidden):
        case_consult(actor=cast["liaison.officer"], case=case)


def consult_in_session(actor, case, session_ref: str, **kwargs) -> None:
    token = set_request_context(RequestContext(request_id="test", session_ref=session_ref))
    try:
        case_consult(actor=actor, case=case, **kwargs)
    finally:
        reset_request_context(token)


def test_the_one_statement_record_groups_by_session_and_keeps_reasoned_views(cast, matrix_case):
    case, officer = matrix_case("owned"), cast["rtm.officer"]
    for _ in range(3):
        consult_in_session(officer, case, "session-a")
    consult_in_session(officer, case, "session-b")
    consult_in_session(officer, case, "session-a", justification="Checking the consignee again")
    records = AuditEvent.objects.filter(case_id=case.pk, actor_username="rtm.officer", action="case_view")
    assert [(event.session_ref, event.justification) for event in records.order_by("id")] == [
        ("session-a", ""), ("session-b", ""), ("session-a", "Checking the consignee again")]
    # Parties viewed is its own act, grouped on its own.
    consult_in_session(officer, case, "session-a", what="parties")
    assert AuditEvent.objects.filter(case_id=case.pk, action="parties_view").count() == 1


def test_a_record_older_than_the_window_does_not_stand_for_a_new_view(cast, matrix_case):
    case, officer = matrix_case("owned"), cast["rtm.officer"]
    with transaction.atomic():
        first = audit_record_once_per_session(actor=officer, operation="consultation", action="case_view",
                                              object_type="case", object_id=case.pk, case_id=case.pk,
                                              within=datetime.timedelta(hours=1))
        again = audit_record_once_per_session(actor=officer, operation="consultation", action="case_view",
                                              object_type="case", object_id=case.pk, case_id=case.pk,
                                              within=datetime.timedelta(hours=1))
        later = audit_record_once_per_session(actor=officer, operation="consultation", action="case_view",
                                              object_type="case", object_id=case.pk, case_id=case.pk,
                                              within=datetime.timedelta(0))
    assert first is not None and again is None and later is not None
    assert later > first
    assert AuditEvent.objects.filter(pk__in=[first, later]).count() == 2


def test_records_written_by_the_one_statement_seal_and_verify(cast, matrix_case):
    case = matrix_case("owned")
    consult_in_session(cast["rtm.officer"], case, "session-verify")
    record = AuditEvent.objects.get(case_id=case.pk, session_ref="session-verify")
    assert record.content_hash == content_hash(record)  # what was hashed is what was stored
    seal_pending(horizon=datetime.timedelta(0), batch=10**6)
    assert verify_trail().ok


def test_the_one_statement_record_refuses_a_field_it_would_drop(cast, matrix_case):
    case = matrix_case("owned")
    with transaction.atomic(), pytest.raises(TypeError, match="justfication"):
        audit_record_once_per_session(actor=cast["rtm.officer"], operation="consultation", action="case_view",
                                      object_type="case", object_id=case.pk, case_id=case.pk,
                                      justfication="typo", within=datetime.timedelta(hours=1))
    assert not AuditEvent.objects.filter(case_id=case.pk, action="case_view").exists()


@pytest.mark.postgres
def test_the_record_function_takes_every_column_of_a_record(db):
    # Migration 0005's signature must follow the model: a column added to AuditEvent without
    # a new version of the function would otherwise be left empty on every consultation.
    from django.db import connection

    postgres_only("the function exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT proargnames FROM pg_proc WHERE proname = 'audit_record_once'")
        (names,) = cursor.fetchone()
    columns = [field.column for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    assert names == [f"p_{column}" for column in columns] + ["p_since"]


@pytest.mark.postgres
def test_the_record_function_and_the_plain_statement_write_the_same_record(cast, matrix_case):
    from django.db import connection

    from audit.services import _RECORD_FIELDS, _record_once_by_function, _record_once_by_statement, _record_values

    postgres_only("the function exists on PostgreSQL only")

    def stored(record_id) -> dict:
        record = AuditEvent.objects.get(pk=record_id)
        assert record.content_hash == content_hash(record)
        return {field.attname: getattr(record, field.attname) for field in _RECORD_FIELDS}

    officer, case = cast["rtm.officer"], matrix_case("owned")
    token = set_request_context(RequestContext(request_id="req-1", ip_address="192.0.2.7", user_agent="pytest",
                                               session_ref="session-same"))
    try:
        with transaction.atomic():
            values = _record_values(actor=officer, operation="consultation", action="case_view", object_type="case",
                                    object_id=case.pk, case_id=case.pk, handling_code=case.handling_code,
                                    changes={"tab": "parties"})
        params = {field.attname: field.get_db_prep_save(values[field.attname], connection)
                  for field in _RECORD_FIELDS}
        since = values["at"] - datetime.timedelta(hours=1)
        recorded = {}
        for name, record_once in (("function", _record_once_by_function), ("statement", _record_once_by_statement)):
            with transaction.atomic():
                recorded[name] = stored(record_once(connection, params, since))
                # Both see the record just written and stand by it.
                assert _record_once_by_function(connection, params, since) is None
                assert _record_once_by_statement(connection, params, since) is None
                transaction.set_rollback(True)
    finally:
        reset_request_context(token)
    assert recorded["function"] == recorded["statement"] == values



def record_with_next_query(officer, case, block, *, session_ref: str, handling_code: str = "H1"):
    """Run block() inside audit_record_once_per_session_with_next_query; the statements sent
    (savepoints aside) and what block() returned."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from audit.services import audit_record_once_per_session_with_next_query

    token = set_request_context(RequestContext(request_id="ride", session_ref=session_ref))
    try:
        with CaptureQueriesContext(connection) as captured, transaction.atomic(savepoint=False):
            with audit_record_once_per_session_with_next_query(
                    actor=officer, operation="consultation", action="case_view", object_type="case",
                    object_id=case.pk, case_id=case.pk, handling_code=handling_code,
                    within=datetime.timedelta(hours=1)):
                result = block()
    finally:
        reset_request_context(token)
    return [entry["sql"] for entry in captured.captured_queries if "SAVEPOINT" not in entry["sql"]], result


def assert_rode_with_the_seizure_query(sent: list[str]) -> None:
    """The record left in one statement with the seizure query: one round trip for both."""
    riding = [sql for sql in sent if "audit_record_once(" in sql]
    assert len(riding) == 1 and "cases_seizureitem" in riding[0]


@pytest.mark.postgres
def test_the_record_travels_with_the_next_query_and_that_query_still_answers(cast, matrix_case):

    postgres_only("elsewhere the record is written on its own, before the block")
    case, officer = matrix_case("owned"), cast["rtm.officer"]
    seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="12", unit="kg")
    expected = sorted(case.seizures.values_list("id", flat=True))
    sent, seizures = record_with_next_query(officer, case, lambda: sorted(case.seizures.values_list("id", flat=True)),
                                            session_ref="session-ride")
    assert_rode_with_the_seizure_query(sent)
    assert seizures == expected
    record = AuditEvent.objects.get(case_id=case.pk, session_ref="session-ride")
    assert (record.action, record.actor_username, record.content_hash) == (
        "case_view", "rtm.officer", content_hash(record))


@pytest.mark.postgres
def test_the_case_pages_record_travels_with_the_seizure_query(client, cast, matrix_case):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    postgres_only("elsewhere the record is written on its own, before the parts are read")
    case = matrix_case("owned")
    client.force_login(cast["rtm.officer"])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert_rode_with_the_seizure_query([query["sql"] for query in captured.captured_queries])
    assert views_of(case, "rtm.officer") == 1


def test_a_block_without_a_query_still_writes_its_record(cast, matrix_case):
    case, officer = matrix_case("owned"), cast["rtm.officer"]
    record_with_next_query(officer, case, lambda: None, session_ref="session-quiet")
    assert AuditEvent.objects.filter(case_id=case.pk, session_ref="session-quiet").count() == 1
    # Within the hour, the same session's next block finds it and writes nothing more.
    record_with_next_query(officer, case, lambda: list(case.seizures.all()), session_ref="session-quiet")
    assert AuditEvent.objects.filter(case_id=case.pk, session_ref="session-quiet").count() == 1


@pytest.mark.postgres
def test_the_record_waits_for_a_query_with_parameters(cast, matrix_case):
    from django.db import connection

    postgres_only("elsewhere the record is written on its own, before the block")
    case, officer = matrix_case("owned"), cast["rtm.officer"]

    def block():
        with connection.cursor() as cursor:
            cursor.execute("SELECT '100%'")  # no parameters: written without interpolation in mind
            literal = cursor.fetchone()[0]
        return literal, list(case.seizures.all())

    sent, (literal, _) = record_with_next_query(officer, case, block, session_ref="session-percent")
    assert literal == "100%"
    assert_rode_with_the_seizure_query(sent)
    assert AuditEvent.objects.filter(case_id=case.pk, session_ref="session-percent").count() == 1


@pytest.mark.postgres
def test_a_record_that_cannot_be_written_fails_the_query_it_travels_with(cast, matrix_case):
    from django.db import DataError

    postgres_only("SQLite does not enforce the column's length")
    case, officer = matrix_case("owned"), cast["rtm.officer"]
    with pytest.raises(DataError), transaction.atomic():  # a handling code longer than its column
        record_with_next_query(officer, case, lambda: list(case.seizures.all()), session_ref="session-broken",
                               handling_code="H1-TOO-LONG")
    assert not AuditEvent.objects.filter(case_id=case.pk, session_ref="session-broken").exists()
