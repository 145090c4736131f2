"""The generated permission matrix, extended to hits and access requests (issue 14).

Each matrix case gets a partner: a case of the Antwerp prosecution office (which sees none of
the matrix cases) holding the same container. Then, for every demo user and anonymous:
the hit list, the hit detail and a request from it answer by the user's relation to the
matrix case; a request from the partner's side is decided only by the matrix case's owner;
and no answer shows anything of a case the caller may not see."""
import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.selectors import active_membership
from cases.models import AccessRequest, CaseShare, Hit
from cases.services import case_create, identifier_add
from cases.services.access_requests import access_request_create
from cases.services.matching import hits_match_case
from cast import EXPECTED_ACCESS, RESTRICTED_CASES, USERS, expected, matrix_container

PARTNER = "anr.prosecutor"


@pytest.fixture
def partner(cast, matrix_case):
    """The matrix case, and the partner case holding its container, matched."""
    def make(key):
        case = matrix_case(key)
        other = case_create(actor=cast[PARTNER], title=f"Partner of {key}: secret title", port="BEANR",
                            seized_at=timezone.now() - datetime.timedelta(days=3), handling_code="H0",
                            legal_basis="Art. 46 UCC", summary="Partner summary, never shown across")
        identifier_add(actor=cast[PARTNER], case_id=other.pk, kind="container", value=matrix_container(key))
        identifier_add(actor=cast[PARTNER], case_id=other.pk, kind="imo", value="IMO 9074729")
        hits_match_case(case_id=other.pk)
        return case, other

    return make


def sees_hit(key: str, username: str, case) -> bool:
    """A hit is its case's owning agency's: members who can see that case."""
    membership = active_membership_of(username)
    return expected(key, username) is not None and membership is not None and \
        membership.agency_id == case.owner_agency_id


def active_membership_of(username):
    from django.contrib.auth import get_user_model

    return active_membership(get_user_model().objects.get(username=username))


def secrets(case, but: str = "") -> list[bytes]:
    """What must not show of `case`; `but`: the value both cases hold, the caller's own."""
    values = [str(case.pk), case.reference, case.title, case.summary]
    values += [identifier.value for identifier in case.identifiers.exclude(value=but)]
    return [value.encode() for value in values if value]


CELLS = [pytest.param(key, user, id=f"{key}-{user or 'anonymous'}") for key in EXPECTED_ACCESS for user in
         [*USERS, None]]


@pytest.mark.parametrize("key,username", CELLS)
def test_hits_answer_by_the_callers_relation_to_the_case(key, username, cast, partner):
    case, other = partner(key)
    hit = Hit.objects.get(case=case, other_case=other)
    client = APIClient()
    if username:
        client.force_authenticate(cast[username])
    responses = [
        client.get("/api/v1/hits/", {"case": str(case.pk)}),
        client.get(f"/api/v1/hits/{hit.pk}/"),
        client.post("/api/v1/access-requests/", {"hit": str(hit.pk), "level": "view",
                                                  "justification": "Same container"}, format="json"),
    ]
    if username is None:
        assert [response.status_code for response in responses] == [401, 401, 401]
        return
    visible = sees_hit(key, username, case)
    listed = {row["id"] for row in responses[0].json()["results"]}
    assert (responses[0].status_code, str(hit.pk) in listed) == (200, visible)
    assert responses[1].status_code == (200 if visible else 404)
    assert responses[2].status_code == (201 if visible else 404)
    assert AccessRequest.objects.filter(hit=hit).exists() == visible
    for response in responses:
        for secret in secrets(other, but=matrix_container(key)):  # nobody in the cast sees the partner's case
            assert secret not in response.content
        if not visible:
            for secret in secrets(case):
                assert secret not in response.content


def decide_status(key: str, username: str) -> int:
    """Only the owning agency's members who may share the case decide."""
    return 200 if expected(key, username) == "owner" else 404


@pytest.mark.parametrize("key,username", CELLS)
def test_a_request_is_decided_by_the_owner_side_only(key, username, cast, partner):
    case, other = partner(key)
    if key in RESTRICTED_CASES:  # matched one way: the partner never learns of a restricted case
        assert not Hit.objects.filter(case=other, other_case=case).exists()
        assert Hit.objects.filter(case=case, other_case=other).exists()
        return
    partner_hit = Hit.objects.get(case=other, other_case=case)
    request = access_request_create(actor=cast[PARTNER], hit_id=partner_hit.pk, level="view",
                                    justification="Same container in our case")
    client = APIClient()
    if username:
        client.force_authenticate(cast[username])
    response = client.post(f"/api/v1/access-requests/{request.pk}/decide/", {"approve": True}, format="json")
    wanted = 401 if username is None else decide_status(key, username)
    assert response.status_code == wanted, response.content[:300]
    assert CaseShare.objects.filter(case=case, agency__code="BE-PROS-ANR").exists() == (wanted == 200)
    assert AccessRequest.objects.get(pk=request.pk).status == ("approved" if wanted == 200 else "pending")
    if wanted in (401, 404):
        for secret in secrets(case):
            assert secret not in response.content
