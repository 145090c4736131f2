"""The prosecutor's case file (issue 16), as the dossier that the review page and the PDF share.

The story: Rotterdam customs (rtm.officer) owns an H1 cocaine case with a seizure, a party, an
identifier, a route, a note, a lab report and an exhibit whose custody was once corrected; it
shares the case with the EU liaison bureau and refers it to the Rotterdam prosecution office
(rtm.prosecutor, another agency). Hamburg (ham.officer) is the outsider.
"""
import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.selectors import active_membership
from audit.models import AuditEvent, Operation
from audit.services import audit_record
from cases.choices import HandlingCode, ShareLevel, Status
from cases.models import EvidenceRequest, EvidenceRequestItem, EvidenceRequestStatus
from cases.selectors_case_file import case_file_dossier
from cases.services import (case_consult, case_create, case_share, case_transition, document_attach, identifier_add,
                            note_add, party_add, route_leg_add, seizure_add)
from cases.services.evidence import evidence_request_decide, evidence_request_file
from cases.services.exhibits import custody_record, exhibit_add
from cases.services.guard import audited_case
from coordination.errors import NotVisible

LAB_REPORT = b"%PDF-1.4\n% lab report: 92% cocaine hydrochloride\n%%EOF\n"


def add_exhibit(officer, case, number: int):
    exhibit = exhibit_add(actor=officer, case_id=case.pk, description=f"sample from brick {number}",
                          seal_number=f"NL-SEAL-{number:04d}", holder="Customs RTM", location="Evidence room 2")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI lab",
                   to_location="The Hague", purpose="transport", seal_intact=True)
    return exhibit


