"""H1 evidence-use requests over /api/v1/ (issue 16, API.md "Prosecution").

The story: Rotterdam customs owns an H1 case with a note, a document and an exhibit, and refers
it to the Rotterdam prosecution office. Its prosecutor asks to use items as evidence; Rotterdam
grants or refuses. A Rotterdam analyst sees the requests but may not decide; the prosecutor may
not decide their own request; the Antwerp prosecutor cannot see the case at all.
"""
import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from agencies.models import Agency
from agencies.services import membership_set_role
from audit.models import AuditEvent, Operation
from cases.choices import HandlingCode, Status
from cases.models import EvidenceRequest, EvidenceRequestItem
from cases.selectors_evidence import evidence_standing, standing_of, withheld_reason
from cases.services import case_create, case_share, case_transition, document_attach, note_add
from cases.services.evidence import evidence_request_decide, evidence_request_file
from cases.services.exhibits import exhibit_add
from cast import MATRIX_PDF
from coordination.errors import ActionForbidden, Conflict, NotVisible
from notifications.models import OutboxEvent

JUSTIFICATION = "Trial of the pineapple importers: the informant's lead is the basis of the charge"


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    # A first consultation of another agency's case needs a reason (the agencies' policy).
    client.credentials(HTTP_X_JUSTIFICATION="Prosecution of the pineapple case")
    return client


def h1_case(cast, *, handling_code=HandlingCode.H1, owner="rtm.officer", refer=True):
    actor = cast[owner]
    case = case_create(actor=actor, title="Informant lead on cocaine in pineapples", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=3), handling_code=handling_code,
                       legal_basis="Art. 46 UCC")
    if refer:
        case_transition(actor=actor, case_id=case.pk, to=Status.OPEN)
        case_transition(actor=actor, case_id=case.pk, to=Status.REFERRED, agency_code="NL-OM-RTM")
    return case


@pytest.fixture
def story(cast):
    """The H1 case referred to NL-OM-RTM, with one note, one document and one exhibit."""
    officer = cast["rtm.officer"]
    case = h1_case(cast)
    note = note_add(actor=officer, case_id=case.pk, text="Informant: brick marking 'crown'.")
    document = document_attach(actor=officer, case_id=case.pk, title="Lab report", kind="lab_report",
                               uploaded_file=SimpleUploadedFile("lab.pdf", MATRIX_PDF))
    exhibit = exhibit_add(actor=officer, case_id=case.pk, description="Sample from brick 12", holder="Customs lab",
                          location="Rotterdam")
    return {"case": case, "note": note, "document": document, "exhibit": exhibit}


@pytest.fixture
def member(db):
    """A new active member of an agency."""
    def create(agency_code: str, role: str):
        user = get_user_model().objects.create_user(username=f"{agency_code.lower()}.{uuid.uuid4().hex[:6]}")
        membership_set_role(actor=None, user=user, agency=Agency.objects.get(code=agency_code), role=role)
        return user

    return create


def url(case, *rest) -> str:
    return "/".join([f"/api/v1/cases/{case.pk}/evidence-requests", *map(str, rest)]) + "/"


def items_of(story, *kinds) -> list[dict]:
    return [{"type": kind, "id": str(story["case"].pk if kind == "case" else story[kind].pk)} for kind in kinds]


def file(cast, story, *kinds, user="rtm.prosecutor", justification=JUSTIFICATION):
    actor = cast[user] if isinstance(user, str) else user
    return api(actor).post(url(story["case"]), {"items": items_of(story, *kinds),
                                                     "justification": justification}, format="json")


def decide(cast, story, request_id, user="rtm.officer", **body):
    return api(cast[user]).post(url(story["case"], request_id, "decide"), body, format="json")


