"""/api/v1/hits/ and /api/v1/access-requests/ (issue 14, API.md "Hits", "Access requests").

Rotterdam and Antwerp hold the same container. Each side sees its own case and value, and
the other agency; nothing of the other case until the owner shares it."""
import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Agency
from agencies.services import membership_set_role
from audit.models import AuditEvent, Operation
from cases.models import AccessRequest, CaseShare, Hit
from cases.services import identifier_add
from cases.services.access_requests import access_requests_expire
from cases.services.matching import hits_match_case
from hits_stories import CONTAINER, new_case, rotterdam_antwerp_pair


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def pair(cast):
    return rotterdam_antwerp_pair(cast)


def secrets_of(case) -> list[str]:
    """What a hit must never show of `case`: its id, reference, title, summary, parts."""
    values = [str(case.pk), case.reference, case.title, case.summary]
    values += [identifier.value for identifier in case.identifiers.exclude(value=CONTAINER)]
    values += [party.name for party in case.parties.all()]
    return values


def assert_nothing_of(case, response) -> None:
    text = json.dumps(response.json()) if response.content else ""
    for secret in secrets_of(case):
        assert secret not in text, f"{secret!r} of the other case leaked"


def the_hit(user, case):
    [hit] = api(user).get("/api/v1/hits/", {"case": str(case.pk)}).json()["results"]
    return hit


def test_each_side_sees_its_own_case_and_value_and_only_the_other_agency(cast, pair):
    rtm, anr = pair
    for user, own, other, agency in ((cast["rtm.officer"], rtm, anr, ("BE-CUS-ANR", "Douane Antwerpen")),
                                     (cast["anr.officer"], anr, rtm, ("NL-CUS-RTM", "Douane Rotterdam Haven"))):
        response = api(user).get("/api/v1/hits/")
        assert response.status_code == 200
        [hit] = [row for row in response.json()["results"] if row["case"]["id"] == str(own.pk)]
        row = Hit.objects.get(case=own, other_case=other)
        assert hit == {"id": str(row.pk), "case": {"id": str(own.pk), "reference": own.reference},
                       "identifier": {"kind": "container", "value": CONTAINER},
                       "other_agency": {"code": agency[0], "name": agency[1]},
                       "other_case": None, "status": "new", "created_at": hit["created_at"]}
        assert_nothing_of(other, response)
        detail = api(user).get(f"/api/v1/hits/{hit['id']}/")
        assert detail.status_code == 200 and detail.json() == hit
        assert_nothing_of(other, detail)


def test_opening_a_hit_is_a_combination_in_the_openers_trail(cast, pair):
    rtm, anr = pair
    hit = the_hit(cast["rtm.officer"], rtm)
    api(cast["rtm.officer"]).get(f"/api/v1/hits/{hit['id']}/")
    record = AuditEvent.objects.get(action="hit_open", object_id=hit["id"])
    assert (record.operation, record.case_id, record.case_agency, record.actor.username) == (
        Operation.COMBINATION, rtm.pk, "NL-CUS-RTM", "rtm.officer")
    assert record.changes == {"other_case": str(anr.pk), "kind": "container"}


def test_a_third_agency_and_a_sharer_see_no_hit(cast, pair):
    rtm, _anr = pair
    hit = the_hit(cast["rtm.officer"], rtm)
    for username in ("ham.officer", "liaison.officer", "rtm.auditor", "admin"):
        client = api(cast[username])
        assert client.get(f"/api/v1/hits/{hit['id']}/").status_code == 404
        assert client.get("/api/v1/hits/", {"case": str(rtm.pk)}).json()["results"] == []


