"""Browser basics, driven through headless Chromium against a live server."""
import re

from playwright.sync_api import expect

from e2e.helpers import screenshot


def listed_references(page):
    """The references in the case table's first column, as the user sees them."""
    return set(page.locator("table tbody tr td:first-child").all_inner_texts())


def test_login_lands_on_the_dashboard_with_username_in_navbar(page, login, cast):
    login("rtm.officer")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sanne de Vries")
    expect(page.locator("nav").first).to_contain_text("rtm.officer · NL-CUS-RTM")


def test_wrong_password_shows_error_and_stays_on_login(page, login, cast):
    login("rtm.officer", password="not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_have_text("Your username, password or authenticator code did not match. Try again.")
    # Not logged in: the protected page still sends us back to the login form.
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/$"))


def test_logout_returns_to_login_and_cases_then_need_login_again(page, login, cast):
    login("rtm.officer")
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", name="Log in to Portcullis")).to_be_visible()
    # The session is really gone, not just the page changed.
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/cases/$"))


def test_case_list_shows_exactly_the_owning_agencys_cases(page, login, cases):
    login("rtm.officer")
    page.goto("/cases/")
    assert listed_references(page) == {cases["rtm"].reference, cases["shared"].reference}
    expect(page.locator("main")).not_to_contain_text(cases["ham"].title)
    # The vendored CSS really loaded: Bootstrap draws the select's chevron, ours colours the navbar.
    chevron = page.get_by_label("Status").evaluate("el => getComputedStyle(el).backgroundImage")
    assert chevron.startswith('url("data:image/svg+xml')
    navbar_bg = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_bg == "rgb(16, 42, 67)"
    screenshot(page, "case-list-basics")


def test_liaison_sees_only_the_case_shared_with_its_agency(page, login, cases):
    login("liaison.officer")
    page.goto("/cases/")
    assert listed_references(page) == {cases["shared"].reference}


def test_case_detail_opens_for_owner(page, login, cases):
    # The counterpart of the 404 test: the same URL pattern works for a visible case.
    login("rtm.officer")
    response = page.goto(f"/cases/{cases['rtm'].pk}/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(cases["rtm"].title)
    expect(page.locator(".case-header")).to_contain_text(cases["rtm"].reference)


def test_case_detail_of_another_agency_is_404_and_reveals_nothing(page, login, cases):
    login("rtm.officer")
    ham = cases["ham"]
    response = page.goto(f"/cases/{ham.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    body = page.content()
    assert ham.title not in body
    assert ham.reference not in body
