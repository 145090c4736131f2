"""Two-factor sign-in in Chromium, checked with axe: Rotterdam customs requires it, so Sanne
(rtm.officer) is sent from her password login to set up an authenticator app, types the key the
page shows into "her app" (the test computes the codes from it, as a phone would), saves her
backup codes, and from then on logs in with a code; a backup code works once."""
import datetime
import re
from base64 import b32decode

from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from agencies.models import Agency
from e2e.helpers import PASSWORD, assert_accessible, log_in, screenshot


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the key, now or `steps_ahead` periods on."""
    return f"{totp(b32decode(secret.replace(' ', '')), step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def log_in_with_code(page, username, code):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authenticator code").fill(code)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_a_member_enrols_at_first_login_then_logs_in_with_a_code_and_a_backup_code_once(page, cast):
    Agency.objects.filter(code="NL-CUS-RTM").update(require_2fa=True)
    log_in(page, "rtm.officer")
    # Nothing else first: the dashboard itself sends her to enrolment.
    expect(page).to_have_url(re.compile(r"/accounts/security/two-factor/\?next=%2F$"))
    page.goto("/cases/")
    expect(page).to_have_url(re.compile(r"/accounts/security/two-factor/\?next=%2Fcases%2F$"))
    expect(page.get_by_role("img", name="QR code to scan with your authenticator app")).to_be_visible()
    assert_accessible(page, "two-factor setup")
    screenshot(page, "two-factor-setup")

    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code from the app").fill(app_code(secret, steps_ahead=3))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("That code did not match")
    assert_accessible(page, "two-factor setup with an error")
    # django-otp holds a device back for a second after a wrong code: a minute later, then.
    TOTPDevice.objects.filter(user__username="rtm.officer").update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=1))
    page.get_by_label("Code from the app").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page).to_have_url(re.compile(r"/accounts/security/backup-codes/"))
    expect(page.get_by_role("status")).to_contain_text("Two-factor sign-in is on")
    codes = page.get_by_role("list", name="Your backup codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page, "backup codes")
    screenshot(page, "two-factor-backup-codes")
    page.get_by_role("link", name="I have saved my backup codes").click()
    expect(page).to_have_url(re.compile(r"/cases/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    log_out(page)

    # The password alone no longer lets her in; the app's next code does.
    log_in(page, "rtm.officer")
    expect(page.get_by_role("alert")).to_contain_text("did not match")
    log_in_with_code(page, "rtm.officer", app_code(secret, steps_ahead=1))
    expect(page).to_have_url(re.compile(r"/$"))
    page.get_by_role("link", name="Sign-in security").click()
    expect(page.get_by_text("On: you log in with a code from your authenticator app")).to_be_visible()
    assert_accessible(page, "sign-in security")
    log_out(page)

    # A backup code works once.
    log_in_with_code(page, "rtm.officer", codes[0])
    expect(page).to_have_url(re.compile(r"/$"))
    log_out(page)
    log_in_with_code(page, "rtm.officer", codes[0])
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("did not match")
