"""The case-file review page in the browser (issue 16), as the prosecutor who receives the case.

Rotterdam customs owns an H1 case with a seizure, a suspect, a lab report and an exhibit whose
custody was once corrected, and refers it to the Rotterdam prosecution office. The prosecutor
opens the case file from the case page, says why first, and reads one page that passes axe-core
under the Content-Security-Policy, and prints without the site's chrome.
"""
import datetime
import shutil

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import HandlingCode, Status
from cases.models import Document
from cases.services import case_create, case_transition, document_attach, note_add, party_add, seizure_add
from cases.services.exhibits import custody_record, exhibit_add
from e2e.helpers import SCREENSHOTS, assert_accessible, screenshot

LAB_REPORT = b"%PDF-1.4\n% NFI lab report: 87% cocaine hydrochloride\n%%EOF\n"


def referred_h1_case(officer):
    case = case_create(actor=officer, title="Cocaine in banana boxes", summary="Scanner image showed dense blocks.",
                       port="NLRTM", seized_at=timezone.now() - datetime.timedelta(days=2),
                       handling_code=HandlingCode.H1, legal_basis="Art. 46 Union Customs Code")
    seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="120", unit="kg", brick_marking="Dolphin")
    party_add(actor=officer, case_id=case.pk, kind="person", role="suspect", name="Jan Verhoeven")
    note_add(actor=officer, case_id=case.pk, text="The driver refused to open the trailer.")
    document_attach(actor=officer, case_id=case.pk, title="Lab report", kind="lab_report",
                    uploaded_file=SimpleUploadedFile("lab.pdf", LAB_REPORT))
    exhibit = exhibit_add(actor=officer, case_id=case.pk, description="Sample from brick 7", seal_number="NL-0042",
                          holder="Customs RTM", location="Evidence room 2")
    wrong = custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI lab",
                           to_location="Rijswijk", purpose="analysis", seal_intact=True)
    custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI lab",
                   to_location="The Hague", purpose="analysis", seal_intact=True, corrects=wrong.pk,
                   note="Location mistyped")
    case_transition(actor=officer, case_id=case.pk, to=Status.OPEN)
    case_transition(actor=officer, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    return case


def test_the_prosecutor_reviews_the_whole_case_on_one_page(user_page, cast):
    case = referred_h1_case(cast["rtm.officer"])
    prosecutor = user_page("rtm.prosecutor")
    prosecutor.goto(f"/cases/{case.pk}/")
    prosecutor.get_by_label("Why do you open this case?").fill("Preparing the indictment")
    prosecutor.get_by_role("button", name="Open the case").click()
    prosecutor.get_by_role("link", name="Case file").click()

    expect(prosecutor.get_by_role("heading", level=1)).to_have_text("Case file: Cocaine in banana boxes")
    for section in ("Summary", "Seizures", "Route", "Parties", "Identifiers", "Exhibits and chain of custody",
                    "Documents", "Notes", "Evidence", "Chronology"):
        expect(prosecutor.get_by_role("heading", level=2, name=section, exact=True)).to_be_visible()
    sha256 = Document.objects.get(case=case).sha256
    expect(prosecutor.locator("code.cf-hash")).to_have_text(sha256)
    custody = prosecutor.get_by_role("table", name="Chain of custody of EX-001, oldest first")
    expect(custody.locator("tbody tr")).to_have_count(2)
    expect(custody.locator("tbody tr").nth(1)).to_contain_text("Corrects event 1")
    withheld = prosecutor.get_by_role("table", name="Withheld")
    expect(withheld.locator("tbody tr")).to_have_count(4)  # the case, the exhibit, the document, the note
    expect(prosecutor.get_by_role("table", name="Acts on the case, oldest first")).to_contain_text(
        "Referred the case to prosecution")
    assert_accessible(prosecutor, "case file review page")
    screenshot(prosecutor, "case-file-review")
    shutil.copy(SCREENSHOTS / "case-file-review.png", "/tmp/case_file_review.png")

    prosecutor.emulate_media(media="print")
    expect(prosecutor.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(prosecutor.get_by_role("navigation", name="Breadcrumb")).to_be_hidden()
    expect(prosecutor.get_by_role("heading", level=1)).to_be_visible()
    screenshot(prosecutor, "case-file-print")
    shutil.copy(SCREENSHOTS / "case-file-print.png", "/tmp/case_file_print.png")
