"""Agency administration in Chromium, checked with axe: Rotterdam customs requires two-factor
sign-in. Ingrid (rtm.admin) logs in with her app's code and adds Noor as an officer; Noor opens
the link from her e-mail, chooses a password, is sent to set up an authenticator app, and from
then on logs in with a code. Ingrid deactivates her, and the page Noor has open ends at her
next click. Then Ingrid issues a key to a Rotterdam system (shown once), sets the policy, and
takes a case back from Antwerp. Codes are computed from the device keys, as a phone would."""
import re
from base64 import b32decode

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agencies.models import Agency
from cases.choices import ShareLevel
from cases.models import CaseShare
from cases.services import case_share
from e2e.helpers import PASSWORD, assert_accessible, screenshot

NEW_PASSWORD = "harbour-reefer-manifest"


def app_code(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key, now or `steps_ahead` periods on."""
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def log_in_with_code(page, username, code, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


@pytest.fixture
def new_page(browser, live_server, csp_watch):
    """A page in a browser context of its own (own cookies), not logged in."""
    contexts = []

    def _open():
        context = csp_watch.watch(browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def admin(cast, new_page):
    """Ingrid, enrolled, logged in with her app's code, in an agency that requires it."""
    Agency.objects.filter(code="NL-CUS-RTM").update(require_2fa=True)
    device = TOTPDevice.objects.create(user=cast["rtm.admin"], name="Authenticator app", confirmed=True)
    page = new_page()
    log_in_with_code(page, "rtm.admin", app_code(device.bin_key))
    expect(page).to_have_url(re.compile(r"/$"))
    return page


def test_an_admin_adds_a_member_who_enrols_and_logs_in_then_deactivates_them(admin, new_page):
    admin.get_by_role("navigation", name="Main").get_by_role("link", name="Agency").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Members")
    expect(admin.get_by_role("table", name="Members of your agency, newest first")).to_contain_text("rtm.officer")
    assert_accessible(admin, "members")
    screenshot(admin, "agency-members")

    admin.get_by_role("link", name="Add a member").click()
    admin.get_by_label("Username").fill("rtm.officer")  # taken
    admin.get_by_label("E-mail").fill("noor.visser@portcullis.example")
    admin.get_by_label("First name").fill("Noor")
    admin.get_by_label("Last name").fill("Visser")
    admin.get_by_label("Role").select_option("officer")
    admin.get_by_role("button", name="Create the member").click()
    expect(admin.locator("#id_username_error")).to_have_text("This username is taken.")
    expect(admin.get_by_label("Username")).to_have_attribute("aria-invalid", "true")
    assert_accessible(admin, "add a member, with an error")
    screenshot(admin, "agency-member-create-error")
    admin.get_by_label("Username").fill("noor.visser")
    admin.get_by_role("button", name="Create the member").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Noor Visser")
    expect(admin.get_by_role("status")).to_contain_text("A link to choose a password has been sent")
    assert_accessible(admin, "member")
    screenshot(admin, "agency-member")

    # Noor: the link from her e-mail, a password, then the authenticator app before anything else.
    [email] = mail.outbox
    assert email.to == ["noor.visser@portcullis.example"]
    link = re.search(r"https?://[^/\s]+(/accounts/set-password/\S+)", email.body).group(1)
    noor = new_page()
    noor.goto(link)
    expect(noor.get_by_role("heading", level=1)).to_have_text("Choose your password")
    assert_accessible(noor, "set password")
    noor.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    noor.get_by_label("New password again").fill(NEW_PASSWORD)
    noor.get_by_role("button", name="Set password").click()
    noor.goto("/accounts/login/")
    noor.get_by_label("Username").fill("noor.visser")
    noor.get_by_label("Password").fill(NEW_PASSWORD)
    noor.get_by_role("button", name="Log in").click()
    expect(noor).to_have_url(re.compile(r"/accounts/security/two-factor/\?next=%2F$"))
    key = b32decode(noor.locator("#totp-secret").inner_text().replace(" ", ""))
    noor.get_by_label("Code from the app").fill(app_code(key))
    noor.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(noor).to_have_url(re.compile(r"/accounts/security/backup-codes/"))
    noor.get_by_role("link", name="I have saved my backup codes").click()
    noor.get_by_role("button", name="Log out").click()
    log_in_with_code(noor, "noor.visser", app_code(key, steps_ahead=1), password=NEW_PASSWORD)
    expect(noor).to_have_url(re.compile(r"/$"))
    expect(noor.get_by_role("navigation", name="Main")).to_contain_text("noor.visser")
    expect(noor.get_by_role("navigation", name="Main").get_by_role("link", name="Agency")).to_have_count(0)

    # Ingrid sees her enrolled, and deactivates her after a confirmation.
    admin.get_by_role("link", name="Members", exact=True).click()
    row = admin.get_by_role("row", name=re.compile("noor.visser"))
    expect(row).to_contain_text("Noor Visser")
    expect(row.get_by_role("cell").nth(5)).to_have_text("Yes")  # two-factor
    row.get_by_role("link", name="Manage noor.visser").click()
    admin.get_by_role("link", name="Deactivate…").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Deactivate noor.visser?")
    assert_accessible(admin, "deactivation confirmation")
    screenshot(admin, "agency-member-deactivate")
    admin.get_by_role("button", name="Deactivate noor.visser").click()
    expect(admin.get_by_role("status")).to_contain_text("noor.visser is deactivated")
    expect(admin.get_by_text("This member is deactivated")).to_be_visible()

    # Noor's open page: her next click ends on the login page.
    noor.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    expect(noor).to_have_url(re.compile(r"/accounts/login/"))
    log_in_with_code(noor, "noor.visser", app_code(key, steps_ahead=2), password=NEW_PASSWORD)
    expect(noor).to_have_url(re.compile(r"/accounts/login/$"))


def test_an_admin_issues_a_key_shown_once_sets_the_policy_and_takes_a_case_back(admin, cast, cases):
    admin.goto("/agency/service-accounts/")
    admin.get_by_role("link", name="Create a service account").click()
    admin.get_by_label("Name").fill("Seizure register export")
    admin.get_by_label("Analyst").check()
    admin.get_by_label("Allowed addresses").fill("192.0.2.0/24\n198.51.100.7")
    admin.get_by_role("button", name="Create and show the key").click()
    expect(admin.get_by_role("alert")).to_contain_text("Shown only now.")
    key = admin.get_by_role("textbox", name="Key").input_value()
    assert len(key) >= 32
    assert_accessible(admin, "service account key")
    screenshot(admin, "agency-service-account-key")
    admin.get_by_role("link", name="I have stored the key").click()
    table = admin.get_by_role("table", name="Service accounts of your agency, newest first")
    expect(table).to_contain_text("Seizure register export")
    expect(table).to_contain_text("198.51.100.7/32")
    assert key not in admin.content()
    assert_accessible(admin, "service accounts")
    screenshot(admin, "agency-service-accounts")

    admin.get_by_role("link", name="Policy").click()
    admin.get_by_label("Idle session timeout (minutes)").fill("2")
    admin.get_by_role("button", name="Save the policy").click()
    expect(admin.locator("#id_session_idle_minutes_error")).to_contain_text("greater than or equal to 5")
    assert_accessible(admin, "policy, with an error")
    admin.get_by_label("Idle session timeout (minutes)").fill("20")
    admin.get_by_label("A justification is required for every export").uncheck()
    admin.get_by_role("button", name="Save the policy").click()
    expect(admin.get_by_role("status")).to_contain_text("The agency policy is saved.")
    expect(admin.get_by_label("Idle session timeout (minutes)")).to_have_value("20")
    assert_accessible(admin, "policy")
    screenshot(admin, "agency-policy")
    agency = Agency.objects.get(code="NL-CUS-RTM")
    assert (agency.session_idle_minutes, agency.justify_exports, agency.require_2fa) == (20, False, True)

    case_share(actor=cast["rtm.officer"], case_id=cases["rtm"].pk, agency_code="BE-CUS-ANR",
               level=ShareLevel.CONTRIBUTE, justification="Joint operation")
    admin.get_by_role("link", name="Who sees our cases").click()
    table = admin.get_by_role("table", name="Shares and named grants of your agency's cases, newest first")
    expect(table).to_contain_text(cases["shared"].reference)
    assert cases["rtm"].title not in admin.content()
    assert_accessible(admin, "who sees our cases")
    screenshot(admin, "agency-disclosures")
    admin.get_by_role("link", name=f"Revoke… the access of BE-CUS-ANR to {cases['rtm'].reference}").click()
    admin.get_by_label("Reason").fill("Joint operation over")
    assert_accessible(admin, "revoke a share")
    admin.get_by_role("button", name="Revoke access").click()
    expect(admin.get_by_role("status")).to_contain_text(f"BE-CUS-ANR no longer sees {cases['rtm'].reference}.")
    assert not CaseShare.objects.filter(case=cases["rtm"], agency__code="BE-CUS-ANR").exists()


def test_other_roles_get_the_403_page(user_page, cast):
    officer = user_page("rtm.officer")
    expect(officer.get_by_role("navigation", name="Main").get_by_role("link", name="Agency")).to_have_count(0)
    response = officer.goto("/agency/members/")
    assert response.status == 403
    expect(officer.get_by_role("heading", level=1)).to_have_text("Not allowed")
    expect(officer.get_by_text("Only agency administrators manage their agency.")).to_be_visible()
