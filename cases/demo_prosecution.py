"""The demo's road to court (issue 16): an H1 case referred to the Openbaar Ministerie, with its
exhibits, their chains of custody (one corrected, one sample destroyed after analysis), a
laboratory report, and the prosecutor's pending request to use part of it as evidence.

Written through the services, like the rest of the demo; a case whose title exists is left alone.
"""
import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from .choices import HandlingCode, Status
from .models import Case
from .services import case_create, case_transition, document_attach, identifier_add, note_add, seizure_add
from .services.evidence import evidence_request_file
from .services.exhibits import custody_record, exhibit_add

TITLE = "Informant-led seizure: cocaine in coffee sacks, referred for prosecution (H1)"
LAB_REPORT = (
    "Nederlands Forensisch Instituut - laboratory report NFI-2026-11873\n"
    "Exhibit EX-001 (seal NL-SEAL-004211): 12 samples from bricks marked 'Rolex'.\n"
    "Result: cocaine hydrochloride, mean purity 83.4 % (GC-MS, two independent analyses).\n"
)


def seed_prosecution(*, users: dict) -> bool:
    """Create the referred H1 case and its evidence; False when it exists already."""
    officer, prosecutor = users["rtm.officer"], users["rtm.prosecutor"]
    if Case.objects.filter(owner_agency__code="NL-CUS-RTM", title=TITLE).exists():
        return False
    case = case_create(
        actor=officer, title=TITLE, port="NLRTM", handling_code=HandlingCode.H1, source_reliability="B",
        information_assessment=2, seized_at=timezone.now() - datetime.timedelta(days=12),
        summary="Acting on an informant's tip, customs opened container MSCU7014487 of coffee sacks from "
                "Buenaventura and found 340 kg of cocaine in 300 bricks under the sacks.",
        legal_basis="Art. 46 Union Customs Code; Opiumwet art. 2 and 10",
    )
    seizure = seizure_add(actor=officer, case_id=case.pk, drug="cocaine", quantity=Decimal("340"), unit="kg",
                          form="brick", packages=300, brick_marking="Rolex", purity=Decimal("83.40"),
                          concealment="in_cargo", detection="intelligence", transport_mode="sea_container")
    identifier_add(actor=officer, case_id=case.pk, kind="container", value="MSCU7014487")
    note_add(actor=officer, case_id=case.pk, source_reliability="B", information_assessment=2,
             text="Informant reported the container two days before arrival; handler: FIOD liaison.")
    note = note_add(actor=officer, case_id=case.pk, text="Scan at Maasvlakte showed anomalies under the "
                    "top three layers of sacks; opened in the presence of the terminal supervisor.")
    report = document_attach(actor=officer, case_id=case.pk, title="NFI laboratory report", kind="lab_report",
                             uploaded_file=SimpleUploadedFile("nfi-report.txt", LAB_REPORT.encode(), "text/plain"))
    samples = exhibit_add(actor=officer, case_id=case.pk, description="12 samples from bricks marked 'Rolex'",
                          seal_number="NL-SEAL-004211", holder="Customs evidence room", location="Rotterdam Maasvlakte",
                          seizure=seizure.pk)
    to_lab = custody_record(actor=officer, case_id=case.pk, exhibit_id=samples.pk, to_holder="NFI courier",
                            to_location="A15 transport", purpose="transport", seal_intact=True)
    custody_record(actor=officer, case_id=case.pk, exhibit_id=samples.pk, to_holder="NFI courier (badge 2231)",
                   to_location="A15 transport", purpose="transport", seal_intact=True, corrects=to_lab.pk,
                   note="Correction: the courier's badge number was missing.")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=samples.pk, to_holder="NFI drugs laboratory",
                   to_location="The Hague", purpose="analysis", seal_intact=True)
    custody_record(actor=officer, case_id=case.pk, exhibit_id=samples.pk, to_holder="NFI drugs laboratory",
                   to_location="The Hague", purpose="destruction", seal_intact=True,
                   note="Samples consumed by the analysis; remainder destroyed under NFI protocol 7.")
    tracker = exhibit_add(actor=officer, case_id=case.pk, description="GPS tracker found taped inside the container",
                          seal_number="NL-BAG-118", holder="Customs evidence room", location="Rotterdam Maasvlakte")
    custody_record(actor=officer, case_id=case.pk, exhibit_id=tracker.pk, to_holder="Police digital forensics",
                   to_location="Rotterdam", purpose="analysis", seal_intact=True)
    for step in (Status.OPEN, Status.REFERRED):
        case_transition(actor=officer, case_id=case.pk, to=step, agency_code="NL-OM-RTM",
                        reason="Ready for the public prosecutor")
    evidence_request_file(
        actor=prosecutor, case_id=case.pk, justification="Indictment of the consignee: the analysis and the "
        "tracker prove the cocaine and its route.",
        items=[{"type": "case", "id": str(case.pk)}, {"type": "document", "id": str(report.pk)},
               {"type": "exhibit", "id": str(samples.pk)}, {"type": "exhibit", "id": str(tracker.pk)},
               {"type": "note", "id": str(note.pk)}],
    )
    return True
