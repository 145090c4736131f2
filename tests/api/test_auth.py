"""API authentication: personal tokens, their second factor, lockout and audit (API.md, Authentication).

The story: a Rotterdam customs officer's case system asks for a token with the officer's
credentials; an attacker guesses passwords for the same account.
"""
import hashlib

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.throttling import ScopedRateThrottle

from agencies.models import ApiToken
from audit.models import AuditEvent
from cast import DEMO_PASSWORD

TOKEN_URL = reverse("api:auth-token")
ME_URL = reverse("api:me")


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    # The token endpoint's rate limit counts in the cache, which outlives each test's transaction.
    cache.clear()
    yield
    cache.clear()


def ask_for_token(client, **body):
    return client.post(TOKEN_URL, body, content_type="application/json")


def issue_token(client, username="rtm.officer", **extra) -> str:
    response = ask_for_token(client, username=username, password=DEMO_PASSWORD, **extra)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def confirmed_totp_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):0{device.digits}d}"


def test_an_issued_token_authenticates_api_calls(client, cast):
    key = issue_token(client)
    response = Client().get(ME_URL, **with_token(key))
    assert response.status_code == 200
    assert response.json()["username"] == "rtm.officer"
    assert response.json()["agency"]["code"] == "NL-CUS-RTM"


def test_only_a_hash_of_the_key_is_stored(client, cast):
    key = issue_token(client)
    token = ApiToken.objects.get(user=cast["rtm.officer"])
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[:8]
    stored = str(list(ApiToken.objects.values())) + str(list(AuditEvent.objects.values()))
    assert key not in stored
    assert token.expires_at > timezone.now()


def test_each_request_issues_another_personal_token_and_revoking_one_leaves_the_other(client, cast):
    first, second = issue_token(client), issue_token(client)
    assert first != second
    assert Client().delete(TOKEN_URL, **with_token(first)).status_code == 204
    assert Client().get(ME_URL, **with_token(second)).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client, cast):
    wrong_password = ask_for_token(client, username="rtm.officer", password="not-the-password")
    unknown_user = ask_for_token(client, username="nobody.here", password=DEMO_PASSWORD)
    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password.json() == unknown_user.json() == {"detail": "Unable to log in with the provided credentials."}
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(client, cast):
    cast["rtm.officer"].is_active = False
    cast["rtm.officer"].save(update_fields=["is_active"])
    assert ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD).status_code == 400


def test_refused_attempts_are_audited_without_the_password(client, cast):
    ask_for_token(client, username="rtm.officer", password="guess-one-123")
    ask_for_token(client, username="nobody.here", password="guess-two-456")
    refusals = AuditEvent.objects.filter(operation="access_denied", action="token_issue", object_type="user")
    known, unknown = refusals.get(object_id="rtm.officer"), refusals.get(object_id="nobody.here")
    assert known.actor == cast["rtm.officer"] and known.actor_agency == "NL-CUS-RTM"
    assert unknown.actor is None and unknown.actor_username == ""
    assert known.changes == unknown.changes == {"reason": "credentials", "locked_out": False}
    assert known.ip_address == "127.0.0.1"
    recorded = str(list(AuditEvent.objects.values())) + str(list(AccessAttempt.objects.values()))
    assert "guess-one-123" not in recorded and "guess-two-456" not in recorded


def test_issue_and_revoke_are_audited(client, cast):
    key = issue_token(client)
    token = ApiToken.objects.get()
    Client().delete(TOKEN_URL, **with_token(key))
    events = AuditEvent.objects.filter(object_type="api_token", object_id=str(token.pk))
    assert list(events.values_list("operation", "action", "actor_username")) == [
        ("collection", "token_issue", "rtm.officer"),
        ("erasure", "token_revoke", "rtm.officer"),
    ]


def test_a_user_with_a_confirmed_device_must_give_a_valid_code(client, cast):
    device = confirmed_totp_device(cast["rtm.officer"])
    without_code = ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD)
    wrong_code = ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD,
                               otp=f"{(int(current_code(device)) + 1) % 10 ** 6:06d}")
    refused = {"detail": "Unable to log in with the provided credentials."}
    assert (without_code.status_code, without_code.json()) == (400, refused)
    assert (wrong_code.status_code, wrong_code.json()) == (400, refused)
    assert not ApiToken.objects.exists()
    reasons = AuditEvent.objects.filter(operation="access_denied", object_id="rtm.officer")
    assert [event.changes["reason"] for event in reasons] == ["otp", "otp"]


def test_a_valid_code_gets_the_token(client, cast):
    device = confirmed_totp_device(cast["rtm.officer"])
    key = issue_token(client, otp=current_code(device))
    assert Client().get(ME_URL, **with_token(key)).status_code == 200


