"""Documents as evidence (issue 16): the stored file is re-hashed at every hand-out and by a
daily task; a file that no longer matches its SHA-256 is marked on the case, alerted to the
owning agency's auditors, told to the case's owners, and never served.

Rotterdam customs owns the case; a Hamburg officer is an outsider.
"""
import datetime
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AlertKind, AuditAlert, AuditEvent
from cases import tasks
from cases.models import Document
from cases.services import case_create, document_attach
from cases.services.integrity import documents_verify
from notifications.models import Notification, OutboxEvent

LAB_REPORT = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
XRAY_SCAN = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture
def storage_root(settings, tmp_path):
    """Private storage under tmp_path; the shared cast's documents are set aside (their files are
    elsewhere), so the task sees only this story's documents."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    Document.objects.all().delete()
    return tmp_path


@pytest.fixture
def committed(django_capture_on_commit_callbacks, run_tasks_here):
    """`with committed(): ...` runs the block's on-commit callbacks (the outbox deliveries) here."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def case(cast):
    return case_create(actor=cast["rtm.officer"], title="Cocaine in bananas from Guayaquil", port="NLRTM",
                       handling_code="H0", seized_at=timezone.now() - datetime.timedelta(days=1),
                       legal_basis="Art. 46 UCC")


@pytest.fixture
def lab_report(cast, case, storage_root) -> Document:
    return document_attach(actor=cast["rtm.officer"], case_id=case.pk, title="NFI lab report 2026-114",
                           kind="lab_report", uploaded_file=SimpleUploadedFile("lab.pdf", LAB_REPORT))


@pytest.fixture
def xray_scan(cast, case, storage_root) -> Document:
    return document_attach(actor=cast["rtm.officer"], case_id=case.pk, title="X-ray of container MSCU1234566",
                           kind="photo", uploaded_file=SimpleUploadedFile("scan.png", XRAY_SCAN))


def tamper(document: Document, content: bytes = b"%PDF-1.4\nsomething else entirely\n%%EOF\n") -> None:
    with open(document.file.path, "wb") as stored:
        stored.write(content)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def download_url(document: Document) -> str:
    return reverse("api:case-document-download", kwargs={"case_id": document.case_id, "doc_id": document.pk})


def documents_url(case) -> str:
    return reverse("api:case-documents", kwargs={"case_id": case.pk})


def test_the_daily_task_marks_a_tampered_file_and_alerts_auditors_and_owners(cast, case, lab_report, xray_scan,
                                                                             committed):
    tamper(xray_scan)

    with committed():
        assert tasks.verify_document_hashes.apply().get() == 1

    xray_scan.refresh_from_db()
    lab_report.refresh_from_db()
    assert xray_scan.integrity_failed_at is not None
    assert lab_report.integrity_failed_at is None and lab_report.integrity_checked_at is not None
    alert = AuditAlert.objects.get(kind=AlertKind.DOCUMENT_TAMPERED)
    assert alert.agency == "NL-CUS-RTM" and alert.details["document"] == str(xray_scan.pk)
    assert alert.details["sha256_recorded"] == xray_scan.sha256 != alert.details["sha256_found"]
    auditors = {n.recipient.username for n in Notification.objects.filter(kind="audit_alert")}
    assert auditors == {"rtm.auditor"}
    owners = {(n.recipient.username, n.text) for n in Notification.objects.filter(kind="document_integrity_failed")}
    told = (f"{case.reference} [H0]: The file of a document (Photo) no longer matches its recorded SHA-256: it is "
            f"marked on the case and no longer handed out.")
    assert owners == {("rtm.officer", told), ("rtm.analyst", told)}
    record = AuditEvent.objects.get(action="document_integrity_failed")
    assert record.case_id == case.pk and record.object_id == str(xray_scan.pk) and record.actor_username == ""
    assert "X-ray" not in str(record.changes) and "scan.png" not in str(record.changes)  # no case content


def test_running_the_task_again_raises_nothing_new(cast, lab_report, xray_scan):
    tamper(xray_scan)
    assert tasks.verify_document_hashes.apply().get() == 1
    events = OutboxEvent.objects.count()

    assert tasks.verify_document_hashes.apply().get() == 0

    assert AuditAlert.objects.filter(kind=AlertKind.DOCUMENT_TAMPERED).count() == 1
    assert AuditEvent.objects.filter(action="document_integrity_failed").count() == 1
    assert OutboxEvent.objects.count() == events