@pytest.fixture
def h1_case(cast):
    officer = cast["rtm.officer"]
    case = case_create(actor=officer, title="Cocaine in banana boxes", summary="Found by the scanner.", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=3), handling_code=HandlingCode.H1,
                       legal_basis="Art. 46 UCC")
    seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity="120", unit="kg", brick_marking="Dolphin")
    party_add(actor=officer, case_id=case.pk, kind="company", role="consignee", name="Fruit Import BV")
    identifier_add(actor=officer, case_id=case.pk, kind="container", value="MSCU1234566")
    route_leg_add(actor=officer, case_id=case.pk, locode="ECGYE", role="loading")
    route_leg_add(actor=officer, case_id=case.pk, locode="NLRTM", role="discharge")
    note_add(actor=officer, case_id=case.pk, text="The consignee changed forwarder a week before.")
    document_attach(actor=officer, case_id=case.pk, title="Lab report", kind="lab_report",
                    uploaded_file=SimpleUploadedFile("lab.pdf", LAB_REPORT))
    exhibit = add_exhibit(officer, case, 7)
    wrong = custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI lab",
                           to_location="Rijswijk", purpose="storage", seal_intact=False, note="Tape lifted")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=exhibit.pk, to_holder="NFI lab",
                   to_location="The Hague vault", purpose="storage", seal_intact=True, corrects=wrong.pk,
                   note="Location mistyped; seal was intact")
    case_share(actor=officer, case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    case_transition(actor=officer, case_id=case.pk, to=Status.OPEN)
    case_transition(actor=officer, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    case.refresh_from_db()
    return case


def grant(case, prosecutor, *, status, items, reason=""):
    request = EvidenceRequest.objects.create(case=case, requested_by=prosecutor,
                                             requester_agency=active_membership(prosecutor).agency,
                                             justification="Trial of the consignee", status=status, reason=reason)
    for item_type, item_id in items:
        EvidenceRequestItem.objects.create(request=request, item_type=item_type, item_id=item_id)
    return request


def by_type(dossier, item_type):
    return [entry for entry in dossier.evidence if entry.item_type == item_type]


def test_the_owner_reads_the_whole_case_with_every_item_usable(cast, h1_case):
    dossier = case_file_dossier(user=cast["rtm.officer"], case_id=h1_case.pk)
    assert dossier.reader_agency.code == "NL-CUS-RTM"
    assert dossier.handling_code == "H1" and "judicial" in dossier.handling_label
    assert [leg.locode for leg in dossier.route] == ["ECGYE", "NLRTM"]
    assert [party.name for party in dossier.parties] == ["Fruit Import BV"]
    assert [identifier.value for identifier in dossier.identifiers] == ["MSCU1234566"]
    assert [seizure.brick_marking for seizure in dossier.seizures] == ["Dolphin"]
    assert [entry.note.text for entry in dossier.notes] == ["The consignee changed forwarder a week before."]
    assert [entry.document.title for entry in dossier.documents] == ["Lab report"]
    assert dossier.documents[0].integrity == "unchecked"
    assert {entry.item_type for entry in dossier.evidence} == {"case", "document", "note", "exhibit"}
    assert all(entry.standing.usable and entry.standing.status == "owner" for entry in dossier.evidence)
    assert dossier.withheld_evidence == [] and dossier.case_standing.usable
    exhibit_label = by_type(dossier, "exhibit")[0].label
    assert exhibit_label == "EX-001 — sample from brick 7"


def test_a_correction_names_the_event_it_corrects_by_its_place_in_the_chain(cast, h1_case):
    dossier = case_file_dossier(user=cast["rtm.officer"], case_id=h1_case.pk)
    chain = dossier.exhibits[0].custody
    assert [line.position for line in chain] == [1, 2, 3]
    assert [line.event.to_location for line in chain] == ["The Hague", "Rijswijk", "The Hague vault"]
    assert [line.corrected_number for line in chain] == [None, None, 2]
    assert chain[2].event.from_location == "The Hague"  # the correction restates where the move began
    assert dossier.exhibits[0].exhibit.seal_broken


def test_a_prosecutor_of_another_agency_sees_h1_items_withheld_with_their_reason(cast, h1_case):
    dossier = case_file_dossier(user=cast["rtm.prosecutor"], case_id=h1_case.pk)
    assert dossier.reader_agency.code == "NL-OM-RTM"
    assert not dossier.case_standing.usable
    assert len(dossier.withheld_evidence) == 4 and dossier.usable_evidence == []
    for entry in dossier.withheld_evidence:
        assert entry.standing.status == "not_requested"
        assert "has not been requested" in entry.withheld_reason
    # The content itself is still in the file: the reader may see the case, only not use it in court.
    assert dossier.notes[0].note.text.startswith("The consignee")


def test_granted_items_become_usable_and_refused_ones_carry_the_owners_reason(cast, h1_case):
    prosecutor = cast["rtm.prosecutor"]
    before = case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    document, note = before.documents[0].document, before.notes[0].note
    exhibit = before.exhibits[0].exhibit
    grant(h1_case, prosecutor, status=EvidenceRequestStatus.GRANTED, items=[("document", document.pk),
                                                                            ("case", h1_case.pk)])
    grant(h1_case, prosecutor, status=EvidenceRequestStatus.REFUSED, items=[("note", note.pk)],
          reason="The note names an informant's lead.")
    grant(h1_case, prosecutor, status=EvidenceRequestStatus.PENDING, items=[("exhibit", exhibit.pk)])

    dossier = case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    standings = {entry.item_type: entry for entry in dossier.evidence}
    assert standings["document"].standing.usable and standings["document"].withheld_reason == ""
    assert standings["case"].standing.usable and dossier.case_standing.status == "granted"
    assert dossier.documents[0].standing.status == "granted"
    assert not standings["note"].standing.usable
    assert standings["note"].withheld_reason == "Refused by the owning agency: The note names an informant's lead."
    assert not standings["exhibit"].standing.usable and "not decided yet" in standings["exhibit"].withheld_reason


def test_the_chronology_holds_the_acts_and_no_consultation(cast, h1_case):
    prosecutor = cast["rtm.prosecutor"]
    case_consult(actor=prosecutor, case=h1_case, what="parties", justification="Preparing the indictment")
    dossier = case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    acts = [entry.act for entry in dossier.chronology]
    assert acts[0] == "Opened the case"
    for expected in ("Added a seizure", "Added a party", "Attached a document", "Registered an exhibit",
                     "Recorded a custody transfer", "Shared the case", "Moved the case",
                     "Referred the case to prosecution"):
        assert expected in acts
    assert not {"Viewed the case", "Viewed the parties"} & set(acts)
    assert [entry.at for entry in dossier.chronology] == sorted(entry.at for entry in dossier.chronology)
    assert AuditEvent.objects.filter(case_id=h1_case.pk, operation=Operation.CONSULTATION).exists()
    details = [entry.detail for entry in dossier.chronology]
    assert "EX-001, custody event 3: Storage; corrects event 2" in details
    assert "EX-001, custody event 2: Storage; seal not intact" in details
    assert "Open → Referred" in details
    assert all(entry.actor == "rtm.officer" and entry.actor_agency == "NL-CUS-RTM" for entry in dossier.chronology)


def test_only_the_owner_side_is_told_who_received_the_case(cast, h1_case):
    owner = case_file_dossier(user=cast["rtm.officer"], case_id=h1_case.pk)
    shared = next(entry for entry in owner.chronology if entry.act == "Shared the case")
    assert "to EU-LIA" in shared.detail
    prosecutor = case_file_dossier(user=cast["rtm.prosecutor"], case_id=h1_case.pk)
    shown = " ".join(f"{entry.act} {entry.detail}" for entry in prosecutor.chronology)
    assert "Shared the case" in shown
    assert "EU-LIA" not in shown


def test_a_reader_who_cannot_see_the_case_gets_nothing(cast, h1_case):
    with pytest.raises(NotVisible):
        case_file_dossier(user=cast["ham.officer"], case_id=h1_case.pk)


def test_the_query_count_does_not_grow_with_the_items(cast, h1_case, django_assert_num_queries):
    officer, prosecutor = cast["rtm.officer"], cast["rtm.prosecutor"]
    with CaptureQueriesContext(connection) as first:
        case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    for number in range(3):
        add_exhibit(officer, h1_case, 20 + number)
        note_add(actor=officer, case_id=h1_case.pk, text=f"Further note {number}")
        document_attach(actor=officer, case_id=h1_case.pk, title=f"Photo {number}", kind="photo",
                        uploaded_file=SimpleUploadedFile(f"photo{number}.pdf", LAB_REPORT + bytes([number])))
        party_add(actor=officer, case_id=h1_case.pk, kind="person", role="suspect", name=f"Suspect {number}")
    prosecutor = type(prosecutor).objects.get(pk=prosecutor.pk)  # no cached membership
    # membership, case, 5 part lists, documents, exhibits, custody, evidence standings, audit trail
    with django_assert_num_queries(12):
        dossier = case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    assert len(dossier.exhibits) == 4 and sum(len(entry.custody) for entry in dossier.exhibits) == 3 + 3
    assert len(first.captured_queries) == 12


def test_evidence_requests_show_in_the_chronology_of_their_own_agency_only(cast, h1_case):
    prosecutor, officer = cast["rtm.prosecutor"], cast["rtm.officer"]
    before = case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    exhibit, document = before.exhibits[0].exhibit, before.documents[0].document
    request = evidence_request_file(actor=prosecutor, case_id=h1_case.pk, justification="Trial of the consignee",
                                    items=[{"type": "exhibit", "id": str(exhibit.pk)},
                                           {"type": "document", "id": str(document.pk)}])
    evidence_request_decide(actor=officer, case_id=h1_case.pk, request_id=request.pk, approve=True,
                            reason="Agreed with the investigating officer")

    requester = case_file_dossier(user=prosecutor, case_id=h1_case.pk)
    acts = {entry.act: entry.detail for entry in requester.chronology}
    assert acts["Asked to use items as evidence"] == "EX-001, Lab report"
    assert acts["Granted the use of items as evidence"] == "EX-001, Lab report"
    assert [entry.label for entry in requester.usable_evidence] == [
        "EX-001 — sample from brick 7", f"Document: Lab report (sha256 {document.sha256[:12]}…)"]
    owner = case_file_dossier(user=officer, case_id=h1_case.pk)
    granted = next(entry for entry in owner.chronology if entry.act == "Granted the use of items as evidence")
    assert "to NL-OM-RTM" in granted.detail and "Agreed with the investigating officer" in granted.detail
    liaison = case_file_dossier(user=cast["liaison.officer"], case_id=h1_case.pk)
    assert not [entry for entry in liaison.chronology if "evidence" in entry.act]


def test_what_a_third_agency_received_at_its_own_request_stays_between_it_and_the_owner(cast, h1_case):
    # As the PDF task records a built case file: a disclosure to the liaison officer who asked for it.
    audit_record(actor=cast["liaison.officer"], operation=Operation.DISCLOSURE, action="case_file_produce",
                 object_type="case_file", object_id=uuid.uuid4(), recipient="liaison.officer",
                 **audited_case(h1_case))
    assert "Produced the PDF case file" in [entry.act for entry in
                                            case_file_dossier(user=cast["rtm.officer"], case_id=h1_case.pk).chronology]
    assert "Produced the PDF case file" in [entry.act for entry in
                                            case_file_dossier(user=cast["liaison.officer"],
                                                              case_id=h1_case.pk).chronology]
    prosecutor = case_file_dossier(user=cast["rtm.prosecutor"], case_id=h1_case.pk)
    assert "Produced the PDF case file" not in [entry.act for entry in prosecutor.chronology]
    assert "EU-LIA" not in " ".join(entry.actor_agency for entry in prosecutor.chronology)
