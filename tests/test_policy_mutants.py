"""Stories that notice a broken policy: each kills mutants of cases/access.py or
cases/services/guard.py that the permission matrices let through (`make mutate`, issue 13).

Every story starts from the fixed cast (tests/conftest.py): rtm.officer owns the matrix cases,
anr.officer's agency holds a view share on "shared_view", ham.officer's a manage share on
"shared_manage" and the liaison bureau a manage share on the H2 case; ham.officer is an outsider
to the rest, rtm.analyst reads only, and rtm.auditor reads audit records, never cases. Each
asserts what a caller observes: visibility, status codes, the 403's code and reason, and the
rows written.
"""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.access import Action, can, visible_cases
from cases.models import CaseGrant
from cases.selectors import case_get, case_list
from cases.services import (
    case_create,
    case_grant_user,
    case_revoke_grant,
    case_share,
    case_transition,
    case_update,
    note_add,
)
from cases.services.guard import require
from coordination.errors import ActionForbidden, NotVisible

REASON = "Joint investigation into the Rotterdam-Antwerp line"

# The reasons a 403 gives, as a caller reads them.
ANALYST_REASON = "Analysts have read-only access to cases."
H2_REASON = "This case is H2: only the owning agency may share it onward, refer it or open it to named users."
OWNER_REASON = "Only the owning agency decides a case's handling code, its H3 conditions and its restriction."
GENERIC_REASON = "Your access to this case does not allow this action."
ARCHIVED_REASON = "An archived case is read-only."
LOCKOUT_REASON = "This change would take the case out of your own access."


def api(user, **headers) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    client.credentials(HTTP_X_JUSTIFICATION=REASON, **headers)
    return client


def listed(user) -> set:
    return {row.pk for row in case_list(user=user)}


def refusal(call) -> ActionForbidden:
    with pytest.raises(ActionForbidden) as refused:
        call()
    return refused.value


def new_case(actor, **fields):
    return case_create(actor=actor, title="Cocaine in pineapples", port="NLRTM", legal_basis="Art. 46 UCC",
                       seized_at=timezone.now() - datetime.timedelta(days=2), **{"handling_code": "H0", **fields})


# A case shared with an agency and then restricted by its owner: the share stays on record,
# but it opens nothing any more (the agency-share probe tests NOT restricted).

def test_a_case_shared_then_restricted_is_hidden_from_the_agency_it_was_shared_with(cast, matrix_case):
    case = matrix_case("shared_view")
    antwerp = cast["anr.officer"]
    assert case_get(user=antwerp, case_id=case.pk).access == "view"

    case_update(actor=cast["rtm.officer"], case_id=case.pk, version=case.version, restricted=True)

    assert case.shares.filter(agency__code="BE-CUS-ANR").exists()
    assert case.pk not in listed(antwerp)
    with pytest.raises(NotVisible):
        case_get(user=antwerp, case_id=case.pk)
    response = api(antwerp).get(f"/api/v1/cases/{case.pk}/")
    assert response.status_code == 404
    assert case.title.encode() not in response.content
    listing = api(antwerp).get("/api/v1/cases/", {"page_size": 200})
    assert str(case.pk) not in {row["id"] for row in listing.json()["results"]}
    # The owner still holds it, through the named manager grant restricting it gave them.
    assert case_get(user=cast["rtm.officer"], case_id=case.pk).access == "owner"


# The auditor's role caps every grant to nothing: auditors read audit records, never cases.

def test_a_named_grant_to_an_auditor_is_refused(cast, matrix_case):
    case = matrix_case("owned")
    with pytest.raises(ValidationError) as refused:
        case_grant_user(actor=cast["rtm.officer"], case_id=case.pk, user=cast["rtm.auditor"], level="view")
    assert list(refused.value.message_dict) == ["username"]
    assert not CaseGrant.objects.filter(case=case, user__username="rtm.auditor").exists()


def test_a_named_grant_to_an_auditor_is_refused_over_the_api(cast, matrix_case):
    case = matrix_case("owned")
    response = api(cast["rtm.officer"]).post(f"/api/v1/cases/{case.pk}/grants/",
                                             {"username": "rtm.auditor", "level": "view"}, format="json")
    assert response.status_code == 400, response.content
    assert "username" in response.json()
    assert not CaseGrant.objects.filter(case=case, user__username="rtm.auditor").exists()
    assert api(cast["rtm.auditor"]).get(f"/api/v1/cases/{case.pk}/").status_code == 404


