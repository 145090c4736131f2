"""The case file over /api/v1/ (issue 16, API.md "Case file").

The Rotterdam prosecutor, to whom the matrix's "referred" case was referred, asks for its case
file: 202 with the Location to poll, the status and progress there, then the PDF with its
SHA-256. The file is theirs alone: the case's owner, another prosecutor and a colleague of the
same office get 404. Before the build is done the download is a 409, and without the reason the
agency's policy asks for on every export, a 403 justification_required that writes nothing.
"""
import hashlib

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from agencies.models import Role
from agencies.selectors import active_membership
from agencies.services import membership_set_role
from audit.models import AuditEvent, Operation
from cases.models import CaseFile

REASON = "Preparing the indictment"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def case(matrix_case):
    return matrix_case("referred")


@pytest.fixture
def prosecutor(cast):
    return cast["rtm.prosecutor"]


def request_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/case-file/"


def built(client, case, django_capture_on_commit_callbacks) -> dict:
    """POST, with the enqueued task run in this process (run_tasks_here), then the status."""
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(request_url(case), {"justification": REASON}, format="json")
    assert answer.status_code == 202, answer.content
    return client.get(answer["Location"]).json()


def test_the_request_answers_202_with_where_to_poll(prosecutor, case):
    client = client_for(prosecutor)
    answer = client.post(request_url(case), {"justification": REASON}, format="json")
    assert answer.status_code == 202
    body = answer.json()
    assert set(body) == {"id", "status", "progress"} and (body["status"], body["progress"]) == ("queued", 0)
    assert answer["Location"].endswith(f"/api/v1/case-files/{body['id']}/")
    status = client.get(answer["Location"])
    assert status.status_code == 200
    assert status.json() == {
        "id": body["id"], "case": {"id": str(case.pk), "reference": case.reference}, "status": "queued",
        "progress": 0, "sha256": "", "size": None, "pages": None, "error": "",
        "created_at": status.json()["created_at"], "finished_at": None, "download_url": None,
    }
    assert CaseFile.objects.get(pk=body["id"]).justification == REASON


def test_the_built_file_downloads_as_pdf_with_its_hash_and_the_download_is_audited(
        prosecutor, case, run_tasks_here, django_capture_on_commit_callbacks):
    client = client_for(prosecutor)
    status = built(client, case, django_capture_on_commit_callbacks)
    assert (status["status"], status["progress"], status["error"]) == ("done", 100, "")
    assert status["pages"] >= 4 and len(status["sha256"]) == 64 and status["finished_at"]
    assert status["download_url"].endswith(f"/api/v1/case-files/{status['id']}/download/")

    for accept in ("*/*", "application/pdf"):
        download = client.get(status["download_url"], HTTP_ACCEPT=accept)
        assert download.status_code == 200
        assert download["Content-Type"] == "application/pdf"
        assert download["Content-Disposition"] == f'attachment; filename="case-file-{case.reference}.pdf"'
        assert download.content.startswith(b"%PDF")
        assert download["X-Content-SHA256"] == hashlib.sha256(download.content).hexdigest() == status["sha256"]
        assert len(download.content) == status["size"]
    consultations = AuditEvent.objects.filter(action="case_file_download", object_id=status["id"])
    assert consultations.count() == 2
    assert {(event.operation, event.actor_username) for event in consultations} == {
        (Operation.CONSULTATION, prosecutor.username)}


def test_nobody_but_the_requester_sees_the_file_not_even_a_colleague(
        cast, prosecutor, case, run_tasks_here, django_capture_on_commit_callbacks):
    status = built(client_for(prosecutor), case, django_capture_on_commit_callbacks)
    colleague = get_user_model().objects.create_user("rtm.prosecutor2", password="unused-password-123")
    membership_set_role(actor=None, user=colleague, agency=active_membership(prosecutor).agency,
                        role=Role.PROSECUTOR)
    for other in (colleague, cast["rtm.officer"], cast["anr.prosecutor"], cast["ham.officer"]):
        client = client_for(other)
        for url in (f"/api/v1/case-files/{status['id']}/", status["download_url"]):
            refused = client.get(url)
            assert refused.status_code == 404, (other.username, url)
            assert status["sha256"] not in refused.content.decode() and case.reference not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="case_file_download").exists()
    assert APIClient().get(status["download_url"]).status_code == 401


def test_the_download_is_a_conflict_until_the_file_is_built(prosecutor, case):
    queued = CaseFile.objects.create(case=case, requested_by=prosecutor,
                                     requester_agency=active_membership(prosecutor).agency)
    answer = client_for(prosecutor).get(f"/api/v1/case-files/{queued.pk}/download/", HTTP_ACCEPT="application/pdf")
    assert answer.status_code == 409
    assert answer["Content-Type"] == "application/json" and answer.json()["code"] == "case_file_not_ready"


def test_the_export_reason_is_required_where_the_policy_asks_and_the_header_gives_it(prosecutor, case):
    client = client_for(prosecutor)
    refused = client.post(request_url(case), {}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "justification_required"
    assert not CaseFile.objects.filter(case=case).exists()
    accepted = client.post(request_url(case), {}, format="json", HTTP_X_JUSTIFICATION=REASON)
    assert accepted.status_code == 202
    assert CaseFile.objects.get(pk=accepted.json()["id"]).justification == REASON


def test_a_case_the_caller_cannot_see_is_404(cast, case):
    answer = client_for(cast["ham.officer"]).post(request_url(case), {"justification": REASON}, format="json")
    assert answer.status_code == 404
    assert not CaseFile.objects.filter(case=case).exists()


def test_bad_input_is_400_and_writes_nothing(prosecutor, case):
    answer = client_for(prosecutor).post(request_url(case), {"justification": REASON, "acknowledge_conditions": "x",
                                                             "surprise": 1}, format="json")
    assert answer.status_code == 400
    assert not CaseFile.objects.filter(case=case).exists()
