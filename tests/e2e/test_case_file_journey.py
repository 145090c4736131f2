"""The prosecutor builds and downloads the PDF case file in the browser (issue 16).

Rotterdam customs refers a seizure to the Rotterdam prosecution office. The prosecutor opens the
case-file review page (stating why, as their agency asks for another agency's case), asks for the
PDF with the reason for the export, and watches the progress bar fill without a reload while a
worker builds the file; then downloads it. Every state of the panel passes axe-core.

The build runs where a worker would: the task is handed to a thread of this process instead of
the broker (Celery's own apply, so the real task body runs), and the page polls its progress.
"""
import datetime
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import HandlingCode, Status
from cases.models import CaseFile
from cases.services import case_create, case_transition, document_attach, seizure_add
from cases.services.exhibits import custody_record, exhibit_add
from cases.tasks import build_case_file
from e2e.helpers import assert_accessible, screenshot

CONSULTATION_REASON = "Referral received; preparing the indictment"
EXPORT_REASON = "Case file for the hearing of 12 March"


@pytest.fixture
def referred(cast):
    officer = cast["rtm.officer"]
    case = case_create(actor=officer, title="Cocaine in bananas, reefer MSCU", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=2), handling_code=HandlingCode.H0,
                       legal_basis="Art. 46 UCC")
    seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="120", unit="kg")
    document_attach(actor=officer, case_id=case.pk, title="NFI laboratory report", kind="lab_report",
                    uploaded_file=SimpleUploadedFile("lab.pdf", b"%PDF-1.4\nlab report\n%%EOF\n"))
    exhibit = exhibit_add(actor=officer, case_id=case.pk, description="Sample of brick 1", holder="Officer De Vries",
                          location="Customs post Maasvlakte", seal_number="SEAL-0001")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI analyst Bakker",
                   to_location="NFI Den Haag", purpose="analysis", seal_intact=True)
    case_transition(actor=officer, case_id=case.pk, to=Status.OPEN)
    case_transition(actor=officer, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    return case


@pytest.fixture
def worker_thread(monkeypatch):
    """Enqueued builds run in a thread of this process, as a worker would run them."""
    threads = []

    def run(file_id):
        try:
            build_case_file.apply(args=[file_id])
        finally:
            connection.close()

    def enqueue(args, **options):
        thread = threading.Thread(target=run, args=args, daemon=True)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr(build_case_file, "apply_async", enqueue)
    yield threads
    for thread in threads:
        thread.join(timeout=30)


def test_the_prosecutor_builds_the_pdf_watches_its_progress_and_downloads_it(user_page, referred, worker_thread):
    page = user_page("rtm.prosecutor")
    page.goto(f"/cases/{referred.pk}/case-file/")
    gate_reason = page.get_by_label("Why do you open this case?")
    if gate_reason.count():  # the prosecution office asks why another agency's case is opened
        gate_reason.fill(CONSULTATION_REASON)
        page.get_by_role("button", name="Open the case").click()
    panel = page.locator("#case-file-build")
    expect(panel.get_by_role("heading", name="PDF case file")).to_be_visible()
    assert_accessible(page, "case-file review page with the build panel")

    # Without the export reason the field says so, and nothing is queued.
    panel.get_by_role("button", name="Build the PDF case file").click()
    expect(page.get_by_label("Why do you need the case file?")).to_have_attribute("aria-invalid", "true")
    assert not CaseFile.objects.exists()
    assert_accessible(page, "build panel with an error")

    page.evaluate("() => { window.__samePage = true; }")  # gone if the page reloads
    page.get_by_label("Why do you need the case file?").fill(EXPORT_REASON)
    page.locator("#case-file-build").get_by_role("button", name="Build the PDF case file").click()
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    assert_accessible(page, "build panel while building")
    screenshot(page, "case-file-building")

    ready = page.locator("#case-file-status[data-status=done]")
    expect(ready).to_be_visible(timeout=60_000)
    assert page.evaluate("() => window.__samePage === true"), "the page reloaded"
    case_file = CaseFile.objects.get()
    expect(ready.locator("[data-sha256]")).to_have_text(case_file.sha256)
    assert_accessible(page, "build panel, file ready")
    screenshot(page, "case-file-ready")

    with page.expect_download() as download_info:
        ready.get_by_role("link", name="Download the PDF case file").click()
    download = download_info.value
    assert download.suggested_filename == f"case-file-{referred.reference}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
