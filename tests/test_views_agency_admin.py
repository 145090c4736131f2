"""The agency admin's browser pages (/agency/, issue 15): members, service accounts, the policy,
and who sees the agency's cases.

The story: Ingrid (rtm.admin) runs Rotterdam customs. She adds a member, who is e-mailed a link
to choose a password; she changes Sanne's (rtm.officer) role, resets her lost phone, lifts her
lockout, and deactivates her, which ends the session Sanne has open. She issues a key to a
Rotterdam system, sees it once, and revokes it; she sets the agency policy; she takes a case
back from Antwerp. Sanne and the auditor (rtm.auditor) get the 403 page on every one of these
pages; Antwerp's admin (anr.admin) gets 404 for anything of Rotterdam's and changes nothing.
"""
import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Agency, ApiToken, Membership, ServiceAccount
from agencies.services import membership_set_role
from agencies.services_admin import member_create, service_account_create
from agencies.tokens import api_token_create
from audit.models import AuditEvent
from cases.models import CaseGrant, CaseShare
from cases.services import case_create, case_share

LOGIN = "/accounts/login/"
PAGES = ["agency:members", "agency:member-create", "agency:service-accounts", "agency:service-account-create",
         "agency:policy", "agency:disclosures"]
NEW_MEMBER = {"username": "new.officer", "email": "new.officer@portcullis.example", "first_name": "Noor",
              "last_name": "Visser", "role": "officer"}


