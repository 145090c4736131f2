"""Agency administration over the API (API.md, "Agency administration").

The story: Ingrid (rtm.admin) administers Rotterdam customs. She takes on a new officer, who
sets a password through the e-mailed link, changes a role, and deactivates a colleague in the
middle of their work. She gives the agency's scanning system a key that works only from its
network, and later revokes it. Antwerp's admin can do none of this to Rotterdam.
"""
import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Agency, ApiToken, Membership, Role, ServiceAccount
from agencies.services import membership_set_role
from agencies.tokens import api_token_issue
from audit.models import AuditEvent
from cases.access import Action, can
from cases.models import Case, CaseGrant, CaseShare
from cast import DEMO_PASSWORD
from notifications.models import OutboxEvent

MEMBERS = "/api/v1/agency/members/"
SERVICE_ACCOUNTS = "/api/v1/agency/service-accounts/"
POLICY = "/api/v1/agency/policy/"
ME = "/api/v1/me/"


@pytest.fixture(autouse=True)
def fresh_cache():
    # Token refusals are recorded once per token and minute, in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def with_key(key: str, address: str = "127.0.0.1") -> APIClient:
    api = APIClient(REMOTE_ADDR=address)
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


@pytest.fixture
def admin(cast) -> APIClient:
    return api_as(cast["rtm.admin"])


@pytest.fixture
def anr_admin(cast):
    user = get_user_model().objects.create_user("anr.admin", email="anr.admin@portcullis.example")
    membership_set_role(actor=None, user=user, agency=Agency.objects.get(code="BE-CUS-ANR"), role=Role.AGENCY_ADMIN)
    return user


def new_member(admin, django_capture_on_commit_callbacks, **extra) -> dict:
    body = {"username": "rtm.newcomer", "email": "newcomer@douane.example", "first_name": "Noor",
            "last_name": "Hendriks", "role": "officer", **extra}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(MEMBERS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def log_in(browser: Client, username: str):
    return browser.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})


