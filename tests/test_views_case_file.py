"""The case-file review page (issue 16): GET /cases/<id>/case-file/.

Rotterdam customs (rtm.officer) owns the case and refers it to the Rotterdam prosecution office
(rtm.prosecutor, another agency, whose policy asks why a foreign case is opened); Antwerp customs
(anr.officer) holds a view share of an H3 case; Hamburg (ham.officer) is the outsider.
"""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, Operation
from cases.choices import HandlingCode, ShareLevel, Status
from cases.models import Document
from cases.services import (case_create, case_share, case_transition, document_attach, note_add, party_add,
                            seizure_add)
from cases.services.exhibits import custody_record, exhibit_add

REPORT = b"%PDF-1.4\n% seizure report\n%%EOF\n"


def new_case(owner, **fields):
    values = {"title": "Cocaine under pineapples", "port": "NLRTM", "legal_basis": "Art. 46 UCC",
              "seized_at": timezone.now() - datetime.timedelta(days=1), "handling_code": HandlingCode.H1, **fields}
    return case_create(actor=owner, **values)


@pytest.fixture
def referred_case(cast):
    officer = cast["rtm.officer"]
    case = new_case(officer, summary="Scanner image showed dense blocks.")
    seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="48.5", unit="kg")
    party_add(actor=officer, case_id=case.pk, kind="person", role="suspect", name="Jan Verhoeven")
    note_add(actor=officer, case_id=case.pk, text="Driver refused to open the trailer.")
    document_attach(actor=officer, case_id=case.pk, title="Seizure report", kind="seizure_report",
                    uploaded_file=SimpleUploadedFile("report.pdf", REPORT))
    exhibit = exhibit_add(actor=officer, case_id=case.pk, description="Block 3, swab", seal_number="S-0042",
                          holder="Customs RTM", location="Vault A")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI", to_location="The Hague",
                   purpose="analysis", seal_intact=True)
    case_transition(actor=officer, case_id=case.pk, to=Status.OPEN)
    case_transition(actor=officer, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    return case


def url(case):
    return reverse("cases:case-file", args=[case.pk])


def test_the_owner_reads_every_section_of_the_case_file(client, cast, referred_case):
    client.force_login(cast["rtm.officer"])
    response = client.get(url(referred_case))
    assert response.status_code == 200
    page = response.content.decode()
    for heading in ("Summary", "Seizures", "Route", "Parties", "Identifiers", "Exhibits and chain of custody",
                    "Documents", "Notes", "Evidence", "Chronology"):
        assert f">{heading}</h2>" in page
    document = Document.objects.get(case=referred_case)
    assert f'<code class="cf-hash">{document.sha256}</code>' in page
    assert "Jan Verhoeven" in page and "Driver refused to open the trailer." in page
    assert "EX-001" in page and "NFI, The Hague" in page
    assert "Handling code H1" in page
    assert "Referred the case to prosecution" in page and "to NL-OM-RTM" in page
    assert "cases/case_file/_build.html" in [template.name for template in response.templates]


def test_the_case_page_links_to_its_case_file(client, cast, referred_case):
    client.force_login(cast["rtm.officer"])
    page = client.get(reverse("cases:detail", args=[referred_case.pk])).content.decode()
    assert f'href="{url(referred_case)}"' in page


def test_a_case_the_reader_cannot_see_is_not_found(client, cast, referred_case):
    client.force_login(cast["ham.officer"])
    response = client.get(url(referred_case))
    assert response.status_code == 404
    assert "Cocaine under pineapples" not in response.content.decode()
    assert AuditEvent.objects.filter(case_id=referred_case.pk, operation=Operation.ACCESS_DENIED,
                                     actor_username="ham.officer").exists()


def test_the_prosecutor_says_why_first_and_the_consultation_is_recorded(client, cast, referred_case):
    client.force_login(cast["rtm.prosecutor"])
    gate = client.get(url(referred_case))
    assert gate.status_code == 200
    assert "Why do you open this case?" in gate.content.decode()
    assert "Jan Verhoeven" not in gate.content.decode()
    assert 'name="tab" value="case-file"' in gate.content.decode()
    opened = client.post(reverse("cases:open", args=[referred_case.pk]),
                         {"tab": "case-file", "justification": "Preparing the indictment"})
    assert opened["Location"] == url(referred_case)
    assert AuditEvent.objects.filter(case_id=referred_case.pk, actor_username="rtm.prosecutor",
                                     action="parties_view", justification="Preparing the indictment").count() == 1
    page = client.get(url(referred_case)).content.decode()
    assert "Jan Verhoeven" in page
    # H1, another agency, nothing granted yet: every item withheld, with its reason.
    assert "Withheld as evidence" in page and "which has not been requested" in page
    assert "No item may be used as evidence yet." in page
    assert "to NL-OM-RTM" not in page  # who received the case is for the owner side


def test_an_h3_case_asks_for_the_conditions_before_the_case_file(client, cast):
    owner = cast["rtm.officer"]
    case = new_case(owner, handling_code=HandlingCode.H3, h3_conditions="Do not contact the consignee.")
    party_add(actor=owner, case_id=case.pk, kind="company", role="consignee", name="Tropical Fruit BV")
    case_share(actor=owner, case_id=case.pk, agency_code="BE-CUS-ANR", level=ShareLevel.VIEW)
    client.force_login(cast["anr.officer"])
    gate = client.get(url(case)).content.decode()
    assert "I have read these conditions" in gate and "Tropical Fruit BV" not in gate
    client.post(reverse("cases:open", args=[case.pk]),
                {"tab": "case-file", "justification": "Same consignee in Antwerp", "acknowledge": "on"})
    assert AuditEvent.objects.filter(case_id=case.pk, action="h3_acknowledge", actor_username="anr.officer").exists()
    page = client.get(url(case)).content.decode()
    assert "Tropical Fruit BV" in page
    # The conditions are printed at the top and in every section.
    assert page.count("Do not contact the consignee.") >= 10


def test_each_view_of_the_owner_is_a_consultation_of_the_parties(client, cast, referred_case):
    client.force_login(cast["rtm.analyst"])
    assert client.get(url(referred_case)).status_code == 200
    recorded = AuditEvent.objects.get(case_id=referred_case.pk, actor_username="rtm.analyst")
    assert (recorded.operation, recorded.action) == (Operation.CONSULTATION, "parties_view")


def test_the_page_is_read_only(client, cast, referred_case):
    client.force_login(cast["rtm.officer"])
    assert client.post(url(referred_case)).status_code == 405


def test_a_document_failing_its_integrity_check_is_marked(client, cast, referred_case):
    Document.objects.filter(case=referred_case).update(integrity_failed_at=timezone.now())
    client.force_login(cast["rtm.officer"])
    page = client.get(url(referred_case)).content.decode()
    assert "the stored file no longer matches its SHA-256" in page


def test_the_page_reads_as_many_queries_however_many_items(client, cast, referred_case):
    officer = cast["rtm.officer"]
    client.force_login(cast["rtm.prosecutor"])
    client.post(reverse("cases:open", args=[referred_case.pk]), {"tab": "case-file", "justification": "Indictment"})
    client.get(url(referred_case))  # the hour's consultation record is written by the first view
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(referred_case)).status_code == 200
    for number in range(3):
        exhibit = exhibit_add(actor=officer, case_id=referred_case.pk, description=f"Block {number}",
                              holder="Customs RTM", location="Vault A")
        custody_record(actor=officer, case_id=referred_case.pk, exhibit_id=exhibit.pk, to_holder="NFI",
                       to_location="The Hague", purpose="analysis", seal_intact=True)
        note_add(actor=officer, case_id=referred_case.pk, text=f"Note {number}")
        party_add(actor=officer, case_id=referred_case.pk, kind="person", role="suspect", name=f"Person {number}")
        seizure_add(actor=officer, case_id=referred_case.pk, drug="cocaine", quantity="1", unit="kg")
    with CaptureQueriesContext(connection) as many:
        assert client.get(url(referred_case)).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
