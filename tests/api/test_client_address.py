"""One client address for the token throttle, Axes and the audit trail (coordination/client_address.py).

The story: an attacker guesses passwords at the token endpoint and writes a new
X-Forwarded-For header on every request, hoping each guess counts as a new client. The header
counts only when a proxy of ours wrote it: NUM_PROXIES says how many stand in front of us.
"""
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.throttling import ScopedRateThrottle

from audit.models import AuditEvent
from cast import DEMO_PASSWORD
from coordination.client_address import client_ip

TOKEN_URL = reverse("api:auth-token")
CLIENT = "127.0.0.1"  # REMOTE_ADDR of Django's test client
PROXY = "10.1.2.3"


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    cache.clear()  # the throttle counts in the cache, which outlives each test's transaction
    yield
    cache.clear()


def ask_for_token(client, forwarded: str | None = None, **body):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(TOKEN_URL, body, content_type="application/json", **extra)


def allowed_per_period() -> int:
    allowed, _period = ScopedRateThrottle().parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["auth_token"])
    return allowed


def refusal_of(username: str) -> AuditEvent:
    return AuditEvent.objects.filter(operation="access_denied", action="token_issue", object_id=username).latest("id")


def test_a_new_forwarded_header_on_each_guess_still_meets_the_throttle(client, cast, settings):
    settings.NUM_PROXIES = 0
    statuses = [
        ask_for_token(client, forwarded=f"203.0.113.{n}", username=f"guess{n}", password="wrong-guess-123").status_code
        for n in range(15)
    ]
    allowed = allowed_per_period()
    assert statuses[:allowed] == [400] * allowed
    assert set(statuses[allowed:]) == {429}


def test_a_new_forwarded_header_on_each_guess_still_meets_the_lockout(client, cast, settings):
    settings.NUM_PROXIES = 0
    statuses = [
        ask_for_token(client, forwarded=f"203.0.113.{n}", username="rtm.officer", password="wrong-guess-123")
        .status_code for n in range(15)
    ]
    assert 429 in statuses and statuses[-1] == 429
    assert ask_for_token(client, forwarded="198.51.100.7", username="rtm.officer",
                         password=DEMO_PASSWORD).status_code == 429


def test_untrusted_forwarded_header_leaves_the_audit_record_on_the_connecting_address(client, cast, settings):
    settings.NUM_PROXIES = 0
    ask_for_token(client, forwarded="203.0.113.9", username="rtm.officer", password="wrong-guess-123")
    assert refusal_of("rtm.officer").ip_address == CLIENT


def test_behind_one_proxy_the_audit_record_holds_the_forwarded_address(cast, settings):
    settings.NUM_PROXIES = 1
    behind_proxy = Client(REMOTE_ADDR=PROXY)
    ask_for_token(behind_proxy, forwarded="198.51.100.23, 203.0.113.50", username="rtm.officer",
                  password="wrong-guess-123")
    # The rightmost entry is the one our proxy appended; what the client wrote before it is ignored.
    assert refusal_of("rtm.officer").ip_address == "203.0.113.50"


def test_behind_one_proxy_the_throttle_and_the_lockout_count_each_forwarded_client(cast, settings):
    settings.NUM_PROXIES = 1
    behind_proxy = Client(REMOTE_ADDR=PROXY)
    allowed = allowed_per_period()
    # Other clients behind the same proxy are not throttled for one client's requests.
    for n in range(allowed + 3):
        assert ask_for_token(behind_proxy, forwarded=f"203.0.113.{n}", username=f"guess{n}",
                             password="wrong-guess-123").status_code == 400
    # One client behind the proxy is locked out by its own failures, and only it.
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        ask_for_token(behind_proxy, forwarded="198.51.100.1", username="ham.officer", password="wrong-guess-123")
    assert ask_for_token(behind_proxy, forwarded="198.51.100.1", username="ham.officer",
                         password=DEMO_PASSWORD).status_code == 429
    assert ask_for_token(behind_proxy, forwarded="198.51.100.2", username="ham.officer",
                         password=DEMO_PASSWORD).status_code == 200
    assert refusal_of("ham.officer").ip_address == "198.51.100.1"


@pytest.mark.parametrize(("proxies", "remote", "forwarded", "expected"), [
    (0, CLIENT, "203.0.113.9", CLIENT),  # not trusted: the header is ignored
    (0, CLIENT, None, CLIENT),
    (1, PROXY, None, PROXY),  # reached us without the proxy's header: the connecting address
    (1, PROXY, "203.0.113.9", "203.0.113.9"),
    (1, PROXY, "1.1.1.1, 203.0.113.9", "203.0.113.9"),
    (2, PROXY, "1.1.1.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"),
    (2, PROXY, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the leftmost, as DRF
    (1, PROXY, " 2001:DB8::1 ", "2001:db8::1"),
    (1, PROXY, "1.1.1.1, not-an-address", PROXY),  # no proxy of ours writes that: never recorded
    (1, PROXY, "1.1.1.1, 203.0.113.9:4711", PROXY),
])
def test_client_ip(settings, proxies, remote, forwarded, expected):
    settings.NUM_PROXIES = proxies
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR=remote, **extra)) == expected


def test_axes_asks_the_same_function():
    from axes.helpers import get_client_ip_address

    request = RequestFactory().get("/", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert get_client_ip_address(request) == client_ip(request) == CLIENT
