"""Case documents over the API: streamed hashing, size and type limits, private storage,
and a download that goes through the access policy and is audited as a consultation."""
import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import StopUpload
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from audit.models import AuditEvent, Operation
from cases.api.documents import StreamingDigestUploadHandler
from cases.documents import DocumentTooLarge, clean_filename, download_filename
from cases.models import Document
from cases.services import document_attach

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def zipped(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def no_documents_yet(db):
    """Each story starts with cases that hold no documents (the shared cast attaches one each)."""
    Document.objects.all().delete()


@pytest.fixture
def storage_root(settings, tmp_path):
    """Private storage and upload spooling under tmp_path, so tests leave nothing in the repo."""
    root = tmp_path / "private"
    spool = tmp_path / "spool"
    root.mkdir()
    spool.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
    }
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    return root


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def documents_url(case) -> str:
    return reverse("api:case-documents", kwargs={"case_id": case.pk})


def download_url(case, document_id) -> str:
    return reverse("api:case-document-download", kwargs={"case_id": case.pk, "doc_id": document_id})


def upload(client, case, content: bytes, name: str = "seizure-report.pdf", **request_extra):
    body = {"file": SimpleUploadedFile(name, content), "title": "Seizure report", "kind": "seizure_report"}
    return client.post(documents_url(case), body, format="multipart", **request_extra)


@pytest.fixture
def attached(cast, matrix_case, storage_root):
    """A PDF on the owned matrix case, attached through the service (no upload handler)."""
    case = matrix_case("owned")
    document = document_attach(
        actor=cast["rtm.officer"],
        case_id=case.pk,
        uploaded_file=SimpleUploadedFile("Manifest Rotterdam.pdf", PDF),
        title="Manifest MSC Aurora",
        kind="manifest",
    )
    return case, document


def test_upload_hashes_on_the_server_and_stores_the_exact_bytes_privately(cast, matrix_case, storage_root):
    case = matrix_case("owned")

    response = upload(api(cast["rtm.officer"]), case, PDF)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (body["content_type"], body["size"], body["filename"]) == ("application/pdf", len(PDF), "seizure-report.pdf")
    assert body["download_url"].endswith(download_url(case, body["id"]))
    document = Document.objects.get(pk=body["id"], case=case)
    # The storage name never comes from the caller's filename.
    assert document.file.name == f"documents/{case.pk}/{document.pk}"
    assert (storage_root / document.file.name).read_bytes() == PDF
    assert stored_files(storage_root.parent / "spool") == []  # no spooled copy left behind
    event = AuditEvent.objects.get(operation=Operation.COLLECTION, object_type="document", object_id=str(document.pk))
    assert (event.case_id, event.changes["sha256"]) == (case.pk, body["sha256"])


def test_the_view_installs_its_own_streaming_handler(cast, matrix_case, storage_root, settings):
    # With Django's default handlers gone, a file only arrives if the view brought its own.
    settings.FILE_UPLOAD_HANDLERS = []

    response = upload(api(cast["rtm.officer"]), matrix_case("owned"), PNG, name="container.png")

    assert response.status_code == 201, response.content
    assert response.json()["content_type"] == "image/png"


def test_the_handler_stops_reading_as_soon_as_the_limit_is_passed(settings, tmp_path):
    settings.DOCUMENT_MAX_BYTES = 10
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    handler = StreamingDigestUploadHandler()
    handler.new_file("file", "a.pdf", "application/pdf", None)

    handler.receive_data_chunk(b"%PDF-1.4\n", 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"more", 9)
    with pytest.raises(DocumentTooLarge):
        handler.upload_complete()


@pytest.mark.parametrize(
    "size",
    [
        2049,  # over by one byte: refused while streaming
        200_000,  # the declared Content-Length cannot fit: refused before reading
    ],
)
def test_oversized_upload_is_413_and_leaves_nothing_behind(cast, matrix_case, storage_root, settings, size):
    settings.DOCUMENT_MAX_BYTES = 2048
    case = matrix_case("owned")

    response = upload(api(cast["rtm.officer"]), case, PDF + b"0" * (size - len(PDF)))

    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert not Document.objects.filter(case=case).exists()
    assert stored_files(storage_root) == []
    assert stored_files(storage_root.parent / "spool") == []