def test_a_prosecutor_files_a_request_that_answers_the_contract_shape(cast, story):
    response = file(cast, story, "case", "note", "document", "exhibit", "note")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) >= {"id", "items", "justification", "status", "reason", "requested_by", "requester_agency",
                         "created_at", "decided_at"}
    assert (body["status"], body["reason"], body["decided_at"]) == ("pending", "", None)
    assert (body["requested_by"], body["requester_agency"], body["justification"]) == (
        "rtm.prosecutor", "NL-OM-RTM", JUSTIFICATION)
    # The duplicate note is collapsed.
    assert sorted(body["items"], key=lambda item: item["type"]) == sorted(
        items_of(story, "case", "note", "document", "exhibit"), key=lambda item: item["type"])
    assert EvidenceRequestItem.objects.filter(request_id=body["id"]).count() == 4
    record = AuditEvent.objects.get(action="evidence_request_file", object_id=body["id"])
    assert (record.operation, record.case_id, record.case_agency, record.recipient, record.handling_code) == (
        Operation.COLLECTION, story["case"].pk, "NL-CUS-RTM", "NL-OM-RTM", "H1")
    assert record.justification == JUSTIFICATION


def test_the_owner_sees_every_request_and_a_requester_only_its_own(cast, story, member):
    file(cast, story, "note")
    other_prosecutor = member("NL-OM-RTM", "prosecutor")
    file(cast, story, "document", user=other_prosecutor)
    owner_side = api(cast["rtm.analyst"]).get(url(story["case"]))
    assert owner_side.status_code == 200
    assert len(owner_side.json()["results"]) == 2
    mine = api(cast["rtm.prosecutor"]).get(url(story["case"])).json()["results"]
    assert len(mine) == 2  # the same agency's requests: NL-OM-RTM asks as one
    # The liaison bureau sees the case (a view share) but asked for nothing.
    case_share(actor=cast["rtm.officer"], case_id=story["case"].pk, agency_code="EU-LIA", level="view")
    assert api(cast["liaison.officer"]).get(url(story["case"])).json()["results"] == []
    request_id = mine[0]["id"]
    assert api(cast["liaison.officer"]).get(url(story["case"], request_id)).status_code == 404
    detail = api(cast["rtm.prosecutor"]).get(url(story["case"], request_id))
    assert detail.status_code == 200 and detail.json()["id"] == request_id


def test_only_a_prosecutor_files(cast, story):
    for username in ("rtm.analyst", "rtm.officer"):
        response = file(cast, story, "note", user=username)
        assert response.status_code == 403 and response.json()["code"] == "prosecutors_only", username
    assert AuditEvent.objects.filter(case_id=story["case"].pk, operation=Operation.ACCESS_DENIED,
                                     actor=cast["rtm.analyst"]).exists()
    assert not EvidenceRequest.objects.filter(case=story["case"]).exists()


def test_an_invisible_case_is_404_for_every_route(cast, story):
    outsider = api(cast["anr.prosecutor"])
    request_id = file(cast, story, "note").json()["id"]
    assert file(cast, story, "note", user="anr.prosecutor").status_code == 404
    assert outsider.get(url(story["case"])).status_code == 404
    assert outsider.get(url(story["case"], request_id)).status_code == 404
    assert decide(cast, story, request_id, user="anr.prosecutor", approve=True).status_code == 404
    assert api(cast["rtm.prosecutor"]).get(url(story["case"], uuid.uuid4())).status_code == 404


def test_nothing_to_ask_on_a_case_that_is_not_h1_or_of_ones_own_agency(cast, matrix_case):
    h0 = matrix_case("referred")  # H0, referred to NL-OM-RTM
    response = api(cast["rtm.prosecutor"]).post(url(h0), {"items": [{"type": "case", "id": str(h0.pk)}],
                                                          "justification": JUSTIFICATION}, format="json")
    assert response.status_code == 400 and "items" in response.json()
    own = h1_case(cast, owner="rtm.prosecutor", refer=False)
    response = api(cast["rtm.prosecutor"]).post(url(own), {"items": [{"type": "case", "id": str(own.pk)}],
                                                           "justification": JUSTIFICATION}, format="json")
    assert response.status_code == 400 and "owns" in response.json()["items"][0]
    assert not EvidenceRequest.objects.filter(case__in=[h0, own]).exists()


