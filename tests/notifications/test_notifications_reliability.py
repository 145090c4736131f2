"""Nothing lost, nothing twice: real PostgreSQL, real Redis, real Celery worker processes.

Each story starts from a committed database (the worker is another process), holding only
the demo cast. Rotterdam customs shares a case with the EU liaison bureau; the bureau's
liaison officers and analyst may see it, its auditor and agency admin may not.
"""
import json
import os
import urllib.request

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.demo import seed_cast
from agencies.tokens import api_token_issue
from cases.choices import ShareLevel
from cases.models import CaseShare
from cases.services import case_share, case_unshare
from notification_processes import WebServer, Worker, forget_queue, free_port, process_env, wait_until
from notification_sinks import SmtpSink, WebhookReceiver
from notifications.kinds import Kind
from notifications.models import DeliveryStatus, Notification, OutboxEvent, WebhookDelivery
from notifications.outbox import enqueue_event, sweep_undelivered
from notifications.webhooks import DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_valid

ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    # Skipped only on the embedded SQLite; on PostgreSQL a missing REDIS_URL is an error, not a skip.
    pytest.mark.skipif(not ON_POSTGRES, reason="SQLite cannot be shared with a worker process"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def redis_is_configured():
    assert os.environ.get("REDIS_URL"), "the reliability tests need REDIS_URL (a real Redis), as CI sets it"
SWEEP_AFTER_SECONDS = 1  # the processes' outbox timeout, so the stories need not wait two minutes


class Stage:
    """The committed database, the SMTP server, and the worker processes of one story."""

    def __init__(self, tmp_path, sink: SmtpSink):
        self.tmp_path, self.sink, self.workers = tmp_path, sink, []
        call_command("flush", interactive=False, verbosity=0)  # the session's seed is not this story's
        # Nor are the messages earlier tests published to this session's queues: after the flush
        # their event ids are this story's, and a worker would deliver its events early.
        for queue in (settings.NOTIFICATIONS_QUEUE, settings.MATCHING_QUEUE):
            forget_queue(os.environ["REDIS_URL"], queue)
        self.users = seed_cast(password="reliability-test-password")

    def env(self, **overrides) -> dict:
        return process_env(**{
            "REDIS_URL": os.environ["REDIS_URL"], "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": self.sink.port,
            "NOTIFICATIONS_SWEEP_AFTER_SECONDS": SWEEP_AFTER_SECONDS, **overrides})

    def start_worker(self, queues: tuple[str, ...] = ()) -> Worker:
        self.workers.append(Worker(self.tmp_path / f"worker-{len(self.workers)}.log", self.env(), queues))
        return self.workers[-1]

    def share(self, case):
        return case_share(actor=self.users["rtm.officer"], case_id=case.pk, agency_code="EU-LIA",
                          level=ShareLevel.VIEW)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.sink.close()


@pytest.fixture
def stage(transactional_db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS = SWEEP_AFTER_SECONDS
    built = Stage(tmp_path, SmtpSink())
    yield built
    built.stop()  # before the database is emptied: the workers hold connections to it


@pytest.fixture
def eligible(stage, member):
    """`eligible(extra)`: the liaison bureau's members who may see a case shared with it (the demo
    liaison officer, an analyst and `extra` more officers), after adding two who may not."""
    def create(extra: int = 1) -> list:
        member("EU-LIA", "auditor")
        member("EU-LIA", "agency_admin")
        return [stage.users["liaison.officer"], member("EU-LIA", "analyst"),
                *(member("EU-LIA", "liaison_officer") for _ in range(extra))]

    return create


@pytest.fixture
def rotterdam_case(stage, open_case):
    return lambda: open_case(stage.users["rtm.officer"])


def inbox_count_by_user(event) -> dict[str, int]:
    counts: dict[str, int] = {}
    for username in Notification.objects.filter(event=event).values_list("recipient__username", flat=True):
        counts[username] = counts.get(username, 0) + 1
    return counts


def delivered(event_id: int) -> bool:
    return OutboxEvent.objects.filter(pk=event_id, delivered_at__isnull=False).exists()


def assert_delivered_exactly_once(stage, event, recipients) -> None:
    assert inbox_count_by_user(event) == {user.username: 1 for user in recipients}
    assert stage.sink.addressees() == sorted(user.email for user in recipients)


def test_a_share_reaches_each_eligible_recipient_once_by_inbox_and_email(stage, eligible, rotterdam_case):
    recipients = eligible()
    worker = stage.start_worker()
    case = rotterdam_case()
    stage.share(case)
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)

    wait_until(lambda: delivered(event.pk), what="the share to be delivered")
    assert_delivered_exactly_once(stage, event, recipients)
    assert f"[notifications.event.{event.pk}] received" in worker.log()  # the task id comes from the row
    assert all(message["Message-ID"].startswith("<notification-") for message in stage.sink.messages)


def test_a_share_made_while_the_broker_is_down_is_delivered_once_by_the_sweep(stage, eligible, rotterdam_case):
    recipients = eligible()
    stage.start_worker()
    case = rotterdam_case()
    _token, key = api_token_issue(user=stage.users["rtm.officer"])
    # The web server's broker is a port nothing listens on: Redis is down as far as it knows.
    web = WebServer(stage.env(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0"))
    try:
        request = urllib.request.Request(
            f"{web.url}/api/v1/cases/{case.pk}/shares/", method="POST",
            data=json.dumps({"agency": "EU-LIA", "level": "view"}).encode(),
            headers={"Authorization": f"Token {key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201  # the request succeeds; the outbox row waits
    finally:
        web.stop()
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    assert not delivered(event.pk) and inbox_count_by_user(event) == {}

    # The broker answers again (for this process and the worker); beat's sweep runs.
    wait_until(lambda: timezone.now() > event.sweep_after, what="the outbox timeout")
    assert sweep_undelivered() == 1
    wait_until(lambda: delivered(event.pk), what="the swept share to be delivered")
    assert_delivered_exactly_once(stage, event, recipients)
    assert sweep_undelivered() == 0


def test_a_worker_killed_mid_batch_leaves_every_notification_delivered_once(stage, eligible, rotterdam_case):
    recipients = eligible(extra=23)  # 25 e-mails in one batch
    stage.sink.hold(9)  # the 9th e-mail is in flight, unacknowledged, when the worker dies
    first = stage.start_worker()
    case = rotterdam_case()
    stage.share(case)
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    assert stage.sink.held.wait(60), first.log()
    first.kill()
    stage.sink.release.set()
    assert len(stage.sink.messages) == 8 and not delivered(event.pk)

    stage.start_worker()
    # Redis gives the killed worker's message back only after visibility_timeout; the sweep is sooner.
    event.refresh_from_db()
    wait_until(lambda: timezone.now() > event.sweep_after, what="the outbox timeout")
    assert sweep_undelivered() == 1
    wait_until(lambda: delivered(event.pk), timeout=60, what="the batch to be finished")
    assert_delivered_exactly_once(stage, event, recipients)

    # That late message, when it comes, changes nothing.
    second = stage.workers[-1]
    enqueue_event(event.pk)
    wait_until(lambda: second.log().count(f"[notifications.event.{event.pk}] succeeded") == 2,
               what="the duplicate task to run")
    assert_delivered_exactly_once(stage, event, recipients)


def test_access_revoked_between_event_and_delivery_delivers_nothing(stage, eligible, rotterdam_case):
    eligible()
    case = rotterdam_case()
    stage.share(case)  # committed and enqueued; no worker is running yet
    case_unshare(actor=stage.users["rtm.officer"], case_id=case.pk,
                 share_id=CaseShare.objects.get(case=case, agency__code="EU-LIA").pk)
    stage.start_worker()
    events = list(OutboxEvent.objects.filter(case=case).values_list("pk", flat=True))
    assert len(events) == 2  # shared, revoked
    wait_until(lambda: all(delivered(pk) for pk in events), what="both events to be handled")
    assert Notification.objects.filter(case=case).count() == 0
    assert stage.sink.messages == []


def test_a_webhook_answering_500_twice_is_delivered_once_and_every_attempt_is_logged(stage, member, rotterdam_case):
    receiver = WebhookReceiver((500, 500, 200))
    try:
        admin = APIClient()
        admin.force_authenticate(member("EU-LIA", "agency_admin"))
        endpoint = admin.post("/api/v1/webhooks/", {"url": receiver.url}, format="json").json()
        stage.start_worker()
        case = rotterdam_case()
        stage.share(case)
        wait_until(lambda: WebhookDelivery.objects.filter(endpoint_id=endpoint["id"], status=DeliveryStatus.SENT)
                   .exists(), timeout=60, what="the webhook to be delivered")

        [row] = admin.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()["results"]
        assert (row["status"], row["attempts"]) == ("sent", 3)
        assert [attempt["status_code"] for attempt in row["attempt_log"]] == [500, 500, 200]
        assert [status for _headers, _body, status in receiver.calls] == [500, 500, 200]
        for headers, body, _status in receiver.calls:
            assert signature_valid(endpoint["secret"], headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
            assert headers[DELIVERY_HEADER] == row["id"] and json.loads(body)["case"] == str(case.pk)
    finally:
        receiver.close()


def test_the_nightly_rematch_finds_the_hits_of_tasks_lost_while_no_worker_ran(stage, open_case, member):
    """Issue 14: the matching tasks are published while no worker runs, and lost with the queue;
    the nightly re-match, run by a real worker, finds the hit and both sides hear of it."""
    from cases.models import Hit
    from cases.services import identifier_add
    from cases.tasks import rematch_all
    import redis

    rotterdam_liaison = member("NL-CUS-RTM", "liaison_officer")
    rtm = open_case(stage.users["rtm.officer"])
    anr = open_case(stage.users["anr.officer"], port="BEANR")
    identifier_add(actor=stage.users["rtm.officer"], case_id=rtm.pk, kind="container", value="MSCU 123456-6")
    identifier_add(actor=stage.users["anr.officer"], case_id=anr.pk, kind="container", value="mscu1234566")
    queued = redis.Redis.from_url(os.environ["REDIS_URL"]).llen(settings.MATCHING_QUEUE)
    assert queued == 2  # one matching task per committed identifier, waiting for a worker
    forget_queue(os.environ["REDIS_URL"], settings.MATCHING_QUEUE)  # ...and lost
    assert not Hit.objects.exists()

    worker = stage.start_worker(queues=(settings.MATCHING_QUEUE,))
    rematch_all.apply_async(queue=settings.MATCHING_QUEUE)
    wait_until(lambda: Hit.objects.count() == 2, what="the re-match's hits")
    assert {(hit.case_id, hit.other_case_id) for hit in Hit.objects.all()} == {(rtm.pk, anr.pk), (anr.pk, rtm.pk)}
    assert "cases.tasks.rematch_all" in worker.log()
    wait_until(lambda: Notification.objects.filter(kind=Kind.CROSS_CASE_HIT, recipient=rotterdam_liaison,
                                                   case=rtm).exists(),
               what="Rotterdam's liaison officer to hear of the hit")
    wait_until(lambda: Notification.objects.filter(kind=Kind.CROSS_CASE_HIT, case=anr,
                                                   recipient=stage.users["anr.officer"]).exists(),
               what="Antwerp's officer (following the case) to hear of it")
