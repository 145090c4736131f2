"""Delivery in this process: the outbox, idempotent fan-out, e-mail content, digests, the sweep."""
import datetime
import email
import threading
from email.policy import compat32

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cases.choices import ShareLevel
from cases.models import CaseShare
from cases.services import case_share, case_unshare, note_add
from coordination.celery import app as celery_app
from notifications.kinds import Kind
from notifications.models import DeliveryStatus, EmailDelivery, EmailMode, Notification, OutboxEvent
from notifications.outbox import enqueue_event, sweep_undelivered
from notifications.sender_lock import sole_sender
from notifications.services import case_follow, email_preferences_set
from notifications.tasks import RETRY_BACKOFF_MAX_SECONDS, deliver_outbox_event, send_email_digests

SMTP_NOBODY_LISTENS = "django.core.mail.backends.smtp.EmailBackend"


def share_with_liaison(cast, case, level=ShareLevel.VIEW):
    return case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=level)


def test_the_outbox_row_commits_with_the_act_and_its_task_is_enqueued_after_commit(
        cast, open_case, django_capture_on_commit_callbacks):
    case = open_case(cast["rtm.officer"])
    with django_capture_on_commit_callbacks() as callbacks:
        share_with_liaison(cast, case)
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    assert [(callback.func, callback.args) for callback in callbacks] == [(enqueue_event, (event.pk,))]
    assert event.delivered_at is None and event.sweep_after > event.created_at


def test_a_rolled_back_act_leaves_no_outbox_row_and_enqueues_nothing(cast, open_case,
                                                                    django_capture_on_commit_callbacks):
    case = open_case(cast["rtm.officer"])
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            share_with_liaison(cast, case)
            raise RuntimeError("the act fails after its event was recorded")
    assert not OutboxEvent.objects.filter(case=case).exists()
    assert callbacks == []


def test_delivering_an_event_again_sends_nothing_twice(cast, open_case, committed, mailoutbox):
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    OutboxEvent.objects.filter(pk=event.pk).update(delivered_at=None)  # as if the worker died before the end
    for _ in range(3):
        deliver_outbox_event.apply(args=[event.pk])
    assert Notification.objects.filter(event=event).count() == 1
    assert len(mailoutbox) == 1


class AnotherRunSending:
    """Another run (its own thread, so its own database session) holding an event's e-mails."""

    def __init__(self, event_id: int):
        self.event_id, self.holds, self.done = event_id, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run)

    def _run(self):
        try:
            with sole_sender(self.event_id) as sole:
                assert sole
                self.holds.set()
                self.done.wait(30)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.holds.wait(30)

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(30)


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="one session on the embedded SQLite")
def test_a_run_finding_another_sending_the_events_emails_leaves_them_to_it(cast, open_case, mailoutbox):
    case = open_case(cast["rtm.officer"])
    share_with_liaison(cast, case)  # committed, but its task never reached a worker
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    with AnotherRunSending(event.pk):
        deliver_outbox_event.apply(args=[event.pk])
    event.refresh_from_db()
    assert Notification.objects.filter(event=event).count() == 1
    assert mailoutbox == [] and event.delivered_at is None  # the sweep comes back if the other run dies

    deliver_outbox_event.apply(args=[event.pk])
    event.refresh_from_db()
    assert len(mailoutbox) == 1 and event.delivered_at is not None
    assert EmailDelivery.objects.get(notification__event=event).status == DeliveryStatus.SENT


def test_the_email_carries_a_link_and_the_handling_code_and_nothing_of_the_case(cast, open_case, committed,
                                                                                   mailoutbox):
    case = open_case(cast["rtm.officer"], handling_code="H2", title="Cocaine in pineapples for Verhoeven")
    with committed():
        share_with_liaison(cast, case)
    notification = Notification.objects.get(case=case, recipient=cast["liaison.officer"])
    message = mailoutbox[0]
    html = message.alternatives[0][0]
    assert message.to == ["liaison.officer@portcullis.example"]
    assert message.subject == "Portcullis: Case shared with your agency [H2]"
    assert f"http://127.0.0.1:8000/notifications/{notification.pk}/" in message.body
    assert "H2 — no onward sharing without the owner's permission" in message.body
    assert f'href="http://127.0.0.1:8000/notifications/{notification.pk}/"' in html
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@localhost>"
    for content in (case.reference, "pineapples", "Verhoeven", "NLRTM", "EU-LIA"):
        assert content not in message.subject + message.body + html


