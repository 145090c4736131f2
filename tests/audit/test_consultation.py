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
from cases.services import case_consult, case_create, case_share, case_update, seizure_add
from cases.services.consultation import conditions_acknowledged
from coordination.errors import ActionForbidden


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


def h3_case_shared_with_liaison(cast, conditions="Do not contact the consignee."):
    case = case_create(actor=cast["rtm.officer"], title="H3 case", port="NLRTM", handling_code="H3",
                       h3_conditions=conditions, legal_basis="Art. 46 UCC", seized_at="2026-11-01T10:00:00+01:00")
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level="manage")
    return case


def test_h3_conditions_are_acknowledged_once_per_version_and_recorded_by_hash(cast):
    case = h3_case_shared_with_liaison(cast)
    reader = api(cast["liaison.officer"], HTTP_X_JUSTIFICATION="Joint investigation")
    refused = reader.get(f"/api/v1/cases/{case.pk}/")
    assert refused.status_code == 403
    assert refused.json() == {"code": "conditions_acknowledgement_required", "detail": refused.json()["detail"],
                              "conditions": "Do not contact the consignee."}
    assert reader.get(f"/api/v1/cases/{case.pk}/", HTTP_X_ACKNOWLEDGE_CONDITIONS="H3").status_code == 200
    assert reader.get(f"/api/v1/cases/{case.pk}/notes/").status_code == 200  # once is enough
    acknowledgement = AuditEvent.objects.get(case_id=case.pk, action="h3_acknowledge")
    assert "consignee" not in str(acknowledgement.changes)
    assert set(acknowledgement.changes) == {"conditions_sha256"}
    # New conditions are a new version: acknowledged again, and recorded again.
    case_update(actor=cast["rtm.officer"], case_id=case.pk, version=case.version,
                h3_conditions="Do not contact the consignee or the forwarder.")
    assert reader.get(f"/api/v1/cases/{case.pk}/").json()["code"] == "conditions_acknowledgement_required"
    assert reader.get(f"/api/v1/cases/{case.pk}/", HTTP_X_ACKNOWLEDGE_CONDITIONS="H3").status_code == 200
    assert AuditEvent.objects.filter(case_id=case.pk, action="h3_acknowledge").count() == 2


def test_the_owning_agency_reads_its_own_h3_case_without_acknowledging(cast):
    case = h3_case_shared_with_liaison(cast)
    assert conditions_acknowledged(cast["rtm.officer"], case)
    assert not conditions_acknowledged(cast["liaison.officer"], case)
    assert api(cast["rtm.officer"]).get(f"/api/v1/cases/{case.pk}/").status_code == 200


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
    with pytest.raises(ActionForbidden) as refused:
        case_consult(actor=cast["liaison.officer"], case=case, acknowledge_conditions=True)
    assert refused.value.code == "justification_required"
    assert not AuditEvent.objects.filter(case_id=case.pk, action="h3_acknowledge").exists()  # refused: nothing kept
    case_consult(actor=cast["liaison.officer"], case=case, acknowledge_conditions=True, justification="Joint team")
    case_consult(actor=cast["liaison.officer"], case=case)  # both given once: later looks need neither
    assert list(AuditEvent.objects.filter(case_id=case.pk, actor_username="liaison.officer")
                .values_list("action", "justification").order_by("id")) == [
        ("h3_acknowledge", ""), ("case_view", "Joint team")]  # the later look is grouped with it


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
