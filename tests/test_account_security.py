"""Account security (issue 15): two-factor sign-in at every entry point, session limits, passwords
and lockouts.

The story: Rotterdam customs turns on "two-factor required". Sanne (rtm.officer) logs in with her
password and is sent to set up an authenticator app before anything else; from then on the
browser, the admin and the token endpoint all want a code, and each backup code works once.
Her sessions end when idle past the agency's limit, twelve hours after login, when she logs out,
when her password or role changes. Ingrid (rtm.admin) resets Sanne's lost phone and lifts her
lockout; she sees nothing of Hamburg's Jonas (ham.officer). Codes are computed from the device's
own key, as the app on a phone does.
"""
import datetime
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies.models import Agency
from agencies.services import membership_set_role
from agencies.sessions import LOGIN_AT, SEEN_AT
from agencies.services_admin import member_create
from agencies.two_factor import backup_codes_replace
from audit.models import AuditEvent
from cast import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
SETUP = "/accounts/security/two-factor/"
BACKUP_CODES = "/accounts/security/backup-codes/"
TOKEN = "/api/v1/auth/token/"
REFUSED = "Your username, password or authenticator code did not match."


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()  # the token throttle
    yield
    cache.clear()


@pytest.fixture
def rtm_requires_2fa(cast):
    Agency.objects.filter(code="NL-CUS-RTM").update(require_2fa=True)


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The app's code now, or `steps_ahead` periods later (a code is accepted once: the login
    after enrolment within the same 30 seconds needs the next one, which the tolerance admits)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead):06d}"


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    backup_codes_replace(actor=user)
    return device


def log_in(client: Client, username="rtm.officer", url=LOGIN, **fields):
    return client.post(url, {"username": username, "password": DEMO_PASSWORD, **fields})


def logged_in_client(username="rtm.officer", **fields) -> Client:
    client = Client()
    assert log_in(client, username, **fields).status_code == 302
    return client


def can_see_cases(client: Client) -> bool:
    return client.get("/cases/").status_code == 200


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


# Two-factor: enrolment first, then a code at every entry point


def test_a_member_of_an_agency_requiring_2fa_reaches_only_enrolment_until_enrolled(rtm_requires_2fa):
    client = logged_in_client()
    for page in ("/", "/cases/", "/hits/", "/accounts/security/password/"):
        response = client.get(page)
        assert response.status_code == 302 and response["Location"] == f"{SETUP}?next={page.replace('/', '%2F')}"
    api = client.get("/api/v1/cases/")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_enrolment_required"
    assert client.get(SETUP).status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_an_agency_without_the_rule_lets_its_members_in_with_a_password(cast):
    assert can_see_cases(logged_in_client())


def test_enrolment_with_a_computed_code_shows_backup_codes_once_then_login_needs_a_code(rtm_requires_2fa, cast):
    client = logged_in_client()
    page = client.get(SETUP, {"next": "/cases/"}).content.decode()
    device = TOTPDevice.objects.get(user=cast["rtm.officer"], confirmed=False)
    assert "<svg" in page and re.sub(r"\s", "", re.search(r'id="totp-secret">([^<]+)<', page).group(1))
    wrong = client.post(SETUP, {"code": code_of(device, steps_ahead=5), "next": "/cases/"})
    assert "That code did not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=cast["rtm.officer"], confirmed=True).exists()
    # A failure holds the device back for a second (django-otp's throttle): a minute later, then.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=1))

    confirmed = client.post(SETUP, {"code": code_of(device), "next": "/cases/"})
    assert confirmed.status_code == 302 and confirmed["Location"] == f"{BACKUP_CODES}?next=/cases/"
    shown = client.get(confirmed["Location"]).content.decode()
    codes = set(StaticToken.objects.filter(device__user=cast["rtm.officer"]).values_list("token", flat=True))
    assert len(codes) == 10 and all(code in shown for code in codes)
    assert not any(code in client.get(BACKUP_CODES).content.decode() for code in codes)  # shown once
    assert can_see_cases(client)
    assert AuditEvent.objects.filter(action="two_factor_enrol", object_id=str(cast["rtm.officer"].pk)).exists()

    assert log_in(Client()).status_code == 200  # the password alone no longer does
    device.refresh_from_db()
    assert can_see_cases(logged_in_client(otp=code_of(device, steps_ahead=1)))


def test_an_app_code_works_once(cast):
    device = enrolled(cast["rtm.officer"])
    code = code_of(device)
    assert can_see_cases(logged_in_client(otp=code))
    assert REFUSED in log_in(Client(), otp=code).content.decode()


def test_each_backup_code_works_once(cast):
    enrolled(cast["rtm.officer"])
    code = StaticToken.objects.filter(device__user=cast["rtm.officer"]).first().token
    assert can_see_cases(logged_in_client(otp=code))
    again = log_in(Client(), otp=code)
    assert again.status_code == 200 and REFUSED in again.content.decode()
    assert StaticToken.objects.filter(device__user=cast["rtm.officer"]).count() == 9


