"""The case list and the case page, beyond the main journey: in-place updates with HTMX,
the same pages without JavaScript, and axe-core on every tab."""
import re

from playwright.sync_api import expect

from e2e.helpers import assert_accessible, screenshot


def listed_references(page):
    return set(page.locator("#case-results tbody tr td:first-child").all_inner_texts())


def test_case_list_filters_in_place_with_htmx_and_keeps_the_state_in_the_url(user_page, cases):
    page = user_page("rtm.officer")
    page.goto("/cases/")
    assert_accessible(page, "case list")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Search").fill("pineapples")
    expect(page).to_have_url(re.compile(r"[?&]q=pineapples"))
    expect(page.locator("#case-results")).to_contain_text("1 case")
    assert listed_references(page) == {cases["shared"].reference}
    page.get_by_label("Whose").select_option("agency")
    expect(page).to_have_url(re.compile(r"scope=agency"))
    # Sorting keeps the filters; none of this reloaded the page.
    page.get_by_label("Search").fill("")
    expect(page.locator("#case-results")).to_contain_text("2 cases")
    page.locator("#case-results").get_by_role("link", name="Reference").click()
    expect(page).to_have_url(re.compile(r"sort=reference"))
    expect(page.locator("#case-results th[aria-sort=ascending]")).to_contain_text("Reference")
    assert page.locator("#case-results tbody tr td:first-child").all_inner_texts() == sorted(
        [cases["rtm"].reference, cases["shared"].reference])
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "case-list")
    # The URL is the view: opened afresh, it shows the same list.
    bookmarked = page.url
    page.goto(bookmarked)
    expect(page.get_by_label("Whose")).to_have_value("agency")
    expect(page.locator("#case-results th[aria-sort=ascending]")).to_contain_text("Reference")


def test_case_list_and_inline_adding_work_without_javascript(user_page, cases):
    page = user_page("rtm.officer", java_script_enabled=False)
    page.goto("/cases/")
    page.get_by_label("Search").fill("bananas")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"q=bananas"))
    assert listed_references(page) == {cases["rtm"].reference}
    page.get_by_role("link", name=cases["rtm"].reference).click()
    page.get_by_role("navigation", name="Case sections").get_by_role("link", name="Route").click()
    # <details> opens without JavaScript; the form posts and redirects back to the tab.
    page.get_by_text("Add a route leg").first.click()
    page.get_by_label("Port or place").fill("EC GYE")
    page.get_by_label("Role").select_option("loading")
    page.locator("#case-tabs form").get_by_role("button", name="Add a route leg").click()
    expect(page).to_have_url(re.compile(r"/route/$"))
    expect(page.locator(".route-line")).to_contain_text("ECGYE")
    expect(page.get_by_role("status")).to_contain_text("Route leg added.")


def test_every_tab_of_the_case_page_passes_axe(user_page, cases):
    page = user_page("rtm.officer")
    page.goto(f"/cases/{cases['shared'].pk}/")
    for tab in ("Overview", "Seizures", "Identifiers", "Parties", "Route", "Notes", "Sharing", "Activity"):
        page.get_by_role("navigation", name="Case sections").get_by_role("link", name=re.compile(f"^{tab}")).click()
        expect(page.locator(".case-tabs .nav-link.active")).to_contain_text(tab)
        # HTMX swapped the tabs and pushed the tab's own address.
        expect(page).to_have_url(re.compile(f"/cases/{cases['shared'].pk}/" + ("" if tab == "Overview" else
                                                                               f"{tab.lower()}/") + "$"))
        assert_accessible(page, f"{tab} tab")
    screenshot(page, "case-activity")
    # Keyboard focus is visible: the focused link gets an outline.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"


def test_login_and_error_pages_pass_axe(page, cast):
    page.goto("/accounts/login/")
    assert_accessible(page, "login")
    screenshot(page, "login")


def test_the_owners_activity_tab_shows_a_readers_reason_and_refusal(user_page, cases):
    shared = cases["shared"].pk
    liaison = user_page("liaison.officer")
    liaison.goto(f"/cases/{shared}/seizures/")
    liaison.get_by_label("Why do you open this case?").fill("Route analysis for EMPACT")
    liaison.get_by_role("button", name="Open the case").click()
    expect(liaison.locator(".case-tabs .nav-link.active")).to_contain_text("Seizures")
    refused = liaison.goto(f"/cases/{shared}/activity/")
    assert refused.status == 403

    owner = user_page("rtm.officer")
    owner.goto(f"/cases/{shared}/activity/")
    rows = owner.locator("table.activity tbody tr")
    by_liaison = rows.filter(has_text="liaison.officer")
    expect(by_liaison.filter(has_text="Viewed the case")).to_contain_text("Route analysis for EMPACT")
    expect(by_liaison.filter(has_text="Was refused an action")).to_have_count(1)
    assert_accessible(owner, "activity with a refusal")
    screenshot(owner, "case-activity-refusal")
