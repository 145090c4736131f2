"""The main journeys through the browser, as the people who do them.

Rotterdam customs opens a case with a seizure and a container and shares it with the EU
liaison bureau; the liaison officer states why she opens it and adds a note; a Hamburg
officer gets a 404; the case is referred to the Rotterdam prosecutor, who finds it on the
dashboard. Every main page is checked with axe-core and photographed on the way.
"""
import re

from playwright.sync_api import expect

from audit.models import AuditEvent
from cases.models import Case
from e2e.helpers import assert_accessible, screenshot

TITLE = "1,100 kg cocaine in reefer with bananas"


def open_tab(page, name: str):
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name=re.compile(rf"^{name}")).click()
    expect(page.locator(".case-tabs .nav-link.active")).to_contain_text(name)


def officer_opens_a_case(page) -> Case:
    page.get_by_role("link", name="Open a new case").click()
    expect(page.get_by_role("heading", name="Open a new case")).to_be_visible()
    assert_accessible(page, "new case form")
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Summary").fill("Found behind the reefer unit's panels during a scan.")
    page.get_by_label("Port of seizure").fill("ZZRTM")
    page.get_by_label("Legal basis").fill("Art. 46 Union Customs Code")
    page.get_by_role("button", name="Open case").click()
    # A bad UN/LOCODE is refused on its own field, and the rest of the input is kept.
    port_error = page.locator("#id_port_error")
    expect(port_error).to_contain_text("ZZ is not a country code")
    expect(page.get_by_label("Port of seizure")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title")).to_have_value(TITLE)
    screenshot(page, "case-new-validation-error")
    assert_accessible(page, "new case form with errors")
    page.get_by_label("Port of seizure").fill("nl rtm")
    page.get_by_role("button", name="Open case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_role("status")).to_contain_text("opened as a draft")
    return Case.objects.get(title=TITLE)


def officer_adds_seizure_and_container(page) -> None:
    open_tab(page, "Seizures")
    page.get_by_text("Add a seizure").first.click()
    page.get_by_label("Drug").select_option("cocaine")
    page.get_by_label("Quantity").fill("1100")
    page.get_by_label("Unit").select_option("kg")
    page.get_by_label("Packages").fill("1000")
    page.get_by_label("Brick marking").fill("Rolex")
    page.locator("#case-tabs form").get_by_role("button", name="Add a seizure").click()
    expect(page.locator("#case-tabs table")).to_contain_text("1,100 kilograms")
    expect(page.locator("#case-tabs")).to_contain_text("Seizure added.")

    open_tab(page, "Identifiers")
    page.get_by_text("Add an identifier").first.click()
    page.get_by_label("Kind").select_option("container")
    page.get_by_label("Value").fill("MSCU 123456-7")
    page.locator("#case-tabs form").get_by_role("button", name="Add an identifier").click()
    # The check-digit message names the digit ISO 6346 expects.
    expect(page.locator("#id_value_error")).to_have_text("Container MSCU1234567 has check digit 7; ISO 6346 expects 6.")
    screenshot(page, "case-identifier-check-digit")
    assert_accessible(page, "identifier form with error")
    page.get_by_label("Value").fill("MSCU 123456-6")
    page.locator("#case-tabs form").get_by_role("button", name="Add an identifier").click()
    expect(page.locator("#case-tabs table")).to_contain_text("MSCU1234566")

    # A wrong IMO check digit is a warning: the form asks for the reason, then records it.
    page.get_by_text("Add an identifier").first.click()
    page.get_by_label("Kind").select_option("imo")
    page.get_by_label("Value").fill("IMO 9074728")
    page.locator("#case-tabs form").get_by_role("button", name="Add an identifier").click()
    expect(page.locator("#id_value_error")).to_contain_text("give an override reason")
    page.get_by_label("Why record it despite the check digit?").fill("The vessel's papers show this number.")
    page.locator("#case-tabs form").get_by_role("button", name="Add an identifier").click()
    expect(page.locator("#case-tabs table")).to_contain_text("Check digit overridden")


def officer_opens_and_shares_with_liaison(page) -> None:
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".case-header .status-badge")).to_have_text("Open")
    open_tab(page, "Sharing")
    panel = page.locator("#case-tabs")
    panel.get_by_label("Agency").select_option("EU-LIA")
    panel.get_by_label("Level").select_option("contribute")
    panel.get_by_label("Reason").fill("Same shipping line as the Antwerp seizure")
    panel.get_by_role("button", name="Share", exact=True).click()
    expect(page.locator("#case-tabs table")).to_contain_text("EU-LIA")
    expect(page.get_by_role("button", name="Revoke EU-LIA")).to_be_visible()
    screenshot(page, "case-sharing")
    assert_accessible(page, "sharing tab")