def test_bad_items_and_bodies_answer_400_on_their_field(cast, story, matrix_case):
    other = matrix_case("owned")  # invisible to the prosecutor
    client = api(cast["rtm.prosecutor"])
    foreign_document = other.documents.get().pk
    cases = [
        ({"items": [], "justification": JUSTIFICATION}, "items"),
        ({"items": [{"type": "seizure", "id": str(story["case"].pk)}], "justification": JUSTIFICATION}, "items"),
        ({"items": [{"type": "note", "id": "not-a-uuid"}], "justification": JUSTIFICATION}, "items"),
        ({"items": "everything", "justification": JUSTIFICATION}, "items"),
        ({"items": items_of(story, "note")}, "justification"),
        ({"items": items_of(story, "note"), "justification": "   "}, "justification"),
        ({"items": items_of(story, "note"), "justification": JUSTIFICATION, "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = client.post(url(story["case"]), body, format="json")
        assert response.status_code == 400 and field in response.json(), (body, response.content)
    # An item of another case, visible or not, is "no such item", whatever it is.
    for item in ({"type": "document", "id": str(foreign_document)}, {"type": "case", "id": str(other.pk)},
                 {"type": "exhibit", "id": str(story["note"].pk)}, {"type": "note", "id": str(uuid.uuid4())}):
        response = client.post(url(story["case"]), {"items": [*items_of(story, "note"), item],
                                                    "justification": JUSTIFICATION}, format="json")
        assert response.status_code == 400, item
        [message] = response.json()["items"]
        assert "no such item in this case" in message and item["id"] in message
        for secret in (other.title, other.reference, other.documents.get().title):
            assert secret not in response.content.decode()
    assert not EvidenceRequest.objects.filter(case=story["case"]).exists()


def test_the_owner_grants_once_and_the_grant_is_a_disclosure(cast, story):
    request_id = file(cast, story, "note", "exhibit").json()["id"]
    granted = decide(cast, story, request_id, approve=True)
    assert granted.status_code == 200, granted.json()
    body = granted.json()
    assert (body["status"], body["reason"], body["decided_by"]) == ("granted", "", "rtm.officer")
    assert body["decided_at"] is not None
    again = decide(cast, story, request_id, approve=False, reason="Changed our mind")
    assert again.status_code == 409 and again.json()["code"] == "already_decided"
    assert EvidenceRequest.objects.get(pk=request_id).status == "granted"
    record = AuditEvent.objects.get(action="evidence_request_grant", object_id=request_id)
    assert (record.operation, record.recipient, record.case_id, record.actor.username) == (
        Operation.DISCLOSURE, "NL-OM-RTM", story["case"].pk, "rtm.officer")
    assert record.changes["decision"] == "granted"
    assert sorted(record.changes["items"]) == sorted([f"note:{story['note'].pk}", f"exhibit:{story['exhibit'].pk}"])


def test_a_refusal_needs_a_reason_and_is_recorded(cast, story):
    request_id = file(cast, story, "document").json()["id"]
    without = decide(cast, story, request_id, approve=False)
    assert without.status_code == 400 and "reason" in without.json()
    assert decide(cast, story, request_id, approve="perhaps").status_code == 400
    assert decide(cast, story, request_id).status_code == 400  # approve is required
    refused = decide(cast, story, request_id, approve=False, reason="The informant would be exposed")
    assert refused.status_code == 200
    assert (refused.json()["status"], refused.json()["reason"]) == ("refused", "The informant would be exposed")
    record = AuditEvent.objects.get(action="evidence_request_refuse", object_id=request_id)
    assert (record.operation, record.recipient, record.justification) == (
        Operation.DISCLOSURE, "NL-OM-RTM", "The informant would be exposed")
    assert record.changes["decision"] == "refused"
    assert decide(cast, story, request_id, approve=True).status_code == 409


def test_only_the_owner_side_that_may_share_decides(cast, story):
    request_id = file(cast, story, "note").json()["id"]
    # The requester's side never decides: the request is not theirs to see as a decision.
    assert decide(cast, story, request_id, user="rtm.prosecutor", approve=True).status_code == 404
    # An analyst of the owning agency sees the request but may not decide it.
    analyst = decide(cast, story, request_id, user="rtm.analyst", approve=True)
    assert analyst.status_code == 403
    assert decide(cast, story, request_id, user="ham.officer", approve=True).status_code == 404
    assert decide(cast, story, uuid.uuid4(), approve=True).status_code == 404
    assert EvidenceRequest.objects.get(pk=request_id).status == "pending"
    assert not AuditEvent.objects.filter(object_id=request_id, operation=Operation.DISCLOSURE).exists()


def test_a_request_of_another_case_is_404_under_this_one(cast, story):
    request_id = file(cast, story, "note").json()["id"]
    other = h1_case(cast)
    assert api(cast["rtm.officer"]).get(url(other, request_id)).status_code == 404
    response = api(cast["rtm.officer"]).post(url(other, request_id, "decide"), {"approve": True}, format="json")
    assert response.status_code == 404
    assert EvidenceRequest.objects.get(pk=request_id).status == "pending"


def test_standing_follows_the_request_from_never_asked_to_granted(cast, story):
    case, agency_id = story["case"], cast["rtm.prosecutor"].memberships.get().agency_id

    def standing(kind):
        return standing_of(evidence_standing(case=case, agency_id=agency_id), case=case, agency_id=agency_id,
                           item_type=kind, item_id=story[kind].pk)

    assert (standing("note").usable, standing("note").status) == (False, "not_requested")
    assert "not been requested" in withheld_reason(standing("note"))
    request_id = file(cast, story, "note").json()["id"]
    assert (standing("note").usable, standing("note").status) == (False, "pending")
    assert standing("document").status == "not_requested"
    decide(cast, story, request_id, approve=True, reason="For the trial only")
    assert (standing("note").usable, standing("note").status) == (True, "granted")
    assert standing("document").usable is False
    refused_id = file(cast, story, "document").json()["id"]
    decide(cast, story, refused_id, approve=False, reason="Source protection")
    assert (standing("document").usable, standing("document").reason) == (False, "Source protection")
    assert "Source protection" in withheld_reason(standing("document"))
    # Asked again after the refusal: pending again, until the owner answers.
    again_id = file(cast, story, "document").json()["id"]
    assert standing("document").status == "pending"
    decide(cast, story, again_id, approve=True)
    assert standing("document").usable is True
    # A later refusal of the same item does not take a grant back.
    later_id = file(cast, story, "note").json()["id"]
    decide(cast, story, later_id, approve=False, reason="Enough")
    assert (standing("note").usable, standing("note").status) == (True, "granted")


def test_both_sides_hear_of_it_through_the_outbox_with_ids_only(cast, story):
    request_id = file(cast, story, "note").json()["id"]
    requested = OutboxEvent.objects.get(kind="evidence_use_requested")
    assert (requested.case_id, requested.agency.code) == (story["case"].pk, "NL-CUS-RTM")
    assert requested.payload["evidence_request"] == request_id
    decide(cast, story, request_id, approve=False, reason="The informant would be exposed")
    decided = OutboxEvent.objects.get(kind="evidence_use_decided")
    assert decided.agency.code == "NL-OM-RTM"
    assert cast["rtm.prosecutor"].pk in decided.payload["users"]
    assert decided.payload["decision"] == "refused"
    for event in (requested, decided):
        assert JUSTIFICATION not in str(event.payload) and "informant" not in str(event.payload)


def test_the_services_answer_alike(cast, story):
    """The browser calls the same services: the rules hold without the API in front."""
    case = story["case"]
    with pytest.raises(NotVisible):
        evidence_request_file(actor=cast["anr.prosecutor"], case_id=case.pk, items=items_of(story, "note"),
                              justification=JUSTIFICATION)
    with pytest.raises(ActionForbidden):
        evidence_request_file(actor=cast["rtm.analyst"], case_id=case.pk, items=items_of(story, "note"),
                              justification=JUSTIFICATION)
    created = evidence_request_file(actor=cast["rtm.prosecutor"], case_id=case.pk, items=items_of(story, "note"),
                                    justification=JUSTIFICATION)
    with pytest.raises(NotVisible):
        evidence_request_decide(actor=cast["rtm.prosecutor"], case_id=case.pk, request_id=created.pk, approve=True)
    evidence_request_decide(actor=cast["rtm.officer"], case_id=case.pk, request_id=created.pk, approve=True)
    with pytest.raises(Conflict):
        evidence_request_decide(actor=cast["rtm.officer"], case_id=case.pk, request_id=created.pk, approve=True)


def test_listing_is_a_consultation_behind_the_justification_rule(cast, story):
    client = APIClient()
    client.force_authenticate(cast["rtm.prosecutor"])
    refused = client.get(url(story["case"]))
    assert refused.status_code == 403 and refused.json()["code"] == "justification_required"
    listed = client.get(url(story["case"]), HTTP_X_JUSTIFICATION="Preparing the indictment")
    assert listed.status_code == 200
    assert AuditEvent.objects.filter(case_id=story["case"].pk, action="evidence_requests_view",
                                     actor=cast["rtm.prosecutor"]).exists()


def test_the_list_costs_the_same_queries_for_one_request_or_many(cast, story, django_assert_num_queries):
    client = api(cast["rtm.officer"])
    file(cast, story, "note")
    # The request's savepoint and its release, the case with the caller's access, the consultation
    # record (once per hour), the requests, their items.
    with django_assert_num_queries(6):
        assert len(client.get(url(story["case"])).json()["results"]) == 1
    for kind in ("document", "exhibit", "case", "note"):
        file(cast, story, kind)
    with django_assert_num_queries(6):
        assert len(client.get(url(story["case"])).json()["results"]) == 5


@pytest.mark.parametrize("items", [
    [{"type": "seizure", "id": "not-a-uuid"}],
    [{}],
    [None],
    [1, 2],
    [],
    "everything",
    {"type": "note"},
    [{"type": "note", "id": str(uuid.uuid4())}] * 501,
], ids=["bad-type-and-id", "empty-item", "null-item", "numbers", "empty", "string", "object", "too-many"])
def test_item_errors_are_a_flat_list_of_messages_as_the_contract_says(cast, story, items):
    """API.md: a 400 is {"field": ["message", ...]}; the nested list's errors are flattened, each
    message naming the item it is about."""
    response = api(cast["rtm.prosecutor"]).post(url(story["case"]), {"items": items, "justification": JUSTIFICATION},
                                                format="json")
    assert response.status_code == 400, response.content
    messages = response.json()["items"]
    assert isinstance(messages, list) and messages and all(isinstance(message, str) for message in messages), messages
    if items == [{"type": "seizure", "id": "not-a-uuid"}]:
        assert any(message.startswith("Item 1: type:") for message in messages), messages
        assert any(message.startswith("Item 1: id:") for message in messages), messages
    if items == [1, 2]:
        assert [message[:7] for message in messages] == ["Item 1:", "Item 2:"]
    assert not EvidenceRequest.objects.filter(case=story["case"]).exists()


def test_a_pending_request_answers_what_the_schema_says(cast, story):
    """decided_by is null until the owner decides: the schema says it may be."""
    body = file(cast, story, "note").json()
    assert body["decided_by"] is None and body["decided_at"] is None
    schema = api(cast["rtm.officer"]).get("/api/v1/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for name, shown in (("EvidenceRequest", body),
                        ("CustodyEvent", {"recorded_by": None})):  # an event recorded by no user (a system import)
        properties = components[name]["properties"]
        for field, value in shown.items():
            if value is None:
                assert properties[field].get("nullable") is True, (name, field)