def test_the_hit_is_linked_once_the_caller_may_see_the_other_case(cast, pair):
    rtm, anr = pair
    api(cast["anr.officer"]).post(f"/api/v1/cases/{anr.pk}/shares/", {"agency": "NL-CUS-RTM", "level": "view"},
                                  format="json")
    hit = the_hit(cast["rtm.officer"], rtm)
    assert (hit["status"], hit["other_case"]) == ("linked", {"id": str(anr.pk), "reference": anr.reference})
    client = api(cast["rtm.officer"])
    assert [row["id"] for row in client.get("/api/v1/hits/", {"status": "linked"}).json()["results"]
            if row["case"]["id"] == str(rtm.pk)] == [hit["id"]]
    assert [row for row in client.get("/api/v1/hits/", {"status": "new"}).json()["results"]
            if row["case"]["id"] == str(rtm.pk)] == []
    # Antwerp still cannot see Rotterdam's case: its side stays a bare hit.
    assert the_hit(cast["anr.officer"], anr)["other_case"] is None


def test_bad_filters_and_bodies_answer_400_on_their_field(cast, pair):
    client = api(cast["rtm.officer"])
    assert client.get("/api/v1/hits/", {"status": "maybe"}).json().keys() == {"status"}
    assert client.get("/api/v1/hits/", {"case": "not-a-uuid"}).json().keys() == {"case"}
    assert client.get("/api/v1/hits/", {"colour": "red"}).status_code == 400
    assert client.get("/api/v1/access-requests/", {"direction": "sideways"}).json().keys() == {"direction"}
    rtm, _anr = pair
    hit = the_hit(cast["rtm.officer"], rtm)
    for body, field in (({"hit": hit["id"], "level": "manage", "justification": "x"}, "level"),
                        ({"hit": hit["id"], "level": "view"}, "justification"),
                        ({"hit": "nope", "level": "view", "justification": "x"}, "hit"),
                        ({"hit": hit["id"], "level": "view", "justification": "x", "extra": 1}, "extra")):
        response = client.post("/api/v1/access-requests/", body, format="json")
        assert response.status_code == 400 and field in response.json(), body
    assert not AccessRequest.objects.exists()


def ask(cast, rtm, level="contribute", user="rtm.officer"):
    hit = the_hit(cast[user], rtm)
    return api(cast[user]).post("/api/v1/access-requests/", {"hit": hit["id"], "level": level,
                                                               "justification": "Same container, joint op"},
                                format="json")


def test_an_approval_shares_at_the_level_granted_and_links_the_hit(cast, pair):
    rtm, anr = pair
    created = ask(cast, rtm)
    assert created.status_code == 201
    body = created.json()
    assert {key: body[key] for key in ("level", "justification", "status")} == {
        "level": "contribute", "justification": "Same container, joint op", "status": "pending"}
    assert body["expires_at"] > body["created_at"]
    assert_nothing_of(anr, created)
    assert the_hit(cast["rtm.officer"], rtm)["status"] == "requested"
    assert ask(cast, rtm).status_code == 409  # one pending request per hit

    [incoming] = api(cast["anr.officer"]).get("/api/v1/access-requests/", {"direction": "incoming"}).json()["results"]
    assert incoming["case"] == {"id": str(anr.pk), "reference": anr.reference}
    assert incoming["requester"] == {"username": "rtm.officer", "agency": "NL-CUS-RTM"}
    assert incoming["requester_case_reference"] == rtm.reference
    assert incoming["identifier"] == {"kind": "container", "value": CONTAINER}
    assert (incoming["level"], incoming["justification"], incoming["status"]) == (
        "contribute", "Same container, joint op", "pending")
    assert incoming["hit"] is None  # the requester's hit is theirs
    assert api(cast["anr.officer"]).get("/api/v1/access-requests/", {"direction": "outgoing"}).json()["results"] == []

    decided = api(cast["anr.officer"]).post(f"/api/v1/access-requests/{body['id']}/decide/",
                                            {"approve": True, "level": "view", "reason": "Go ahead"}, format="json")
    assert decided.status_code == 200
    assert (decided.json()["status"], decided.json()["decided_level"]) == ("approved", "view")
    share = CaseShare.objects.get(case=anr, agency__code="NL-CUS-RTM")
    assert share.level == "view" and share.granted_by.username == "anr.officer"
    hit = the_hit(cast["rtm.officer"], rtm)
    assert (hit["status"], hit["other_case"]) == ("linked", {"id": str(anr.pk), "reference": anr.reference})
    again = api(cast["anr.officer"]).post(f"/api/v1/access-requests/{body['id']}/decide/",
                                          {"approve": False, "reason": "Changed my mind"}, format="json")
    assert again.status_code == 409
    assert CaseShare.objects.filter(case=anr, agency__code="NL-CUS-RTM").exists()
    # Audited on both sides: the request (combination) and the decision (a disclosure), plus the share.
    actions = set(AuditEvent.objects.filter(case_id__in=[rtm.pk, anr.pk], object_type="access_request")
                  .values_list("action", "case_id", "operation"))
    assert actions == {("access_request_create", rtm.pk, "combination"), ("access_request_create", anr.pk, "combination"),
                       ("access_request_decide", rtm.pk, "disclosure"), ("access_request_decide", anr.pk, "disclosure")}
    assert AuditEvent.objects.filter(case_id=anr.pk, action="case_share", recipient="NL-CUS-RTM").exists()


