"""Hit/no-hit notifications (issue 14): both sides hear of a hit, the owner's deciders of a
request, the requester's side of the answer; inbox texts, e-mails and webhook bodies say as
little as the hit does: nothing of the other case."""
import json

import pytest
from django.core import mail
from rest_framework.test import APIClient

from cases.services import identifier_add
from notifications.models import Notification
from notifications.services import webhook_endpoint_register

CONTAINER = "MSCU1234566"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def story(cast, open_case, committed, member, webhook_receiver):
    """Two liaison officers, an Antwerp analyst, a webhook per side, and the two cases hitting."""
    people = {
        "rtm.liaison": member("NL-CUS-RTM", "liaison_officer", "rtm.liaison"),
        "anr.liaison": member("BE-CUS-ANR", "liaison_officer", "anr.liaison"),
        "anr.analyst": member("BE-CUS-ANR", "analyst", "anr.analyst"),
    }
    receivers = {"NL-CUS-RTM": webhook_receiver(*[200] * 10), "BE-CUS-ANR": webhook_receiver(*[200] * 10)}
    for code, receiver in receivers.items():
        webhook_endpoint_register(actor=member(code, "agency_admin"), url=receiver.url)
    rtm = open_case(cast["rtm.officer"], title="Bananas from Guayaquil", summary="Rotterdam's secret summary")
    anr = open_case(cast["anr.officer"], title="Pineapples for Verhoeven", port="BEANR",
                    summary="Antwerp's secret summary")
    with committed():
        identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="imo", value="IMO 9074729")
        identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="container", value="mscu 123456-6")
    mail.outbox.clear()
    for receiver in receivers.values():
        receiver.calls.clear()
    with committed():
        identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="container", value="MSCU-123456-6")
    return {"rtm": rtm, "anr": anr, "people": {**people, **cast}, "receivers": receivers}


def secrets_of(case) -> list[str]:
    return [str(case.pk), case.reference, case.title, case.summary, "IMO9074729", "9074729"]


def everything_sent(story) -> list[str]:
    texts = [notification.text for notification in Notification.objects.all()]
    texts += [f"{message.subject}\n{message.body}\n{message.alternatives[0][0]}" for message in mail.outbox]
    texts += [body.decode() for receiver in story["receivers"].values() for _h, body, _s in receiver.calls]
    return texts


def assert_no_leak(story) -> None:
    """Each side's notices never name the other side's case (texts, e-mails, webhooks)."""
    rtm, anr = story["rtm"], story["anr"]
    for notification in Notification.objects.filter(case=rtm):
        for secret in secrets_of(anr):
            assert secret not in notification.text
    for notification in Notification.objects.filter(case=anr):
        for secret in secrets_of(rtm):
            assert secret not in notification.text
    for message in mail.outbox:  # e-mail leaves the platform: no reference of either side
        text = f"{message.subject}\n{message.body}\n{message.alternatives[0][0]}"
        for secret in secrets_of(rtm) + secrets_of(anr):
            assert secret not in text
    for code, own, other in (("NL-CUS-RTM", rtm, anr), ("BE-CUS-ANR", anr, rtm)):
        for _headers, body, _status in story["receivers"][code].calls:
            for secret in secrets_of(other):
                assert secret not in body.decode()
            assert json.loads(body)["case"] == str(own.pk)


def test_each_sides_liaison_officers_and_followers_hear_of_the_hit(story):
    rtm, anr, people = story["rtm"], story["anr"], story["people"]
    heard = {(notification.recipient.username, notification.text)
             for notification in Notification.objects.filter(kind="cross_case_hit", case__in=[rtm, anr])}
    assert heard == {
        ("rtm.liaison", f"{rtm.reference} [H0]: Matches a case held by BE-CUS-ANR (Container number (ISO 6346))."),
        ("rtm.officer", f"{rtm.reference} [H0]: Matches a case held by BE-CUS-ANR (Container number (ISO 6346))."),
        ("anr.liaison", f"{anr.reference} [H0]: Matches a case held by NL-CUS-RTM (Container number (ISO 6346))."),
        ("anr.officer", f"{anr.reference} [H0]: Matches a case held by NL-CUS-RTM (Container number (ISO 6346))."),
    }
    assert "anr.analyst" not in {username for username, _text in heard}  # not a liaison officer, not following
    assert sorted(message.to[0] for message in mail.outbox if "cross" in message.subject.lower()) == sorted(
        people[name].email for name in ("rtm.liaison", "rtm.officer", "anr.liaison", "anr.officer"))
    bodies = {code: [json.loads(body) for _h, body, _s in receiver.calls]
              for code, receiver in story["receivers"].items()}
    assert [(body["kind"], body["case"], body["agency"]) for body in bodies["NL-CUS-RTM"]] == [
        ("cross_case_hit", str(rtm.pk), "NL-CUS-RTM")]
    assert [(body["kind"], body["case"], body["agency"]) for body in bodies["BE-CUS-ANR"]] == [
        ("cross_case_hit", str(anr.pk), "BE-CUS-ANR")]
    assert_no_leak(story)


def test_requests_reach_the_deciders_and_answers_the_requesting_side(story, committed):
    rtm, anr, people = story["rtm"], story["anr"], story["people"]
    [hit] = api(people["rtm.officer"]).get("/api/v1/hits/", {"case": str(rtm.pk)}).json()["results"]
    Notification.objects.all().delete()
    mail.outbox.clear()
    with committed():
        created = api(people["rtm.officer"]).post("/api/v1/access-requests/", {
            "hit": hit["id"], "level": "view", "justification": "Same box in our bananas"}, format="json")
    assert created.status_code == 201
    asked = {(n.recipient.username, n.text) for n in Notification.objects.filter(kind="access_requested")}
    # Those who may share Antwerp's case: its officer and liaison officer, not the analyst.
    assert asked == {
        (name, f"{anr.reference} [H0]: NL-CUS-RTM requests View access to this case, from a hit (Container number (ISO 6346)).")
        for name in ("anr.officer", "anr.liaison")}
    with committed():
        decided = api(people["anr.officer"]).post(f"/api/v1/access-requests/{created.json()['id']}/decide/",
                                                  {"approve": False, "reason": "Not now"}, format="json")
    assert decided.status_code == 200
    answered = {(n.recipient.username, n.text) for n in Notification.objects.filter(kind="access_decided")}
    assert answered == {
        ("rtm.officer", f"{rtm.reference} [H0]: The access request to BE-CUS-ANR from this case was refused by "
                        "BE-CUS-ANR.")}
    kinds = {code: [json.loads(body)["kind"] for _h, body, _s in receiver.calls]
             for code, receiver in story["receivers"].items()}
    assert kinds["BE-CUS-ANR"][-1:] == ["access_requested"]
    assert kinds["NL-CUS-RTM"][-1:] == ["access_decided"]
    assert_no_leak(story)
    assert "Not now" not in "\n".join(everything_sent(story))  # the reason stays in the platform