def test_a_missing_file_counts_as_a_mismatch(cast, lab_report):
    lab_report.file.storage.delete(lab_report.file.name)

    assert tasks.verify_document_hashes.apply().get() == 1

    assert AuditAlert.objects.get(kind=AlertKind.DOCUMENT_TAMPERED).details["sha256_found"] == "missing"


def test_download_of_a_tampered_file_is_409_alerted_and_not_a_consultation(cast, lab_report, xray_scan):
    tamper(lab_report)

    response = api(cast["rtm.officer"]).get(download_url(lab_report))

    assert response.status_code == 409
    assert response.json()["code"] == "document_integrity"
    assert b"something else" not in response.content
    assert not AuditEvent.objects.filter(action="document_download").exists()
    assert AuditAlert.objects.get(kind=AlertKind.DOCUMENT_TAMPERED).details["occasion"] == "download"
    assert Document.objects.get(pk=lab_report.pk).integrity_failed_at is not None
    # Asking again is refused again, without a second alert.
    assert api(cast["rtm.officer"]).get(download_url(lab_report)).status_code == 409
    assert AuditAlert.objects.filter(kind=AlertKind.DOCUMENT_TAMPERED).count() == 1


def test_an_intact_download_is_served_and_recorded_as_checked(cast, lab_report):
    response = api(cast["rtm.officer"]).get(download_url(lab_report))

    assert response.status_code == 200 and b"".join(response.streaming_content) == LAB_REPORT
    assert Document.objects.get(pk=lab_report.pk).integrity_checked_at is not None
    assert AuditEvent.objects.filter(action="document_download", object_id=str(lab_report.pk)).count() == 1
    assert not AuditAlert.objects.filter(kind=AlertKind.DOCUMENT_TAMPERED).exists()


def test_a_restored_file_stays_marked_and_withheld(cast, lab_report):
    tamper(lab_report)
    tasks.verify_document_hashes.apply()
    tamper(lab_report, LAB_REPORT)  # the original bytes put back

    assert api(cast["rtm.officer"]).get(download_url(lab_report)).status_code == 409
    assert documents_verify([Document.objects.get(pk=lab_report.pk)]) == [lab_report]


def test_the_document_list_tells_each_documents_integrity(cast, case, lab_report, xray_scan):
    assert {d["integrity"] for d in api(cast["rtm.officer"]).get(documents_url(case)).json()["results"]} == {
        "unchecked"}
    tamper(xray_scan)
    tasks.verify_document_hashes.apply()

    listed = {d["id"]: d for d in api(cast["rtm.analyst"]).get(documents_url(case)).json()["results"]}

    assert listed[str(lab_report.pk)]["integrity"] == "ok"
    assert listed[str(lab_report.pk)]["integrity_failed_at"] is None
    assert listed[str(xray_scan.pk)]["integrity"] == "failed"
    assert listed[str(xray_scan.pk)]["integrity_failed_at"] is not None


def test_documents_the_reader_cannot_see_stay_404_and_are_not_checked(cast, lab_report):
    tamper(lab_report)

    response = api(cast["ham.officer"]).get(download_url(lab_report))

    assert response.status_code == 404
    assert "document_integrity" not in response.content.decode()
    assert Document.objects.get(pk=lab_report.pk).integrity_failed_at is None


def test_the_case_file_builder_gets_the_documents_that_no_longer_match(cast, lab_report, xray_scan):
    tamper(lab_report)

    assert documents_verify([lab_report, xray_scan]) == [lab_report]
    assert AuditAlert.objects.get(kind=AlertKind.DOCUMENT_TAMPERED).details["occasion"] == "case_file"


def test_the_case_page_warns_of_documents_that_no_longer_match(client, cast, case, lab_report, xray_scan):
    client.force_login(cast["rtm.analyst"])
    assert "document-integrity-warning" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    tamper(xray_scan)
    tasks.verify_document_hashes.apply()

    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()

    assert "document-integrity-warning" in page
    assert "X-ray of container MSCU1234566" in page and "NFI lab report" not in page
