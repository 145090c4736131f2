"""Exhibits and their chain of custody in the browser (issue 16), as the Rotterdam officer
keeps them: a sample from a seized brick becomes EX-001, goes to the lab with its seal
intact, a wrong entry is corrected by a new event, and the exhibit is destroyed, after which
its chain takes nothing more. Every step passes axe-core under the Content-Security-Policy.
"""
import datetime
import re
import shutil

from django.utils import timezone
from playwright.sync_api import expect

from cases.choices import HandlingCode
from cases.models import CustodyEvent, Exhibit
from cases.services import case_create, seizure_add
from e2e.helpers import SCREENSHOTS, assert_accessible, screenshot


def record_custody(page, number: str, *, to_holder: str, to_location: str, purpose: str, corrects: str = "",
                   note: str = "") -> None:
    label = f"Record custody of {number}"
    page.get_by_text(label, exact=True).first.click()
    form = page.locator("form", has=page.get_by_role("button", name=label))
    form.get_by_label("To holder").fill(to_holder)
    form.get_by_label("To location").fill(to_location)
    form.get_by_label("Purpose").select_option(purpose)
    expect(form.get_by_label("Seal intact")).to_be_checked()
    if corrects:
        form.get_by_label("Corrects event").select_option(label=corrects)
    if note:
        form.get_by_label("Note").fill(note)
    form.get_by_role("button", name=label).click()


def test_an_exhibit_from_seizure_to_destruction(user_page, cast):
    case = case_create(actor=cast["rtm.officer"], title="Cocaine in bananas from Guayaquil", port="NLRTM",
                       handling_code=HandlingCode.H0, seized_at=timezone.now() - datetime.timedelta(days=1),
                       legal_basis="Art. 46 Union Customs Code")
    seizure_add(actor=cast["rtm.officer"], case_id=case.pk, drug="cocaine", quantity=1100, unit="kg")
    officer = user_page("rtm.officer")
    officer.goto(f"/cases/{case.pk}/")
    officer.get_by_role("navigation", name="Case sections").get_by_role("link", name="Exhibits").click()
    expect(officer.get_by_role("heading", name="Exhibits", level=2)).to_be_visible()
    expect(officer.get_by_text("No exhibit recorded yet.")).to_be_visible()

    officer.get_by_text("Add an exhibit", exact=True).first.click()
    officer.get_by_role("button", name="Add an exhibit").click()  # nothing filled in: refused on its fields
    expect(officer.locator("#exhibit-description")).to_have_attribute("aria-invalid", "true")
    assert_accessible(officer, "exhibit form with errors")
    officer.get_by_label("Description").fill("Sample from brick 12 (logo 'Rolex')")
    officer.get_by_label("Seal or bag number").fill("NL-SEAL-0042")
    officer.get_by_label(re.compile("^Holder")).fill("Customs team 3")
    officer.get_by_label(re.compile("^Location")).fill("Rotterdam, Maasvlakte")
    officer.get_by_label("From seizure").select_option(label="Cocaine: 1,100 kilograms")
    officer.get_by_role("button", name="Add an exhibit").click()
    exhibit_section = officer.locator("section.exhibit", has_text="EX-001")
    expect(exhibit_section).to_contain_text("Sample from brick 12")
    expect(exhibit_section).to_contain_text("Cocaine: 1,100 kilograms")
    expect(officer.get_by_text("Exhibit EX-001 added.")).to_be_visible()

    record_custody(officer, "EX-001", to_holder="NFI", to_location="The Hague lab", purpose="analysis")
    chain = exhibit_section.locator("table.custody")
    expect(chain.locator("tbody tr")).to_have_count(1)
    expect(chain).to_contain_text("Customs team 3, Rotterdam, Maasvlakte")
    expect(chain).to_contain_text("NFI, The Hague lab")

    record_custody(officer, "EX-001", to_holder="NFI", to_location="Rijswijk lab", purpose="analysis",
                   corrects="#1: analysis to NFI", note="The lab moved; wrong place entered")
    expect(chain.locator("tbody tr")).to_have_count(2)
    expect(chain.get_by_role("link", name="corrects event #1")).to_be_visible()
    expect(exhibit_section.locator("dl")).to_contain_text("Rijswijk lab")
    assert_accessible(officer, "exhibit with a corrected chain")

    record_custody(officer, "EX-001", to_holder="Destruction team", to_location="Rotterdam incinerator",
                   purpose="destruction")
    expect(exhibit_section.locator(".badge")).to_have_text("Destroyed")
    expect(officer.get_by_text("Record custody of EX-001")).to_have_count(0)
    expect(chain.locator("tbody tr")).to_have_count(3)
    assert_accessible(officer, "destroyed exhibit")
    screenshot(officer, "exhibits")
    shutil.copy(SCREENSHOTS / "exhibits.png", "/tmp/exhibits.png")

    exhibit = Exhibit.objects.get(case=case)
    assert exhibit.status == "destroyed" and exhibit.location == "Rotterdam incinerator"
    first = CustodyEvent.objects.filter(exhibit=exhibit).order_by("recorded_at").first()
    assert CustodyEvent.objects.get(exhibit=exhibit, corrects=first).to_location == "Rijswijk lab"
