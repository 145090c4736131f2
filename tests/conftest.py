"""The fixed cast every story starts from.

Once per test session: the demo agencies, users and cases, plus the permission-matrix
cases below, all created through the services. Each test runs in a transaction that is
rolled back, so this data is shared and never changed by a test.
"""
import datetime
import tempfile

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.shortcuts import assign_perm

from agencies.demo import seed_cast
from cases.choices import ShareLevel, Status
from cases.demo import seed_cases
from cases.models import Case
from cases.services.matching import hits_rematch_all
from cases.services import (
    case_create,
    case_grant_user,
    case_share,
    case_transition,
    case_update,
    document_attach,
    identifier_add,
)
from coordination.celery import app as celery_app
from cast import DEMO_PASSWORD, MATRIX_CASES, MATRIX_PDF, matrix_container

def _matrix_title(key: str) -> str:
    return f"Matrix case: {key}"


def _create_matrix_cases(users: dict) -> None:
    for key, (owner, code, restricted, shares) in MATRIX_CASES.items():
        actor = users[owner]
        case = case_create(
            actor=actor,
            title=_matrix_title(key),
            port="NLRTM" if owner.startswith("rtm") else "DEHAM",
            seized_at=timezone.now() - datetime.timedelta(days=400),
            handling_code=code,
            legal_basis="Art. 46 UCC",
            restricted=restricted and not shares,  # a shared case is restricted after its shares
        )
        identifier_add(actor=actor, case_id=case.pk, kind="container", value=matrix_container(key))
        document_attach(actor=actor, case_id=case.pk, title=f"Seizure report {key}", kind="seizure_report",
                        uploaded_file=SimpleUploadedFile(f"report-{key}.pdf", MATRIX_PDF))
        for agency, level in shares:
            case_share(actor=actor, case_id=case.pk, agency_code=agency, level=level)
        if restricted and shares:
            case_update(actor=actor, case_id=case.pk, version=case.version, restricted=True)
        if restricted:
            case_grant_user(actor=actor, case_id=case.pk, user=users["liaison.officer"], level=ShareLevel.VIEW)
            assign_perm("cases.view_case", users["rtm.auditor"], case)
        if key == "referred":
            case_transition(actor=actor, case_id=case.pk, to=Status.OPEN)
            case_transition(actor=actor, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        users = seed_cast(password=DEMO_PASSWORD)
        seed_cases(users=users)
        hits_rematch_all()  # the demo's hits, also where the matching tasks went to Redis (CI)
        _create_matrix_cases(users)


@pytest.fixture
def cast(db) -> dict:
    """The demo users by username, fresh from the database (no cached membership)."""
    return {user.username: user for user in get_user_model().objects.all()}


@pytest.fixture
def run_tasks_here():
    """Celery tasks run in this process when enqueued, as in the embedded mode."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def matrix_case(db):
    def get(key: str) -> Case:
        return Case.objects.get(title=_matrix_title(key))

    return get


def pytest_configure(config):
    from django.conf import settings

    # Demo users are created once per session; a fast hasher keeps that quick.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Documents stored by the session's cast go to a throw-away folder, not the repository.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": tempfile.mkdtemp(prefix="portcullis-test-media-")}},
    }
