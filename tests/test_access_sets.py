"""`users_who_can` (many users, one case) decides exactly as `can` (one user, one case).

The notification fan-out resolves a thousand recipients with it; it restates the policy's
rules over the same rows, so here it is held to `can` for every demo user, every case of the
permission matrix and every action, and to a query count that does not grow with the users.
"""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Membership, Role
from cases.access import Action, can, users_who_can

from cast import EXPECTED_ACCESS, USERS

CELLS = [(case_key, action) for case_key in EXPECTED_ACCESS for action in Action]


@pytest.mark.parametrize("case_key,action", CELLS)
def test_the_set_answer_is_cans_answer_for_every_user(case_key, action, cast, matrix_case):
    case = matrix_case(case_key)
    users = [cast[username] for username in USERS]
    one_by_one = {user.pk for user in users if can(user, action, case)}
    assert users_who_can(users, action, case) == one_by_one
    if case_key == "owned" and action == Action.VIEW:
        assert one_by_one  # the matrix is not empty: the comparison means something


def test_inactive_users_and_deactivated_memberships_see_nothing(cast, matrix_case):
    case = matrix_case("owned")
    officer = cast["rtm.officer"]
    assert users_who_can([officer], Action.VIEW, case) == {officer.pk}
    Membership.objects.filter(user=officer).update(active=False)
    assert users_who_can([officer], Action.VIEW, case) == set()


def test_three_queries_whatever_the_number_of_users(cast, matrix_case):
    case = matrix_case("shared_view")
    agency = Agency.objects.get(code="BE-CUS-ANR")
    many = []
    for number in range(60):
        user = get_user_model().objects.create_user(username=f"sets.user.{number}")
        Membership.objects.create(user=user, agency=agency, role=Role.OFFICER)
        many.append(user)
    can(many[0], Action.VIEW, case)  # the permission ids are resolved once per process
    with CaptureQueriesContext(connection) as few:
        small = users_who_can(many[:3], Action.VIEW, case)
    with CaptureQueriesContext(connection) as lots:
        large = users_who_can(many, Action.VIEW, case)
    assert len(small) == 3 and len(large) == 60
    assert len(few.captured_queries) == len(lots.captured_queries) == 3