def records(action: str, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# --- Members ------------------------------------------------------------------------------------

def test_a_new_member_sets_a_password_through_a_link_that_works_once(admin, cast, django_capture_on_commit_callbacks):
    created = new_member(admin, django_capture_on_commit_callbacks)
    assert created["username"] == "rtm.newcomer" and created["role"] == "officer" and created["active"]
    user = get_user_model().objects.get(username="rtm.newcomer")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user, active=True).agency.code == "NL-CUS-RTM"

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["newcomer@douane.example"]
    link = re.search(r"https?://\S+/accounts/set-password/\S+/", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    browser = Client()
    form = browser.get(f"/{path}", follow=True)
    assert form.status_code == 200 and b'name="new_password1"' in form.content
    new_password = "harbour-lights-2026!"
    done = browser.post(form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert Client().post("/api/v1/auth/token/", {"username": "rtm.newcomer", "password": new_password},
                         content_type="application/json").status_code == 200

    again = Client().get(f"/{path}", follow=True)
    assert b'name="new_password1"' not in again.content and b"has been used or has expired" in again.content

    assert records("member_create", actor_username="rtm.admin", recipient="rtm.newcomer",
                   actor_agency="NL-CUS-RTM").exists()


def test_a_member_is_not_created_from_bad_input(admin, cast):
    assert admin.post(MEMBERS, {"username": "rtm.officer", "email": "x@example.org", "role": "officer"},
                      format="json").json() == {"username": ["This username is taken."]}
    response = admin.post(MEMBERS, {"username": "a b!", "email": "not-an-address", "role": "wizard"}, format="json")
    assert response.status_code == 400 and {"email", "role"} <= set(response.json())
    assert admin.post(MEMBERS, {"username": "x", "email": "x@example.org", "role": "officer", "is_superuser": True},
                      format="json").json() == {"is_superuser": ["Unknown field."]}
    assert not get_user_model().objects.filter(username__in=["a b!", "x"]).exists()


def test_members_list_holds_the_agencys_people_only(admin, cast):
    listed = {member["username"] for member in admin.get(MEMBERS).json()["results"]}
    assert {"rtm.officer", "rtm.analyst", "rtm.admin", "rtm.auditor"} <= listed
    assert not {"anr.officer", "ham.officer", "liaison.officer", "rtm.prosecutor", "admin"} & listed


def test_the_admin_changes_a_role(admin, cast):
    analyst = cast["rtm.analyst"]
    response = admin.patch(f"{MEMBERS}{analyst.pk}/", {"role": "officer"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "officer"
    assert Membership.objects.get(user=analyst, active=True).role == "officer"
    assert admin.get(f"{MEMBERS}{analyst.pk}/").json()["role"] == "officer"
    assert records("membership_set_role", actor_username="rtm.admin", recipient="rtm.analyst").exists()
    assert admin.patch(f"{MEMBERS}{analyst.pk}/", {"role": "emperor"}, format="json").status_code == 400


def test_an_admin_cannot_demote_or_deactivate_themselves(admin, cast):
    me = cast["rtm.admin"].pk
    assert admin.patch(f"{MEMBERS}{me}/", {"role": "officer"}, format="json").json()["code"] == "own_account"
    assert admin.post(f"{MEMBERS}{me}/deactivate/").status_code == 403
    assert Membership.objects.get(user_id=me, active=True).role == "agency_admin"


def test_deactivation_ends_a_live_session_and_a_live_token_at_once(admin, cast):
    officer = cast["rtm.officer"]
    browser = Client()
    assert log_in(browser, "rtm.officer").status_code == 302
    _token, key = api_token_issue(user=officer)
    assert browser.get(ME).status_code == 200 and with_key(key).get(ME).status_code == 200

    response = admin.post(f"{MEMBERS}{officer.pk}/deactivate/")
    assert response.status_code == 200 and response.json()["active"] is False

    assert browser.get(ME).status_code == 401
    assert browser.get("/cases/").status_code == 302  # to the login page
    assert with_key(key).get(ME).status_code == 401
    assert not ApiToken.objects.filter(user=officer).exists()
    officer.refresh_from_db()
    assert not officer.is_active and get_user_model().objects.filter(pk=officer.pk).exists()
    assert log_in(Client(), "rtm.officer").status_code == 200  # the form again, with an error
    assert records("member_deactivate", actor_username="rtm.admin", recipient="rtm.officer").exists()
    # A member never disappears: still listed, inactive.
    assert admin.get(f"{MEMBERS}{officer.pk}/").json()["active"] is False


# --- Service accounts ---------------------------------------------------------------------------

def issue_key(admin, **extra) -> dict:
    response = admin.post(SERVICE_ACCOUNTS, {"name": "Container scanner", "role": "officer", **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_service_account_key_works_only_from_its_allowed_network(admin, cast):
    issued = issue_key(admin, allowed_ips=["192.0.2.0/24", "2001:db8::/32"])
    assert set(issued) == {"id", "name", "key"}
    account = ServiceAccount.objects.get(pk=issued["id"])
    assert issued["key"] not in account.token.key_hash and account.token.key_hash  # only its hash is stored

    inside = with_key(issued["key"], "192.0.2.17").get(ME)
    assert inside.status_code == 200 and inside.json()["role"] == "officer"
    assert inside.json()["agency"]["code"] == "NL-CUS-RTM"
    assert with_key(issued["key"], "2001:db8::5").get("/api/v1/cases/").status_code == 200
    assert with_key(issued["key"], "198.51.100.4").get(ME).status_code == 401
    assert AuditEvent.objects.filter(action="token_refused", actor_username=account.user.username,
                                     changes__reason="address_not_allowed").exists()
    listed = admin.get(SERVICE_ACCOUNTS).json()["results"]
    assert [a["name"] for a in listed] == ["Container scanner"] and "key" not in listed[0]
    assert listed[0]["allowed_ips"] == ["192.0.2.0/24", "2001:db8::/32"]
    assert records("service_account_issue", actor_username="rtm.admin", object_id=issued["id"]).exists()


def test_a_service_account_sees_what_its_role_sees(admin, cast):
    """The access policy is unchanged: the account is an analyst of its agency, without named grants."""
    analyst_cases = api_as(cast["rtm.analyst"]).get("/api/v1/cases/?page_size=200").json()["results"]
    key = issue_key(admin, role="analyst")["key"]
    seen = with_key(key).get("/api/v1/cases/?page_size=200").json()["results"]
    assert seen and {case["id"] for case in seen} == {case["id"] for case in analyst_cases}
    assert with_key(key).post("/api/v1/cases/", {}, format="json").status_code in (400, 403)


def test_a_service_account_key_stops_at_its_expiry(admin, cast):
    expires = timezone.now() + datetime.timedelta(hours=1)
    issued = issue_key(admin, expires_at=expires.isoformat())
    assert with_key(issued["key"]).get(ME).status_code == 200
    token_id = ServiceAccount.objects.get(pk=issued["id"]).token_id
    assert ApiToken.objects.get(pk=token_id).expires_at == expires
    ApiToken.objects.filter(pk=token_id).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert with_key(issued["key"]).get(ME).status_code == 401


def test_a_revoked_service_account_key_is_refused(admin, cast):
    issued = issue_key(admin)
    assert with_key(issued["key"]).get(ME).status_code == 200
    assert admin.delete(f"{SERVICE_ACCOUNTS}{issued['id']}/").status_code == 204
    assert with_key(issued["key"]).get(ME).status_code == 401
    account = ServiceAccount.objects.get(pk=issued["id"])
    assert account.revoked_at is not None and not account.user.is_active  # kept, as the actor of its acts
    assert records("service_account_revoke", actor_username="rtm.admin", object_id=issued["id"]).exists()


def test_a_service_account_is_not_created_from_bad_input(admin, cast):
    past = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    response = admin.post(SERVICE_ACCOUNTS, {"name": "x", "role": "agency_admin"}, format="json")
    assert response.status_code == 400 and "role" in response.json()
    assert "expires_at" in admin.post(SERVICE_ACCOUNTS, {"name": "x", "role": "officer", "expires_at": past},
                                      format="json").json()
    response = admin.post(SERVICE_ACCOUNTS, {"name": "x", "role": "officer", "allowed_ips": ["10.0.0.0/33", "host"]},
                          format="json")
    assert response.status_code == 400 and len(response.json()["allowed_ips"]) == 2
    assert not ServiceAccount.objects.exists()


# --- Policy -------------------------------------------------------------------------------------

def test_the_admin_reads_and_changes_the_agency_policy(admin, cast):
    assert admin.get(POLICY).json() == {"require_2fa": False, "session_idle_minutes": 30,
                                        "justify_foreign_consultation": True, "justify_exports": True}
    response = admin.patch(POLICY, {"require_2fa": True, "session_idle_minutes": 15}, format="json")
    assert response.status_code == 200 and response.json()["session_idle_minutes"] == 15
    agency = Agency.objects.get(code="NL-CUS-RTM")
    assert agency.require_2fa and agency.session_idle_minutes == 15
    record = records("agency_policy_update", actor_username="rtm.admin", object_id="NL-CUS-RTM").get()
    assert record.changes == {"require_2fa": {"before": False, "after": True},
                              "session_idle_minutes": {"before": 30, "after": 15}}


@pytest.mark.parametrize("body", [{"session_idle_minutes": 0}, {"session_idle_minutes": 100000},
                                  {"session_idle_minutes": "soon"}, {"require_2fa": "perhaps"},
                                  {"require_2fa": None}, {"lockout": 3}])
def test_bad_policy_values_answer_400_and_change_nothing(admin, cast, body):
    response = admin.patch(POLICY, body, format="json")
    assert response.status_code == 400 and set(response.json()) == set(body)
    assert Agency.objects.get(code="NL-CUS-RTM").session_idle_minutes == 30
    assert not records("agency_policy_update", actor_username="rtm.admin").exists()


def test_new_agencies_require_two_factor_sign_in_the_demo_ones_do_not(cast):
    assert Agency.objects.create(code="FR-DOU-LEH", name="Douane Le Havre", kind="customs", country="FR").require_2fa
    assert not Agency.objects.filter(code__in=["NL-CUS-RTM", "BE-CUS-ANR"], require_2fa=True).exists()


# --- Who may ------------------------------------------------------------------------------------

ADMIN_ROUTES = [("get", MEMBERS), ("post", MEMBERS), ("get", SERVICE_ACCOUNTS), ("post", SERVICE_ACCOUNTS),
                ("get", POLICY), ("patch", POLICY)]


@pytest.mark.parametrize("username", ["rtm.officer", "rtm.auditor", "rtm.analyst"])
@pytest.mark.parametrize("method,path", ADMIN_ROUTES)
def test_other_roles_are_refused(cast, username, method, path):
    response = getattr(api_as(cast[username]), method)(path, {}, format="json")
    assert response.status_code in (400, 403)
    if method == "get" or response.status_code == 403:
        assert response.status_code == 403 and response.json()["code"] == "agency_admins_only"


@pytest.mark.parametrize("username", ["rtm.officer", "rtm.auditor"])
def test_other_roles_touch_no_member(cast, username):
    api, analyst = api_as(cast[username]), cast["rtm.analyst"]
    assert api.get(f"{MEMBERS}{analyst.pk}/").status_code == 403
    assert api.patch(f"{MEMBERS}{analyst.pk}/", {"role": "officer"}, format="json").status_code == 403
    assert api.post(f"{MEMBERS}{analyst.pk}/deactivate/").status_code == 403
    assert Membership.objects.get(user=analyst, active=True).role == "analyst" and analyst.is_active


def test_anonymous_callers_get_401(client, db):
    for path in (MEMBERS, SERVICE_ACCOUNTS, POLICY):
        assert client.get(path).status_code == 401


def test_another_agencys_admin_finds_none_of_rotterdams_members_or_keys(admin, anr_admin, cast):
    issued = issue_key(admin)
    other, officer = api_as(anr_admin), cast["rtm.officer"]
    assert other.get(f"{MEMBERS}{officer.pk}/").status_code == 404
    assert other.patch(f"{MEMBERS}{officer.pk}/", {"role": "analyst"}, format="json").status_code == 404
    assert other.post(f"{MEMBERS}{officer.pk}/deactivate/").status_code == 404
    assert other.delete(f"{SERVICE_ACCOUNTS}{issued['id']}/").status_code == 404
    assert with_key(issued["key"]).get(ME).status_code == 200
    assert {m["username"] for m in other.get(MEMBERS).json()["results"]} == {"anr.officer", "anr.admin"}
    assert other.get(SERVICE_ACCOUNTS).json()["results"] == []
    officer.refresh_from_db()
    assert officer.is_active and Membership.objects.get(user=officer, active=True).role == "officer"
    # The service account's user is no member: 404 under /members/ for its own admin too.
    assert admin.get(f"{MEMBERS}{ServiceAccount.objects.get(pk=issued['id']).user_id}/").status_code == 404


def test_every_administrative_act_shows_in_the_agency_auditors_trail(admin, cast, django_capture_on_commit_callbacks):
    member = new_member(admin, django_capture_on_commit_callbacks)
    admin.patch(f"{MEMBERS}{member['id']}/", {"role": "analyst"}, format="json")
    admin.post(f"{MEMBERS}{member['id']}/deactivate/")
    issued = issue_key(admin)
    admin.delete(f"{SERVICE_ACCOUNTS}{issued['id']}/")
    admin.patch(POLICY, {"justify_exports": False}, format="json")

    trail = api_as(cast["rtm.auditor"]).get("/api/v1/audit/?actor=rtm.admin&page_size=200").json()["results"]
    assert {"member_create", "membership_set_role", "member_deactivate", "service_account_issue",
            "service_account_revoke", "agency_policy_update"} <= {event["action"] for event in trail}
    assert all(event["actor"]["agency"] == "NL-CUS-RTM" for event in trail)
    anr_auditor = get_user_model().objects.create_user("anr.auditor")
    membership_set_role(actor=None, user=anr_auditor, agency=Agency.objects.get(code="BE-CUS-ANR"), role=Role.AUDITOR)
    assert api_as(anr_auditor).get("/api/v1/audit/?actor=rtm.admin").json()["results"] == []


# --- Who sees our cases -------------------------------------------------------------------------

DISCLOSURES = "/api/v1/agency/disclosures/"


def all_disclosures(api, page_size=200) -> list[dict]:
    listed, url = [], f"{DISCLOSURES}?page_size={page_size}"
    while url:
        body = api.get(url).json()
        listed += body["results"]
        url = body["next"]
    return listed


def test_disclosures_list_every_share_and_named_grant_of_the_agencys_cases_only(admin, cast):
    shares = CaseShare.objects.filter(case__owner_agency__code="NL-CUS-RTM")
    grants = CaseGrant.objects.filter(case__owner_agency__code="NL-CUS-RTM")
    assert shares.exists() and grants.exists()
    listed = all_disclosures(admin)
    assert {d["id"] for d in listed if d["kind"] == "share"} == {str(pk) for pk in shares.values_list("pk", flat=True)}
    assert {d["id"] for d in listed if d["kind"] == "grant"} == {str(pk) for pk in grants.values_list("pk", flat=True)}
    share = shares.select_related("case", "agency", "granted_by").first()
    row = next(d for d in listed if d["id"] == str(share.pk))
    assert row["case"] == {"id": str(share.case_id), "reference": share.case.reference}
    assert row["recipient"] == share.agency.code and row["level"] == share.level
    assert row["granted_by"] == share.granted_by.username and row["since"]
    grant = grants.select_related("user").first()
    assert next(d for d in listed if d["id"] == str(grant.pk))["recipient"] == grant.user.username
    # Each case's reference, never its content.
    body = admin.get(f"{DISCLOSURES}?page_size=200").content.decode()
    assert not any(title in body for title in Case.objects.values_list("title", flat=True))


def test_disclosures_page_newest_first_without_gaps_or_repeats(admin, cast):
    everything = all_disclosures(admin)
    paged = all_disclosures(admin, page_size=3)
    assert len(everything) > 3
    assert [d["id"] for d in paged] == [d["id"] for d in everything]
    assert [d["since"] for d in everything] == sorted((d["since"] for d in everything), reverse=True)
    assert admin.get(f"{DISCLOSURES}?cursor=garbage").status_code == 400


def test_the_admin_revokes_a_share_through_the_sharing_service(admin, cast, matrix_case):
    case = matrix_case("shared_view")
    share = CaseShare.objects.get(case=case, agency__code="BE-CUS-ANR")
    assert can(cast["anr.officer"], Action.VIEW, case)
    # The admin reads no case content, before or after.
    assert admin.get(f"/api/v1/cases/{case.pk}/").status_code == 404

    response = admin.delete(f"{DISCLOSURES}{share.pk}/", {"justification": "Investigation closed in Antwerp"},
                            format="json")
    assert response.status_code == 204 and not response.content
    assert not CaseShare.objects.filter(pk=share.pk).exists()
    assert not can(get_user_model().objects.get(username="anr.officer"), Action.VIEW, case)
    record = records("case_unshare", object_id=str(share.pk)).get()
    assert (record.actor_username, record.case_agency, record.recipient, record.operation, record.justification) == (
        "rtm.admin", "NL-CUS-RTM", "BE-CUS-ANR", "disclosure", "Investigation closed in Antwerp")
    assert OutboxEvent.objects.filter(kind="share_revoked", case=case, agency__code="BE-CUS-ANR").exists()
    trail = api_as(cast["rtm.auditor"]).get("/api/v1/audit/?actor=rtm.admin&operation=disclosure").json()["results"]
    assert [event["recipient"] for event in trail] == ["BE-CUS-ANR"]
    assert admin.delete(f"{DISCLOSURES}{share.pk}/").status_code == 404


def test_the_admin_revokes_a_named_grant(admin, cast, matrix_case):
    grant = CaseGrant.objects.filter(case__owner_agency__code="NL-CUS-RTM", user__username="liaison.officer",
                                     case__status__in=["draft", "open"]).select_related("case").first()
    assert can(cast["liaison.officer"], Action.VIEW, grant.case)
    assert admin.delete(f"{DISCLOSURES}{grant.pk}/").status_code == 204
    assert not can(get_user_model().objects.get(username="liaison.officer"), Action.VIEW, grant.case)
    record = records("case_revoke_user", object_id=str(grant.pk)).get()
    assert (record.actor_username, record.case_agency, record.recipient) == (
        "rtm.admin", "NL-CUS-RTM", "liaison.officer")


def test_disclosures_are_for_the_owning_agencys_admin_only(admin, anr_admin, cast):
    share = CaseShare.objects.filter(case__owner_agency__code="NL-CUS-RTM").first()
    for username in ("rtm.officer", "rtm.auditor"):
        api = api_as(cast[username])
        assert api.get(DISCLOSURES).status_code == 403
        assert api.delete(f"{DISCLOSURES}{share.pk}/").status_code == 403
    other = api_as(anr_admin)
    assert other.delete(f"{DISCLOSURES}{share.pk}/").status_code == 404
    anr_cases = {str(pk) for pk in Case.objects.filter(owner_agency__code="BE-CUS-ANR").values_list("pk", flat=True)}
    assert {d["case"]["id"] for d in all_disclosures(other)} <= anr_cases
    assert CaseShare.objects.filter(pk=share.pk).exists()
    assert not records("case_unshare", object_id=str(share.pk)).exists()
