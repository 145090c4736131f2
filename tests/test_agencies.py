"""Agencies, memberships and the groups that follow them."""
import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from agencies.models import Agency, Membership
from agencies.services import agency_upsert, membership_set_role
from audit.models import AuditEvent


def agency_groups(user) -> set[str]:
    return set(user.groups.filter(agency__isnull=False).values_list("name", flat=True))


def test_each_member_is_in_exactly_their_agencys_group(cast):
    assert agency_groups(cast["rtm.officer"]) == {"agency:NL-CUS-RTM"}
    assert agency_groups(cast["liaison.officer"]) == {"agency:EU-LIA"}
    assert agency_groups(cast["admin"]) == set()


def test_moving_a_member_moves_their_group_and_is_audited(cast):
    user = cast["anr.officer"]
    membership_set_role(actor=cast["admin"], user=user, agency=Agency.objects.get(code="DE-ZOLL-HAM"),
                        role="analyst")
    assert agency_groups(user) == {"agency:DE-ZOLL-HAM"}
    assert Membership.objects.filter(user=user, active=True).get().role == "analyst"
    event = AuditEvent.objects.filter(action="membership_set_role").latest("id")
    assert event.changes == {"before": {"agency": "BE-CUS-ANR", "role": "officer"},
                             "after": {"agency": "DE-ZOLL-HAM", "role": "analyst"}}
    assert event.actor_role == "platform_admin"


def test_deleting_a_membership_removes_the_group(cast):
    user = cast["ham.officer"]
    Membership.objects.filter(user=user).delete()
    assert agency_groups(user) == set()


def test_a_user_has_one_active_membership(cast):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=cast["rtm.officer"], agency=Agency.objects.get(code="EU-LIA"), role="officer")


def test_unknown_role_is_refused(cast):
    with pytest.raises(ValueError):
        membership_set_role(actor=None, user=cast["rtm.officer"], agency=Agency.objects.get(code="EU-LIA"),
                            role="captain")


def test_new_agency_gets_its_group(db):
    agency = agency_upsert(actor=None, code="FR-DOU-LEH", name="Douane Le Havre", kind="customs", country="fr")
    assert agency.country == "FR"
    assert Group.objects.filter(name="agency:FR-DOU-LEH", agency=agency).exists()


@pytest.mark.parametrize("field,value", [("country", "XX"), ("kind", "navy"), ("code", "bad code")])
def test_agency_fields_are_validated(db, field, value):
    fields = dict(code="FR-DOU-LEH", name="Douane Le Havre", kind="customs", country="FR")
    fields[field] = value
    with pytest.raises(ValidationError) as error:
        agency_upsert(actor=None, **fields)
    assert field in error.value.message_dict


def test_platform_admin_manages_agencies_and_memberships_in_django_admin(client, cast):
    client.force_login(cast["admin"])
    rtm = Agency.objects.get(code="NL-CUS-RTM")
    for url in (reverse("admin:agencies_agency_changelist"), reverse("admin:agencies_agency_change", args=[rtm.pk]),
                reverse("admin:agencies_membership_changelist"), reverse("admin:agencies_membership_add")):
        assert client.get(url).status_code == 200
    response = client.post(reverse("admin:agencies_agency_add"), {
        "code": "PT-AT-SIE", "name": "Autoridade Tributária Sines", "kind": "customs", "country": "PT",
        "active": "on", "require_2fa": "on", "session_idle_minutes": "30", "justify_exports": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
    })
    assert response.status_code == 302
    assert Group.objects.filter(name="agency:PT-AT-SIE").exists()
    created = AuditEvent.objects.get(action="agency_upsert", object_id="PT-AT-SIE")
    assert (created.operation, created.actor.username, created.case_agency) == ("collection", "admin", "PT-AT-SIE")


def test_platform_admin_agency_edits_are_audited_for_that_agencys_auditors(client, cast):
    from rest_framework.test import APIClient

    client.force_login(cast["admin"])
    rtm = Agency.objects.get(code="NL-CUS-RTM")
    form = {"code": "IGNORED", "name": "Douane Rotterdam", "kind": rtm.kind, "country": rtm.country, "active": "on",
            "session_idle_minutes": "15", "justify_foreign_consultation": "on", "justify_exports": "on",
            "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    assert client.post(reverse("admin:agencies_agency_change", args=[rtm.pk]), form).status_code == 302
    rtm.refresh_from_db()
    assert (rtm.code, rtm.name, rtm.session_idle_minutes, rtm.require_2fa) == ("NL-CUS-RTM", "Douane Rotterdam", 15,
                                                                               False)
    identity = AuditEvent.objects.get(action="agency_upsert", object_id="NL-CUS-RTM", actor=cast["admin"])
    assert identity.changes == {"name": {"before": "Douane Rotterdam Haven", "after": "Douane Rotterdam"}}
    policy = AuditEvent.objects.get(action="agency_policy_update", object_id="NL-CUS-RTM", actor=cast["admin"])
    assert set(policy.changes) == {"session_idle_minutes"}
    auditor = APIClient()
    auditor.force_authenticate(cast["rtm.auditor"])
    listed = auditor.get("/api/v1/audit/", {"page_size": 200}).json()["results"]
    assert {str(identity.pk), str(policy.pk)} <= {str(row["id"]) for row in listed}


def test_agency_staff_cannot_open_django_admin(client, cast):
    client.force_login(cast["rtm.admin"])
    assert client.get(reverse("admin:agencies_agency_changelist")).status_code == 302