def test_an_unconfirmed_device_does_not_yet_require_a_code(client, cast):
    TOTPDevice.objects.create(user=cast["rtm.officer"], name="phone", confirmed=False)
    issue_token(client)


def test_repeated_failures_lock_out_even_the_right_password(client, cast):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert ask_for_token(client, username="rtm.officer", password="wrong-guess-123").status_code == 400
    locking = ask_for_token(client, username="rtm.officer", password="wrong-guess-123")
    right_password = ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD)
    assert locking.status_code == right_password.status_code == 429
    assert "detail" in right_password.json()
    assert not ApiToken.objects.exists()
    last_refusal = AuditEvent.objects.filter(operation="access_denied", object_id="rtm.officer").latest("id")
    assert last_refusal.changes == {"reason": "credentials", "locked_out": True}


def test_the_lockout_is_per_username_and_address(client, cast):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        ask_for_token(client, username="rtm.officer", password="wrong-guess-123")
    assert ask_for_token(client, username="ham.officer", password=DEMO_PASSWORD).status_code == 200
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert ask_for_token(elsewhere, username="rtm.officer", password=DEMO_PASSWORD).status_code == 200


def test_wrong_codes_count_towards_the_lockout(client, cast):
    confirmed_totp_device(cast["rtm.officer"])
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD, otp="000000")
    assert ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD).status_code == 429


def test_the_browser_login_is_locked_out_too(client, cast):
    login_url = reverse("login")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(login_url, {"username": "rtm.officer", "password": "wrong-guess-123"}).status_code == 200
    client.post(login_url, {"username": "rtm.officer", "password": "wrong-guess-123"})
    response = client.post(login_url, {"username": "rtm.officer", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_browser_login_still_works(client, cast):
    response = client.post(reverse("login"), {"username": "rtm.officer", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(ME_URL).json()["username"] == "rtm.officer"


def test_the_token_endpoint_is_rate_limited(client, cast):
    allowed, _period = ScopedRateThrottle().parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_token"])
    for _request in range(allowed):
        issue_token(client)
    response = ask_for_token(client, username="rtm.officer", password=DEMO_PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response


def test_revoking_a_token_ends_it(client, cast):
    key = issue_token(client)
    assert Client().delete(TOKEN_URL, **with_token(key)).status_code == 204
    assert not ApiToken.objects.exists()
    response = Client().get(ME_URL, **with_token(key))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_revoking_needs_a_token(client, cast):
    assert Client().delete(TOKEN_URL).status_code == 401
    client.force_login(cast["rtm.officer"])
    assert client.delete(TOKEN_URL).status_code == 401


def test_an_anonymous_api_call_is_challenged_with_401(client, db):
    response = client.get(reverse("api:case-list"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_an_expired_token_is_refused(client, cast):
    key = issue_token(client)
    ApiToken.objects.update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert Client().get(ME_URL, **with_token(key)).status_code == 401


def test_a_deactivated_users_token_is_refused(client, cast):
    key = issue_token(client)
    cast["rtm.officer"].is_active = False
    cast["rtm.officer"].save(update_fields=["is_active"])
    assert Client().get(ME_URL, **with_token(key)).status_code == 401


@pytest.mark.parametrize("header", ["Token", "Token two words", "Token not-a-real-key"])
def test_a_bad_token_header_is_401(client, db, header):
    assert client.get(ME_URL, HTTP_AUTHORIZATION=header).status_code == 401


def test_using_a_token_records_when(client, cast):
    key = issue_token(client)
    assert ApiToken.objects.get().last_used_at is None
    Client().get(ME_URL, **with_token(key))
    assert ApiToken.objects.get().last_used_at is not None


def test_a_token_call_costs_one_query_for_the_token_and_its_user(client, cast):
    key = issue_token(client)
    caller = Client()
    caller.get(ME_URL, **with_token(key))
    with CaptureQueriesContext(connection) as captured:
        assert caller.get(ME_URL, **with_token(key)).status_code == 200
    # Savepoints come from the test's transaction around ATOMIC_REQUESTS; they are not reads.
    reads = [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(reads) == 2  # the token joined with its user; the user's membership


def test_a_malformed_body_is_400_not_500(client, db):
    response = client.post(TOKEN_URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize("body", [{}, {"username": "rtm.officer"}, {"username": "rtm.officer", "password": "x",
                                                                     "remember_me": True}, ["rtm.officer"]])
def test_an_incomplete_or_unknown_body_is_400(client, db, body):
    assert client.post(TOKEN_URL, body, content_type="application/json").status_code == 400


def test_a_browser_session_still_needs_csrf_for_api_writes(cast):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast["rtm.officer"])
    assert browser.get(ME_URL).status_code == 200
    assert browser.post(reverse("api:case-list"), {}, content_type="application/json").status_code == 403
