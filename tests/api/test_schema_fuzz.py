"""Property-based fuzzing of /api/v1/ against its own live OpenAPI schema (Schemathesis).

Three passes, each over every operation the schema lists:
- schema-driven: bounded examples per operation (positive and negative data); every response
  must be documented, conform to the schema and never be a server error;
- hostile: the same operations, with body fields and query parameters swapped for values a
  schema cannot describe but a client can send: huge and non-finite numbers, nesting past the
  parser's cap, NUL, '²', very long and right-to-left strings, lists where a
  scalar belongs, cursors whose position is garbage. Never a 500;
- raw bodies: 100,000 `[`, 5,000 nested objects and lone surrogates on every POST and PATCH,
  sent raw (no client serialises them): 400 `{"detail": ...}` wherever a body is read, never
  a 500, nothing written.

Half the generated ids are swapped for real ones so the fuzzer reaches past the 404s into
validation, and the audit routes are called as an auditor, who may read them.
"""
import base64

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import negative_data_rejection, not_a_server_error, positive_data_acceptance
from schemathesis.generation import GenerationMode

from agencies.models import Agency
from agencies.services import membership_set_role
from agencies.tokens import api_token_issue
from audit.models import AuditEvent
from cases.models import Case, Document, Identifier
from cases.services.exhibits import exhibit_add
from coordination.wsgi import application

MAX_EXAMPLES = 25
HOSTILE_EXAMPLES = 20
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                      HealthCheck.filter_too_much, HealthCheck.data_too_large])


def _load(*, hostile: bool = False):
    # Calling the WSGI app directly fires request_finished, which would close the test's
    # connection (and its transaction) on PostgreSQL; Django's own test client holds it too.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    loaded = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    if hostile:
        # Fuzzing on positive data only: the test puts the hostile values in itself, and the
        # schema's own boundary values (the coverage phase) are the first pass's business.
        loaded.config.generation.update(modes=[GenerationMode.POSITIVE])
        loaded.config.phases.coverage.enabled = False
        loaded.config.phases.examples.enabled = False
    return loaded


@pytest.fixture
def api_schema(db):
    yield _load()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def hostile_api_schema(db):
    yield _load(hostile=True)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")
hostile_schema = schemathesis.pytest.from_fixture("hostile_api_schema")


FUZZED_MEMBER = "rtm.fuzzed"


@pytest.fixture
def tokens(cast) -> dict:
    """An officer for the case routes; the auditor for the audit routes, which an officer may not
    read; the agency admin for the agency administration routes."""
    membership_set_role(actor=None, user=get_user_model().objects.create_user(FUZZED_MEMBER),
                        agency=Agency.objects.get(code="NL-CUS-RTM"), role="officer")
    return {username: api_token_issue(user=cast[username])[1] for username in ("rtm.officer", "rtm.auditor",
                                                                                 "rtm.admin")}


def _auth(case, tokens) -> dict:
    user = "rtm.auditor" if "/audit/" in case.path else "rtm.admin" if "/agency/" in case.path else "rtm.officer"
    return {"Authorization": f"Token {tokens[user]}"}


def _reach_real_objects(case, matrix_case, *, always: bool = False) -> None:
    """Half the case ids (all, when `always`) become a real case; when all, the document id
    too. (The schema-driven pass keeps its random document ids: a real download answers the
    stored type, application/pdf here, where the schema declares application/octet-stream.)"""
    parameters = case.path_parameters or {}
    if "member_id" in parameters:
        # Always a member of its own: a generated id could deactivate a user whose token the next call sends.
        parameters["member_id"] = get_user_model().objects.get(username=FUZZED_MEMBER).pk
    if "case_id" in parameters and (always or hash(str(parameters["case_id"])) % 2):
        owned = matrix_case("owned")
        parameters["case_id"] = str(owned.pk)
        if always and "doc_id" in parameters:
            parameters["doc_id"] = str(Document.objects.filter(case=owned).values_list("pk", flat=True).first())


