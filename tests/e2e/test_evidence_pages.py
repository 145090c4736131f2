"""H1 evidence use in the browser (issue 16), as the people who use it.

Rotterdam customs owns an H1 case with a lab report, a note and an exhibit, and refers it to the
Rotterdam prosecution office. The prosecutor opens it (with a reason), ticks the lab report and
the exhibit on the "Evidence use" tab and says why; a missing reason is refused on its field.
Rotterdam's officer grants the request with a reason; the prosecutor then sees it granted.
Every page passes axe-core, under the Content-Security-Policy.
"""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import EvidenceRequest
from cases.selectors_evidence import evidence_standing, standing_of
from cases.services import case_create, case_transition, document_attach, note_add
from cases.services.exhibits import exhibit_add
from e2e.helpers import assert_accessible, screenshot

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JUSTIFICATION = "Trial of the pineapple importers: the lab report and the sample prove the purity"


@pytest.fixture
def h1_case(cast):
    officer = cast["rtm.officer"]
    case = case_create(actor=officer, title="Informant lead on cocaine in pineapples", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=2), handling_code="H1",
                       legal_basis="Art. 46 Union Customs Code")
    case_transition(actor=officer, case_id=case.pk, to="open")
    case_transition(actor=officer, case_id=case.pk, to="referred", agency_code="NL-OM-RTM")
    note_add(actor=officer, case_id=case.pk, text="Informant: brick marking 'crown'.")
    document_attach(actor=officer, case_id=case.pk, title="NFI lab report", kind="lab_report",
                    uploaded_file=SimpleUploadedFile("lab.pdf", PDF))
    exhibit_add(actor=officer, case_id=case.pk, description="Sample from brick 12", holder="Customs lab",
                location="Rotterdam")
    return case


def test_a_prosecutor_requests_items_and_the_owner_grants_them(user_page, h1_case):
    case = h1_case
    prosecutor = user_page("rtm.prosecutor")
    prosecutor.goto(f"/cases/{case.pk}/")
    prosecutor.get_by_label("Why do you open this case?").fill("Referral received for prosecution")
    prosecutor.get_by_role("button", name="Open the case").click()
    prosecutor.get_by_role("navigation", name="Case sections").get_by_role("link", name="Evidence use").click()
    panel = prosecutor.locator("#case-tabs")
    expect(panel.get_by_role("heading", level=2)).to_have_text("Evidence use")
    panel.get_by_label("Document: NFI lab report").check()
    panel.get_by_label("Exhibit EX-001: Sample from brick 12").check()
    # Without a reason nothing is filed, and the field says why.
    panel.get_by_role("button", name="Request evidence use").click()
    justification = prosecutor.get_by_label("Why does the prosecution need these items?")
    expect(justification).to_have_attribute("aria-invalid", "true")
    assert not EvidenceRequest.objects.filter(case=case).exists()
    assert_accessible(prosecutor, "evidence tab with an error")
    screenshot(prosecutor, "evidence-request-error")
    justification.fill(JUSTIFICATION)
    prosecutor.get_by_role("button", name="Request evidence use").click()
    expect(prosecutor.get_by_role("status")).to_contain_text("Evidence use requested from NL-CUS-RTM")
    request_item = prosecutor.locator(".evidence-request", has_text=JUSTIFICATION)
    expect(request_item.locator(".evidence-status")).to_have_text("Pending")
    expect(request_item).to_contain_text("NFI lab report")
    assert_accessible(prosecutor, "evidence tab, requested")
    screenshot(prosecutor, "evidence-requested")

    owner = user_page("rtm.officer")
    owner.goto(f"/cases/{case.pk}/evidence/")
    item = owner.locator(".evidence-request", has_text=JUSTIFICATION)
    expect(item).to_contain_text("rtm.prosecutor · NL-OM-RTM")
    expect(item).to_contain_text("Sample from brick 12")
    assert_accessible(owner, "evidence tab, owner")
    screenshot(owner, "evidence-owner-decides")
    item.get_by_label("Reason").fill("For this trial only")
    item.get_by_role("button", name="Grant").click()
    expect(owner.get_by_role("status")).to_contain_text("Granted: NL-OM-RTM may use these items as evidence")
    decided = owner.locator(".evidence-request", has_text=JUSTIFICATION)
    expect(decided.locator(".evidence-status")).to_have_text("Granted")
    expect(decided.get_by_role("button", name="Grant")).to_have_count(0)
    assert_accessible(owner, "evidence tab, granted")

    prosecutor.reload()
    granted = prosecutor.locator(".evidence-request", has_text=JUSTIFICATION)
    expect(granted.locator(".evidence-status")).to_have_text("Granted")
    expect(granted).to_contain_text("For this trial only")
    screenshot(prosecutor, "evidence-granted")
    request = EvidenceRequest.objects.get(case=case)
    agency_id = request.requester_agency_id
    standings = evidence_standing(case=case, agency_id=agency_id)
    document = case.documents.get()
    assert standing_of(standings, case=case, agency_id=agency_id, item_type="document", item_id=document.pk).usable
    assert not standing_of(standings, case=case, agency_id=agency_id, item_type="note",
                           item_id=case.notes.get().pk).usable
