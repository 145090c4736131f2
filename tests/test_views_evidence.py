"""The case page's "Evidence use" tab (issue 16), with Django's test client.

Rotterdam customs owns an H1 case referred to the Rotterdam prosecution office, with a note, a
document and an exhibit. The prosecutor ticks items and says why; Rotterdam's officer grants or
refuses; Rotterdam's analyst sees the requests but has no say. The tab exists on H1 cases only.
"""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import EvidenceRequest
from cases.services import case_consult, case_create, case_transition, document_attach, note_add
from cases.services.evidence import evidence_request_file
from cases.services.exhibits import exhibit_add
from cast import MATRIX_PDF

JUSTIFICATION = "Trial of the pineapple importers"


@pytest.fixture
def story(cast):
    officer = cast["rtm.officer"]
    case = case_create(actor=officer, title="Informant lead on cocaine in pineapples", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=2), handling_code="H1",
                       legal_basis="Art. 46 UCC")
    case_transition(actor=officer, case_id=case.pk, to="open")
    case_transition(actor=officer, case_id=case.pk, to="referred", agency_code="NL-OM-RTM")
    note = note_add(actor=officer, case_id=case.pk, text="Informant: brick marking 'crown'.")
    document = document_attach(actor=officer, case_id=case.pk, title="NFI lab report", kind="lab_report",
                               uploaded_file=SimpleUploadedFile("lab.pdf", MATRIX_PDF))
    exhibit = exhibit_add(actor=officer, case_id=case.pk, description="Sample from brick 12", holder="Customs lab",
                          location="Rotterdam")
    # The prosecutor has opened the case before, with a reason (the gate is tested elsewhere).
    case_consult(actor=cast["rtm.prosecutor"], case=case, justification="Referral received")
    return {"case": case, "note": note, "document": document, "exhibit": exhibit}


def browser(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def tab(case) -> str:
    return reverse("cases:tab", args=[case.pk, "evidence"])


def file_url(case) -> str:
    return reverse("cases:evidence-request", args=[case.pk])


def decide_url(case, request_id) -> str:
    return reverse("cases:evidence-decide", args=[case.pk, request_id])


def test_the_tab_is_shown_on_h1_cases_only(cast, story, matrix_case):
    page = browser(cast["rtm.officer"]).get(reverse("cases:detail", args=[story["case"].pk]))
    assert tab(story["case"]).encode() in page.content
    h0 = matrix_case("owned")
    client = browser(cast["rtm.officer"])
    assert tab(h0).encode() not in client.get(reverse("cases:detail", args=[h0.pk])).content
    assert client.get(tab(h0)).status_code == 404
    assert client.post(file_url(h0), {"items": [f"case:{h0.pk}"], "justification": "x"}).status_code == 403


def test_a_prosecutor_ticks_items_and_says_why(cast, story):
    case, client = story["case"], browser(cast["rtm.prosecutor"])
    page = client.get(tab(case))
    assert page.status_code == 200
    for value in (f"case:{case.pk}", f"document:{story['document'].pk}", f"note:{story['note'].pk}",
                  f"exhibit:{story['exhibit'].pk}"):
        assert f'value="{value}"'.encode() in page.content
    assert b"NFI lab report" in page.content and b"EX-001" in page.content
    # Nothing ticked, no reason: both fields say so, nothing is filed.
    refused = client.post(file_url(case), {"justification": ""})
    assert refused.status_code == 200
    assert b"Not requested. Please correct the fields marked below." in refused.content
    assert b'id="id_items_error"' in refused.content or b"This field is required." in refused.content
    assert not EvidenceRequest.objects.filter(case=case).exists()
    filed = client.post(file_url(case), {"items": [f"note:{story['note'].pk}", f"exhibit:{story['exhibit'].pk}"],
                                         "justification": JUSTIFICATION})
    assert filed.status_code == 302 and filed.url == tab(case)
    request = EvidenceRequest.objects.get(case=case)
    assert (request.requested_by, request.status, request.items.count()) == (cast["rtm.prosecutor"], "pending", 2)
    shown = client.get(tab(case))
    assert b"Evidence use requested from NL-CUS-RTM." in shown.content
    assert b"Pending" in shown.content and b"Sample from brick 12" in shown.content
    assert b"Your decision" not in shown.content


def test_an_item_of_another_case_is_refused_on_the_field(cast, story, matrix_case):
    other = matrix_case("referred")
    response = browser(cast["rtm.prosecutor"]).post(file_url(story["case"]), {
        "items": [f"case:{other.pk}"], "justification": JUSTIFICATION})
    assert response.status_code == 200 and b"is not one of the available choices" in response.content
    assert not EvidenceRequest.objects.filter(case=story["case"]).exists()


def test_the_owner_refuses_with_a_reason_then_a_second_decision_is_refused(cast, story):
    case = story["case"]
    request = evidence_request_file(actor=cast["rtm.prosecutor"], case_id=case.pk, justification=JUSTIFICATION,
                                    items=[{"type": "note", "id": str(story["note"].pk)}])
    client = browser(cast["rtm.officer"])
    page = client.get(tab(case))
    assert b"Your decision" in page.content and JUSTIFICATION.encode() in page.content
    without = client.post(decide_url(case, request.pk), {"decision": "refuse", "reason": ""})
    assert without.status_code == 200 and b"Say why the request is refused." in without.content
    assert EvidenceRequest.objects.get(pk=request.pk).status == "pending"
    done = client.post(decide_url(case, request.pk), {"decision": "refuse", "reason": "Source protection"},
                       HTTP_HX_REQUEST="true", HTTP_HX_TARGET="case-tabs")
    assert done.status_code == 200 and b"Refused: NL-OM-RTM is told your reason." in done.content
    assert EvidenceRequest.objects.get(pk=request.pk).status == "refused"
    again = client.post(decide_url(case, request.pk), {"decision": "grant"})
    assert again.status_code == 302
    assert EvidenceRequest.objects.get(pk=request.pk).status == "refused"
    seen = browser(cast["rtm.prosecutor"]).get(tab(case))
    assert b"Refused" in seen.content and b"Source protection" in seen.content


def test_the_owner_grants_and_others_have_no_say(cast, story):
    case = story["case"]
    request = evidence_request_file(actor=cast["rtm.prosecutor"], case_id=case.pk, justification=JUSTIFICATION,
                                    items=[{"type": "case", "id": str(case.pk)}])
    analyst = browser(cast["rtm.analyst"])
    assert JUSTIFICATION.encode() in analyst.get(tab(case)).content
    assert b"Your decision" not in analyst.get(tab(case)).content
    assert analyst.post(decide_url(case, request.pk), {"decision": "grant"}).status_code == 403
    assert browser(cast["rtm.prosecutor"]).post(decide_url(case, request.pk), {"decision": "grant"}).status_code == 404
    assert browser(cast["ham.officer"]).post(decide_url(case, request.pk), {"decision": "grant"}).status_code == 404
    # CSRF holds as on every form.
    forged = browser(cast["rtm.officer"], enforce_csrf_checks=True).post(decide_url(case, request.pk),
                                                                        {"decision": "grant"})
    assert forged.status_code == 403
    assert EvidenceRequest.objects.get(pk=request.pk).status == "pending"
    granted = browser(cast["rtm.officer"]).post(decide_url(case, request.pk), {"decision": "grant", "reason": ""})
    assert granted.status_code == 302
    assert EvidenceRequest.objects.get(pk=request.pk).status == "granted"
    seen = browser(cast["rtm.prosecutor"]).get(tab(case))
    assert b"Granted" in seen.content