@schema.parametrize()
# Schemathesis never closes the WSGI response, so Django's end-of-request clean-up of uploads
# (already moved into storage) is left to the garbage collector, which reports the gone file.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=MAX_EXAMPLES, **SETTINGS)
def test_api_never_errors_and_keeps_its_schema(case, tokens, matrix_case):
    _reach_real_objects(case, matrix_case)
    # Data acceptance checks are left out: our validation is semantic (UN/LOCODE, check digits,
    # seizure dates), which a schema cannot express, so "schema-valid but refused" is correct.
    case.call_and_validate(headers=_auth(case, tokens),
                           excluded_checks=[positive_data_acceptance, negative_data_rejection])


# --- Hostile values ------------------------------------------------------------------------------

def nested_lists(depth: int):
    value = 1
    for _ in range(depth):
        value = [value]
    return value


def nested_objects(depth: int):
    value = 1
    for _ in range(depth):
        value = {"a": value}
    return value


HUGE_NUMBERS = [10**30, -(10**30), 2**63, -(2**63) - 1, 2**31, -(2**31) - 1, 10**4000, 1.7e308, -1.7e308, 5e-324]
HOSTILE_STRINGS = [
    "²", "١٢", "𝟗𝟗", "0x10", "1e3", "-0", " 1", "1 ", "\x00", "a\x00b", "%00", "\u202etxt.exe",
    "x" * 20_000, "Ω" * 5_000, "😀" * 1_000, "", " ", "NaN", "Infinity", "-1e999", "9" * 400,
    "0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "2024-02-30", "10000-01-01",
    "../../etc/passwd", "' OR 1=1 --", "<script>", "null", "true", "[]", "{}",
]
HOSTILE_STRUCTURES = [nested_lists(40), nested_objects(40), nested_lists(300), [None] * 10_000,
                      {"": None, "\x00": 1}, ["a", "b"], {}, [], None, True, False]
HOSTILE_BODY_VALUES = st.sampled_from(HUGE_NUMBERS + HOSTILE_STRINGS + HOSTILE_STRUCTURES)


def _cursor(raw: str) -> str:
    return base64.b64encode(raw.encode("utf-8")).decode("ascii")


HOSTILE_QUERY_VALUES = st.one_of(
    st.sampled_from([str(number) for number in HUGE_NUMBERS if abs(number) < 10**100] + HOSTILE_STRINGS),
    st.lists(st.sampled_from(["1", "²", "x" * 500, "\x00"]), min_size=2, max_size=3),
)
HOSTILE_CURSORS = st.sampled_from(
    [_cursor(f"p={value}") for value in HOSTILE_STRINGS[:20]]
    + [_cursor(f"o={value}&p=1") for value in ("99999999999999999999", "-1", "²")]
    + [_cursor("r=²&p=1"), _cursor("p=2024-01-01 00:00:00+23:59"), _cursor("p=0001-01-01 00:00:00+05:00"),
       _cursor("p=" + "9" * 30), _cursor("p=2024-01-01 00:00:00"), "cD1nYXJiYWdl", "%%%", "é"])


def _body_fields(case) -> list[str]:
    """Every property the operation's JSON body declares (so each gets a hostile value in turn)."""
    content = (case.operation.definition.raw.get("requestBody") or {}).get("content", {})
    body_schema = content.get("application/json", {}).get("schema", {})
    if "$ref" in body_schema:
        body_schema = case.operation.schema.raw_schema["components"]["schemas"][body_schema["$ref"].rsplit("/", 1)[1]]
    return sorted(body_schema.get("properties", {}))


def _hostile(case, data) -> None:
    if case.media_type == "application/json":
        fields = _body_fields(case)
        body = dict(case.body) if isinstance(case.body, dict) else {}
        for field in data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=3, unique=True)) if fields else []:
            body[field] = data.draw(HOSTILE_BODY_VALUES)
        case.body = body if fields else data.draw(HOSTILE_BODY_VALUES)
    for parameter in case.operation.query:
        name = parameter.name
        if name == "cursor":
            case.query[name] = data.draw(HOSTILE_CURSORS)
        elif data.draw(st.booleans()):
            case.query[name] = data.draw(HOSTILE_QUERY_VALUES)


