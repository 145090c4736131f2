"""Webhooks reach public addresses only (notifications/webhook_addresses.py).

The story: an agency admin, or whoever holds that account, points a webhook at the platform's
own network (the database, the cloud metadata service at 169.254.169.254) to make Portcullis
call it. Registration refuses it; a name that resolved to a public address at registration
and to a private one later (DNS rebinding) is refused at delivery; and the call connects to
the very address that was checked, so a second answer of the name server cannot switch it.

Names are resolved by the (external) name server; these stories stand in for it by replacing
socket.getaddrinfo.
"""
import http.server
import socket
import ssl
import subprocess
import threading

import pytest
from rest_framework.test import APIClient

from agencies.models import Agency
from cases.choices import ShareLevel
from cases.services import case_share
from notifications.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from notifications.services import webhook_endpoint_register
from notifications.webhooks import attempt_delivery

PUBLIC = "93.184.215.14"
HOOK_HOST = "hooks.agency.example"


@pytest.fixture
def public_only(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = False


class NameServer:
    """Stands in for DNS: `answers[name]` is a list of addresses, or a list of such lists, one
    per lookup in turn (the last repeats). Every other name does not resolve."""

    def __init__(self):
        self.answers: dict[str, list] = {}
        self.lookups: list[str] = []
        self._real = socket.getaddrinfo

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):
        if host not in self.answers:
            try:  # an address literal needs no name server
                return self._real(host, port, family, type, proto, socket.AI_NUMERICHOST)
            except socket.gaierror:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        self.lookups.append(host)
        turns = self.answers[host]
        addresses = turns[min(len(self.lookups_of(host)) - 1, len(turns) - 1)] if isinstance(turns[0], list) else turns
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "",
             (address, port, 0, 0) if ":" in address else (address, port))
            for address in addresses
        ]

    def lookups_of(self, host) -> list[str]:
        return [name for name in self.lookups if name == host]


@pytest.fixture
def dns(monkeypatch):
    server = NameServer()
    monkeypatch.setattr(socket, "getaddrinfo", server.getaddrinfo)
    return server


@pytest.fixture
def admin_api(agency_admin):
    client = APIClient()
    client.force_authenticate(agency_admin)
    return client


def share_with_liaison(cast, case):
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/",
    "http://10.0.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://localhost/",
    "http://localhost:8000/hook",
    "https://127.0.0.1:5432/",
    "http://172.16.0.1/",
    "http://192.168.1.10/",
    "http://100.64.0.1/",
    "http://0.0.0.0/",
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::]/",
])
def test_registering_an_address_of_ours_is_refused_on_the_url(public_only, admin_api, dns, url):
    response = admin_api.post("/api/v1/webhooks/", {"url": url}, format="json")
    assert response.status_code == 400
    [message] = response.json()["url"]
    assert "public addresses only" in message
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_resolves_to_an_address_of_ours_is_refused(public_only, admin_api, dns):
    dns.answers["intranet.agency.example"] = [PUBLIC, "10.20.30.40"]  # every address counts, not the first
    response = admin_api.post("/api/v1/webhooks/", {"url": "https://intranet.agency.example/hook"}, format="json")
    assert response.status_code == 400
    assert response.json()["url"] == [
        "intranet.agency.example resolves to 10.20.30.40, a private address; webhooks go to public addresses only."]


def test_a_name_that_does_not_resolve_is_refused(public_only, admin_api, dns):
    response = admin_api.post("/api/v1/webhooks/", {"url": "https://typo.agency.example/hook"}, format="json")
    assert response.status_code == 400 and "could not be resolved" in response.json()["url"][0]


def test_a_public_endpoint_is_registered_and_cannot_be_moved_to_an_address_of_ours(public_only, admin_api, dns):
    dns.answers[HOOK_HOST] = [PUBLIC, "2606:4700::1111"]
    created = admin_api.post("/api/v1/webhooks/", {"url": f"https://{HOOK_HOST}/portcullis"}, format="json")
    assert created.status_code == 201, created.content
    moved = admin_api.patch(f"/api/v1/webhooks/{created.json()['id']}/", {"url": "http://169.254.169.254/"},
                            format="json")
    assert moved.status_code == 400 and "link-local (cloud metadata)" in moved.json()["url"][0]
    assert WebhookEndpoint.objects.get().url == f"https://{HOOK_HOST}/portcullis"


