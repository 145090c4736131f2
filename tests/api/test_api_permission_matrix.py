"""A generated permission test for /api/v1/ (NetBox's APIViewTestCases idea).

For every case endpoint and method, every demo role in every relation to the case, and
anonymous callers, it asserts the status code, and that nothing of a case the caller may
not see appears in any response body.
"""
import uuid
from dataclasses import dataclass
from typing import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from cases.models import Case
from cast import EXPECTED_ACCESS, MATRIX_PDF, RESTRICTED_CASES, USERS, expected, matrix_container

WRITE_OK = {None: 404, "view": 403, "contribute": 403, "manage": None, "owner": None}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # formatted with case, share and document ids
    body: dict | None
    # (case key, username, access) -> expected status
    status: Callable[[str, str, str | None], int]


def read(ok: int = 200):
    return lambda key, user, access: ok if access else 404


def write(ok: int, needs: str = "contribute"):
    order = ["view", "contribute", "manage", "owner"]

    def status(key, user, access):
        if access is None:
            return 404
        return ok if order.index(access) >= order.index(needs) else 403

    return status


def share_status(ok: int):
    def status(key, user, access):
        result = write(ok, needs="manage")(key, user, access)
        if key == "h2_managed_by_liaison" and access == "manage":
            return 403  # H2: a receiving agency never re-shares
        if key in RESTRICTED_CASES and result == ok:
            return 400  # restricted cases open to named users, not agencies
        return result

    return status


def unshare_status(key, user, access):
    result = share_status(204)(key, user, access)
    if key not in CASES_WITH_A_SHARE and result in (204, 400):
        return 404  # allowed to revoke, but there is no such share
    if result == 400:
        return 204  # a share left dormant by the restriction can still be revoked
    return result


def transition_status(key, user, access):
    if key == "referred":
        return 200 if user == "rtm.prosecutor" else (404 if access is None else 403)
    return write(200, needs="manage")(key, user, access)


def audit_status(key, user, access):
    owner_agency_auditor = user == "rtm.auditor" and key != "unrelated"
    if owner_agency_auditor or access in {"owner", "manage"}:
        return 200
    return 404 if access is None else 403


def evidence_request_status(key, user, access):
    """Prosecutors only; no matrix case is H1, so a prosecutor who sees one has nothing to ask (400)."""
    if access is None:
        return 404
    return 400 if user in PROSECUTORS else 403


PROSECUTORS = {"rtm.prosecutor", "anr.prosecutor"}
CASES_WITH_A_SHARE = {"shared_view", "shared_contribute", "shared_manage", "h2_managed_by_liaison", "referred",
                      "shared_then_restricted"}

ENDPOINTS = [
    Endpoint("case detail", "get", "/api/v1/cases/{case}/", None, read()),
    Endpoint("case patch", "patch", "/api/v1/cases/{case}/", {"title": "Edited over the API"},
             write(200, needs="manage")),
    Endpoint("transition", "post", "/api/v1/cases/{case}/transition/", None, transition_status),
    Endpoint("seizures", "get", "/api/v1/cases/{case}/seizures/", None, read()),
    Endpoint("add seizure", "post", "/api/v1/cases/{case}/seizures/",
             {"drug": "cocaine", "quantity": "10.5", "unit": "kg"}, write(201)),
    Endpoint("identifiers", "get", "/api/v1/cases/{case}/identifiers/", None, read()),
    Endpoint("add identifier", "post", "/api/v1/cases/{case}/identifiers/",
             {"kind": "imo", "value": "IMO 9074729"}, write(201)),
    Endpoint("parties", "get", "/api/v1/cases/{case}/parties/", None, read()),
    Endpoint("add party", "post", "/api/v1/cases/{case}/parties/",
             {"kind": "company", "role": "consignee", "name": "Nordic Fresh B.V."}, write(201)),
    Endpoint("route", "get", "/api/v1/cases/{case}/route/", None, read()),
    Endpoint("add route leg", "post", "/api/v1/cases/{case}/route/", {"locode": "ECGYE", "role": "loading"},
             write(201)),
    Endpoint("notes", "get", "/api/v1/cases/{case}/notes/", None, read()),
    Endpoint("add note", "post", "/api/v1/cases/{case}/notes/", {"text": "Seal differs from manifest."},
             write(201)),
    Endpoint("shares", "get", "/api/v1/cases/{case}/shares/", None, write(200, needs="manage")),
    Endpoint("share", "post", "/api/v1/cases/{case}/shares/", {"agency": "BE-PROS-ANR", "level": "view"},
             share_status(201)),
    Endpoint("unshare", "delete", "/api/v1/cases/{case}/shares/{share}/", None, unshare_status),
    Endpoint("case audit", "get", "/api/v1/cases/{case}/audit/", None, audit_status),
    Endpoint("documents", "get", "/api/v1/cases/{case}/documents/", None, read()),
    Endpoint("upload document", "post", "/api/v1/cases/{case}/documents/",
             {"title": "Lab report", "kind": "lab_report"}, write(201)),
    Endpoint("download document", "get", "/api/v1/cases/{case}/documents/{document}/download/", None, read()),
    Endpoint("exhibits", "get", "/api/v1/cases/{case}/exhibits/", None, read()),
    Endpoint("add exhibit", "post", "/api/v1/cases/{case}/exhibits/",
             {"description": "Sample from brick 12", "holder": "Customs lab", "location": "Rotterdam"}, write(201)),
    Endpoint("evidence requests", "get", "/api/v1/cases/{case}/evidence-requests/", None, read()),
    Endpoint("file evidence request", "post", "/api/v1/cases/{case}/evidence-requests/",
             {"items": [{"type": "case", "id": "00000000-0000-0000-0000-000000000000"}],
              "justification": "Trial of the importers"}, evidence_request_status),
]