def test_a_case_travels_from_customs_to_liaison_and_prosecution(user_page, cast):
    officer = user_page("rtm.officer")
    screenshot(officer, "dashboard-officer")
    assert_accessible(officer, "dashboard")
    case = officer_opens_a_case(officer)
    officer_adds_seizure_and_container(officer)
    officer_opens_and_shares_with_liaison(officer)
    open_tab(officer, "Overview")
    screenshot(officer, "case-overview")
    assert_accessible(officer, "case overview")

    # The liaison officer finds it among the cases shared with her bureau, and says why she opens it.
    liaison = user_page("liaison.officer")
    shared_tile = liaison.locator('[data-tile="shared"]')
    expect(shared_tile.locator("[data-count]")).to_have_text("1")
    shared_tile.click()
    expect(liaison.locator("#case-results")).to_contain_text(case.reference)
    liaison.get_by_role("link", name=case.reference).click()
    expect(liaison.get_by_role("heading", name="Before you open this case")).to_be_visible()
    expect(liaison.locator("main")).not_to_contain_text("Found behind the reefer")
    screenshot(liaison, "case-justification")
    assert_accessible(liaison, "justification gate")
    liaison.get_by_label("Why do you open this case?").fill("Matching container in an EU-LIA analysis")
    liaison.get_by_role("button", name="Open the case").click()
    expect(liaison.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert AuditEvent.objects.filter(case_id=case.pk, actor_username="liaison.officer", operation="consultation",
                                     justification="Matching container in an EU-LIA analysis").exists()

    open_tab(liaison, "Notes")
    liaison.get_by_text("Add a note").first.click()
    liaison.get_by_role("textbox", name="Note").fill("The consignee also received a reefer in Antwerp last month.")
    liaison.get_by_label("Source (4x4)").select_option("B")
    liaison.get_by_label("Information (4x4)").select_option("2")
    liaison.locator("#case-tabs form").get_by_role("button", name="Add a note").click()
    note = liaison.locator(".note").first
    expect(note).to_contain_text("The consignee also received a reefer in Antwerp")
    expect(note).to_contain_text("4x4 B2")
    expect(note).to_contain_text("Elena Rossi")
    screenshot(liaison, "case-notes")
    assert_accessible(liaison, "notes tab")

    # A Hamburg officer has no share: the address answers 404 and gives nothing away.
    outsider = user_page("ham.officer")
    response = outsider.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(outsider.get_by_role("heading", name="Not found")).to_be_visible()
    assert TITLE not in outsider.content() and case.reference not in outsider.content()
    screenshot(outsider, "not-found")
    assert_accessible(outsider, "404")

    # The owner refers the case; the referral asks for the prosecution agency.
    officer.reload()
    officer.locator("summary", has_text="Refer to prosecution").click()
    officer.get_by_label("Prosecution agency").select_option("NL-OM-RTM")
    officer.get_by_label("Reason", exact=True).fill("File complete for prosecution")
    officer.get_by_role("button", name="Refer the case").click()
    expect(officer.locator(".case-header .status-badge")).to_have_text("Referred")
    expect(officer.locator(".case-header")).to_contain_text("Referred to: NL-OM-RTM")

    prosecutor = user_page("rtm.prosecutor")
    referred_tile = prosecutor.locator('[data-tile="referred"]')
    expect(referred_tile.locator("[data-count]")).to_have_text("1")
    screenshot(prosecutor, "dashboard-prosecutor")
    referred_tile.click()
    expect(prosecutor).to_have_url(re.compile(r"/cases/\?scope=referred&status=active$"))
    expect(prosecutor.locator("#case-results")).to_contain_text(case.reference)
    # The prosecutor's only step is the one the workflow gives a referred prosecutor.
    prosecutor.get_by_role("link", name=case.reference).click()
    prosecutor.get_by_label("Why do you open this case?").fill("Referred to our office")
    prosecutor.get_by_role("button", name="Open the case").click()
    actions = prosecutor.locator(".case-actions")
    expect(actions.get_by_role("button", name="Accept for judicial proceedings")).to_be_visible()
    expect(actions.get_by_role("link", name="Edit")).to_have_count(0)
