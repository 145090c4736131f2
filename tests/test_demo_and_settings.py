"""The two commands' building blocks: demo data and production settings."""
import hashlib
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from django.contrib.auth import get_user_model
from django.core.management import call_command

from audit.models import AuditEvent
from cases.access import Action, can
from cases.demo import SHARED_CONTAINER
from cases.demo_prosecution import LAB_REPORT
from cases.demo_prosecution import TITLE as PROSECUTION_TITLE
from cases.models import Case, Document, EvidenceRequest, Exhibit, Identifier

ROOT = Path(__file__).resolve().parent.parent


def test_seed_demo_is_idempotent_and_resets_passwords(db):
    # The session's seed holds the cast and the cases; seed_demo adds the road-to-court story once.
    call_command("seed_demo", "--password", "first-password-42", stdout=open(os.devnull, "w"))
    counts = (Case.objects.count(), Identifier.objects.count(), AuditEvent.objects.count(),
              get_user_model().objects.count())
    call_command("seed_demo", "--password", "another-password-42", stdout=open(os.devnull, "w"))
    assert (Case.objects.count(), Identifier.objects.count(), AuditEvent.objects.count(),
            get_user_model().objects.count()) == counts
    assert get_user_model().objects.get(username="rtm.officer").check_password("another-password-42")


def test_demo_data_holds_the_cases_the_stories_need(db):
    demo = Case.objects.exclude(title__startswith="Matrix case")
    assert demo.count() >= 30
    assert demo.filter(restricted=True).exists()
    assert demo.filter(handling_code="H1").exists() and demo.filter(handling_code="H2").exists()
    assert demo.filter(shares__agency__code="EU-LIA").exists()
    assert demo.filter(status="referred", referred_to__kind="prosecution").exists()
    owners = set(Identifier.objects.filter(kind="container", value=SHARED_CONTAINER)
                 .values_list("case__owner_agency__code", flat=True))
    assert len(owners) == 2


def test_the_demo_carries_a_case_to_court(db):
    call_command("seed_demo", "--password", "first-password-42", stdout=open(os.devnull, "w"))
    case = Case.objects.get(title=PROSECUTION_TITLE)
    assert (case.handling_code, case.status, case.referred_to.code) == ("H1", "referred", "NL-OM-RTM")
    samples, tracker = Exhibit.objects.filter(case=case).order_by("number")
    assert (samples.number, samples.status, tracker.status) == ("EX-001", "destroyed", "held")
    chain = list(samples.custody.order_by("recorded_at", "id"))
    assert [event.purpose for event in chain] == ["transport", "transport", "analysis", "destruction"]
    assert chain[1].corrects_id == chain[0].pk
    prosecutor = get_user_model().objects.get(username="rtm.prosecutor")
    assert can(prosecutor, Action.VIEW, case)
    [request] = EvidenceRequest.objects.filter(case=case)
    assert (request.requested_by, request.status, request.items.count()) == (prosecutor, "pending", 5)
    assert Document.objects.get(case=case).sha256 == hashlib.sha256(LAB_REPORT.encode()).hexdigest()


PRODUCTION_SERVICES = {"DATABASE_URL": "postgres://portcullis@db.example.eu:5432/portcullis",
                       "REDIS_URL": "redis://redis.example.eu:6379/0"}


def test_production_settings_pass_the_deploy_check():
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="portcullis.example.eu", MATCHING_KEY=secrets.token_urlsafe(32))
    for name, value in PRODUCTION_SERVICES.items():
        env.setdefault(name, value)  # `check --deploy` connects to neither
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("missing", sorted(PRODUCTION_SERVICES))
def test_production_refuses_to_start_on_the_embedded_fallbacks(missing):
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="portcullis.example.eu", MATCHING_KEY=secrets.token_urlsafe(32),
               **PRODUCTION_SERVICES)
    env.pop(missing)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert f"{missing} must be set in production" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="portcullis.example.eu")
    env.pop("DJANGO_SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_demo_is_never_seeded_in_production():
    env = dict(os.environ, DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
               DJANGO_ALLOWED_HOSTS="portcullis.example.eu", MATCHING_KEY=secrets.token_urlsafe(32),
               DATABASE_URL="sqlite:///:memory:", REDIS_URL="redis://redis.example.eu:6379/0")
    result = subprocess.run([sys.executable, "manage.py", "seed_demo", "--password", "x" * 16], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "refuses to run in production" in result.stderr
