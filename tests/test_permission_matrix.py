"""The permission matrix: every demo role against every relation to a case.

The expected levels are written out by hand here, not computed from the policy, so the
policy can be wrong and this test will say so.
"""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.selectors import case_get, case_list
from cases.services import case_grant_user, case_share, case_transition, case_update
from coordination.errors import ActionForbidden, NotVisible

from cast import EXPECTED_ACCESS, USERS, expected

CELLS = [(case_key, username) for case_key in EXPECTED_ACCESS for username in USERS]


def outcome(call) -> str:
    try:
        call()
    except NotVisible:
        return "404"
    except ActionForbidden:
        return "403"
    except ValidationError:
        return "400"
    return "ok"


@pytest.mark.parametrize("case_key,username", CELLS)
def test_list_shows_exactly_the_visible_cases(case_key, username, cast, matrix_case):
    case = matrix_case(case_key)
    listed = {row.pk: row.access for row in case_list(user=cast[username])}
    assert listed.get(case.pk) == expected(case_key, username)


@pytest.mark.parametrize("case_key,username", CELLS)
def test_detail_answers_404_unless_visible(case_key, username, cast, matrix_case, client):
    case = matrix_case(case_key)
    client.force_login(cast[username])
    response = client.get(reverse("cases:detail", args=[case.pk]))
    if expected(case_key, username):
        assert response.status_code == 200
        assert case_get(user=cast[username], case_id=case.pk).access == expected(case_key, username)
    else:
        assert response.status_code == 404
        assert case.title.encode() not in response.content
        assert case.reference.encode() not in response.content


@pytest.mark.parametrize("case_key,username", CELLS)
def test_update_needs_manage(case_key, username, cast, matrix_case):
    case = matrix_case(case_key)
    result = outcome(
        lambda: case_update(actor=cast[username], case_id=case.pk, version=case.version, title="Edited title")
    )
    access = expected(case_key, username)
    assert result == {None: "404", "view": "403", "contribute": "403", "manage": "ok", "owner": "ok"}[access]


@pytest.mark.parametrize("case_key,username", CELLS)
def test_share_needs_manage_and_h2_stays_with_owner(case_key, username, cast, matrix_case):
    case = matrix_case(case_key)
    actor = cast[username]
    if case.restricted:
        result = outcome(
            lambda: case_grant_user(actor=actor, case_id=case.pk, user=cast["anr.officer"], level="view")
        )
    else:
        result = outcome(lambda: case_share(actor=actor, case_id=case.pk, agency_code="BE-PROS-ANR", level="view"))
    access = expected(case_key, username)
    wanted = {None: "404", "view": "403", "contribute": "403", "manage": "ok", "owner": "ok"}[access]
    if case_key == "h2_managed_by_liaison" and access == "manage":
        wanted = "403"  # H2: a receiving agency cannot re-share, even with a manage grant
    assert result == wanted


@pytest.mark.parametrize("case_key,username", CELLS)
def test_transition_follows_the_workflow_roles(case_key, username, cast, matrix_case):
    case = matrix_case(case_key)
    access = expected(case_key, username)
    if case_key == "referred":
        # Only a prosecutor of the agency the case is referred to accepts it.
        result = outcome(lambda: case_transition(actor=cast[username], case_id=case.pk, to="judicial"))
        wanted = "ok" if username == "rtm.prosecutor" else ("404" if access is None else "403")
    else:
        result = outcome(lambda: case_transition(actor=cast[username], case_id=case.pk, to="open"))
        wanted = {None: "404", "view": "403", "contribute": "403", "manage": "ok", "owner": "ok"}[access]
    assert result == wanted


def test_h2_refusal_tells_why(cast, matrix_case):
    case = matrix_case("h2_managed_by_liaison")
    with pytest.raises(ActionForbidden) as refused:
        case_share(actor=cast["liaison.officer"], case_id=case.pk, agency_code="BE-CUS-ANR", level="view")
    assert refused.value.code == "h2_no_reshare"
    assert "H2" in refused.value.detail


def test_revoked_share_hides_the_case_again(cast, matrix_case):
    from cases.models import CaseShare
    from cases.services import case_unshare

    case = matrix_case("shared_view")
    share = CaseShare.objects.get(case=case, agency__code="BE-CUS-ANR")
    case_unshare(actor=cast["rtm.officer"], case_id=case.pk, share_id=share.pk)
    assert case.pk not in {row.pk for row in case_list(user=cast["anr.officer"])}
    with pytest.raises(NotVisible):
        case_get(user=cast["anr.officer"], case_id=case.pk)


def test_named_grant_lets_an_agency_admin_in(cast, matrix_case):
    """Separation of duties: admins see case content only when granted by name."""
    case = matrix_case("owned")
    admin = cast["rtm.admin"]
    assert case.pk not in {row.pk for row in case_list(user=admin)}
    case_grant_user(actor=cast["rtm.officer"], case_id=case.pk, user=admin, level="view")
    assert case_get(user=cast["rtm.admin"], case_id=case.pk).access == "view"


def test_anonymous_is_sent_to_login(client, matrix_case):
    case = matrix_case("owned")
    for url in (reverse("cases:list"), reverse("cases:detail", args=[case.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
