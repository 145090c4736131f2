"""The Exhibits tab of the case page (issue 16): exhibits with their chains of custody, and the
forms that add to them through the services.

Rotterdam customs owns the case (rtm.officer); the Rotterdam analyst only reads it; Hamburg
(ham.officer) is the outsider.
"""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases.choices import HandlingCode
from cases.models import CustodyEvent, Exhibit
from cases.services import case_create, seizure_add
from cases.services.exhibits import custody_record, exhibit_add

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "case-tabs"}


@pytest.fixture
def case(cast):
    return case_create(actor=cast["rtm.officer"], title="Cocaine in bananas from Guayaquil", port="NLRTM",
                       handling_code=HandlingCode.H0, seized_at=timezone.now() - datetime.timedelta(days=1),
                       legal_basis="Art. 46 UCC")


@pytest.fixture
def exhibit(cast, case):
    return exhibit_add(actor=cast["rtm.officer"], case_id=case.pk, description="Sample from brick 12",
                       seal_number="NL-SEAL-0042", holder="Customs team 3", location="Rotterdam, Maasvlakte")


def tab_url(case) -> str:
    return reverse("cases:tab", args=[case.pk, "exhibits"])


def add_url(case) -> str:
    return reverse("cases:exhibit-add", args=[case.pk])


def custody_url(case, exhibit) -> str:
    return reverse("cases:exhibit-custody", args=[case.pk, exhibit.pk])


def to_the_lab(**changes) -> dict:
    return {"to_holder": "NFI", "to_location": "The Hague lab", "purpose": "analysis", "seal_intact": "on",
            "note": "", "corrects": "", **changes}


def custody_forms(page: str) -> list[str]:
    return re.findall(r'action="/cases/[0-9a-f-]+/exhibits/([0-9a-f-]+)/custody/"', page)


def test_the_tab_lists_exhibits_with_their_custody_chain(client, cast, case, exhibit):
    custody_record(actor=cast["rtm.officer"], case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI",
                   to_location="The Hague lab", purpose="analysis", seal_intact=False, note="Tape cut at arrival")
    client.force_login(cast["rtm.analyst"])

    response = client.get(tab_url(case))

    page = response.content.decode()
    assert response.status_code == 200
    assert "EX-001" in page and "Sample from brick 12" in page and "NL-SEAL-0042" in page
    assert "Seal broken" in page and "Tape cut at arrival" in page and "The Hague lab" in page
    assert 'Exhibits <span class="tab-count">1</span>' in page


def test_an_officer_adds_an_exhibit_from_a_seizure(client, cast, case):
    seizure = seizure_add(actor=cast["rtm.officer"], case_id=case.pk, drug="cocaine", quantity=120, unit="kg")
    client.force_login(cast["rtm.officer"])
    assert f'<option value="{seizure.pk}">Cocaine: 120' in client.get(tab_url(case)).content.decode()

    response = client.post(add_url(case), {"description": "Brick 12, sample", "seal_number": "NL-SEAL-0042",
                                           "holder": "Customs team 3", "location": "Maasvlakte",
                                           "seizure": str(seizure.pk)})

    assert response.status_code == 302 and response["Location"] == tab_url(case)
    exhibit = Exhibit.objects.get(case=case)
    assert (exhibit.number, exhibit.seizure_id, exhibit.holder) == ("EX-001", seizure.pk, "Customs team 3")
    assert AuditEvent.objects.filter(action="exhibit_add", object_id=str(exhibit.pk)).exists()
    assert "Exhibit EX-001 added." in client.get(tab_url(case)).content.decode()


def test_missing_fields_come_back_with_400_and_field_messages(client, cast, case):
    client.force_login(cast["rtm.officer"])

    response = client.post(add_url(case), {"description": "", "holder": "", "location": "Maasvlakte"})

    assert response.status_code == 400
    assert 'id="exhibit-description"' in response.content.decode() and "is-invalid" in response.content.decode()
    assert not Exhibit.objects.filter(case=case).exists()