def test_upload_of_exactly_the_limit_is_accepted(cast, matrix_case, storage_root, settings):
    settings.DOCUMENT_MAX_BYTES = 2048

    response = upload(api(cast["rtm.officer"]), matrix_case("owned"), PDF + b"0" * (2048 - len(PDF)))

    assert response.status_code == 201
    assert response.json()["size"] == 2048


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("evil.pdf", b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"),
        ("photo.png", b'  <svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("evil.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64),  # Windows executable
        ("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 64),  # Linux executable
        ("notes.txt", b"caf\xe9 latin-1, not UTF-8"),
    ],
)
def test_content_outside_the_allow_list_is_415_whatever_its_name(cast, matrix_case, storage_root, name, content):
    case = matrix_case("owned")

    response = upload(api(cast["rtm.officer"]), case, content, name=name)

    assert response.status_code == 415
    assert "Accepted types" in response.json()["detail"]
    assert not Document.objects.filter(case=case).exists()
    assert stored_files(storage_root) == []


def test_utf8_text_and_csv_are_accepted_by_content(cast, matrix_case, storage_root):
    client, case = api(cast["rtm.officer"]), matrix_case("owned")

    csv = upload(client, case, "container,seal\nMSKU1234565,ÄB-12\n".encode(), name="containers.csv")
    text = upload(client, case, b"Boarding notes\r\n", name="notes")

    assert (csv.status_code, csv.json()["content_type"]) == (201, "text/csv")
    assert (text.status_code, text.json()["content_type"]) == (201, "text/plain")


def test_office_documents_are_told_from_other_zip_archives(cast, matrix_case, storage_root):
    client, case = api(cast["rtm.officer"]), matrix_case("owned")

    docx = upload(client, case, zipped("[Content_Types].xml", "_rels/.rels", "word/document.xml"), name="statement")
    archive = upload(client, case, zipped("payload.exe"), name="statement.docx")

    assert (docx.status_code, docx.json()["content_type"]) == (
        201, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert archive.status_code == 415
    assert "application/zip" in archive.json()["detail"]


def test_missing_fields_are_400_with_field_messages(cast, matrix_case, storage_root):
    response = api(cast["rtm.officer"]).post(documents_url(matrix_case("owned")), {}, format="multipart")

    assert response.status_code == 400
    assert set(response.json()) == {"file", "title", "kind"}


def test_download_by_the_owner_streams_the_bytes_and_is_audited(cast, attached):
    case, document = attached

    response = api(cast["rtm.officer"]).get(download_url(case, document.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Manifest Rotterdam.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Content-SHA256"] == hashlib.sha256(PDF).hexdigest()
    event = AuditEvent.objects.get(operation=Operation.CONSULTATION, action="document_download")
    assert (event.object_type, event.object_id, event.case_id, event.handling_code, event.actor_username) == (
        "document", str(document.pk), case.pk, case.handling_code, "rtm.officer"
    )


def test_list_shows_the_case_documents(cast, attached):
    case, document = attached

    response = api(cast["rtm.officer"]).get(documents_url(case))

    assert response.status_code == 200
    [listed] = response.json()["results"]
    assert (listed["id"], listed["title"], listed["sha256"]) == (str(document.pk), document.title, document.sha256)


def test_outsider_gets_404_and_learns_nothing(cast, attached):
    case, document = attached
    outsider = api(cast["ham.officer"])

    responses = [outsider.get(documents_url(case)), outsider.get(download_url(case, document.pk))]

    for response in responses:
        assert response.status_code == 404
        body = response.content.decode()
        assert document.title not in body and "Manifest Rotterdam" not in body
    assert not AuditEvent.objects.filter(action="document_download").exists()


def test_analyst_cannot_upload(cast, matrix_case, storage_root):
    case = matrix_case("owned")

    response = upload(api(cast["rtm.analyst"]), case, PDF)

    assert response.status_code == 403
    assert not Document.objects.filter(case=case).exists()
    assert stored_files(storage_root) == []


def test_viewing_agency_can_list_and_download_but_not_upload(cast, matrix_case, storage_root):
    case = matrix_case("shared_view")
    document = document_attach(actor=cast["rtm.officer"], case_id=case.pk, uploaded_file=SimpleUploadedFile(
        "lab.png", PNG), title="Lab photo", kind="photo")
    viewer = api(cast["anr.officer"])
    viewer.credentials(HTTP_X_JUSTIFICATION="Same consignee as an Antwerp case")  # first look at RTM's case

    listed = viewer.get(documents_url(case))
    downloaded = viewer.get(download_url(case, document.pk))

    assert [item["id"] for item in listed.json()["results"]] == [str(document.pk)]
    assert downloaded.status_code == 200
    assert b"".join(downloaded.streaming_content) == PNG
    assert upload(viewer, case, PDF).status_code == 403


def test_first_download_from_another_agencys_case_needs_a_reason(cast, matrix_case, storage_root):
    case = matrix_case("shared_view")
    document = document_attach(actor=cast["rtm.officer"], case_id=case.pk, uploaded_file=SimpleUploadedFile(
        "lab.png", PNG), title="Lab photo", kind="photo")
    refused = api(cast["anr.officer"]).get(download_url(case, document.pk))
    assert (refused.status_code, refused.json()["code"]) == (403, "justification_required")
    assert not AuditEvent.objects.filter(action="document_download").exists()


def test_document_of_another_case_is_404_under_this_case(cast, matrix_case, attached):
    _owned, document = attached

    response = api(cast["rtm.officer"]).get(download_url(matrix_case("shared_view"), document.pk))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="document_download").exists()


def test_stored_file_is_not_reachable_under_any_served_url(cast, attached):
    _case, document = attached
    client = Client()
    client.force_login(cast["rtm.officer"])

    for prefix in ("/", "/media/", "/static/", "/private_media/"):
        assert client.get(prefix + document.file.name).status_code == 404


def test_session_upload_with_csrf_goes_through_the_handler(cast, matrix_case, storage_root, settings):
    # Session authentication reads the body for its CSRF check, before the view runs.
    settings.DOCUMENT_MAX_BYTES = 2048
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(cast["rtm.officer"])
    token = get_random_string(32)
    client.cookies["csrftoken"] = token
    case = matrix_case("owned")

    without_token = upload(client, case, PDF)
    accepted = upload(client, case, PDF, HTTP_X_CSRFTOKEN=token)
    too_large = upload(client, case, PDF + b"0" * 4096, HTTP_X_CSRFTOKEN=token)

    assert without_token.status_code == 403
    assert accepted.status_code == 201
    assert accepted.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert too_large.status_code == 413
    assert Document.objects.filter(case=case).count() == 1


def test_filenames_are_made_safe_for_headers_and_disks():
    assert clean_filename('..\\..\\etc/pass"wd;.pdf') == "pass_wd_.pdf"
    assert clean_filename("   ") == "document"
    assert download_filename("invoice.exe", "application/pdf") == "invoice.exe.pdf"
    assert download_filename("scan.JPEG", "image/jpeg") == "scan.JPEG"
