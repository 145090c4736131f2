"""Issue 16: an H1 evidence-use request reaches those of the owning agency who may decide it, and
the decision reaches the requester and their agency's followers of the case; the texts hold
the decision, never the justification or the reason."""
from cases.services import case_transition
from cases.services.evidence import evidence_request_decide, evidence_request_file
from notifications.models import CaseFollow, Notification

JUSTIFICATION = "Trial of the pineapple importers"


def test_both_sides_hear_of_an_evidence_use_request(cast, open_case, member, committed):
    officer, prosecutor = cast["rtm.officer"], cast["rtm.prosecutor"]
    case = open_case(officer, handling_code="H1")
    case_transition(actor=officer, case_id=case.pk, to="open")
    case_transition(actor=officer, case_id=case.pk, to="referred", agency_code="NL-OM-RTM")
    colleague = member("NL-OM-RTM", "prosecutor")
    CaseFollow.objects.create(user=colleague, case=case)
    with committed():
        request = evidence_request_file(actor=prosecutor, case_id=case.pk, justification=JUSTIFICATION,
                                        items=[{"type": "case", "id": str(case.pk)}])
    asked = {(n.recipient.username, n.text) for n in Notification.objects.filter(kind="evidence_use_requested")}
    # The officer may decide; the analyst of the same agency sees the case but may not share it.
    assert asked == {("rtm.officer", f"{case.reference} [H1]: NL-OM-RTM asks to use this H1 case in judicial "
                                     "proceedings.")}
    with committed():
        evidence_request_decide(actor=officer, case_id=case.pk, request_id=request.pk, approve=False,
                                reason="The informant would be exposed")
    told = {(n.recipient.username, n.text) for n in Notification.objects.filter(kind="evidence_use_decided")}
    text = f"{case.reference} [H1]: The evidence-use request was refused by NL-CUS-RTM."
    assert told == {("rtm.prosecutor", text), (colleague.username, text)}
    for notification in Notification.objects.filter(kind__startswith="evidence_use"):
        assert JUSTIFICATION not in notification.text and "informant" not in notification.text