def test_an_email_is_written_byte_for_byte_as_djangos_own_policy_writes_it(cast, open_case, committed, mailoutbox):
    case = open_case(cast["rtm.officer"], handling_code="H2")
    with committed():
        share_with_liaison(cast, case)
    mime = mailoutbox[0].message()
    written = mime.as_bytes()
    mime.policy = compat32
    assert written == mime.as_bytes()
    parsed = email.message_from_bytes(written)
    assert [part.get_content_type() for part in parsed.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    notification = Notification.objects.get(case=case)
    assert all(f"/notifications/{notification.pk}/" in part.get_payload(decode=True).decode()
               for part in parsed.walk() if not part.is_multipart())


def test_a_digest_preference_sends_one_daily_email_with_every_item(cast, open_case, committed, mailoutbox):
    email_preferences_set(actor=cast["liaison.officer"],
                          email={Kind.CASE_SHARED: EmailMode.DIGEST, Kind.NOTE_ADDED: EmailMode.DIGEST})
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case, ShareLevel.CONTRIBUTE)
    case_follow(actor=cast["liaison.officer"], case_id=case.pk)
    with committed():
        note_add(actor=cast["rtm.officer"], case_id=case.pk, text="New lead")
    assert mailoutbox == []

    send_email_digests.apply()
    send_email_digests.apply()
    assert [message.to for message in mailoutbox] == [["liaison.officer@portcullis.example"]]
    links = [str(pk) for pk in Notification.objects.filter(case=case).values_list("pk", flat=True)]
    assert all(link in mailoutbox[0].body for link in links) and mailoutbox[0].subject == "Portcullis: 2 notifications"


def test_a_digest_withholds_items_whose_case_the_user_can_no_longer_see(cast, open_case, committed, mailoutbox):
    email_preferences_set(actor=cast["liaison.officer"], email={Kind.CASE_SHARED: EmailMode.DIGEST})
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)
    case_unshare(actor=cast["rtm.officer"], case_id=case.pk,
                 share_id=CaseShare.objects.get(case=case, agency__code="EU-LIA").pk)
    send_email_digests.apply()
    assert mailoutbox == []
    assert EmailDelivery.objects.get(notification__case=case).status == DeliveryStatus.WITHHELD


def test_email_off_keeps_the_inbox_item_only(cast, open_case, committed, mailoutbox):
    email_preferences_set(actor=cast["liaison.officer"], email={Kind.CASE_SHARED: EmailMode.OFF})
    case = open_case(cast["rtm.officer"])
    with committed():
        share_with_liaison(cast, case)
    assert Notification.objects.filter(case=case, recipient=cast["liaison.officer"]).exists()
    assert mailoutbox == []


def test_a_mail_server_outage_is_redone_later_without_a_second_inbox_item(cast, open_case, committed, settings,
                                                                         mailoutbox):
    case = open_case(cast["rtm.officer"])
    settings.EMAIL_BACKEND, settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP_NOBODY_LISTENS, "127.0.0.1", 9
    with committed():
        share_with_liaison(cast, case)
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    event.refresh_from_db()
    assert event.delivered_at is None  # the inbox item is there, the e-mail is not
    assert Notification.objects.filter(event=event).count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    deliver_outbox_event.apply(args=[event.pk])
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert Notification.objects.filter(event=event).count() == 1 and len(mailoutbox) == 1


def test_the_sweep_enqueues_only_rows_left_undelivered_past_their_timeout(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    share_with_liaison(cast, case)  # committed, but its task never reached a worker
    event = OutboxEvent.objects.get(case=case, kind=Kind.CASE_SHARED)
    OutboxEvent.objects.exclude(pk=event.pk).update(delivered_at=timezone.now())  # the session's own rows
    assert sweep_undelivered(now=event.created_at) == 0

    with committed():
        assert sweep_undelivered(now=event.sweep_after) == 1
    event.refresh_from_db()
    assert event.delivered_at is not None
    assert Notification.objects.filter(event=event, recipient=cast["liaison.officer"]).count() == 1


def test_retries_back_off_below_the_brokers_visibility_timeout():
    # A retry waiting longer than visibility_timeout would be handed to a second worker by Redis.
    assert RETRY_BACKOFF_MAX_SECONDS < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert celery_app.conf.task_serializer == "json" and celery_app.conf.accept_content == ["json"]


def test_the_beat_schedule_names_registered_tasks():
    import notifications.tasks  # noqa: F401  registers the tasks

    names = [entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items() if key.startswith("notifications")]
    assert sorted(names) == ["notifications.tasks.notify_retention_reviews_due",
                             "notifications.tasks.send_email_digests", "notifications.tasks.sweep_outbox"]
    assert all(name in celery_app.tasks for name in names)
    assert datetime.timedelta(seconds=settings.CELERY_BEAT_SCHEDULE["notifications-sweep-outbox"]["schedule"]) \
        < datetime.timedelta(seconds=settings.NOTIFICATIONS_SWEEP_AFTER_SECONDS)
