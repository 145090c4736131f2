"""Case services: validation, optimistic locking, references and their audit records."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from cases.models import Case, Identifier, SeizureItem
from cases.services import (
    case_create,
    case_share,
    case_transition,
    case_unshare,
    case_update,
    identifier_add,
    note_add,
    party_add,
    route_leg_add,
    seizure_add,
)
from cases.selectors import case_get
from coordination.errors import ActionForbidden, Conflict, NotVisible

YESTERDAY = timezone.now() - datetime.timedelta(days=1)


def new_case(actor, **overrides) -> Case:
    fields = dict(title="Cocaine in bananas", port="NLRTM", seized_at=YESTERDAY, handling_code="H0",
                  legal_basis="Art. 46 UCC")
    fields.update(overrides)
    return case_create(actor=actor, **fields)


def last_event(**filters) -> AuditEvent:
    return AuditEvent.objects.filter(**filters).latest("id")


def test_case_create_assigns_a_port_and_year_reference(cast):
    case = new_case(cast["rtm.officer"])
    assert case.reference.startswith(f"NLRTM-{timezone.localdate().year}-")
    assert case.owner_agency.code == "NL-CUS-RTM"
    assert case.version == 1
    event = last_event(case_id=case.pk)
    assert (event.operation, event.action, event.actor_agency, event.actor_role) == (
        "collection", "case_create", "NL-CUS-RTM", "officer")


def test_references_count_up_per_port(cast):
    first = new_case(cast["rtm.officer"])
    second = new_case(cast["rtm.officer"])
    assert int(second.reference.rsplit("-", 1)[1]) == int(first.reference.rsplit("-", 1)[1]) + 1


@pytest.mark.parametrize("overrides,field", [
    ({"port": "XXABC"}, "port"),
    ({"port": "Rotterdam"}, "port"),
    ({"handling_code": "H3"}, "h3_conditions"),
    ({"handling_code": "H9"}, "handling_code"),
    ({"seized_at": timezone.now() + datetime.timedelta(days=2)}, "seized_at"),
    ({"title": ""}, "title"),
    ({"source_reliability": "Z"}, "source_reliability"),
    ({"information_assessment": 7}, "information_assessment"),
])
def test_case_create_rejects_bad_input_per_field(cast, overrides, field):
    before = Case.objects.count()
    with pytest.raises(ValidationError) as error:
        new_case(cast["rtm.officer"], **overrides)
    assert field in error.value.message_dict
    assert Case.objects.count() == before


def test_h3_case_carries_its_conditions(cast):
    case = new_case(cast["rtm.officer"], handling_code="H3", h3_conditions="Not to be shown to the consignee.")
    assert case.h3_conditions


@pytest.mark.parametrize("role_user", ["rtm.analyst", "rtm.auditor", "rtm.admin", "admin"])
def test_only_case_working_roles_open_cases(cast, role_user):
    with pytest.raises(ActionForbidden):
        new_case(cast[role_user])


def test_stale_version_is_a_conflict_and_changes_nothing(cast):
    case = new_case(cast["rtm.officer"])
    case_update(actor=cast["rtm.officer"], case_id=case.pk, version=1, title="First edit")
    with pytest.raises(Conflict):
        case_update(actor=cast["rtm.officer"], case_id=case.pk, version=1, title="Lost edit")
    case.refresh_from_db()
    assert (case.title, case.version) == ("First edit", 2)


def test_update_records_a_field_level_diff(cast):
    case = new_case(cast["rtm.officer"])
    case_update(actor=cast["rtm.officer"], case_id=case.pk, version=1, title="Renamed", summary="More")
    event = last_event(case_id=case.pk, action="case_update")
    assert event.operation == "alteration"
    assert event.changes["title"] == {"before": "Cocaine in bananas", "after": "Renamed"}
    assert event.changes["summary"] == {"before": "", "after": "More"}


def test_update_rejects_fields_it_does_not_own(cast):
    case = new_case(cast["rtm.officer"])
    with pytest.raises(ValidationError) as error:
        case_update(actor=cast["rtm.officer"], case_id=case.pk, version=1, owner_agency_id=1)
    assert "owner_agency_id" in error.value.message_dict


def test_restricting_a_case_keeps_the_restricting_officer_in(cast):
    case = new_case(cast["rtm.officer"])
    assert case_get(user=cast["rtm.analyst"], case_id=case.pk)
    case_update(actor=cast["rtm.officer"], case_id=case.pk, version=1, restricted=True)
    assert case_get(user=cast["rtm.officer"], case_id=case.pk).restricted
    with pytest.raises(NotVisible):
        case_get(user=cast["rtm.analyst"], case_id=case.pk)


def test_seizure_with_a_unit_the_drug_is_not_measured_in_is_refused(cast):
    case = new_case(cast["rtm.officer"])
    with pytest.raises(ValidationError) as error:
        seizure_add(actor=cast["rtm.officer"], case_id=case.pk, drug="cocaine", quantity="12", unit="tablets")
    assert "unit" in error.value.message_dict
    assert not SeizureItem.objects.filter(case=case).exists()


@pytest.mark.parametrize("field,value", [("purity", Decimal("101")), ("quantity", "-3"), ("quantity", "lots")])
def test_seizure_numbers_are_checked(cast, field, value):
    case = new_case(cast["rtm.officer"])
    fields = {"drug": "cocaine", "quantity": "10", "unit": "kg", field: value}
    with pytest.raises(ValidationError) as error:
        seizure_add(actor=cast["rtm.officer"], case_id=case.pk, **fields)
    assert field in error.value.message_dict


def test_identifier_stores_raw_and_normalised_value_and_the_override(cast):
    case = new_case(cast["rtm.officer"])
    container = identifier_add(actor=cast["rtm.officer"], case_id=case.pk, kind="container", value="mscu 123456-6")
    assert (container.raw_value, container.value) == ("mscu 123456-6", "MSCU1234566")
    vessel = identifier_add(actor=cast["rtm.officer"], case_id=case.pk, kind="imo", value="9074728",
                            override_reason="As painted on the hull")
    assert vessel.override_reason == "As painted on the hull"
    assert last_event(object_id=vessel.pk).changes == {"check_digit_override": "As painted on the hull"}
    with pytest.raises(ValidationError) as error:
        identifier_add(actor=cast["rtm.officer"], case_id=case.pk, kind="container", value="MSCU1234566")
    assert "already" in error.value.message_dict["value"][0]
    assert Identifier.objects.filter(case=case).count() == 2


def test_every_part_service_writes_a_collection_record(cast):
    officer = cast["rtm.officer"]
    case = new_case(officer)
    parts = [
        seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="250.5", unit="kg", purity="81.5"),
        identifier_add(actor=officer, case_id=case.pk, kind="seal", value="ML-1234567"),
        party_add(actor=officer, case_id=case.pk, kind="company", role="consignee", name="Nordic Fresh B.V.",
                  country="NL"),
        route_leg_add(actor=officer, case_id=case.pk, locode="ecgye", role="loading"),
        note_add(actor=officer, case_id=case.pk, text="Seal number differs from the manifest.",
                 source_reliability="B", information_assessment=2),
    ]
    for part in parts:
        event = last_event(object_id=part.pk)
        assert (event.operation, event.case_id, event.actor_username) == ("collection", case.pk, "rtm.officer")


def test_party_rules(cast):
    case = new_case(cast["rtm.officer"])
    with pytest.raises(ValidationError) as error:
        party_add(actor=cast["rtm.officer"], case_id=case.pk, kind="company", role="shipper", name="X",
                  date_of_birth=datetime.date(1980, 1, 1))
    assert "date_of_birth" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        party_add(actor=cast["rtm.officer"], case_id=case.pk, kind="person", role="suspect", name="Y", country="XX")
    assert "country" in error.value.message_dict


def test_share_and_unshare_are_disclosures_with_a_recipient(cast):
    case = new_case(cast["rtm.officer"])
    share = case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level="view",
                       justification="Liaison analysis")
    event = last_event(case_id=case.pk, action="case_share")
    assert (event.operation, event.recipient, event.justification) == ("disclosure", "EU-LIA", "Liaison analysis")
    case_unshare(actor=cast["rtm.officer"], case_id=case.pk, share_id=share.pk)
    assert last_event(case_id=case.pk, action="case_unshare").recipient == "EU-LIA"


@pytest.mark.parametrize("agency,message", [("NL-CUS-RTM", "owns"), ("XX-NOPE", "No agency")])
def test_share_targets_are_checked(cast, agency, message):
    case = new_case(cast["rtm.officer"])
    with pytest.raises(ValidationError) as error:
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code=agency, level="view")
    assert message in error.value.message_dict["agency"][0]


def test_referral_needs_a_prosecution_agency_and_shares_with_it(cast):
    officer = cast["rtm.officer"]
    case = new_case(officer)
    case_transition(actor=officer, case_id=case.pk, to="open")
    for code in (None, "BE-CUS-ANR"):
        with pytest.raises(ValidationError) as error:
            case_transition(actor=officer, case_id=case.pk, to="referred", agency_code=code)
        assert "agency" in error.value.message_dict
    case_transition(actor=officer, case_id=case.pk, to="referred", agency_code="NL-OM-RTM", reason="Ready")
    case.refresh_from_db()
    assert (case.status, case.referred_to.code) == ("referred", "NL-OM-RTM")
    assert case.shares.get().level == "contribute"
    assert last_event(case_id=case.pk, action="case_transition").changes == {
        "status": {"before": "open", "after": "referred"}}


def test_transition_not_in_the_workflow_is_a_conflict(cast):
    case = new_case(cast["rtm.officer"])
    with pytest.raises(Conflict):
        case_transition(actor=cast["rtm.officer"], case_id=case.pk, to="judicial")
    with pytest.raises(ValidationError):
        case_transition(actor=cast["rtm.officer"], case_id=case.pk, to="lost")


def test_archived_case_is_read_only(cast):
    officer = cast["rtm.officer"]
    case = new_case(officer)
    for status in ("open", "closed", "archived"):
        case_transition(actor=officer, case_id=case.pk, to=status)
    with pytest.raises(ActionForbidden):
        note_add(actor=officer, case_id=case.pk, text="Too late")
