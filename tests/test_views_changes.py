"""Browser pages, write side: opening and editing cases, inline additions, sharing and the
workflow buttons. Every change goes through a service; these tests check what the officer
sees and what was really stored."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from stdnum import imo

from audit.models import AuditEvent
from cases.choices import HandlingCode, ShareLevel, Status
from cases.forms import CaseEditForm
from cases.models import Case, CaseGrant, CaseShare, Identifier, SeizureItem
from cases.services import case_consult, case_create, case_share, case_update

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "case-tabs"}


@pytest.fixture
def case(cast):
    return case_create(actor=cast["rtm.officer"], title="Cocaine in bananas", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(hours=3), handling_code=HandlingCode.H0,
                       legal_basis="Art. 46 UCC", summary="Original summary")


def edit_post(case, **changes) -> dict:
    """What the edit form posts when loaded at `case` as it is now and changed by `changes`."""
    form = CaseEditForm(initial={**CaseEditForm.values_of(case), "version": case.version})
    data = {}
    for name in CaseEditForm.EDITABLE:
        bound = form[name]
        value = bound.field.widget.format_value(bound.value()) if name != "restricted" else bound.value()
        data[f"initial-{name}"] = value
        data[name] = changes.get(name, value)
    data = {key: value for key, value in data.items() if value not in (None, False)}
    return {**data, "version": case.version, "justification": changes.get("justification", "")}


# Opening a case ----------------------------------------------------------------------------

def test_officer_opens_a_case_and_lands_on_it(client, cast):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:new"), {
        "title": "Reefer with pineapples", "port": "nl-rtm", "seized_at": "2026-01-10T06:40",
        "handling_code": "H2", "legal_basis": "Art. 46 UCC", "source_reliability": "B",
        "information_assessment": "2"})
    case = Case.objects.get(title="Reefer with pineapples")
    assert response["Location"] == reverse("cases:detail", args=[case.pk])
    assert (case.port, case.handling_code, case.owner_agency.code, case.information_assessment) == (
        "NLRTM", "H2", "NL-CUS-RTM", 2)


def test_field_messages_come_back_on_their_fields(client, cast):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:new"), {
        "title": "H3 without conditions", "port": "QQXYZ", "seized_at": "2026-01-10T06:40",
        "handling_code": "H3", "legal_basis": "Art. 46 UCC"})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_port_error"' in page and "QQ is not a country code" in page
    assert not Case.objects.filter(title="H3 without conditions").exists()
    fixed = client.post(reverse("cases:new"), {
        "title": "H3 without conditions", "port": "NLRTM", "seized_at": "2026-01-10T06:40",
        "handling_code": "H3", "legal_basis": "Art. 46 UCC"})
    assert 'id="id_h3_conditions_error"' in fixed.content.decode()
    assert "An H3 case needs its handling conditions." in fixed.content.decode()


def test_analyst_may_not_open_cases(client, cast):
    client.force_login(cast["rtm.analyst"])
    response = client.get(reverse("cases:new"))
    assert response.status_code == 403
    assert "Only officers, liaison officers and prosecutors open cases." in response.content.decode()


# Editing with optimistic locking -----------------------------------------------------------

def test_edit_saves_only_what_changed(client, cast, case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:edit", args=[case.pk]), edit_post(case, title="Cocaine in bananas, 1,100 kg",
                                                                             justification="Weighed"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.version) == ("Cocaine in bananas, 1,100 kg", 2)
    change = AuditEvent.objects.get(case_id=case.pk, action="case_update")
    assert set(change.changes) == {"title"} and change.justification == "Weighed"


def test_a_concurrent_edit_loses_neither_side(client, cast, case):
    client.force_login(cast["rtm.officer"])
    loaded = edit_post(case, summary="My summary", title="My title")
    # Meanwhile a manager elsewhere changes the title and the legal basis.
    case_update(actor=cast["rtm.officer"], case_id=case.pk, version=case.version, title="Their title",
                legal_basis="Their legal basis")
    response = client.post(reverse("cases:edit", args=[case.pk]), loaded)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved this case while you were editing it." in page
    assert "My summary" in page and "My title" in page  # mine kept
    assert 'value="Their legal basis"' in page  # theirs shown where I changed nothing
    assert "Saved meanwhile by someone else:</strong> Their title" in page  # both changed the title
    case.refresh_from_db()
    assert (case.title, case.summary) == ("Their title", "Original summary")  # nothing overwritten yet
    # Saving again applies my changes on top of theirs.
    resubmitted = edit_post(case, summary="My summary", title="My title")
    assert client.post(reverse("cases:edit", args=[case.pk]), resubmitted).status_code == 302
    case.refresh_from_db()
    assert (case.title, case.summary, case.legal_basis) == ("My title", "My summary", "Their legal basis")


def test_viewer_cannot_open_the_edit_form(client, cast, case):
    client.force_login(cast["rtm.analyst"])
    assert client.get(reverse("cases:edit", args=[case.pk])).status_code == 403


# Inline additions --------------------------------------------------------------------------

def test_adding_a_seizure_without_javascript_redirects_back_to_the_tab(client, cast, case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:add", args=[case.pk, "seizures"]),
                           {"drug": "cocaine", "quantity": "1100", "unit": "kg", "packages": "1000"})
    assert response["Location"] == reverse("cases:tab", args=[case.pk, "seizures"])
    assert SeizureItem.objects.get(case=case).quantity == 1100


def test_adding_with_htmx_answers_with_the_refreshed_tabs(client, cast, case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:add", args=[case.pk, "seizures"]),
                           {"drug": "mdma", "quantity": "5000", "unit": "tablets"}, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert "Seizure added." in body and "5,000 tablets" in body


def test_unit_that_does_not_fit_the_drug_is_refused_on_the_unit(client, cast, case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:add", args=[case.pk, "seizures"]),
                           {"drug": "cocaine", "quantity": "3", "unit": "tablets"}, **HTMX)
    assert 'id="id_unit_error"' in response.content.decode()
    assert not SeizureItem.objects.filter(case=case).exists()


def test_container_check_digit_message_names_the_expected_digit(client, cast, case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:add", args=[case.pk, "identifiers"]),
                           {"kind": "container", "value": "MSCU1234567"}, **HTMX)
    assert "Container MSCU1234567 has check digit 7; ISO 6346 expects 6." in response.content.decode()
    assert "Why record it despite the check digit?" not in response.content.decode()  # no override for containers


def test_imo_override_asks_for_the_reason_and_records_it(client, cast, case):
    wrong = "907472" + str((int(imo.calc_check_digit("907472")) + 1) % 10)
    client.force_login(cast["rtm.officer"])
    asked = client.post(reverse("cases:add", args=[case.pk, "identifiers"]), {"kind": "imo", "value": wrong}, **HTMX)
    assert "Why record it despite the check digit?" in asked.content.decode()
    assert not Identifier.objects.filter(case=case).exists()
    client.post(reverse("cases:add", args=[case.pk, "identifiers"]),
                {"kind": "imo", "value": wrong, "override_reason": "As on the vessel's papers"}, **HTMX)
    identifier = Identifier.objects.get(case=case)
    assert (identifier.value, identifier.override_reason) == (wrong, "As on the vessel's papers")
    assert AuditEvent.objects.get(case_id=case.pk, action="identifier_add").changes == {
        "check_digit_override": "As on the vessel's papers"}


def test_a_viewer_posting_an_addition_is_told_why_not(client, cast, case):
    client.force_login(cast["rtm.analyst"])
    response = client.post(reverse("cases:add", args=[case.pk, "notes"]), {"text": "Sneaky"})
    assert response.status_code == 403
    assert "Analysts have read-only access to cases." in response.content.decode()


def test_an_outsider_posting_an_addition_gets_404(client, cast, case):
    client.force_login(cast["ham.officer"])
    assert client.post(reverse("cases:add", args=[case.pk, "notes"]), {"text": "Hello"}).status_code == 404


# Sharing -----------------------------------------------------------------------------------

def test_owner_shares_and_revokes(client, cast, case):
    client.force_login(cast["rtm.officer"])
    client.post(reverse("cases:add", args=[case.pk, "sharing"]),
                {"agency": "EU-LIA", "level": "contribute", "justification": "Joint line"})
    share = CaseShare.objects.get(case=case, agency__code="EU-LIA")
    assert share.level == ShareLevel.CONTRIBUTE
    page = client.get(reverse("cases:tab", args=[case.pk, "sharing"])).content.decode()
    assert "Revoke EU-LIA" in page and 'value="NL-CUS-RTM"' not in page  # never offered to its owner
    client.post(reverse("cases:revoke", args=[case.pk, share.pk]))
    assert not CaseShare.objects.filter(case=case).exists()


def test_h2_recipient_manager_sees_why_it_cannot_reshare(client, cast, matrix_case):
    case = matrix_case("h2_managed_by_liaison")
    client.force_login(cast["liaison.officer"])
    client.post(reverse("cases:open", args=[case.pk]), {"tab": "sharing", "justification": "Review"})
    page = client.get(reverse("cases:tab", args=[case.pk, "sharing"])).content.decode()
    assert "You cannot share this case onward." in page and "only NL-CUS-RTM may share it" in page
    assert 'name="level"' not in page
    refused = client.post(reverse("cases:add", args=[case.pk, "sharing"]), {"agency": "BE-CUS-ANR", "level": "view"})
    assert refused.status_code == 403
    assert "H2" in refused.content.decode()


# Workflow buttons --------------------------------------------------------------------------

def test_buttons_offer_only_the_allowed_transitions(client, cast, case):
    client.force_login(cast["rtm.officer"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'name="to" value="open"' in page
    assert 'value="referred"' not in page and 'value="closed"' not in page  # not from draft


def test_referral_asks_for_the_prosecution_agency(client, cast, case):
    client.force_login(cast["rtm.officer"])
    client.post(reverse("cases:transition", args=[case.pk]), {"to": "open"})
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'value="NL-OM-RTM"' in page and 'value="BE-CUS-ANR"' not in page  # prosecution agencies only
    without = client.post(reverse("cases:transition", args=[case.pk]), {"to": "referred"}, follow=True)
    assert "A referral names the prosecution agency." in without.content.decode()
    client.post(reverse("cases:transition", args=[case.pk]),
                {"to": "referred", "agency": "NL-OM-RTM", "reason": "File complete"})
    case.refresh_from_db()
    assert (case.status, case.referred_to.code) == (Status.REFERRED, "NL-OM-RTM")


def test_a_stale_transition_says_what_happened(client, cast, case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:transition", args=[case.pk]), {"to": "closed"}, follow=True)
    assert "A case cannot move from draft to closed." in response.content.decode()


def test_a_malformed_transition_is_a_bad_request(client, cast, case):
    client.force_login(cast["rtm.officer"])
    assert client.post(reverse("cases:transition", args=[case.pk]), {"to": "vanished"}).status_code == 400


def test_shared_case_visible_to_the_recipient_only_after_sharing(client, cast, case):
    client.force_login(cast["liaison.officer"])
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200


def test_a_foreign_manager_sees_the_owners_decisions_but_cannot_post_them(client, cast, case):
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="DE-ZOLL-HAM", level=ShareLevel.MANAGE)
    client.force_login(cast["ham.officer"])
    case_consult(actor=cast["ham.officer"], case=case, justification="Joint case")  # past the gate
    form = client.get(reverse("cases:edit", args=[case.pk])).context["form"]
    assert [name for name in CaseEditForm.OWNER_DECIDES if form.fields[name].disabled] == list(CaseEditForm.OWNER_DECIDES)
    # A posted handling code is ignored (disabled field); the title change is saved.
    response = client.post(reverse("cases:edit", args=[case.pk]),
                           edit_post(case, title="Cocaine in pineapples", handling_code=HandlingCode.H3))
    case.refresh_from_db()
    assert response.status_code == 302
    assert (case.title, case.handling_code) == ("Cocaine in pineapples", HandlingCode.H0)


def test_owner_opens_a_restricted_case_to_a_named_user_and_revokes_it_from_the_sharing_tab(client, cast):
    owner, reader = cast["rtm.officer"], cast["anr.officer"]
    restricted = case_create(actor=owner, title="Only by name", port="NLRTM", handling_code=HandlingCode.H0,
                             seized_at=timezone.now() - datetime.timedelta(hours=1), legal_basis="Art. 46 UCC",
                             restricted=True)
    client.force_login(owner)
    tab = client.get(reverse("cases:tab", args=[restricted.pk, "sharing"])).content.decode()
    assert "Open to a named user" in tab and "rtm.officer" in tab  # the creator's own grant is listed
    refused = client.post(reverse("cases:add", args=[restricted.pk, "grants"]),
                          {"username": "nobody.here", "level": "view"})
    assert refused.status_code == 200 and "No active user has this username." in refused.content.decode()
    added = client.post(reverse("cases:add", args=[restricted.pk, "grants"]),
                        {"username": "anr.officer", "level": "view", "justification": "Joint team"})
    assert added.status_code == 302
    grant = CaseGrant.objects.get(case=restricted, user=reader)
    assert (grant.level, grant.granted_by) == ("view", owner)
    assert AuditEvent.objects.filter(case_id=restricted.pk, action="case_grant_user", recipient="anr.officer",
                                     justification="Joint team", case_agency="NL-CUS-RTM").exists()
    assert "anr.officer" in client.get(reverse("cases:tab", args=[restricted.pk, "sharing"])).content.decode()
    client.post(reverse("cases:grant-revoke", args=[restricted.pk, grant.pk]))
    assert not CaseGrant.objects.filter(pk=grant.pk).exists()
    reader_client = type(client)()
    reader_client.force_login(reader)
    assert reader_client.get(reverse("cases:detail", args=[restricted.pk])).status_code == 404


def test_a_named_grant_to_an_auditor_is_refused_on_its_field(client, cast, matrix_case):
    client.force_login(cast["rtm.officer"])
    response = client.post(reverse("cases:add", args=[matrix_case("owned").pk, "grants"]),
                           {"username": "rtm.auditor", "level": "view"})
    assert response.status_code == 200
    assert "This user&#x27;s role gives no access to case content." in response.content.decode()
    assert not CaseGrant.objects.filter(user__username="rtm.auditor", case=matrix_case("owned")).exists()
