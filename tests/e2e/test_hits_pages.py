"""Hit/no-hit in the browser, as the people who use it.

The demo holds one container (cases.demo.SHARED_CONTAINER) in a Rotterdam and an Antwerp
case. The Rotterdam officer finds the hit on the Hits page, opens it (nothing of Antwerp's
case shows) and asks for view access; the Antwerp officer approves it on the access requests
page; the Rotterdam officer then finds the hit linked to Antwerp's case. Every page passes
axe-core, under the Content-Security-Policy, and is photographed on the way.
"""
import re

import pytest
from playwright.sync_api import expect

from cases.demo import SHARED_CONTAINER, seed_cases
from cases.models import Case, CaseShare, Identifier
from cases.services.matching import hits_rematch_all
from e2e.helpers import PASSWORD, assert_accessible, screenshot

JUSTIFICATION = "Same reefer container in our rip-off seizure; joint operation with Antwerp"


@pytest.fixture
def demo(cast):
    """The demo cases with their deliberate hits: the matching tasks run here without REDIS_URL,
    and go to Redis with it (CI), where no worker runs them; the nightly pass makes them alike."""
    seed_cases(users=cast)
    hits_rematch_all()
    [rtm, anr] = [Case.objects.get(owner_agency__code=code, identifiers__value=SHARED_CONTAINER)
                  for code in ("NL-CUS-RTM", "BE-CUS-ANR")]
    return rtm, anr


def test_a_hit_becomes_a_link_after_an_access_request_is_approved(user_page, demo):
    rtm, anr = demo
    officer = user_page("rtm.officer")
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="Hits").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Hits")
    row = officer.locator("table.hit-table tbody tr", has_text=SHARED_CONTAINER)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(rtm.reference)
    expect(row).to_contain_text("BE-CUS-ANR")
    expect(row).to_contain_text("New")
    assert_accessible(officer, "hits page")
    screenshot(officer, "hits-list")
    assert anr.reference not in officer.content()

    row.get_by_role("link", name=re.compile("^Open")).click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("Container number (ISO 6346) also held by BE-CUS-ANR")
    expect(officer.locator("dl.facts")).to_contain_text(SHARED_CONTAINER)
    for secret in (str(anr.pk), anr.reference, anr.title, anr.summary):
        assert secret not in officer.content()
    # Without a justification the request is refused on its field, and nothing is sent.
    officer.get_by_role("button", name="Request access").click()
    expect(officer.locator("#id_justification_error")).to_have_text("This field is required.")
    expect(officer.get_by_label("Why does your agency need this case?")).to_have_attribute("aria-invalid", "true")
    assert_accessible(officer, "hit page with an error")
    screenshot(officer, "hit-request-error")
    officer.get_by_label("View", exact=True).check()
    officer.get_by_label("Why does your agency need this case?").fill(JUSTIFICATION)
    officer.get_by_role("button", name="Request access").click()
    expect(officer.get_by_role("status")).to_contain_text("Access requested from BE-CUS-ANR")
    expect(officer.locator(".hit-status").first).to_have_text("Access requested")
    expect(officer.get_by_role("button", name="Request access")).to_have_count(0)
    assert_accessible(officer, "hit page, requested")
    screenshot(officer, "hit-requested")

    owner = user_page("anr.officer")
    tile = owner.locator('[data-tile="incoming-requests"]')
    expect(tile.locator("[data-count]")).to_have_text("1")
    screenshot(owner, "dashboard-hit-tiles")
    tile.click()
    expect(owner.get_by_role("heading", level=1)).to_have_text("Access requests")
    item = owner.locator(".request-item", has_text=JUSTIFICATION)
    expect(item).to_contain_text("rtm.officer")
    expect(item).to_contain_text(rtm.reference)  # the requester's case, by reference
    expect(item).to_contain_text(SHARED_CONTAINER)
    assert_accessible(owner, "access requests, incoming")
    screenshot(owner, "access-requests-incoming")
    item.get_by_label("Level to grant").select_option("view")
    item.get_by_label("Reason").fill("Joint operation agreed by phone")
    item.get_by_role("button", name="Approve").click()
    expect(owner.get_by_role("status")).to_contain_text("Approved: NL-CUS-RTM now holds")
    expect(owner.locator(".request-item", has_text=JUSTIFICATION)).to_contain_text("Approved at view level")
    assert CaseShare.objects.get(case=anr, agency__code="NL-CUS-RTM").level == "view"

    officer.reload()
    expect(officer.locator(".hit-status").first).to_contain_text("Linked")
    link = officer.locator("dl.facts").get_by_role("link", name=anr.reference)
    expect(link).to_be_visible()
    assert_accessible(officer, "hit page, linked")
    screenshot(officer, "hit-linked")
    officer.goto(f"/cases/{rtm.pk}/")
    officer.get_by_role("navigation", name="Case sections").get_by_role("link", name="Hits", exact=True).click()
    panel = officer.locator("#case-tabs")
    expect(panel.get_by_role("heading", level=2)).to_have_text("Linked cases and hits")
    expect(panel.locator("table.hit-table tbody tr", has_text=SHARED_CONTAINER)).to_contain_text(anr.reference)
    assert_accessible(officer, "linked cases tab")
    screenshot(officer, "case-hits-tab")


def test_the_owner_keeps_an_identifier_out_of_matching(user_page, demo):
    rtm, _anr = demo
    officer = user_page("rtm.officer")
    officer.goto(f"/cases/{rtm.pk}/identifiers/")
    row = officer.locator("#case-tabs tbody tr", has_text=SHARED_CONTAINER)
    row.get_by_label(re.compile("^Reason for the change")).fill("Shipping line's own test container")
    row.get_by_role("button", name=re.compile("^Do not match")).click()
    expect(officer.get_by_role("status")).to_contain_text(f"{SHARED_CONTAINER} is no longer matched")
    row = officer.locator("#case-tabs tbody tr", has_text=SHARED_CONTAINER)
    expect(row).to_contain_text("Not matched")
    expect(row.get_by_role("button", name=re.compile("^Match again"))).to_be_visible()
    assert Identifier.objects.get(case=rtm, value=SHARED_CONTAINER).matching_excluded
    assert_accessible(officer, "identifiers with an excluded one")
    screenshot(officer, "case-identifiers-matching")
    officer.get_by_role("navigation", name="Main").get_by_role("link", name="Hits").click()
    expect(officer.locator("table.hit-table tbody tr", has_text=SHARED_CONTAINER)).to_have_count(0)


def test_platform_admins_see_frequent_values_in_the_admin(page, demo, settings):
    settings.MATCHING_MAX_CASES = 1  # every demo value held by two cases counts as frequent
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/cases/case/")
    page.get_by_role("link", name="Frequent values (not matched)").click()
    expect(page.locator("#result_list tbody tr").first).to_be_visible()
    expect(page.locator("#result_list")).to_contain_text("Container")
    assert SHARED_CONTAINER not in page.content()
    screenshot(page, "admin-frequent-values")
