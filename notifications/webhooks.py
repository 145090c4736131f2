"""Webhook calls to agency systems: signed, carrying ids only, retried by the task with backoff.

The signature is HMAC-SHA256 over "<timestamp>.<body>" with the endpoint's secret, sent as
`X-Portcullis-Signature: sha256=<hex>` with `X-Portcullis-Timestamp` (Unix seconds), so a
receiver can refuse forged and replayed calls. `X-Portcullis-Delivery` stays the same across
attempts: a receiver that saw it already can ignore the repeat.

Each call goes to public addresses only: the name is resolved and checked at every attempt,
and the connection is made to the addresses checked (webhook_addresses.py). A refused address
ends the delivery as failed, with the reason in its attempt log.
"""
import hashlib
import hmac
import http.client
import json
import secrets
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.models import Operation
from audit.services import audit_record

from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from .recipients import agency_may_hear
from .webhook_addresses import AddressRefused, Target, resolve

SIGNATURE_HEADER = "X-Portcullis-Signature"
TIMESTAMP_HEADER = "X-Portcullis-Timestamp"
DELIVERY_HEADER = "X-Portcullis-Delivery"
EVENT_HEADER = "X-Portcullis-Event"
REPLAY_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return secrets.token_hex(32)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(secret: str, timestamp: str, body: bytes, received: str, *, now: float | None = None) -> bool:
    """What a receiver checks: the signature, and a timestamp recent enough to refuse a replay."""
    try:
        fresh = abs((now if now is not None else time.time()) - int(timestamp)) <= REPLAY_TOLERANCE_SECONDS
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body), received)


def payload(delivery: WebhookDelivery) -> bytes:
    """Ids and codes only: the receiving system fetches content through the API, under its own access."""
    event = delivery.event
    return json.dumps({
        "delivery": str(delivery.pk),
        "event": event.pk,
        "kind": event.kind,
        "occurred_at": event.created_at.isoformat(),
        "case": str(event.case_id) if event.case_id else None,
        "agency": event.agency.code if event.agency_id else None,
    }, separators=(",", ":")).encode()


@dataclass(frozen=True)
class CallResult:
    status_code: int | None
    error: str
    duration_ms: int
    refused: bool = False  # the address is not one webhooks may reach: final, not retried

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _connect_to(targets: list[Target]):
    """socket.create_connection's stand-in: the same attempts in turn, but to the addresses
    vetted before, whatever the name would resolve to now."""
    def create_connection(_address, timeout, source_address=None):
        last_error = None
        for target in targets:
            sock = socket.socket(target.family, socket.SOCK_STREAM)
            try:
                sock.settimeout(timeout)
                sock.connect(target.sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                last_error = exc
        raise last_error

    return create_connection


def _post(url: str, body: bytes, headers: dict) -> CallResult:
    """One POST to `url`, connected to the addresses its name resolves to now, each checked
    (webhook_addresses.py). The Host header and, for https, the SNI and the certificate check
    stay with the name. A redirect is an answer (not delivered), never a new target."""
    started = time.monotonic()
    code, error, refused = None, "", False
    try:
        parts = urlsplit(url)
        secure = parts.scheme == "https"
        port = parts.port or (443 if secure else 80)
        targets = resolve(parts.hostname or "", port)
        timeout = settings.NOTIFICATIONS_WEBHOOK_TIMEOUT_SECONDS
        connection = (http.client.HTTPSConnection(parts.hostname, port, timeout=timeout,
                                                  context=ssl.create_default_context())
                      if secure else http.client.HTTPConnection(parts.hostname, port, timeout=timeout))
        connection._create_connection = _connect_to(targets)  # the pin: no second resolution
        try:
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            connection.request("POST", target, body=body, headers=headers)
            response = connection.getresponse()
            code = response.status
            response.read(64 * 1024)  # the answer is not used; a little is read so the receiver can finish
        finally:
            connection.close()
    except AddressRefused as exc:
        error, refused = f"Refused: {exc}", True
    except (OSError, http.client.HTTPException, ValueError) as exc:
        error = str(exc) or exc.__class__.__name__
    return CallResult(code, error[:300], int((time.monotonic() - started) * 1000), refused)


@dataclass(frozen=True)
class Outcome:
    finished: bool  # delivered, given up, withheld, or another worker has it: no retry
    attempts: int


def attempt_delivery(delivery_id) -> Outcome:
    """One call of a pending delivery, recorded in its log, under a row lock so that two workers
    never call for the same delivery at once."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("event__case", "event__agency", "endpoint__agency")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING).first()
        )
        if delivery is None:
            return Outcome(True, 0)
        endpoint, event = delivery.endpoint, delivery.event
        if not (endpoint.active and endpoint.wants(event.kind) and agency_may_hear(endpoint, event)):
            delivery.status = DeliveryStatus.WITHHELD
            delivery.save(update_fields=["status"])
            return Outcome(True, delivery.attempts)
        body = payload(delivery)
        timestamp = str(int(time.time()))
        result = _post(endpoint.url, body, {
            "Content-Type": "application/json",
            "User-Agent": "Portcullis-Webhook/1",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: signature(endpoint.secret, timestamp, body),
            DELIVERY_HEADER: str(delivery.pk),
            EVENT_HEADER: event.kind,
        })
        WebhookAttempt.objects.create(delivery=delivery, status_code=result.status_code, error=result.error,
                                      duration_ms=result.duration_ms)
        delivery.attempts += 1
        if result.ok:
            delivery.status, delivery.delivered_at = DeliveryStatus.SENT, timezone.now()
            _record_disclosure(delivery)
        elif result.refused or delivery.attempts >= settings.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        delivery.save(update_fields=["status", "attempts", "delivered_at"])
        return Outcome(delivery.status != DeliveryStatus.PENDING, delivery.attempts)


def _record_disclosure(delivery: WebhookDelivery) -> None:
    """Art. 25 LED: a transfer to an agency system is a disclosure, even of ids only."""
    event = delivery.event
    audit_record(
        actor=None,
        operation=Operation.DISCLOSURE,
        action="webhook_delivery",
        object_type="webhook_delivery",
        object_id=delivery.pk,
        case_id=event.case_id,
        handling_code=event.case.handling_code if event.case_id else "",
        recipient=delivery.endpoint.agency.code,
        changes={"kind": event.kind, "event": event.pk},
    )