# Only a member of an active agency, with an active account, reaches any case.

def test_a_deactivated_officer_sees_none_of_the_cases_of_their_agency(cast, matrix_case):
    officer = cast["rtm.officer"]
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert listed(officer) == set()
    with pytest.raises(NotVisible):
        case_get(user=officer, case_id=matrix_case("owned").pk)


def test_no_user_at_all_sees_no_case(matrix_case):
    assert not visible_cases(None).exists()
    assert not can(None, Action.VIEW, matrix_case("owned"))


# Role caps from the other side: the roles that open cases own them, and a named manager
# inside the owning agency is an owner, an agency admin included.

@pytest.mark.parametrize("username", ["rtm.officer", "liaison.officer", "rtm.prosecutor"])
def test_whoever_opens_a_case_owns_it_and_decides_its_handling(cast, username):
    creator = cast[username]
    case = new_case(creator)
    assert case_get(user=creator, case_id=case.pk).access == "owner"
    case_update(actor=creator, case_id=case.pk, version=case.version, handling_code="H1")
    assert case_get(user=creator, case_id=case.pk).handling_code == "H1"


def test_an_agency_admin_named_manager_of_an_agency_case_owns_it(cast, matrix_case):
    case = matrix_case("owned")
    admin = cast["rtm.admin"]
    case_grant_user(actor=cast["rtm.officer"], case_id=case.pk, user=admin, level="manage")
    assert case_get(user=admin, case_id=case.pk).access == "owner"
    case_update(actor=admin, case_id=case.pk, version=case.version, handling_code="H1")
    assert case_get(user=cast["rtm.officer"], case_id=case.pk).handling_code == "H1"


# Each refusal says why, with a code a client can act on.

def test_an_analyst_is_told_analysts_only_read(cast, matrix_case):
    case = matrix_case("owned")
    refused = refusal(lambda: note_add(actor=cast["rtm.analyst"], case_id=case.pk, text="Seen it"))
    assert (refused.code, refused.detail) == ("forbidden", ANALYST_REASON)


def test_a_reader_is_told_their_access_does_not_allow_writing_or_sharing(cast, matrix_case):
    case = matrix_case("shared_view")
    reader = cast["anr.officer"]
    refused = refusal(lambda: note_add(actor=reader, case_id=case.pk, text="Mine now"))
    assert (refused.code, refused.detail) == ("forbidden", GENERIC_REASON)
    refused = refusal(lambda: case_share(actor=reader, case_id=case.pk, agency_code="DE-ZOLL-HAM", level="view"))
    assert (refused.code, refused.detail) == ("forbidden", GENERIC_REASON)


def test_a_manager_of_an_h2_case_is_told_only_the_owner_shares_it(cast, matrix_case):
    case = matrix_case("h2_managed_by_liaison")
    refused = refusal(lambda: case_share(actor=cast["liaison.officer"], case_id=case.pk,
                                         agency_code="BE-CUS-ANR", level="view"))
    assert (refused.code, refused.detail) == ("h2_no_reshare", H2_REASON)


def test_a_manager_from_another_agency_cannot_restrict_the_case(cast, matrix_case):
    case = matrix_case("shared_manage")
    refused = refusal(lambda: case_update(actor=cast["ham.officer"], case_id=case.pk, version=case.version,
                                          restricted=True))
    assert (refused.code, refused.detail) == ("owner_decision", OWNER_REASON)
    response = api(cast["ham.officer"]).patch(f"/api/v1/cases/{case.pk}/",
                                              {"restricted": True, "version": case.version}, format="json")
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["detail"]) == ("owner_decision", OWNER_REASON)
    case.refresh_from_db()
    assert case.restricted is False
    assert case_get(user=cast["rtm.officer"], case_id=case.pk).access == "owner"


def test_the_owner_decision_is_refused_as_plainly_forbidden_to_a_mere_reader(cast, matrix_case):
    """The owner_decision reason is for managers, who may change the rest of the case."""
    case = matrix_case("shared_view")
    refused = refusal(lambda: require(actor=cast["anr.officer"], action=Action.GOVERN, case=case))
    assert (refused.code, refused.detail) == ("forbidden", GENERIC_REASON)


