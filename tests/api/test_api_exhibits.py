"""Exhibits and their chain of custody over /api/v1/ (issue 16): numbering, the custody chain
with a correction, the closed chain (409), the refused methods (405), validation (400),
visibility (404), role (403), the audit records, and the table's append-only trigger."""
import datetime
import uuid

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import CustodyEvent, Exhibit
from cases.services import case_create, seizure_add
from cases.services.exhibits import custody_record, exhibit_add


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def officer(cast):
    return client_for(cast["rtm.officer"])


@pytest.fixture
def case(matrix_case):
    return matrix_case("owned")


def exhibits_url(case) -> str:
    return f"/api/v1/cases/{case.pk}/exhibits/"


def custody_url(case, exhibit_id) -> str:
    return f"/api/v1/cases/{case.pk}/exhibits/{exhibit_id}/custody/"


def add_exhibit(client, case, **overrides) -> dict:
    body = {"description": "Sample from brick 12", "seal_number": "NL-SEAL-0042", "holder": "Officer Jansen",
            "location": "Customs store Maasvlakte"}
    body.update(overrides)
    response = client.post(exhibits_url(case), body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def move(client, case, exhibit_id, purpose="transport", **overrides):
    body = {"to_holder": "Courier De Vries", "to_location": "Van 7", "purpose": purpose, "seal_intact": True}
    body.update(overrides)
    return client.post(custody_url(case, exhibit_id), body, format="json")


def test_exhibits_are_numbered_per_case_and_answer_the_contract_shape(officer, cast, case):
    seizure = seizure_add(actor=cast["rtm.officer"], case_id=case.pk, drug="cocaine", quantity="12", unit="kg")
    first = add_exhibit(officer, case, seizure=str(seizure.pk))
    second = add_exhibit(officer, case, description="Phone found in the container", seal_number="")
    assert (first["number"], second["number"]) == ("EX-001", "EX-002")
    assert {"id", "number", "description", "seal_number", "holder", "location", "status", "custody"} <= set(first)
    assert first["status"] == "held" and first["custody"] == [] and first["seizure"] == str(seizure.pk)
    listed = officer.get(exhibits_url(case)).json()["results"]
    assert [row["number"] for row in listed] == ["EX-001", "EX-002"]
    assert AuditEvent.objects.filter(case_id=case.pk, action="exhibit_add", operation="collection").count() == 2
    assert AuditEvent.objects.filter(case_id=case.pk, action="exhibits_view", operation="consultation").exists()


def test_a_custody_chain_from_seizure_to_destruction_with_a_correction(officer, case):
    exhibit = add_exhibit(officer, case)
    to_lab = move(officer, case, exhibit["id"], to_holder="Courier De Vries", to_location="Van 7")
    assert to_lab.status_code == 201
    assert to_lab.json()["from_holder"] == "Officer Jansen" and to_lab.json()["recorded_by"] == "rtm.officer"
    # The courier was in fact Bakker: a correction is a new event naming the one it corrects.
    correction = move(officer, case, exhibit["id"], to_holder="Courier Bakker", to_location="Van 7",
                      note="Wrong courier recorded", corrects=to_lab.json()["id"])
    assert correction.status_code == 201
    assert correction.json()["corrects"] == to_lab.json()["id"]
    assert correction.json()["from_holder"] == "Officer Jansen"
    analysis = move(officer, case, exhibit["id"], purpose="analysis", to_holder="NFI lab", to_location="The Hague")
    assert analysis.status_code == 201 and analysis.json()["from_holder"] == "Courier Bakker"
    destroyed = move(officer, case, exhibit["id"], purpose="destruction", to_holder="Destruction unit",
                     to_location="Incinerator")
    assert destroyed.status_code == 201

    chain = officer.get(custody_url(case, exhibit["id"])).json()["results"]
    assert [event["purpose"] for event in chain] == ["transport", "transport", "analysis", "destruction"]
    shown = officer.get(exhibits_url(case)).json()["results"][0]
    assert shown["status"] == "destroyed" and shown["holder"] == "Destruction unit" and len(shown["custody"]) == 4
    # The original event is still there, unchanged.
    assert CustodyEvent.objects.get(pk=to_lab.json()["id"]).to_holder == "Courier De Vries"

    before = CustodyEvent.objects.count()
    late = move(officer, case, exhibit["id"], purpose="court")
    assert late.status_code == 409
    assert CustodyEvent.objects.count() == before
    assert AuditEvent.objects.filter(case_id=case.pk, action="custody_record", object_id=exhibit["id"]).count() == 4


def test_a_returned_exhibit_accepts_nothing_more(officer, case):
    exhibit = add_exhibit(officer, case)
    assert move(officer, case, exhibit["id"], purpose="return", to_holder="Owner").status_code == 201
    assert Exhibit.objects.get(pk=exhibit["id"]).status == "returned"
    assert move(officer, case, exhibit["id"]).status_code == 409


def test_a_broken_seal_is_shown_on_the_exhibit(officer, case):
    exhibit = add_exhibit(officer, case)
    assert move(officer, case, exhibit["id"], seal_intact=False, note="Tape cut").status_code == 201
    assert officer.get(exhibits_url(case)).json()["results"][0]["seal_broken"] is True


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_custody_events_are_never_changed_over_the_api(officer, case, method):
    exhibit = add_exhibit(officer, case)
    event = move(officer, case, exhibit["id"]).json()
    response = getattr(officer, method)(custody_url(case, exhibit["id"]), {"note": "rewritten"}, format="json")
    assert response.status_code == 405
    assert CustodyEvent.objects.get(pk=event["id"]).note == ""


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_one_custody_event_reads_and_is_never_changed_at_its_own_url(officer, cast, case, method):
    """A client changes an event where it lives, /custody/{event_id}/: 405 there too, never a 404
    that would tell it the event does not exist."""
    exhibit = add_exhibit(officer, case)
    event = move(officer, case, exhibit["id"]).json()
    event_url = f"{custody_url(case, exhibit['id'])}{event['id']}/"
    response = getattr(officer, method)(event_url, {"note": "rewritten"}, format="json")
    assert response.status_code == 405, response.content
    assert CustodyEvent.objects.get(pk=event["id"]).note == ""
    read = officer.get(event_url)
    assert read.status_code == 200 and read.json() == event
    # Visibility first: a stranger is told nothing, whatever the method.
    stranger = client_for(cast["ham.officer"])
    assert getattr(stranger, method)(event_url, {}, format="json").status_code == 404
    assert stranger.get(event_url).status_code == 404
    # An event of another exhibit, or none at all, is not found under this one.
    other = add_exhibit(officer, case, description="Phone")
    assert officer.get(f"{custody_url(case, other['id'])}{event['id']}/").status_code == 404
    assert officer.get(f"{custody_url(case, exhibit['id'])}{uuid.uuid4()}/").status_code == 404


def test_bad_input_answers_400_with_the_field(officer, cast, case):
    other_case = case_create(actor=cast["rtm.officer"], title="Another seizure", port="NLRTM",
                             seized_at=timezone.now() - datetime.timedelta(days=2), handling_code="H0",
                             legal_basis="Art. 46 UCC")
    foreign = seizure_add(actor=cast["rtm.officer"], case_id=other_case.pk, drug="cocaine", quantity="1", unit="kg")
    response = officer.post(exhibits_url(case), {"description": "x", "holder": "h", "location": "l",
                                                 "seizure": str(foreign.pk)}, format="json")
    assert response.status_code == 400 and "seizure" in response.json()
    assert not Exhibit.objects.filter(case=case).exists()

    exhibit = add_exhibit(officer, case)
    other = add_exhibit(officer, case)
    elsewhere = move(officer, case, other["id"]).json()
    bad_purpose = move(officer, case, exhibit["id"], purpose="lunch")
    assert bad_purpose.status_code == 400 and "purpose" in bad_purpose.json()
    wrong_correction = move(officer, case, exhibit["id"], corrects=elsewhere["id"])
    assert wrong_correction.status_code == 400 and "corrects" in wrong_correction.json()
    assert not CustodyEvent.objects.filter(exhibit_id=exhibit["id"]).exists()


def test_an_exhibit_of_another_case_is_not_found(officer, cast, case):
    other_case = case_create(actor=cast["rtm.officer"], title="Another seizure", port="NLRTM",
                             seized_at=timezone.now() - datetime.timedelta(days=2), handling_code="H0",
                             legal_basis="Art. 46 UCC")
    exhibit = add_exhibit(officer, other_case)
    assert move(officer, case, exhibit["id"]).status_code == 404
    assert officer.get(custody_url(case, exhibit["id"])).status_code == 404


def test_a_user_who_cannot_see_the_case_gets_404(cast, case, officer):
    exhibit = add_exhibit(officer, case)
    stranger = client_for(cast["ham.officer"])
    assert stranger.get(exhibits_url(case)).status_code == 404
    assert stranger.post(exhibits_url(case), {"description": "x", "holder": "h", "location": "l"},
                         format="json").status_code == 404
    assert stranger.get(custody_url(case, exhibit["id"])).status_code == 404
    assert move(stranger, case, exhibit["id"]).status_code == 404


def test_an_analyst_reads_but_never_writes(cast, case, officer):
    exhibit = add_exhibit(officer, case)
    analyst = client_for(cast["rtm.analyst"])
    assert analyst.get(exhibits_url(case)).status_code == 200
    assert analyst.post(exhibits_url(case), {"description": "x", "holder": "h", "location": "l"},
                        format="json").status_code == 403
    assert move(analyst, case, exhibit["id"]).status_code == 403
    assert Exhibit.objects.filter(case=case).count() == 1


def test_the_custody_table_refuses_update_and_delete(cast, case):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger is PostgreSQL's; SQLite is the embedded demo")
    actor = cast["rtm.officer"]
    exhibit = exhibit_add(actor=actor, case_id=case.pk, description="Sample", holder="A", location="B")
    event = custody_record(actor=actor, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="C", to_location="D",
                           purpose="storage", seal_intact=True)
    for attempt in (lambda: CustodyEvent.objects.filter(pk=event.pk).update(note="rewritten"),
                    lambda: CustodyEvent.objects.filter(pk=event.pk).delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    assert CustodyEvent.objects.get(pk=event.pk).note == ""
