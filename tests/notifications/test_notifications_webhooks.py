"""Webhooks to agency systems: signed, ids only, retried, logged; only agencies that hold the case."""
import json
import time

from audit.models import AuditEvent
from cases.choices import ShareLevel
from cases.services import case_share, note_add
from notifications.models import DeliveryStatus, WebhookDelivery
from notifications.services import webhook_endpoint_register
from notifications.webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    attempt_delivery,
    signature,
    signature_valid,
)


def share_with_liaison(cast, case):
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)


def test_a_call_is_signed_and_carries_ids_not_content(cast, open_case, committed, agency_admin, webhook_receiver):
    receiver = webhook_receiver(200)
    endpoint, secret = webhook_endpoint_register(actor=agency_admin, url=receiver.url)
    case = open_case(cast["rtm.officer"], title="Cocaine in pineapples for Verhoeven")
    with committed():
        share_with_liaison(cast, case)

    [(headers, body, status)] = receiver.calls
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert signature_valid(secret, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert headers[DELIVERY_HEADER] == str(delivery.pk)
    assert json.loads(body) == {"delivery": str(delivery.pk), "event": delivery.event_id, "kind": "case_shared",
                                "occurred_at": delivery.event.created_at.isoformat(), "case": str(case.pk),
                                "agency": "EU-LIA"}
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    disclosure = AuditEvent.objects.get(action="webhook_delivery", object_id=str(delivery.pk))
    assert (disclosure.operation, disclosure.recipient, disclosure.case_id) == ("disclosure", "EU-LIA", case.pk)


def test_failures_are_retried_and_every_attempt_is_logged(cast, open_case, committed, agency_admin,
                                                          webhook_receiver):
    receiver = webhook_receiver(500, 500, 200)
    endpoint, _secret = webhook_endpoint_register(actor=agency_admin, url=receiver.url)
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)  # first attempt: 500; in this process the retry is left pending
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert [attempt_delivery(delivery.pk).finished for _ in range(3)] == [False, True, True]

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 3)
    assert list(delivery.attempt_log.values_list("status_code", flat=True)) == [500, 500, 200]
    assert [status for _headers, _body, status in receiver.calls] == [500, 500, 200]
    assert len({headers[DELIVERY_HEADER] for headers, _body, _status in receiver.calls}) == 1


def test_a_dead_endpoint_is_given_up_after_the_last_attempt(cast, open_case, committed, agency_admin,
                                                            webhook_receiver, settings):
    settings.NOTIFICATIONS_WEBHOOK_MAX_ATTEMPTS = 2
    receiver = webhook_receiver(503)
    endpoint, _secret = webhook_endpoint_register(actor=agency_admin, url=receiver.url)
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert attempt_delivery(delivery.pk).finished
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)


def test_an_unreachable_endpoint_is_logged_with_its_error(cast, open_case, committed, agency_admin):
    endpoint, _secret = webhook_endpoint_register(actor=agency_admin, url="http://127.0.0.1:9/nobody")
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)
    attempt = WebhookDelivery.objects.get(endpoint=endpoint).attempt_log.get()
    assert attempt.status_code is None and "refused" in attempt.error.lower()


def test_only_agencies_holding_the_case_hear_of_it_and_only_the_kinds_they_chose(
        cast, open_case, committed, member, webhook_receiver):
    antwerp = webhook_receiver(200)
    webhook_endpoint_register(actor=member("BE-CUS-ANR", "agency_admin"), url=antwerp.url)
    rotterdam = webhook_receiver(200)
    webhook_endpoint_register(actor=member("NL-CUS-RTM", "agency_admin"), url=rotterdam.url, kinds=["note_added"])
    case = open_case(cast["rtm.officer"])
    restricted = open_case(cast["rtm.officer"], restricted=True)
    with committed():
        share_with_liaison(cast, case)
        note_add(actor=cast["rtm.officer"], case_id=case.pk, text="Lead")
        note_add(actor=cast["rtm.officer"], case_id=restricted.pk, text="Named users only")

    assert antwerp.calls == []  # not Antwerp's case
    [(_headers, body, _status)] = rotterdam.calls  # no share notice; no word of the restricted case
    assert json.loads(body)["case"] == str(case.pk)


def test_a_receiver_refuses_a_forged_or_replayed_call():
    body, secret, now = b'{"event":1}', "s3cret", time.time()
    timestamp = str(int(now))
    good = signature(secret, timestamp, body)
    assert signature_valid(secret, timestamp, body, good, now=now)
    assert not signature_valid(secret, timestamp, body + b" ", good, now=now)
    assert not signature_valid("other", timestamp, body, good, now=now)
    assert not signature_valid(secret, timestamp, body, good, now=now + 3600)
    assert not signature_valid(secret, "not-a-time", body, good, now=now)