def test_a_name_rebound_to_an_address_of_ours_is_refused_at_delivery_and_not_retried(
        public_only, dns, cast, open_case, committed, agency_admin, admin_api, monkeypatch):
    dns.answers[HOOK_HOST] = [PUBLIC]
    endpoint, _secret = webhook_endpoint_register(actor=agency_admin, url=f"http://{HOOK_HOST}/portcullis")
    dns.answers[HOOK_HOST] = ["10.0.0.7"]  # the name server now answers with an address of ours
    connections = []
    monkeypatch.setattr(socket.socket, "connect", lambda sock, address: connections.append(address))
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)  # the delivery task runs here, once

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (DeliveryStatus.FAILED, 1, None)
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error == (f"Refused: {HOOK_HOST} resolves to 10.0.0.7, a private address; "
                             "webhooks go to public addresses only.")
    assert connections == []  # nothing was sent anywhere
    assert attempt_delivery(delivery.pk).finished  # a failed delivery is not attempted again
    assert delivery.attempt_log.count() == 1
    [row] = admin_api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert row["status"] == "failed" and row["attempt_log"][0]["error"].startswith("Refused: ")


def test_an_endpoint_registered_before_the_rule_is_refused_at_delivery(public_only, cast, open_case, committed):
    endpoint = WebhookEndpoint.objects.create(agency=Agency.objects.get(code="EU-LIA"),
                                              url="http://169.254.169.254/latest/meta-data/", secret="s" * 64)
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == DeliveryStatus.FAILED
    assert "169.254.169.254 is a link-local (cloud metadata) address" in delivery.attempt_log.get().error


def test_the_call_connects_to_the_address_checked_and_names_the_host(
        dns, cast, open_case, committed, agency_admin, webhook_receiver):
    # Local receivers are allowed here (the fixture of this folder); what is checked is the pin.
    receiver = webhook_receiver(200)
    port = receiver.url.split(":")[2].split("/")[0]
    # First lookup: the receiver. Any later lookup: an address where nothing listens.
    dns.answers[HOOK_HOST] = [["127.0.0.1"], ["127.0.0.9"]]
    endpoint, _secret = webhook_endpoint_register(actor=agency_admin, url=f"http://{HOOK_HOST}:{port}/hook?v=1")
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)

    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert dns.lookups_of(HOOK_HOST) == [HOOK_HOST]  # resolved once, for the check and the call alike
    [(headers, _body, _status)] = receiver.calls
    assert headers["Host"] == f"{HOOK_HOST}:{port}"


class TlsReceiver:
    """An https receiver on 127.0.0.1 with a certificate for `name`; keeps the SNI names it saw."""

    def __init__(self, tmp_path, name: str):
        self.certificate, key = tmp_path / "receiver.pem", tmp_path / "receiver.key"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", str(key), "-out", str(self.certificate), "-subj", f"/CN={name}",
                        "-addext", f"subjectAltName=DNS:{name}"], check=True, capture_output=True)
        self.calls, self.server_names = [], []
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, key)
        context.sni_callback = lambda _sock, server_name, _context: self.server_names.append(server_name)
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.calls.append(dict(self.headers))
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    receiver = TlsReceiver(tmp_path, HOOK_HOST)
    monkeypatch.setenv("SSL_CERT_FILE", str(receiver.certificate))  # trusted as a CA would be
    yield receiver
    receiver.close()


def test_an_https_call_to_the_pinned_address_checks_the_certificate_of_the_name(
        dns, cast, open_case, committed, agency_admin, tls_receiver):
    dns.answers[HOOK_HOST] = [["127.0.0.1"], ["127.0.0.9"]]
    dns.answers["other.agency.example"] = ["127.0.0.1"]
    good, _secret = webhook_endpoint_register(actor=agency_admin, url=f"https://{HOOK_HOST}:{tls_receiver.port}/h")
    wrong, _secret = webhook_endpoint_register(actor=agency_admin,
                                               url=f"https://other.agency.example:{tls_receiver.port}/h")
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)

    assert WebhookDelivery.objects.get(endpoint=good).status == DeliveryStatus.SENT
    assert HOOK_HOST in tls_receiver.server_names
    assert [headers["Host"] for headers in tls_receiver.calls] == [f"{HOOK_HOST}:{tls_receiver.port}"]
    # The same address under another name: the certificate does not match it, nothing is sent.
    refused = WebhookDelivery.objects.get(endpoint=wrong)
    assert refused.status == DeliveryStatus.PENDING  # a network failure is retried later, as before
    assert "certificate verify failed" in refused.attempt_log.get().error.lower()
