"""The scripted scenario of the issue: every act of a case's life leaves exactly the expected
records, in order, with the right actors and justifications, and the chain verifies."""
import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from agencies.models import Agency
from agencies.services import membership_set_role

from audit.models import AuditEvent
from audit.sealing import seal_pending
from audit.verification import verify_trail
from cast import MATRIX_PDF


def client_for(user, justification: str = "") -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    if justification:
        client.credentials(HTTP_X_JUSTIFICATION=justification)
    return client


def test_a_case_life_leaves_exactly_the_expected_records(cast):
    start = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    owner = client_for(cast["rtm.officer"])
    liaison = client_for(cast["liaison.officer"])
    outsider = client_for(cast["ham.officer"])
    auditor = client_for(cast["rtm.auditor"], justification="Quarterly LED review")

    case = owner.post("/api/v1/cases/", {
        "title": "Scenario: cocaine in bananas", "port": "NLRTM", "seized_at": "2026-11-20T05:00:00+01:00",
        "handling_code": "H1", "legal_basis": "Art. 46 UCC"}, format="json").json()
    document = owner.post(f"/api/v1/cases/{case['id']}/documents/", {
        "file": SimpleUploadedFile("report.pdf", MATRIX_PDF), "title": "Report", "kind": "seizure_report"},
        format="multipart").json()
    share = owner.post(f"/api/v1/cases/{case['id']}/shares/", {
        "agency": "EU-LIA", "level": "view", "justification": "Liaison analysis of the route"}, format="json").json()
    refused = liaison.get(f"/api/v1/cases/{case['id']}/")
    consulted = liaison.get(f"/api/v1/cases/{case['id']}/", HTTP_X_JUSTIFICATION="Route analysis for EMPACT")
    liaison.get(f"/api/v1/cases/{case['id']}/")  # again within the hour: grouped, no new record
    downloaded = liaison.get(f"/api/v1/cases/{case['id']}/documents/{document['id']}/download/")
    exported = auditor.get("/api/v1/audit/export/", {"case": case["id"]})
    revoked = owner.delete(f"/api/v1/cases/{case['id']}/shares/{share['id']}/")
    denied = outsider.get(f"/api/v1/cases/{case['id']}/")

    assert (refused.status_code, refused.json()["code"]) == (403, "justification_required")
    assert (consulted.status_code, downloaded.status_code, exported.status_code, revoked.status_code,
            denied.status_code) == (200, 200, 200, 204, 404)
    assert b"case_share" in b"".join(exported.streaming_content)
    trail = [(event.operation, event.action, event.actor_username, event.justification, event.recipient)
             for event in AuditEvent.objects.filter(id__gt=start).order_by("id")]
    assert trail == [
        ("collection", "case_create", "rtm.officer", "", ""),
        ("collection", "document_add", "rtm.officer", "", ""),
        ("disclosure", "case_share", "rtm.officer", "Liaison analysis of the route", "EU-LIA"),
        ("access_denied", "forbidden", "liaison.officer", "", ""),  # the first look, without a reason
        ("consultation", "case_view", "liaison.officer", "Route analysis for EMPACT", ""),
        ("consultation", "document_download", "liaison.officer", "", ""),
        ("consultation", "audit_export", "rtm.auditor", "Quarterly LED review", ""),
        ("disclosure", "case_unshare", "rtm.officer", "", "EU-LIA"),
        ("access_denied", "not_visible", "ham.officer", "", ""),
    ]
    events = AuditEvent.objects.filter(id__gt=start)
    assert set(events.exclude(action__in=["audit_export", "not_visible"]).values_list("handling_code", flat=True)) \
        == {"H1"}
    # The outsider's refused attempt tells their agency's trail nothing but the id tried.
    assert events.get(action="not_visible").handling_code == ""
    assert {(event.actor_agency, event.actor_role) for event in events.filter(actor_username="liaison.officer")} \
        == {("EU-LIA", "liaison_officer")}
    seal_pending(horizon=datetime.timedelta(0), batch=10**6)
    assert verify_trail().ok


def test_a_disclosure_shows_up_in_both_agencies_trails(cast, matrix_case):
    case = matrix_case("owned")
    client_for(cast["rtm.officer"]).post(f"/api/v1/cases/{case.pk}/shares/", {"agency": "DE-ZOLL-HAM",
                                                                              "level": "view"}, format="json")
    membership_set_role(actor=None, user=cast["admin"], agency=Agency.objects.get(code="DE-ZOLL-HAM"), role="auditor")
    ham_auditor = client_for(cast["admin"])
    rtm_trail = client_for(cast["rtm.auditor"]).get("/api/v1/audit/", {"case": str(case.pk)}).json()["results"]
    ham_trail = ham_auditor.get("/api/v1/audit/", {"case": str(case.pk)}).json()["results"]
    assert any(event["action"] == "case_share" for event in rtm_trail)
    assert [(event["action"], event["recipient"]) for event in ham_trail] == [("case_share", "DE-ZOLL-HAM")]