CELLS = [
    pytest.param(endpoint, key, user, id=f"{endpoint.name}-{key}-{user or 'anonymous'}")
    for endpoint in ENDPOINTS
    for key in EXPECTED_ACCESS
    for user in [*USERS, None]
]


def secrets_of(case: Case) -> list[str]:
    document = case.documents.get()
    return [case.title, case.reference, str(case.pk), matrix_container_of(case), document.title,
            document.original_filename, document.sha256]


def matrix_container_of(case: Case) -> str:
    return case.identifiers.get(kind="container").value


def transition_body(key: str) -> dict:
    return {"to": "judicial"} if key == "referred" else {"to": "open"}


@pytest.mark.parametrize("endpoint,key,username", CELLS)
def test_endpoint_answers_by_role_and_relation(endpoint, key, username, cast, matrix_case):
    case = matrix_case(key)
    share = case.shares.first()
    client = APIClient()
    if username:
        client.force_authenticate(cast[username])
        # First consultations of another agency's case need a reason (tested on its own below).
        client.credentials(HTTP_X_JUSTIFICATION="Joint investigation into the Rotterdam-Antwerp line")
    path = endpoint.path.format(case=case.pk, share=share.pk if share else uuid.uuid4(),
                                document=case.documents.get().pk)
    body, body_format = (transition_body(key) if endpoint.name == "transition" else endpoint.body), "json"
    if endpoint.method == "patch":
        body = {**body, "version": case.version}
    if endpoint.name == "upload document":
        body, body_format = {**body, "file": SimpleUploadedFile("lab.pdf", MATRIX_PDF)}, "multipart"
    response = getattr(client, endpoint.method)(path, body, format=body_format)
    content = b"".join(response.streaming_content) if response.streaming else response.content

    wanted = 401 if username is None else endpoint.status(key, username, expected(key, username))
    assert response.status_code == wanted, content[:300]
    if wanted in (401, 404):
        for secret in secrets_of(case):
            assert secret.encode() not in content


@pytest.mark.parametrize("username", USERS)
def test_case_list_and_its_filters_show_only_visible_cases(username, cast, matrix_case):
    client = APIClient()
    client.force_authenticate(cast[username])
    for key in EXPECTED_ACCESS:
        case = matrix_case(key)
        visible = expected(key, username) is not None
        for query in ({}, {"identifier": matrix_container(key)}, {"q": case.title}, {"owner_agency": "NL-CUS-RTM"}):
            response = client.get("/api/v1/cases/", {**query, "page_size": 200})
            assert response.status_code == 200
            ids = {row["id"] for row in response.json()["results"]}
            if query.get("owner_agency") and case.owner_agency.code != "NL-CUS-RTM":
                continue
            assert (str(case.pk) in ids) == visible, (key, query)
            if not visible:
                for secret in secrets_of(case):
                    assert secret.encode() not in response.content


def test_anonymous_list_is_401(db):
    response = APIClient().get("/api/v1/cases/")
    assert response.status_code == 401
