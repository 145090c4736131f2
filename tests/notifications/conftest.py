"""Fixtures for the notification stories.

Unit stories run the delivery tasks in this process (as `make run` does); the reliability
stories (test_notifications_reliability.py) start real worker processes instead.
"""
import datetime
import os
import uuid
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agencies.models import Agency
from agencies.services import membership_set_role
from cases.services import case_create
from notification_processes import forget_queue
from notification_sinks import WebhookReceiver


def pytest_configure(config):
    from django.conf import settings

    # One queue per test session, named before the session's data is seeded: worker processes
    # the tests start consume this session's messages only, never another run's or another
    # engineer's, and the queue is deleted at the end.
    settings.NOTIFICATIONS_QUEUE = f"portcullis-test-notifications-{uuid.uuid4().hex[:12]}"
    settings.MATCHING_QUEUE = f"portcullis-test-matching-{uuid.uuid4().hex[:12]}"


def pytest_unconfigure(config):
    from django.conf import settings

    if os.environ.get("REDIS_URL"):
        forget_queue(os.environ["REDIS_URL"], settings.NOTIFICATIONS_QUEUE)
        forget_queue(os.environ["REDIS_URL"], settings.MATCHING_QUEUE)


@pytest.fixture(autouse=True)
def webhooks_may_reach_local_receivers(settings, monkeypatch):
    """The receivers of these stories listen on 127.0.0.1, which production refuses
    (notifications/webhook_addresses.py): allowed here, and in the worker processes the
    reliability stories start (they inherit the environment). The stories of the refusal
    itself set the setting back to False."""
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE = True
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE", "true")


@pytest.fixture
def committed(django_capture_on_commit_callbacks, run_tasks_here):
    """`with committed(): ...` runs the block's on-commit callbacks at its end, as a commit would:
    the outbox rows' tasks are enqueued, and run here."""
    return partial(django_capture_on_commit_callbacks, execute=True)


@pytest.fixture
def open_case(db):
    def create(actor, **overrides):
        fields = dict(title="Cocaine in bananas from Guayaquil", port="NLRTM", handling_code="H0",
                      seized_at=timezone.now() - datetime.timedelta(days=1), legal_basis="Art. 46 UCC")
        return case_create(actor=actor, **{**fields, **overrides})

    return create


@pytest.fixture
def member(db):
    """A new active member of an agency, with an e-mail address."""
    def create(agency_code: str, role: str, username: str | None = None):
        username = username or f"{agency_code.lower()}.{role}.{uuid.uuid4().hex[:6]}"
        user = get_user_model().objects.create_user(username=username, email=f"{username}@portcullis.example")
        membership_set_role(actor=None, user=user, agency=Agency.objects.get(code=agency_code), role=role)
        return user

    return create


@pytest.fixture
def webhook_receiver():
    """`webhook_receiver(500, 200)`: a receiver answering those statuses in turn."""
    receivers = []

    def start(*statuses):
        receivers.append(WebhookReceiver(statuses or (200,)))
        return receivers[-1]

    yield start
    for receiver in receivers:
        receiver.close()


@pytest.fixture
def agency_admin(member):
    return member("EU-LIA", "agency_admin")