def test_a_refusal_keeps_its_reason_and_shares_nothing(cast, pair):
    rtm, anr = pair
    request_id = ask(cast, rtm, level="view").json()["id"]
    client = api(cast["anr.officer"])
    no_reason = client.post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": False}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    above = client.post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True, "level": "contribute"},
                        format="json")
    assert above.status_code == 400 and "level" in above.json()
    refused = client.post(f"/api/v1/access-requests/{request_id}/decide/",
                          {"approve": False, "reason": "Undercover operation running"}, format="json")
    assert refused.status_code == 200 and refused.json()["status"] == "refused"
    assert not CaseShare.objects.filter(case=anr, agency__code="NL-CUS-RTM").exists()
    [outgoing] = api(cast["rtm.officer"]).get("/api/v1/access-requests/", {"direction": "outgoing"}).json()["results"]
    assert (outgoing["status"], outgoing["reason"]) == ("refused", "Undercover operation running")
    assert outgoing["case"] == {"id": str(rtm.pk), "reference": rtm.reference}
    assert_nothing_of(anr, api(cast["rtm.officer"]).get("/api/v1/access-requests/"))
    assert the_hit(cast["rtm.officer"], rtm)["status"] == "refused"


def test_an_expired_request_cannot_be_decided_and_lapses_by_the_beat_task(cast, pair):
    rtm, anr = pair
    request_id = ask(cast, rtm).json()["id"]
    AccessRequest.objects.filter(pk=request_id).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = api(cast["anr.officer"])
    assert client.get(f"/api/v1/access-requests/{request_id}/").json()["status"] == "expired"
    late = client.post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True}, format="json")
    assert late.status_code == 409
    assert access_requests_expire() == 1
    assert AccessRequest.objects.get(pk=request_id).status == "expired"
    assert not CaseShare.objects.filter(case=anr, agency__code="NL-CUS-RTM").exists()
    assert the_hit(cast["rtm.officer"], rtm)["status"] == "new"  # it may be asked again
    assert ask(cast, rtm).status_code == 201
    assert AuditEvent.objects.filter(object_id=request_id, action="access_request_expire").count() == 2


def test_only_the_owning_agencys_deciders_see_and_decide_a_request(cast, pair):
    rtm, _anr = pair
    request_id = ask(cast, rtm).json()["id"]
    antwerp_analyst = get_user_model().objects.create_user(username="anr.analyst")
    membership_set_role(actor=None, user=antwerp_analyst, agency=Agency.objects.get(code="BE-CUS-ANR"),
                        role="analyst")
    for user in (cast["ham.officer"], cast["liaison.officer"], cast["admin"], cast["anr.prosecutor"],
                 antwerp_analyst):
        client = api(user)
        assert client.get(f"/api/v1/access-requests/{request_id}/").status_code == 404, user
        assert client.post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True},
                           format="json").status_code == 404, user
    # The requester's own side sees its request but does not decide it.
    for username in ("rtm.officer", "rtm.analyst"):
        requester = api(cast[username])
        assert requester.get(f"/api/v1/access-requests/{request_id}/").status_code == 200
        assert requester.post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True},
                              format="json").status_code == 404
    assert AccessRequest.objects.get(pk=request_id).status == "pending"


