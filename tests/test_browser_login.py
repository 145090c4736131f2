"""The browser login asks for the authenticator code of accounts that have one, like the
token endpoint; a missing or wrong code is a failed login (locked out, audited)."""
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from cast import DEMO_PASSWORD

LOGIN = "/accounts/login/"
GENERIC_ERROR = "Your username, password or authenticator code did not match."


def code_of(device: TOTPDevice, shift: int = 0) -> str:
    return f"{(totp(device.bin_key, device.step, device.t0, device.digits, device.drift) + shift) % 10 ** 6:06d}"


def log_in(client: Client, **fields):
    return client.post(LOGIN, {"username": "rtm.officer", "password": DEMO_PASSWORD, **fields})


def is_logged_in(client: Client) -> bool:
    return client.get("/cases/").status_code == 200


def setup_function():
    cache.clear()  # the throttle and Axes' counters


def test_without_a_device_the_password_is_enough(cast):
    client = Client()
    assert log_in(client).status_code == 302
    assert is_logged_in(client)


def test_with_a_device_a_password_alone_or_a_wrong_code_is_refused_and_audited(cast):
    device = TOTPDevice.objects.create(user=cast["rtm.officer"], name="phone", confirmed=True)
    for fields in ({}, {"otp": code_of(device, shift=1)}, {"otp": "not-a-code"}):
        client = Client()
        refused = log_in(client, **fields)
        assert refused.status_code == 200
        assert GENERIC_ERROR in refused.content.decode()
        assert not is_logged_in(client)
    failures = AuditEvent.objects.filter(action="login_failed", object_id="rtm.officer")
    assert failures.count() == 3
    assert AccessAttempt.objects.get(username="rtm.officer").failures_since_start == 3


def test_a_wrong_password_gets_the_same_answer_as_a_wrong_code(cast):
    device = TOTPDevice.objects.create(user=cast["rtm.officer"], name="phone", confirmed=True)
    wrong_password = log_in(Client(), password="not-the-password", otp=code_of(device))
    assert GENERIC_ERROR in wrong_password.content.decode()


def test_the_right_code_logs_in(cast):
    device = TOTPDevice.objects.create(user=cast["rtm.officer"], name="phone", confirmed=True)
    client = Client()
    assert log_in(client, otp=code_of(device)).status_code == 302
    assert is_logged_in(client)


def test_guessing_codes_meets_the_lockout(cast):
    device = TOTPDevice.objects.create(user=cast["rtm.officer"], name="phone", confirmed=True)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), otp=code_of(device, shift=3))
    client = Client()
    locked = log_in(client, otp=code_of(device))  # even the right code, now
    assert locked.status_code == settings.AXES_HTTP_RESPONSE_CODE
    assert not is_logged_in(client)
