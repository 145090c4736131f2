"""The prosecutor's case file as a PDF (issue 16), built by the real Celery task.

Rotterdam customs owns a seizure with two exhibits (one destroyed after analysis, one whose
custody was corrected) and two documents; it refers the case to the Rotterdam public
prosecutor and shares it with the Antwerp prosecutor. The PDF's text, extracted with pypdf,
must hold the indexes, every hash, every custody event and, on each page, the banner, the
watermark and the page number. On an H1 case Antwerp's copy withholds the items until Rotterdam
grants them. Producing is a disclosure to the requester, downloading a consultation; only the
requester downloads, and a share revoked before the build leaves nothing built.
"""
import datetime
import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from agencies.selectors import active_membership
from audit.models import AuditEvent, Operation
from cases.choices import HandlingCode, ShareLevel, Status
from cases.models import CaseFile, CaseFileStatus, Document
from cases.services import (
    case_create, case_share, case_transition, case_unshare, document_attach, identifier_add, note_add, party_add,
    route_leg_add, seizure_add,
)
from cases.services.case_files import case_file_download, case_file_get, case_file_request
from cases.services.evidence import evidence_request_decide, evidence_request_file
from cases.services.exhibits import custody_record, exhibit_add
from coordination.errors import ActionForbidden, Conflict, NotVisible

REASON = "Indictment of the consignee; hearing on 12 March"
LAB_REPORT = b"%PDF-1.4\nlab report: cocaine hydrochloride 82 %\n%%EOF\n"
BILL_OF_LADING = b"Bill of lading MSCU-BL-4471, 1 x 40' reefer, bananas\n"
OWN_NOTE = "Informant says the consignee expects a second load in April."


