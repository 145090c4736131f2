"""Writes say why (API.md: the body field `justification`), and every disclosure names its
recipient: a referral shows up in the prosecution agency's trail even when that agency held
the case already."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.services import case_share, case_transition

REASON = "Joint operation HARBOUR-7, agreed with the owner"
PART_BODIES = {
    "seizures": ({"drug": "cocaine", "quantity": "12.5", "unit": "kg"}, "seizure_add"),
    "identifiers": ({"kind": "container", "value": "MSCU1234566"}, "identifier_add"),
    "parties": ({"kind": "company", "role": "consignee", "name": "Fruta Sol BV"}, "party_add"),
    "route": ({"locode": "ECGYE", "role": "origin"}, "route_leg_add"),
    "notes": ({"text": "Seal number differs from the manifest."}, "note_add"),
}


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def recorded_reason(case, action: str) -> str:
    return AuditEvent.objects.filter(case_id=case.pk, action=action).latest("id").justification


@pytest.mark.parametrize("part", PART_BODIES)
def test_a_part_added_with_a_reason_keeps_it_in_its_record(cast, matrix_case, part):
    case = matrix_case("shared_contribute")
    body, action = PART_BODIES[part]
    response = client_for(cast["liaison.officer"]).post(f"/api/v1/cases/{case.pk}/{part}/",
                                                       {**body, "justification": REASON}, format="json")
    assert response.status_code == 201, response.json()
    assert recorded_reason(case, action) == REASON


def test_a_document_and_a_new_case_keep_their_reasons(cast, matrix_case):
    officer, case = client_for(cast["rtm.officer"]), matrix_case("owned")
    upload = officer.post(f"/api/v1/cases/{case.pk}/documents/", {
        "file": SimpleUploadedFile("manifest.txt", b"Container MSCU1234566, 40 boxes", content_type="text/plain"),
        "title": "Manifest", "kind": "other", "justification": REASON}, format="multipart")
    assert upload.status_code == 201, upload.json()
    assert recorded_reason(case, "document_add") == REASON
    created = officer.post("/api/v1/cases/", {
        "title": "Bananas from Guayaquil", "port": "NLRTM", "seized_at": "2026-11-20T06:30:00+01:00",
        "handling_code": "H0", "legal_basis": "Art. 46 UCC", "justification": REASON}, format="json")
    assert created.status_code == 201, created.json()
    assert AuditEvent.objects.get(case_id=created.json()["id"], action="case_create").justification == REASON


def test_a_revocation_and_a_transition_keep_their_reasons(cast, matrix_case):
    owner, case = cast["rtm.officer"], matrix_case("owned")
    share = case_share(actor=owner, case_id=case.pk, agency_code="BE-CUS-ANR", level="view")
    revoked = client_for(owner).delete(f"/api/v1/cases/{case.pk}/shares/{share.pk}/", {"justification": REASON},
                                       format="json")
    assert revoked.status_code == 204
    assert recorded_reason(case, "case_unshare") == REASON
    moved = client_for(owner).post(f"/api/v1/cases/{case.pk}/transition/",
                                   {"to": "open", "reason": "Ready", "justification": REASON}, format="json")
    assert moved.status_code == 200, moved.json()
    assert recorded_reason(case, "case_transition") == REASON


def test_a_reason_that_is_not_text_is_a_field_error_and_nothing_is_written(cast, matrix_case):
    case = matrix_case("shared_contribute")
    before = AuditEvent.objects.count()
    response = client_for(cast["liaison.officer"]).post(
        f"/api/v1/cases/{case.pk}/notes/", {"text": "Seen", "justification": ["not", "text"]}, format="json")
    assert response.status_code == 400 and "justification" in response.json()
    assert AuditEvent.objects.count() == before and not case.notes.filter(text="Seen").exists()


def test_a_referral_is_a_disclosure_even_to_an_agency_that_holds_the_case(cast, matrix_case):
    owner, case = cast["rtm.officer"], matrix_case("owned")
    case_share(actor=owner, case_id=case.pk, agency_code="NL-OM-RTM", level="contribute")
    case_transition(actor=owner, case_id=case.pk, to="open")
    case_transition(actor=owner, case_id=case.pk, to="referred", agency_code="NL-OM-RTM", reason="File complete")
    referral = AuditEvent.objects.get(case_id=case.pk, action="case_referral")
    assert (referral.operation, referral.recipient, referral.justification, referral.actor_username) == (
        "disclosure", "NL-OM-RTM", "File complete", "rtm.officer")
    # The prosecution side's trail: its own acts and every disclosure to it.
    prosecution_trail = AuditEvent.objects.filter(operation="disclosure", recipient="NL-OM-RTM", case_id=case.pk)
    assert list(prosecution_trail.values_list("action", flat=True).order_by("id")) == ["case_share", "case_referral"]


def test_a_first_referral_shares_the_case_with_the_reason_given(cast, matrix_case):
    owner, case = cast["rtm.officer"], matrix_case("owned")
    case_transition(actor=owner, case_id=case.pk, to="open")
    case_transition(actor=owner, case_id=case.pk, to="referred", agency_code="NL-OM-RTM", reason="File complete",
                    justification=REASON)
    disclosures = AuditEvent.objects.filter(case_id=case.pk, operation="disclosure", recipient="NL-OM-RTM")
    assert [(event.action, event.justification) for event in disclosures.order_by("id")] == [
        ("case_share", REASON), ("case_referral", REASON)]