def test_an_archived_case_is_read_only_and_says_so(cast):
    officer = cast["rtm.officer"]
    case = new_case(officer)
    for status in ("open", "closed", "archived"):
        case_transition(actor=officer, case_id=case.pk, to=status)
    refused = refusal(lambda: note_add(actor=officer, case_id=case.pk, text="Too late"))
    assert (refused.code, refused.detail) == ("archived", ARCHIVED_REASON)


def test_revoking_ones_own_last_way_in_is_refused(cast, matrix_case):
    case = matrix_case("restricted")
    officer = cast["rtm.officer"]
    own = CaseGrant.objects.get(case=case, user=officer)
    refused = refusal(lambda: case_revoke_grant(actor=officer, case_id=case.pk, grant_id=own.pk))
    assert (refused.code, refused.detail) == ("self_lockout", LOCKOUT_REASON)
    assert CaseGrant.objects.filter(pk=own.pk).exists()
    assert case_get(user=officer, case_id=case.pk).access == "owner"


# H3: a reader outside the owning agency accepts the owner's conditions first; the owning
# agency's own members do not.

def test_h3_conditions_are_accepted_by_readers_of_other_agencies_only(cast):
    case = new_case(cast["rtm.officer"], handling_code="H3", h3_conditions="Not to be used in court.")
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="BE-CUS-ANR", level="view")
    detail = f"/api/v1/cases/{case.pk}/"

    foreign = api(cast["anr.officer"]).get(detail)
    assert foreign.status_code == 403
    assert foreign.json()["code"] == "conditions_acknowledgement_required"
    assert foreign.json()["conditions"] == "Not to be used in court."
    assert api(cast["anr.officer"], HTTP_X_ACKNOWLEDGE_CONDITIONS="H3").get(detail).status_code == 200

    assert api(cast["rtm.analyst"]).get(detail).status_code == 200
    assert api(cast["rtm.officer"]).get(detail).status_code == 200
    assert api(cast["ham.officer"]).get(detail).status_code == 404


# Refused attempts are recorded under the owning agency; on a case the caller may not see,
# the record holds nothing but the id tried.

def denied(username, case):
    return AuditEvent.objects.get(operation="access_denied", actor_username=username, case_id=case.pk)


def test_a_refused_write_on_a_visible_case_is_recorded_with_its_code(cast, matrix_case):
    case = matrix_case("shared_view")
    reader = cast["anr.officer"]
    response = api(reader).post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Mine now"}, format="json")
    assert response.status_code == 403
    event = denied("anr.officer", case)
    assert (event.action, event.changes, event.actor_id) == ("forbidden", {"code": "forbidden"}, reader.pk)
    assert (event.object_type, event.object_id, event.case_agency, event.handling_code) == (
        "case", str(case.pk), "NL-CUS-RTM", "H0")


def test_an_attempt_on_a_case_out_of_sight_is_recorded_with_the_id_only(cast, matrix_case):
    case = matrix_case("owned")
    outsider = cast["ham.officer"]
    assert api(outsider).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    event = denied("ham.officer", case)
    assert (event.action, event.actor_id, event.object_type, event.object_id) == (
        "not_visible", outsider.pk, "case", str(case.pk))
    assert (event.case_agency, event.handling_code, event.changes) == ("NL-CUS-RTM", "", {})


def test_a_malformed_case_id_is_simply_not_visible(cast):
    with pytest.raises(NotVisible):
        note_add(actor=cast["rtm.officer"], case_id="not-a-case-id", text="Lost")


def test_a_write_attempt_on_a_case_out_of_sight_is_recorded_too(cast, matrix_case, client):
    """The browser's revoke calls the service straight away: the write path's own 404 notes it."""
    case = matrix_case("owned")
    client.force_login(cast["ham.officer"])
    response = client.post(f"/cases/{case.pk}/sharing/{case.pk}/revoke/")
    assert response.status_code == 404
    event = denied("ham.officer", case)
    assert (event.action, event.actor_id, event.object_id, event.handling_code) == (
        "not_visible", cast["ham.officer"].pk, str(case.pk), "")