@pytest.fixture
def anr_admin(cast):
    user = get_user_model().objects.create_user("anr.admin", email="anr.admin@portcullis.example")
    membership_set_role(actor=cast["admin"], user=user, agency=Agency.objects.get(code="BE-CUS-ANR"),
                        role="agency_admin")
    return user


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def client_of(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def member_url(name: str, user) -> str:
    return reverse(name, args=[user.pk])


def rtm_service_account(cast) -> ServiceAccount:
    account, _key = service_account_create(actor=cast["rtm.admin"], name="Seizure register", role="analyst")
    return account


def shared_with_antwerp(matrix_case) -> CaseShare:
    return CaseShare.objects.get(case=matrix_case("shared_view"), agency__code="BE-CUS-ANR")


# Who may: the agency's admins, and only for their own agency


@pytest.mark.parametrize("name", PAGES)
def test_every_page_answers_the_agency_admin(cast, name):
    response = client_of(cast["rtm.admin"]).get(reverse(name))
    assert response.status_code == 200
    assert b'aria-label="Agency administration"' in response.content


@pytest.mark.parametrize("username", ["rtm.officer", "rtm.auditor"])
@pytest.mark.parametrize("name", PAGES)
def test_other_roles_get_the_403_page(cast, name, username):
    response = client_of(cast[username]).get(reverse(name))
    assert response.status_code == 403
    assert "Only agency administrators manage their agency." in response.content.decode()
    assert b'class="error-code"' in response.content  # the site's own 403 page


@pytest.mark.parametrize("username", ["rtm.officer", "rtm.auditor"])
def test_other_roles_change_nothing(cast, matrix_case, username):
    client = client_of(cast[username])
    assert client.post(reverse("agency:member-create"), NEW_MEMBER).status_code == 403
    assert client.post(member_url("agency:member-deactivate", cast["rtm.analyst"])).status_code == 403
    assert client.post(reverse("agency:policy"), {"session_idle_minutes": 5}).status_code == 403
    share = shared_with_antwerp(matrix_case)
    assert client.post(reverse("agency:disclosure-revoke", args=[share.pk])).status_code == 403
    assert not get_user_model().objects.filter(username="new.officer").exists()
    assert get_user_model().objects.get(username="rtm.analyst").is_active
    assert CaseShare.objects.filter(pk=share.pk).exists()


def test_the_agency_entry_in_the_menu_is_for_agency_admins_only(cast):
    assert b'href="/agency/members/"' in client_of(cast["rtm.admin"]).get("/").content
    assert b'href="/agency/members/"' not in client_of(cast["rtm.officer"]).get("/").content


def test_another_agencys_admin_gets_404_for_rotterdams_members_and_changes_nothing(cast, anr_admin):
    client = client_of(anr_admin)
    sanne = cast["rtm.officer"]
    TOTPDevice.objects.create(user=sanne, name="Authenticator app", confirmed=True)
    for name in ("agency:member", "agency:member-deactivate"):
        assert client.get(member_url(name, sanne)).status_code == 404
    for name in ("agency:member-deactivate", "agency:member-two-factor-reset", "agency:member-lockout-lift"):
        assert client.post(member_url(name, sanne)).status_code == 404
    assert client.post(member_url("agency:member-role", sanne), {"role": "analyst"}).status_code == 404
    sanne.refresh_from_db()
    assert sanne.is_active
    assert Membership.objects.get(user=sanne, active=True).role == "officer"
    assert TOTPDevice.objects.filter(user=sanne).exists()
    assert "rtm.officer" not in client.get(reverse("agency:members")).content.decode()


def test_another_agencys_admin_gets_404_for_rotterdams_keys_and_disclosures(cast, anr_admin, matrix_case):
    account = rtm_service_account(cast)
    share = shared_with_antwerp(matrix_case)
    client = client_of(anr_admin)
    assert client.get(reverse("agency:service-account-revoke", args=[account.pk])).status_code == 404
    assert client.post(reverse("agency:service-account-revoke", args=[account.pk])).status_code == 404
    assert client.get(reverse("agency:disclosure-revoke", args=[share.pk])).status_code == 404
    assert client.post(reverse("agency:disclosure-revoke", args=[share.pk])).status_code == 404
    account.refresh_from_db()
    assert account.revoked_at is None
    assert CaseShare.objects.filter(pk=share.pk).exists()
    assert account.name not in client.get(reverse("agency:service-accounts")).content.decode()
    # Antwerp receives this share; it is Rotterdam's to govern, not Antwerp's.
    assert str(share.pk) not in client.get(reverse("agency:disclosures")).content.decode()


def test_posts_need_the_csrf_token(cast):
    client = client_of(cast["rtm.admin"], enforce_csrf_checks=True)
    assert client.post(reverse("agency:member-create"), NEW_MEMBER).status_code == 403
    assert client.post(member_url("agency:member-deactivate", cast["rtm.analyst"])).status_code == 403
    assert not get_user_model().objects.filter(username="new.officer").exists()
    assert get_user_model().objects.get(username="rtm.analyst").is_active


# Members


def test_the_member_list_shows_role_status_two_factor_and_lockout(cast):
    TOTPDevice.objects.create(user=cast["rtm.analyst"], name="Authenticator app", confirmed=True)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(LOGIN, {"username": "rtm.officer", "password": "wrong-password"})
    html = client_of(cast["rtm.admin"]).get(reverse("agency:members")).content.decode()
    rows = {re.search(r'href="/agency/members/\d+/">([^<]+)</a>', row).group(1): text_of(row)
            for row in re.findall(r"<tr>.*?</tr>", html, re.S) if "/agency/members/" in row}
    assert set(rows) >= {"rtm.officer", "rtm.analyst", "rtm.admin", "rtm.auditor"}
    assert "ham.officer" not in html and "anr.officer" not in html
    assert re.search(r"Analyst Yes Yes No", rows["rtm.analyst"]), rows["rtm.analyst"]  # active, enrolled, not locked
    assert re.search(r"Officer Yes No Locked out", rows["rtm.officer"]), rows["rtm.officer"]


def test_creating_a_member_emails_the_set_password_link_and_is_audited(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(cast["rtm.admin"]).post(reverse("agency:member-create"), NEW_MEMBER, follow=True)
    user = get_user_model().objects.get(username="new.officer")
    assert response.redirect_chain[-1][0] == member_url("agency:member", user)
    assert "A link to choose a password has been sent to new.officer@portcullis.example" in response.content.decode()
    assert Membership.objects.get(user=user, active=True).agency.code == "NL-CUS-RTM"
    assert not user.has_usable_password()
    [email] = mail.outbox
    assert email.to == ["new.officer@portcullis.example"]
    assert re.search(r"/accounts/set-password/\S+/\S+/", email.body)
    record = AuditEvent.objects.get(action="member_create", object_id=str(user.pk))
    assert record.actor_id == cast["rtm.admin"].pk and record.recipient == "new.officer"


def test_a_taken_username_and_a_bad_address_show_on_their_fields(cast, django_capture_on_commit_callbacks):
    client = client_of(cast["rtm.admin"])
    with django_capture_on_commit_callbacks(execute=True):
        taken = client.post(reverse("agency:member-create"), {**NEW_MEMBER, "username": "RTM.Officer"})
        bad_email = client.post(reverse("agency:member-create"), {**NEW_MEMBER, "email": "not-an-address"})
    assert taken.status_code == 400
    assert re.search(r'id="id_username_error">\s*<div>This username is taken.', taken.content.decode())
    assert bad_email.status_code == 400
    assert 'id="id_email_error"' in bad_email.content.decode()
    assert not get_user_model().objects.filter(username="new.officer").exists()
    assert mail.outbox == []


def test_changing_a_role_is_audited_and_a_bad_role_shows_on_the_field(cast):
    client = client_of(cast["rtm.admin"])
    url = member_url("agency:member-role", cast["rtm.officer"])
    refused = client.post(url, {"role": "emperor"})
    assert refused.status_code == 400 and 'id="id_role_error"' in refused.content.decode()
    assert client.post(url, {"role": "analyst"}).status_code == 302
    assert Membership.objects.get(user=cast["rtm.officer"], active=True).role == "analyst"
    assert AuditEvent.objects.filter(action="membership_set_role", recipient="rtm.officer",
                                     actor=cast["rtm.admin"]).exists()


def test_deactivating_asks_first_then_ends_the_members_open_session(cast):
    sanne = client_of(cast["rtm.officer"])
    assert sanne.get("/cases/").status_code == 200
    admin = client_of(cast["rtm.admin"])
    url = member_url("agency:member-deactivate", cast["rtm.officer"])
    confirm = admin.get(url)
    assert confirm.status_code == 200 and "Deactivate rtm.officer?" in confirm.content.decode()
    assert sanne.get("/cases/").status_code == 200  # asking changed nothing

    assert admin.post(url).status_code == 302
    after = sanne.get("/cases/")
    assert after.status_code == 302 and after.url.startswith(LOGIN)
    assert not get_user_model().objects.get(username="rtm.officer").is_active
    assert AuditEvent.objects.filter(action="member_deactivate", recipient="rtm.officer",
                                     actor=cast["rtm.admin"]).exists()
    assert "This member is deactivated" in admin.get(member_url("agency:member", cast["rtm.officer"])).content.decode()


def test_deactivating_ends_the_members_api_tokens(cast):
    _token, key = api_token_create(user=cast["rtm.officer"], expires_at=None)
    client_of(cast["rtm.admin"]).post(member_url("agency:member-deactivate", cast["rtm.officer"]))
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert not ApiToken.objects.filter(user=cast["rtm.officer"]).exists()


def test_an_admin_cannot_deactivate_themselves(cast):
    admin = client_of(cast["rtm.admin"])
    page = admin.get(member_url("agency:member", cast["rtm.admin"])).content.decode()
    assert "This is your own account" in page and "/deactivate/" not in page
    assert admin.post(member_url("agency:member-deactivate", cast["rtm.admin"])).status_code == 403
    assert get_user_model().objects.get(username="rtm.admin").is_active


def test_resetting_a_members_second_factor_removes_their_app_audited(cast):
    TOTPDevice.objects.create(user=cast["rtm.officer"], name="Authenticator app", confirmed=True)
    admin = client_of(cast["rtm.admin"])
    assert "Reset two-factor sign-in" in admin.get(member_url("agency:member", cast["rtm.officer"])).content.decode()
    assert admin.post(member_url("agency:member-two-factor-reset", cast["rtm.officer"])).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast["rtm.officer"]).exists()
    assert AuditEvent.objects.filter(action="member_two_factor_reset", recipient="rtm.officer").exists()


def test_lifting_a_members_lockout_lets_them_in_again_audited(cast):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        Client().post(LOGIN, {"username": "rtm.officer", "password": "wrong-password"})
    admin = client_of(cast["rtm.admin"])
    page = admin.get(member_url("agency:member", cast["rtm.officer"])).content.decode()
    assert "Locked out after repeated failed logins" in page
    response = admin.post(member_url("agency:member-lockout-lift", cast["rtm.officer"]), follow=True)
    assert "The lockout of rtm.officer is lifted." in response.content.decode()
    assert not AccessAttempt.objects.filter(username="rtm.officer").exists()
    assert AuditEvent.objects.filter(action="member_lockout_lift", recipient="rtm.officer").exists()
    again = admin.post(member_url("agency:member-lockout-lift", cast["rtm.officer"]), follow=True)
    assert "rtm.officer is not locked out." in again.content.decode()


# Service accounts


def test_a_service_account_key_is_shown_once(cast):
    admin = client_of(cast["rtm.admin"])
    response = admin.post(reverse("agency:service-account-create"),
                          {"name": "Seizure register", "role": "officer", "allowed_ips": "192.0.2.0/24\n2001:db8::/32"})
    assert response.status_code == 200
    key = re.search(r'id="service-account-key" type="text" value="([^"]+)"', response.content.decode()).group(1)
    assert "Shown only now." in response.content.decode()
    account = ServiceAccount.objects.get(name="Seizure register")
    assert account.allowed_ips == ["192.0.2.0/24", "2001:db8::/32"]
    assert AuditEvent.objects.filter(action="service_account_issue", object_id=str(account.pk)).exists()
    assert key not in Client().get("/").content.decode()
    listed = admin.get(reverse("agency:service-accounts")).content.decode()
    assert "Seizure register" in listed and account.token.prefix in listed
    assert key not in listed
    assert key not in admin.get(reverse("agency:service-account-create")).content.decode()


def test_a_bad_network_and_a_past_expiry_show_on_their_fields(cast):
    admin = client_of(cast["rtm.admin"])
    response = admin.post(reverse("agency:service-account-create"),
                          {"name": "Register", "role": "analyst", "allowed_ips": "192.0.2.0/24, not-a-network"})
    assert response.status_code == 400
    assert re.search(r'id="id_allowed_ips_error">\s*<div>“not-a-network” is not an IP network',
                     response.content.decode())
    past = admin.post(reverse("agency:service-account-create"),
                      {"name": "Register", "role": "analyst", "expires_at": "2001-01-01T10:00"})
    assert past.status_code == 400 and "Choose a time in the future." in past.content.decode()
    assert not ServiceAccount.objects.filter(name="Register").exists()


def test_revoking_a_service_account_asks_first_and_its_key_stops_working(cast):
    account, key = service_account_create(actor=cast["rtm.admin"], name="Seizure register", role="analyst")
    admin = client_of(cast["rtm.admin"])
    url = reverse("agency:service-account-revoke", args=[account.pk])
    assert "Revoke “Seizure register”?" in admin.get(url).content.decode()
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert admin.post(url).status_code == 302
    account.refresh_from_db()
    assert account.revoked_at is not None
    assert Client().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert "Revoked" in admin.get(reverse("agency:service-accounts")).content.decode()


# Policy


def test_a_policy_change_is_saved_and_audited(cast):
    admin = client_of(cast["rtm.admin"])
    response = admin.post(reverse("agency:policy"), {"require_2fa": "on", "session_idle_minutes": 45,
                                                     "justify_exports": "on"})
    assert response.status_code == 302
    agency = Agency.objects.get(code="NL-CUS-RTM")
    assert (agency.require_2fa, agency.session_idle_minutes, agency.justify_foreign_consultation,
            agency.justify_exports) == (True, 45, False, True)
    record = AuditEvent.objects.get(action="agency_policy_update", actor=cast["rtm.admin"])
    assert record.object_id == "NL-CUS-RTM"
    assert record.changes["session_idle_minutes"]["after"] == 45
    # Two-factor is required now, of the admin too: she enrols before anything else.
    assert admin.get(reverse("agency:policy")).url.startswith("/accounts/security/two-factor/")
    Agency.objects.filter(code="NL-CUS-RTM").update(require_2fa=False)
    assert 'value="45"' in admin.get(reverse("agency:policy")).content.decode()


def test_an_idle_timeout_out_of_range_shows_on_its_field_and_changes_nothing(cast):
    before = Agency.objects.get(code="NL-CUS-RTM")
    response = client_of(cast["rtm.admin"]).post(reverse("agency:policy"), {"session_idle_minutes": 2})
    assert response.status_code == 400
    assert 'id="id_session_idle_minutes_error"' in response.content.decode()
    after = Agency.objects.get(code="NL-CUS-RTM")
    assert (after.session_idle_minutes, after.require_2fa) == (before.session_idle_minutes, before.require_2fa)
    assert not AuditEvent.objects.filter(action="agency_policy_update", actor=cast["rtm.admin"]).exists()


# Who sees our cases


def test_the_disclosures_list_names_case_recipient_level_and_granter(cast, matrix_case):
    share = shared_with_antwerp(matrix_case)
    html = client_of(cast["rtm.admin"]).get(reverse("agency:disclosures")).content.decode()
    row = next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if str(share.pk) in row)
    text = text_of(row)
    assert re.search(rf"{share.case.reference} BE-CUS-ANR Agency share View rtm.officer", text), text
    assert share.case.title not in html  # admins govern who sees a case, they do not read it