def test_htmx_add_answers_with_the_refreshed_tabs(client, cast, case):
    client.force_login(cast["rtm.officer"])

    response = client.post(add_url(case), {"description": "GPS tracker", "holder": "Customs team 3",
                                           "location": "Maasvlakte"}, **HTMX)

    page = response.content.decode()
    assert response.status_code == 200 and page.startswith('<div id="case-tabs">')
    assert "GPS tracker" in page and "Exhibit EX-001 added." in page


def test_custody_moves_the_exhibit_and_a_correction_names_its_event(client, cast, case, exhibit):
    client.force_login(cast["rtm.officer"])

    moved = client.post(custody_url(case, exhibit), to_the_lab())
    first = CustodyEvent.objects.get(exhibit=exhibit)
    corrected = client.post(custody_url(case, exhibit), to_the_lab(to_location="Rijswijk lab", corrects=str(first.pk),
                                                                   note="Wrong lab entered"))

    assert moved.status_code == corrected.status_code == 302
    exhibit.refresh_from_db()
    assert (exhibit.holder, exhibit.location, exhibit.seal_broken) == ("NFI", "Rijswijk lab", False)
    correction = CustodyEvent.objects.get(exhibit=exhibit, corrects=first)
    assert correction.from_location == "Rotterdam, Maasvlakte"
    page = client.get(tab_url(case)).content.decode()
    assert f'href="#custody-{first.pk}">corrects event #1</a>' in page


def test_a_correction_must_name_an_event_of_this_exhibit(client, cast, case, exhibit):
    client.force_login(cast["rtm.officer"])

    response = client.post(custody_url(case, exhibit), to_the_lab(corrects="not-an-event"))

    assert response.status_code == 400 and "is-invalid" in response.content.decode()
    assert not CustodyEvent.objects.filter(exhibit=exhibit).exists()


def test_after_destruction_no_form_is_shown_and_a_late_post_is_409(client, cast, case, exhibit):
    client.force_login(cast["rtm.officer"])
    assert custody_forms(client.get(tab_url(case)).content.decode()) == [str(exhibit.pk)]
    client.post(custody_url(case, exhibit), to_the_lab(to_holder="Destruction team", purpose="destruction"))

    page = client.get(tab_url(case)).content.decode()
    late = client.post(custody_url(case, exhibit), to_the_lab())

    assert "Destroyed" in page and custody_forms(page) == []
    assert late.status_code == 409
    assert "its chain of custody is closed" in late.content.decode()
    assert CustodyEvent.objects.filter(exhibit=exhibit).count() == 1


def test_a_viewer_sees_no_form_and_may_not_post(client, cast, case, exhibit):
    client.force_login(cast["rtm.analyst"])

    page = client.get(tab_url(case)).content.decode()
    added = client.post(add_url(case), {"description": "x", "holder": "y", "location": "z"})
    moved = client.post(custody_url(case, exhibit), to_the_lab())

    assert custody_forms(page) == [] and add_url(case) not in page
    assert added.status_code == moved.status_code == 403
    assert Exhibit.objects.filter(case=case).count() == 1 and not CustodyEvent.objects.exists()


def test_an_invisible_case_is_404_for_every_exhibit_route(client, cast, case, exhibit):
    client.force_login(cast["ham.officer"])

    assert client.get(tab_url(case)).status_code == 404
    assert client.post(add_url(case), {"description": "x", "holder": "y", "location": "z"}).status_code == 404
    assert client.post(custody_url(case, exhibit), to_the_lab()).status_code == 404
    assert Exhibit.objects.filter(case=case).count() == 1 and not CustodyEvent.objects.exists()


def test_an_exhibit_of_another_case_is_404_under_this_one(client, cast, case, exhibit):
    other = case_create(actor=cast["rtm.officer"], title="Other", port="NLRTM", handling_code=HandlingCode.H0,
                        seized_at=timezone.now(), legal_basis="Art. 46 UCC")
    client.force_login(cast["rtm.officer"])

    assert client.post(custody_url(other, exhibit), to_the_lab()).status_code == 404
    assert not CustodyEvent.objects.exists()