def test_new_backup_codes_replace_the_old_ones(cast):
    enrolled(cast["rtm.officer"])
    old = StaticToken.objects.filter(device__user=cast["rtm.officer"]).first().token
    client = logged_in_client(otp=StaticToken.objects.filter(device__user=cast["rtm.officer"]).last().token)
    assert client.post(BACKUP_CODES).status_code == 302
    assert not StaticToken.objects.filter(token=old).exists()
    assert StaticDevice.objects.get(user=cast["rtm.officer"]).token_set.count() == 10
    assert log_in(Client(), otp=old).status_code == 200


def test_the_admin_login_asks_for_the_same_second_factor(cast):
    device = enrolled(cast["admin"])
    refused = Client()
    assert REFUSED in log_in(refused, "admin", url=ADMIN_LOGIN).content.decode()
    assert refused.get("/admin/").status_code == 302
    client = Client()
    assert log_in(client, "admin", url=ADMIN_LOGIN, otp=code_of(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


def test_the_admin_is_behind_the_enrolment_gate_too(rtm_requires_2fa, cast):
    cast["rtm.admin"].is_staff = True
    cast["rtm.admin"].save(update_fields=["is_staff"])
    client = Client()
    assert log_in(client, "rtm.admin", url=ADMIN_LOGIN).status_code == 302
    assert client.get("/admin/")["Location"].startswith(SETUP)


def test_the_token_endpoint_sends_an_unenrolled_member_to_the_browser(rtm_requires_2fa, cast):
    refused = APIClient().post(TOKEN, {"username": "rtm.officer", "password": DEMO_PASSWORD}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "two_factor_enrolment_required" and "browser" in refused.json()["detail"]
    assert AuditEvent.objects.filter(action="token_issue", changes__reason="two_factor_enrolment_required").exists()
    # Only after the password: a wrong one gets the usual answer, saying nothing about enrolment.
    wrong = APIClient().post(TOKEN, {"username": "rtm.officer", "password": "not-it"}, format="json")
    assert wrong.status_code == 400 and "two_factor" not in wrong.content.decode()


def test_the_token_endpoint_wants_the_code_of_an_enrolled_member(rtm_requires_2fa, cast):
    device = enrolled(cast["rtm.officer"])
    body = {"username": "rtm.officer", "password": DEMO_PASSWORD}
    assert APIClient().post(TOKEN, body, format="json").status_code == 400
    issued = APIClient().post(TOKEN, {**body, "otp": code_of(device)}, format="json")
    assert issued.status_code == 200 and issued.json()["token"]


# Losing a device: the agency admin resets it


def test_an_agency_admin_resets_a_members_second_factor_audited(rtm_requires_2fa, cast):
    enrolled(cast["rtm.officer"])
    admin = APIClient()
    admin.force_authenticate(cast["rtm.admin"])
    url = f"/api/v1/agency/members/{cast['rtm.officer'].pk}/reset-2fa/"
    assert admin.post(url).status_code == 204
    assert not TOTPDevice.objects.filter(user=cast["rtm.officer"]).exists()
    assert not StaticDevice.objects.filter(user=cast["rtm.officer"]).exists()
    record = AuditEvent.objects.get(action="member_two_factor_reset")
    assert record.actor_id == cast["rtm.admin"].pk and record.recipient == "rtm.officer"
    # Back to the password, and straight to enrolment again.
    client = logged_in_client()
    assert client.get("/cases/")["Location"].startswith(SETUP)


def test_resetting_is_for_the_admins_own_agency_only(cast):
    enrolled(cast["ham.officer"])
    admin = APIClient()
    admin.force_authenticate(cast["rtm.admin"])
    assert admin.post(f"/api/v1/agency/members/{cast['ham.officer'].pk}/reset-2fa/").status_code == 404
    officer = APIClient()
    officer.force_authenticate(cast["rtm.officer"])
    assert officer.post(f"/api/v1/agency/members/{cast['rtm.analyst'].pk}/reset-2fa/").status_code == 403
    assert TOTPDevice.objects.filter(user=cast["ham.officer"]).exists()
    assert not AuditEvent.objects.filter(action="member_two_factor_reset").exists()


# Sessions


def age_session(client: Client, *, idle_seconds: int = 0, since_login_seconds: int = 0) -> None:
    session = client.session
    session[SEEN_AT] -= idle_seconds
    session[LOGIN_AT] -= max(since_login_seconds, idle_seconds)
    session.save()


def test_the_session_cookie_is_httponly_and_samesite_lax(cast):
    response = log_in(Client())
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_cookies_are_secure():
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="portcullis.example.eu", MATCHING_KEY=secrets.token_urlsafe(32),
               DATABASE_URL="postgres://portcullis@db.example.eu:5432/portcullis",
               REDIS_URL="redis://redis.example.eu:6379/0")  # named, never connected to
    script = ("import django; django.setup(); from django.conf import settings as s; "
              "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE)")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            env={**env, "DJANGO_SETTINGS_MODULE": "coordination.settings"})
    assert result.stdout.split() == ["True", "True", "True", "Lax"], result.stderr


def test_the_agencys_idle_limit_ends_a_session_on_the_server(cast):
    Agency.objects.filter(code="NL-CUS-RTM").update(session_idle_minutes=15)
    client = logged_in_client()
    age_session(client, idle_seconds=14 * 60)
    assert can_see_cases(client)  # and the request counts as activity
    key = session_key(client)
    age_session(client, idle_seconds=16 * 60)
    assert client.get("/cases/")["Location"].startswith(LOGIN)
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/api/v1/cases/").status_code == 401


def test_a_busy_session_still_ends_twelve_hours_after_login(cast):
    client = logged_in_client()
    age_session(client, since_login_seconds=12 * 3600 - 60)
    assert can_see_cases(client)
    age_session(client, since_login_seconds=120)
    assert client.get("/cases/")["Location"].startswith(LOGIN)


def test_logging_in_issues_a_new_session_key(cast):
    client = Client()
    client.get(LOGIN)
    client.cookies[settings.SESSION_COOKIE_NAME] = "fixedbyanattacker0000000000000000"
    log_in(client)
    assert session_key(client) != "fixedbyanattacker0000000000000000" and can_see_cases(client)


def test_logout_ends_the_session_on_the_server_and_the_old_cookie_is_refused(cast):
    client = logged_in_client()
    key = session_key(client)
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/cases/")["Location"].startswith(LOGIN)


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(cast):
    here, elsewhere = logged_in_client(), logged_in_client()
    new_password = "a-long-new-passphrase-2026"
    changed = here.post("/accounts/security/password/", {
        "old_password": DEMO_PASSWORD, "new_password1": new_password, "new_password2": new_password})
    assert changed.status_code == 302
    assert can_see_cases(here)
    assert not can_see_cases(elsewhere)


def test_changing_the_password_needs_the_current_one_and_twelve_characters(cast):
    client = logged_in_client()
    wrong_old = client.post("/accounts/security/password/", {
        "old_password": "not-the-password", "new_password1": "a-long-new-passphrase-2026",
        "new_password2": "a-long-new-passphrase-2026"})
    too_short = client.post("/accounts/security/password/", {
        "old_password": DEMO_PASSWORD, "new_password1": "short-pw-11", "new_password2": "short-pw-11"})
    assert wrong_old.status_code == too_short.status_code == 200
    assert "at least 12 characters" in too_short.content.decode()
    assert can_see_cases(logged_in_client())  # the password is unchanged


def test_a_role_change_ends_the_members_sessions_and_nobody_elses(cast):
    analyst, officer = logged_in_client("rtm.analyst"), logged_in_client("rtm.officer")
    admin = APIClient()
    admin.force_authenticate(cast["rtm.admin"])
    changed = admin.patch(f"/api/v1/agency/members/{cast['rtm.analyst'].pk}/", {"role": "officer"}, format="json")
    assert changed.status_code == 200
    assert analyst.get("/cases/")["Location"].startswith(LOGIN)
    assert can_see_cases(officer)
    # Any writer of the role, not only the API: the platform admin's service call too.
    membership_set_role(actor=cast["admin"], user=cast["rtm.officer"], agency=Agency.objects.get(code="NL-CUS-RTM"),
                        role="analyst")
    assert not can_see_cases(officer)


# Passwords


@pytest.mark.parametrize("password", ["short-pw-11", "international", "123456789000"])
def test_passwords_need_twelve_characters_and_must_not_be_common(password):
    with pytest.raises(ValidationError):
        validate_password(password)
    validate_password("seizure-bananas-harbour")


def test_the_set_password_link_applies_the_rules_and_works_once(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        member_create(actor=cast["rtm.admin"], username="new.officer", email="new.officer@portcullis.example",
                      role="officer")
    link = re.search(r"https?://[^/]+(/accounts/set-password/\S+)", mail.outbox[-1].body).group(1)
    client = Client()
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    too_short = client.post(form_url, {"new_password1": "short-pw-11", "new_password2": "short-pw-11"})
    assert "at least 12 characters" in too_short.content.decode()
    done = client.post(form_url, {"new_password1": "seizure-bananas-harbour",
                                  "new_password2": "seizure-bananas-harbour"})
    assert done.status_code == 302
    assert "has been used or has expired" in Client().get(link, follow=True).content.decode()


# Lockouts


def lock_out(username: str) -> None:
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(LOGIN, {"username": username, "password": "wrong-password"})


def test_an_agency_admin_sees_and_lifts_only_their_own_members_lockouts_audited(cast):
    lock_out("rtm.officer")
    lock_out("ham.officer")
    admin = APIClient()
    admin.force_authenticate(cast["rtm.admin"])
    listed = admin.get("/api/v1/agency/lockouts/")
    assert listed.status_code == 200
    assert [(row["username"], row["member_id"], row["failures"]) for row in listed.json()["results"]] == [
        ("rtm.officer", cast["rtm.officer"].pk, settings.AXES_FAILURE_LIMIT)]
    assert "ham.officer" not in listed.content.decode()
    assert log_in(Client()).status_code == settings.AXES_HTTP_RESPONSE_CODE

    assert admin.delete("/api/v1/agency/lockouts/ham.officer/").status_code == 404
    assert admin.delete("/api/v1/agency/lockouts/nobody/").status_code == 404
    assert admin.delete("/api/v1/agency/lockouts/rtm.officer/").status_code == 204
    assert can_see_cases(logged_in_client())
    assert AccessAttempt.objects.filter(username="ham.officer").exists()
    record = AuditEvent.objects.get(action="member_lockout_lift")
    assert record.actor_id == cast["rtm.admin"].pk and record.recipient == "rtm.officer"
    assert record.changes["failures"] == settings.AXES_FAILURE_LIMIT + 1  # the refused try while locked counts too
    assert admin.delete("/api/v1/agency/lockouts/rtm.officer/").status_code == 404  # nothing left to lift


def test_lockouts_are_for_agency_admins_only(cast):
    lock_out("rtm.officer")
    officer = APIClient()
    officer.force_authenticate(cast["rtm.analyst"])
    assert officer.get("/api/v1/agency/lockouts/").status_code == 403
    assert officer.delete("/api/v1/agency/lockouts/rtm.officer/").status_code == 403
    assert AccessAttempt.objects.filter(username="rtm.officer").exists()


# Keys and platform staff (found by the ASVS review, docs/security.md)


def test_changing_the_password_revokes_the_api_tokens_issued_before(cast):
    from agencies.tokens import api_token_issue

    _token, key = api_token_issue(user=cast["rtm.officer"])
    keyed = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert keyed.get("/api/v1/me/").status_code == 200
    new_password = "a-long-new-passphrase-2026"
    assert logged_in_client().post("/accounts/security/password/", {
        "old_password": DEMO_PASSWORD, "new_password1": new_password, "new_password2": new_password}).status_code == 302
    assert keyed.get("/api/v1/me/").status_code == 401
    record = AuditEvent.objects.get(action="tokens_revoke_all", recipient="rtm.officer")
    assert record.changes == {"reason": "password_changed", "prefixes": [_token.prefix]}


def test_resetting_a_lost_second_factor_revokes_the_members_api_tokens(rtm_requires_2fa, cast):
    from agencies.tokens import api_token_issue

    enrolled(cast["rtm.officer"])
    _token, key = api_token_issue(user=cast["rtm.officer"])
    keyed = APIClient(HTTP_AUTHORIZATION=f"Token {key}")
    assert keyed.get("/api/v1/me/").status_code == 200
    admin = APIClient()
    admin.force_authenticate(cast["rtm.admin"])
    assert admin.post(f"/api/v1/agency/members/{cast['rtm.officer'].pk}/reset-2fa/").status_code == 204
    assert keyed.get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="tokens_revoke_all", changes__reason="two_factor_reset").exists()


def test_platform_staff_must_enrol_where_the_platform_requires_it(cast, settings):
    settings.PLATFORM_REQUIRE_2FA = True
    client = Client()
    assert log_in(client, "admin", url=ADMIN_LOGIN).status_code == 302
    assert client.get("/admin/")["Location"].startswith(SETUP)
    refused = APIClient().post(TOKEN, {"username": "admin", "password": DEMO_PASSWORD}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "two_factor_enrolment_required"
    settings.PLATFORM_REQUIRE_2FA = False  # the embedded default: `make run`'s superuser logs in in one step
    relaxed = Client()
    assert log_in(relaxed, "admin", url=ADMIN_LOGIN).status_code == 302
    assert relaxed.get("/admin/").status_code == 200


def test_production_requires_platform_staff_to_enrol():
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="portcullis.example.eu", MATCHING_KEY=secrets.token_urlsafe(32),
               DATABASE_URL="sqlite:///:memory:", REDIS_URL="redis://redis.example.eu:6379/0")
    env.pop("PLATFORM_REQUIRE_2FA", None)
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); from django.conf import settings; "
                             "print(settings.PLATFORM_REQUIRE_2FA)"], cwd=ROOT, env={
        **env, "DJANGO_SETTINGS_MODULE": "coordination.settings"}, capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr
