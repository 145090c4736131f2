"""Property-based fuzzing of /api/v1/ against its own live OpenAPI schema (Schemathesis).

Bounded examples per operation; every response must be documented, conform to the schema
and never be a server error. Half the generated case ids are swapped for real cases so the
fuzzer reaches past the 404s into validation.
"""
import pytest
import schemathesis
from schemathesis.checks import negative_data_rejection, positive_data_acceptance
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from agencies.tokens import api_token_issue
from cases.models import Case
from coordination.wsgi import application

MAX_EXAMPLES = 25


@pytest.fixture
def api_schema(db):
    # Calling the WSGI app directly fires request_finished, which would close the test's
    # connection (and its transaction) on PostgreSQL; Django's own test client holds it too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def officer_token(cast) -> str:
    _token, key = api_token_issue(user=cast["rtm.officer"])
    return key


@schema.parametrize()
# Schemathesis never closes the WSGI response, so Django's end-of-request clean-up of uploads
# (already moved into storage) is left to the garbage collector, which reports the gone file.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=MAX_EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_never_errors_and_keeps_its_schema(case, officer_token, matrix_case):
    if "case_id" in (case.path_parameters or {}) and hash(str(case.path_parameters["case_id"])) % 2:
        case.path_parameters["case_id"] = str(matrix_case("owned").pk)
    # Data acceptance checks are left out: our validation is semantic (UN/LOCODE, check digits,
    # seizure dates), which a schema cannot express, so "schema-valid but refused" is correct.
    case.call_and_validate(headers={"Authorization": f"Token {officer_token}"},
                           excluded_checks=[positive_data_acceptance, negative_data_rejection])


def test_schema_is_served_and_covers_every_endpoint(client, db):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/agencies/", "/api/v1/cases/",
                 "/api/v1/cases/{case_id}/", "/api/v1/cases/{case_id}/documents/{doc_id}/download/",
                 "/api/v1/cases/{case_id}/shares/{share_id}/", "/api/v1/audit/"):
        assert path in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert "200" in operation["responses"] or "201" in operation["responses"] or \
                "204" in operation["responses"], (method, path)
    assert Case.objects.exists()