def _case(cast, handling_code=HandlingCode.H0):
    officer = cast["rtm.officer"]
    case = case_create(actor=officer, title="Cocaine in bananas, reefer MSCU", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=3), handling_code=handling_code,
                       legal_basis="Art. 46 UCC; Opiumwet art. 2", summary="120 kg in a reefer of bananas.")
    seizure = seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="120.5", unit="kg", packages=110,
                          brick_marking="ROLEX")
    route_leg_add(actor=officer, case_id=case.pk, locode="ECGYE", role="loading")
    route_leg_add(actor=officer, case_id=case.pk, locode="NLRTM", role="discharge")
    party_add(actor=officer, case_id=case.pk, kind="company", role="consignee", name="Fruta Import BV", country="NL")
    identifier_add(actor=officer, case_id=case.pk, kind="container", value="CSQU3054383")
    note_add(actor=officer, case_id=case.pk, text=OWN_NOTE, source_reliability="B", information_assessment=2)
    documents = [
        document_attach(actor=officer, case_id=case.pk, title="NFI laboratory report", kind="lab_report",
                        uploaded_file=SimpleUploadedFile("lab.pdf", LAB_REPORT)),
        document_attach(actor=officer, case_id=case.pk, title="Bill of lading", kind="bill_of_lading",
                        uploaded_file=SimpleUploadedFile("bl.txt", BILL_OF_LADING)),
    ]
    sample = exhibit_add(actor=officer, case_id=case.pk, description="Sample of brick 1, marked ROLEX",
                         holder="Customs officer De Vries", location="Rotterdam Maasvlakte customs post",
                         seal_number="SEAL-0001", seizure=seizure.pk)
    transport = custody_record(actor=officer, case_id=case.pk, exhibit_id=sample.pk, to_holder="Courier Jansen",
                               to_location="Van en route to Rijswijk", purpose="transport", seal_intact=True)
    custody_record(actor=officer, case_id=case.pk, exhibit_id=sample.pk, to_holder="NFI analyst Bakker",
                   to_location="NFI laboratory Den Haag", purpose="analysis", seal_intact=True)
    custody_record(actor=officer, case_id=case.pk, exhibit_id=sample.pk, to_holder="Courier Smit",
                   to_location="Van en route to Rijswijk", purpose="transport", seal_intact=True,
                   note="The courier was Smit, not Jansen.", corrects=transport.pk)
    custody_record(actor=officer, case_id=case.pk, exhibit_id=sample.pk, to_holder="Destruction officer Visser",
                   to_location="AVR incinerator Rozenburg", purpose="destruction", seal_intact=True)
    phone = exhibit_add(actor=officer, case_id=case.pk, description="Phone found in the reefer's engine room",
                        holder="Customs officer De Vries", location="Evidence room Rotterdam")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=phone.pk, to_holder="Police digital forensics",
                   to_location="Politie Rotterdam, Zuidplein", purpose="analysis", seal_intact=False,
                   note="Bag torn on arrival")
    case_transition(actor=officer, case_id=case.pk, to=Status.OPEN)
    case_transition(actor=officer, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    case_share(actor=officer, case_id=case.pk, agency_code="BE-PROS-ANR", level=ShareLevel.VIEW)
    return case, documents, [sample, phone]


@pytest.fixture
def story(db, cast, run_tasks_here):
    return _case(cast)


def _build(actor, case, django_capture_on_commit_callbacks, **answers) -> CaseFile:
    """Request the case file and run what the request enqueued (the Celery task, here in-process)."""
    with django_capture_on_commit_callbacks(execute=True):
        case_file = case_file_request(actor=actor, case_id=case.pk, justification=REASON, **answers)
    case_file.refresh_from_db()
    return case_file


def _pages(case_file: CaseFile) -> list[str]:
    with case_file.file.open("rb") as stored:
        reader = PdfReader(io.BytesIO(stored.read()))
        return [page.extract_text() for page in reader.pages]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_pdf_holds_the_indexes_every_hash_and_custody_event_and_marks_every_page(
        story, cast, django_capture_on_commit_callbacks):
    case, documents, (sample, phone) = story
    prosecutor = cast["rtm.prosecutor"]
    case_file = _build(prosecutor, case, django_capture_on_commit_callbacks)

    assert (case_file.status, case_file.progress, case_file.error) == (CaseFileStatus.DONE, 100, "")
    pages = _pages(case_file)
    assert case_file.pages == len(pages) >= 4
    text = _flat(" ".join(pages))
    assert case.reference in pages[0] and "NL-CUS-RTM" in pages[0] and "H0" in pages[0]
    assert str(case_file.id) in _flat(pages[0])
    for heading in ("Contents", "Exhibit index", "Document index", "Chains of custody", "Evidence", "Chronology"):
        assert heading in text
    for document in documents:
        assert document.sha256 in text.replace(" ", "")
    for exhibit in (sample, phone):
        assert exhibit.number in text
        for event in exhibit.custody.all():
            assert event.to_holder in text and event.to_location in text
    assert "Corrects event 1." in text and "The courier was Smit, not Jansen." in text
    assert "not intact" in text  # the phone's torn bag
    assert OWN_NOTE in text and "Fruta Import BV" in text and "CSQU3054383" in text and "ECGYE" in text
    generated = re.search(r"Generated at (\d{4}-\d\d-\d\d \d\d:\d\d)", _flat(pages[0])).group(1)
    for number, page in enumerate(pages, start=1):
        flat = _flat(page)
        assert "H0 — law-enforcement use only" in flat, f"banner missing on page {number}"
        assert prosecutor.username in flat and "NL-OM-RTM" in flat and generated in flat, f"watermark, page {number}"
        assert f"{number} / {len(pages)}" in flat, f"page number missing on page {number}"


def test_the_table_of_contents_gives_each_section_its_page(story, cast, django_capture_on_commit_callbacks):
    case, _documents, _exhibits = story
    pages = _pages(_build(cast["rtm.prosecutor"], case, django_capture_on_commit_callbacks))
    contents = _flat(pages[1])
    for heading in ("Summary", "Exhibit index", "Document index", "Chronology"):
        listed = int(re.search(re.escape(heading) + r"[ .]*(\d+)", contents).group(1))
        assert heading in pages[listed - 1], f"{heading} is not on page {listed}"


def test_producing_is_a_disclosure_and_downloading_a_consultation_with_the_recorded_hash(
        story, cast, django_capture_on_commit_callbacks):
    case, _documents, _exhibits = story
    prosecutor = cast["rtm.prosecutor"]
    case_file = _build(prosecutor, case, django_capture_on_commit_callbacks)
    with case_file.file.open("rb") as stored:
        stored_bytes = stored.read()
    assert stored_bytes.startswith(b"%PDF")
    assert case_file.sha256 == hashlib.sha256(stored_bytes).hexdigest()
    assert case_file.size == len(stored_bytes)
    produced = AuditEvent.objects.get(action="case_file_produce", object_id=str(case_file.pk))
    assert (produced.operation, produced.recipient, produced.actor_username, produced.case_id) == (
        Operation.DISCLOSURE, prosecutor.username, prosecutor.username, case.pk)
    assert produced.changes["sha256"] == case_file.sha256 and produced.justification == REASON

    download = case_file_download(actor=prosecutor, file_id=case_file.pk)
    assert download.content == stored_bytes
    consulted = AuditEvent.objects.get(action="case_file_download", object_id=str(case_file.pk))
    assert (consulted.operation, consulted.changes["sha256"], consulted.case_id) == (
        Operation.CONSULTATION, case_file.sha256, case.pk)


def test_only_the_requester_gets_the_file_not_even_a_colleague(story, cast, django_capture_on_commit_callbacks):
    case, _documents, _exhibits = story
    case_file = _build(cast["anr.prosecutor"], case, django_capture_on_commit_callbacks)
    for other in ("rtm.prosecutor", "rtm.officer", "ham.officer"):
        with pytest.raises(NotVisible):
            case_file_download(actor=cast[other], file_id=case_file.pk)
        with pytest.raises(NotVisible):
            case_file_get(actor=cast[other], file_id=case_file.pk)
    assert not AuditEvent.objects.filter(action="case_file_download").exists()


def test_a_file_not_yet_built_is_a_conflict(story, cast):
    case, _documents, _exhibits = story
    prosecutor = cast["rtm.prosecutor"]
    queued = CaseFile.objects.create(case=case, requested_by=prosecutor,
                                     requester_agency=active_membership(prosecutor).agency)
    with pytest.raises(Conflict):
        case_file_download(actor=prosecutor, file_id=queued.pk)


def test_a_share_revoked_before_the_build_leaves_it_failed_with_nothing_disclosed(story, cast):
    case, _documents, _exhibits = story
    prosecutor = cast["anr.prosecutor"]
    case_file = case_file_request(actor=prosecutor, case_id=case.pk, justification=REASON)
    share = case.shares.get(agency__code="BE-PROS-ANR")
    case_unshare(actor=cast["rtm.officer"], case_id=case.pk, share_id=share.pk)
    from cases.tasks import build_case_file

    assert build_case_file(str(case_file.pk)) == CaseFileStatus.FAILED
    case_file.refresh_from_db()
    assert (case_file.status, bool(case_file.file), case_file.sha256) == (CaseFileStatus.FAILED, False, "")
    assert "no longer see this case" in case_file.error
    assert not AuditEvent.objects.filter(action="case_file_produce").exists()


def test_a_failing_render_leaves_the_file_failed_never_running(story, cast, monkeypatch):
    case, _documents, _exhibits = story
    case_file = case_file_request(actor=cast["rtm.prosecutor"], case_id=case.pk, justification=REASON)

    def broken(**kwargs):
        raise OSError("Pango exploded")

    monkeypatch.setattr("cases.case_file_pdf.case_file_pdf", broken)
    from cases.tasks import build_case_file

    assert build_case_file(str(case_file.pk)) == CaseFileStatus.FAILED
    case_file.refresh_from_db()
    assert (case_file.status, case_file.error) == (CaseFileStatus.FAILED, "The PDF could not be built.")
    assert case_file.finished_at is not None


def test_the_export_reason_and_the_rules_of_every_read_come_first(story, cast):
    case, _documents, _exhibits = story
    with pytest.raises(ActionForbidden) as refused:
        case_file_request(actor=cast["rtm.prosecutor"], case_id=case.pk, justification=" ")
    assert refused.value.code == "justification_required"
    with pytest.raises(NotVisible):
        case_file_request(actor=cast["ham.officer"], case_id=case.pk, justification=REASON)
    assert not CaseFile.objects.filter(case=case).exists()


def test_a_tampered_document_is_shown_failed_in_the_file(story, cast, django_capture_on_commit_callbacks):
    case, documents, _exhibits = story
    lab = documents[0]
    with lab.file.open("wb") as stored:
        stored.write(LAB_REPORT.replace(b"82", b"28"))
    case_file = _build(cast["rtm.prosecutor"], case, django_capture_on_commit_callbacks)
    text = _flat(" ".join(_pages(case_file)))
    assert "FAILED: the stored file no longer matches this SHA-256" in text
    assert Document.objects.get(pk=lab.pk).integrity_failed_at is not None


def test_h1_items_are_withheld_from_another_agency_until_the_owner_grants_them(
        db, cast, run_tasks_here, django_capture_on_commit_callbacks):
    case, documents, (sample, _phone) = _case(cast, HandlingCode.H1)
    prosecutor, owner = cast["anr.prosecutor"], cast["rtm.officer"]
    note = case.notes.get()

    before = _flat(" ".join(_pages(_build(prosecutor, case, django_capture_on_commit_callbacks))))
    assert OWN_NOTE not in before and documents[0].sha256 not in before.replace(" ", "")
    assert "Sample of brick 1" not in before.split("Evidence")[0]  # not in the exhibit index
    assert before.count("has not been requested") >= 4  # the case, a note, a document, an exhibit

    request = evidence_request_file(actor=prosecutor, case_id=case.pk, justification=REASON, items=[
        {"type": "note", "id": note.pk}, {"type": "document", "id": documents[0].pk},
        {"type": "exhibit", "id": sample.pk}])
    evidence_request_decide(actor=owner, case_id=case.pk, request_id=request.pk, approve=True, reason="Agreed")

    after = _flat(" ".join(_pages(_build(prosecutor, case, django_capture_on_commit_callbacks))))
    assert OWN_NOTE in after and documents[0].sha256 in after.replace(" ", "")
    assert "AVR incinerator Rozenburg" in after  # the sample's custody chain
    assert documents[1].sha256 not in after.replace(" ", "")  # not asked for: still withheld
    assert "granted by the owning agency" in after


def test_the_first_pages_render_to_images(story, cast, django_capture_on_commit_callbacks, tmp_path):
    case, _documents, _exhibits = story
    case_file = _build(cast["rtm.prosecutor"], case, django_capture_on_commit_callbacks)
    pdf = tmp_path / "case-file.pdf"
    with case_file.file.open("rb") as stored:
        pdf.write_bytes(stored.read())
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
                   check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) == 3
    assert all(image.read_bytes().startswith(b"\x89PNG") and image.stat().st_size > 5_000 for image in images)
    kept = Path(__file__).resolve().parent.parent / "test-results" / "case-file"  # to look at (git ignores it)
    kept.mkdir(parents=True, exist_ok=True)
    for image in images:
        shutil.copyfile(image, kept / image.name)