def test_revoking_a_disclosure_removes_the_share_audited(cast, matrix_case):
    share = shared_with_antwerp(matrix_case)
    admin = client_of(cast["rtm.admin"])
    url = reverse("agency:disclosure-revoke", args=[share.pk])
    assert f"Revoke the access of BE-CUS-ANR to {share.case.reference}?" in admin.get(url).content.decode()
    response = admin.post(url, {"justification": "Joint operation over"}, follow=True)
    assert f"BE-CUS-ANR no longer sees {share.case.reference}." in response.content.decode()
    assert not CaseShare.objects.filter(pk=share.pk).exists()
    record = AuditEvent.objects.get(action="case_unshare", object_id=str(share.pk))
    assert record.actor_id == cast["rtm.admin"].pk and record.justification == "Joint operation over"


def test_the_disclosure_pages_together_list_every_share_and_grant_once(cast, monkeypatch):
    monkeypatch.setattr("agencies.views_admin.PAGE_SIZE", 3)
    admin = client_of(cast["rtm.admin"])
    listed, number = [], 1
    while True:
        html = admin.get(reverse("agency:disclosures"), {"page": number}).content.decode()
        listed += re.findall(r'href="/agency/disclosures/([0-9a-f-]+)/revoke/"', html)
        if "?page=%d" % (number + 1) not in html:
            break
        number += 1
    expected = [str(pk) for model in (CaseShare, CaseGrant)
                for pk in model.objects.filter(case__owner_agency__code="NL-CUS-RTM").values_list("pk", flat=True)]
    assert number > 2
    assert sorted(listed) == sorted(expected)


