"""Named grants over the API (/api/v1/cases/{id}/grants/): the only way into a restricted case."""
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import CaseGrant


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def grants_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/grants/"


def test_owner_grants_lists_and_revokes_a_named_user(cast, matrix_case):
    case, owner = matrix_case("restricted"), api(cast["rtm.officer"])
    assert api(cast["anr.officer"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404

    created = owner.post(grants_url(case), {"username": "anr.officer", "level": "view",
                                            "justification": "Joint team Antwerp"}, format="json")

    assert created.status_code == 201
    body = created.json()
    assert (body["username"], body["agency"], body["level"], body["granted_by"]) == (
        "anr.officer", "BE-CUS-ANR", "view", "rtm.officer")
    assert api(cast["anr.officer"]).get(f"/api/v1/cases/{case.pk}/",
                                        HTTP_X_JUSTIFICATION="Joint team").status_code == 200
    listed = owner.get(grants_url(case)).json()["results"]
    assert {row["username"] for row in listed} == {"rtm.officer", "liaison.officer", "anr.officer"}
    disclosure = AuditEvent.objects.get(case_id=case.pk, action="case_grant_user", recipient="anr.officer")
    assert (disclosure.operation, disclosure.justification, disclosure.case_agency) == (
        "disclosure", "Joint team Antwerp", "NL-CUS-RTM")

    assert owner.delete(f"{grants_url(case)}{body['id']}/").status_code == 204
    assert api(cast["anr.officer"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert AuditEvent.objects.filter(case_id=case.pk, action="case_revoke_user", recipient="anr.officer").exists()


def test_bad_grants_answer_400_on_their_field(cast, matrix_case):
    owner, case = api(cast["rtm.officer"]), matrix_case("owned")
    cases = [
        ({"username": "nobody.here", "level": "view"}, "username"),
        ({"username": "rtm.auditor", "level": "view"}, "username"),  # an auditor reads no case content
        ({"username": "admin", "level": "view"}, "username"),  # nor does a platform account
        ({"username": "rtm.analyst", "level": "manage"}, "level"),  # an analyst never writes
        ({"username": "anr.officer", "level": "owner"}, "level"),
        ({"level": "view"}, "username"),
    ]
    for body, field in cases:
        response = owner.post(grants_url(case), body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), (body, response.json())
    assert not CaseGrant.objects.filter(case=case).exists()


def test_grants_need_manage_access_and_ownership_on_h2(cast, matrix_case):
    body = {"username": "ham.officer", "level": "view"}
    assert api(cast["anr.officer"]).post(grants_url(matrix_case("shared_view")), body,
                                         format="json").status_code == 403
    assert api(cast["ham.officer"]).post(grants_url(matrix_case("owned")), body, format="json").status_code == 404
    refused = api(cast["liaison.officer"]).post(grants_url(matrix_case("h2_managed_by_liaison")), body,
                                                format="json")
    assert (refused.status_code, refused.json()["code"]) == (403, "h2_no_reshare")
    assert api(cast["anr.officer"]).get(grants_url(matrix_case("shared_view"))).status_code == 403
    assert not CaseGrant.objects.filter(user__username="ham.officer").exists()