@hostile_schema.given(data=st.data())
@hostile_schema.parametrize()
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(max_examples=HOSTILE_EXAMPLES, **SETTINGS)
def test_api_answers_hostile_values_without_a_server_error(case, data, tokens, matrix_case):
    _reach_real_objects(case, matrix_case, always=True)
    _hostile(case, data)
    case.call_and_validate(headers=_auth(case, tokens), checks=[not_a_server_error],
                           excluded_checks=[positive_data_acceptance, negative_data_rejection])


# --- Raw bodies no client would serialise -------------------------------------------------------

RAW_BODIES = {"100k-lists": "[" * 100_000, "5k-objects": '{"a":' * 5_000 + "1" + "}" * 5_000,
              "past-the-cap": '{"text": ' + "[" * 33 + "]" * 33 + "}",
              # JSON syntax, but no Unicode text (a client's own JSON validation chokes on it).
              "lone-surrogate": '{"text": "\\ud800", "title": "\\udfff", "agency": "\\ud800"}'}


@pytest.mark.parametrize("body", RAW_BODIES.values(), ids=RAW_BODIES.keys())
def test_unusable_json_on_every_write_answers_400(client, cast, matrix_case, body):
    """Every POST and PATCH of the schema, with the ids of real objects: a route that reads a
    JSON body answers 400 {"detail"}; one that reads none may ignore it; none answers 500, and
    nothing is written."""
    cache.clear()  # the token route's throttle, spent by the fuzzing above, would answer 429 first
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    owned = matrix_case("owned")
    ids = {"case_id": owned.pk, "doc_id": Document.objects.filter(case=owned).values_list("pk", flat=True).first(),
           "share_id": "00000000-0000-0000-0000-000000000000", "endpoint_id": "00000000-0000-0000-0000-000000000000",
           "notification_id": "00000000-0000-0000-0000-000000000000",
           "identifier_id": Identifier.objects.filter(case=owned).values_list("pk", flat=True).first(),
           "hit_id": "00000000-0000-0000-0000-000000000000", "request_id": "00000000-0000-0000-0000-000000000000",
           "member_id": cast["rtm.analyst"].pk, "account_id": "00000000-0000-0000-0000-000000000000",
           "disclosure_id": "00000000-0000-0000-0000-000000000000",
           "exhibit_id": exhibit_add(actor=cast["rtm.officer"], case_id=owned.pk, description="Fuzzed exhibit",
                                     holder="Store", location="Maasvlakte").pk}
    api = APIClient(raise_request_exception=False)
    api.force_authenticate(cast["rtm.officer"])
    writes = [(path, method, "application/json" in (operation.get("requestBody") or {}).get("content", {}))
              for path, operations in paths.items() for method, operation in operations.items()
              if method in ("post", "patch", "put")]
    assert len(writes) >= 15
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for path, method, reads_json in sorted(writes, key=lambda write: not write[2]):  # the JSON ones first
        response = api.generic(method.upper(), path.format(**ids), body, content_type="application/json")
        assert response.status_code < 500, (method, path, response.status_code)
        if reads_json:
            assert response.status_code == 400, (method, path, response.status_code)
            assert set(response.json()) == {"detail"} and response.json()["detail"].startswith("JSON parse error")
            assert not AuditEvent.objects.filter(id__gt=newest).exclude(operation="consultation").exists(), path


def test_schema_is_served_and_covers_every_endpoint(client, db):
    paths = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/agencies/", "/api/v1/cases/",
                 "/api/v1/cases/{case_id}/", "/api/v1/cases/{case_id}/documents/{doc_id}/download/",
                 "/api/v1/cases/{case_id}/shares/{share_id}/", "/api/v1/audit/"):
        assert path in paths
    for path, operations in paths.items():
        for method, operation in operations.items():
            assert {"200", "201", "202", "204"} & set(operation["responses"]), (method, path)  # 202: queued work
    assert Case.objects.exists()