# Query counts


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


# session, user, membership, then the page's own reads
LIST_QUERIES = {
    "agency:members": 6,  # one page of members with their two-factor state; the agency's usernames, its lockouts
    "agency:service-accounts": 5,  # one page of accounts with their keys; their memberships (the role)
    "agency:disclosures": 5,  # one page of shares, one of named grants
}


@pytest.mark.parametrize("name", sorted(LIST_QUERIES))
def test_list_queries_are_pinned_and_do_not_grow_with_the_rows(cast, name):
    admin = client_of(cast["rtm.admin"])
    rtm_service_account(cast)  # one of each kind of row first: the page's prefetches run from the first row
    assert count_queries(admin, reverse(name)) == LIST_QUERIES[name]
    for index in range(3):
        member_create(actor=cast["rtm.admin"], username=f"bulk.{index}", email=f"bulk.{index}@example.org",
                      role="officer")
        service_account_create(actor=cast["rtm.admin"], name=f"System {index}", role="analyst",
                               allowed_ips=["192.0.2.0/24"])
        case = case_create(actor=cast["rtm.officer"], title=f"Bulk {index}", port="NLRTM", handling_code="H0",
                           seized_at=timezone.now() - datetime.timedelta(days=1), legal_basis="Art. 46 UCC")
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level="view")
    assert count_queries(admin, reverse(name)) == LIST_QUERIES[name]