def test_a_third_agency_gets_404_on_the_request(cast, pair):
    rtm, _anr = pair
    request_id = ask(cast, rtm).json()["id"]
    client = api(cast["ham.officer"])
    assert client.get(f"/api/v1/access-requests/{request_id}/").status_code == 404
    assert client.get("/api/v1/access-requests/").json()["results"] == []


def test_a_request_for_a_case_already_visible_is_a_conflict(cast, pair):
    rtm, anr = pair
    api(cast["anr.officer"]).post(f"/api/v1/cases/{anr.pk}/shares/", {"agency": "NL-CUS-RTM", "level": "view"},
                                  format="json")
    assert ask(cast, rtm).status_code == 409


def test_h2_cases_are_decided_by_the_owner_only(cast):
    rtm = new_case(cast["rtm.officer"], "H2 bananas", "NLRTM")
    anr = new_case(cast["anr.officer"], "H2 pineapples", "BEANR", handling_code="H2")
    identifier_add(actor=cast["rtm.officer"], case_id=rtm.pk, kind="seal", value="SEAL-991122")
    identifier_add(actor=cast["anr.officer"], case_id=anr.pk, kind="seal", value="seal 991122")
    api(cast["anr.officer"]).post(f"/api/v1/cases/{anr.pk}/shares/", {"agency": "EU-LIA", "level": "manage"},
                                  format="json")
    hits_match_case(case_id=anr.pk)
    request_id = ask(cast, rtm, level="view").json()["id"]
    # The liaison bureau manages the case, but it is not the owner: the request is not theirs to see.
    assert api(cast["liaison.officer"]).post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True},
                                             format="json").status_code == 404
    assert api(cast["anr.officer"]).post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True},
                                         format="json").status_code == 200
    assert CaseShare.objects.get(case=anr, agency__code="NL-CUS-RTM").level == "view"


def test_hits_and_requests_are_in_the_openapi_schema(cast):
    schema = api(cast["rtm.officer"]).get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    for path in ("/api/v1/hits/", "/api/v1/hits/{hit_id}/", "/api/v1/access-requests/",
                 "/api/v1/access-requests/{request_id}/", "/api/v1/access-requests/{request_id}/decide/"):
        assert path in schema["paths"], path


def test_refused_attempts_on_a_hit_and_a_request_are_in_the_owners_trail(cast, pair):
    rtm, anr = pair
    hit = the_hit(cast["rtm.officer"], rtm)
    request_id = ask(cast, rtm).json()["id"]
    hamburg = api(cast["ham.officer"])
    assert hamburg.get(f"/api/v1/hits/{hit['id']}/").status_code == 404
    assert hamburg.post("/api/v1/access-requests/", {"hit": hit["id"], "level": "view", "justification": "x"},
                        format="json").status_code == 404
    assert hamburg.get(f"/api/v1/access-requests/{request_id}/").status_code == 404
    assert api(cast["rtm.officer"]).post(f"/api/v1/access-requests/{request_id}/decide/", {"approve": True},
                                         format="json").status_code == 404
    refused = AuditEvent.objects.filter(operation=Operation.ACCESS_DENIED, object_type__in=["hit", "accessrequest"])
    assert sorted((event.actor.username, event.object_type, event.object_id, str(event.case_id), event.case_agency)
                  for event in refused) == sorted([
        ("ham.officer", "hit", hit["id"], str(rtm.pk), "NL-CUS-RTM"),
        ("ham.officer", "hit", hit["id"], str(rtm.pk), "NL-CUS-RTM"),
        ("ham.officer", "accessrequest", request_id, str(anr.pk), "BE-CUS-ANR"),
        ("rtm.officer", "accessrequest", request_id, str(anr.pk), "BE-CUS-ANR"),
    ])
    # A made-up id leaves no record: there is nothing to attempt.
    assert hamburg.get("/api/v1/hits/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert refused.count() == 4
