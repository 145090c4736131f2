"""Every handling rule at every entry point: a generated matrix of rule × entry point.

Each rule is a story on the fixed cast (a case and the user who tries to get around the rule).
Each entry point is a way in: a browser page, an API route, the Django admin (as the platform
superuser), a document download, the owning agency's CSV audit export, and the notification
text a user receives. Every cell is written out by hand in CELLS, so the policy can be wrong
and the test will say so; every cell checks the status, the refusal code where there is one,
that the body holds none of the case's content, and that the rule still holds afterwards.
"""
import datetime
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.access import Action, can
from cases.models import Case, CaseGrant, CaseShare
from cases.services import case_consult, case_create, case_share, case_transition, document_attach, note_add, party_add
from cast import MATRIX_PDF
from notifications.delivery import deliver_event
from notifications.models import OutboxEvent
from test_views_changes import edit_post

JUSTIFIED = {"HTTP_X_JUSTIFICATION": "Joint investigation into the Rotterdam-Antwerp line"}
NOTE = "Crew member recognised from the 2025 Antwerp seizure"
PARTY = "Oranje Fruit Import B.V."
CONDITIONS = "Not to be discussed with the port authority."


@dataclass
class Story:
    case: Case
    actor: str  # the user trying to get around the rule
    third: str  # the user who would gain from it (or the owner who must keep access)
    cast: dict

    def client(self, username: str) -> Client:
        client = Client()
        client.force_login(self.cast[username])
        return client

    def api(self, username: str) -> APIClient:
        client = APIClient()
        client.force_authenticate(self.cast[username])
        client.credentials(**JUSTIFIED)
        return client

    def secrets(self) -> list[str]:
        document = self.case.documents.first()
        return [self.case.title, NOTE, PARTY, CONDITIONS, document.title, document.original_filename]


def _content_of(case: Case, owner) -> None:
    """Content a leak would show: a note, a party, a document."""
    note_add(actor=owner, case_id=case.pk, text=NOTE)
    party_add(actor=owner, case_id=case.pk, kind="company", role="consignee", name=PARTY)
    if not case.documents.exists():
        document_attach(actor=owner, case_id=case.pk, title="Scan of container", kind="seizure_report",
                        uploaded_file=SimpleUploadedFile("scan.pdf", MATRIX_PDF))


def _h3_case(cast, matrix_case) -> Case:
    case = case_create(actor=cast["rtm.officer"], title="H3 reefer with conditions", port="NLRTM",
                       seized_at=timezone.now() - datetime.timedelta(days=2), handling_code="H3",
                       h3_conditions=CONDITIONS, legal_basis="Art. 46 UCC", summary="Under conditions")
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level="view")
    return case


def _opened(key: str):
    def setup(cast, matrix_case) -> Case:
        case = matrix_case(key)
        case_transition(actor=cast["rtm.officer"], case_id=case.pk, to="open")
        return Case.objects.get(pk=case.pk)
    return setup


def _matrix(key: str):
    return lambda cast, matrix_case: matrix_case(key)


ENTRY_POINTS = ["browser", "api", "admin", "download", "csv", "notification"]


@dataclass(frozen=True)
class Expect:
    status: int
    code: str | None = None


# --- The entry points: each takes the story and answers (response, body) -------------------------

def _browser_share(s: Story):
    return s.client(s.actor).post(reverse("cases:add", args=[s.case.pk, "sharing"]),
                                  {"agency": "DE-ZOLL-HAM", "level": "view"})


def _browser_refer(s: Story):
    return s.client(s.actor).post(reverse("cases:transition", args=[s.case.pk]),
                                  {"to": "referred", "agency": "BE-PROS-ANR"})


def _browser_grant(s: Story):
    return s.client(s.actor).post(reverse("cases:add", args=[s.case.pk, "grants"]),
                                  {"username": "ham.officer", "level": "view"})


def _browser_edit(**changes):
    return lambda s: s.client(s.actor).post(reverse("cases:edit", args=[s.case.pk]), edit_post(s.case, **changes))


def _browser_read(tab: str = "notes"):
    return lambda s: s.client(s.actor).get(reverse("cases:tab", args=[s.case.pk, tab]))


def _browser_add_note(s: Story):
    return s.client(s.actor).post(reverse("cases:add", args=[s.case.pk, "notes"]), {"text": "Mine"})


def _api_post(path: str, body: dict):
    return lambda s: s.api(s.actor).post(path.format(case=s.case.pk), body, format="json")


def _api_patch(**changes):
    return lambda s: s.api(s.actor).patch(f"/api/v1/cases/{s.case.pk}/", {**changes, "version": s.case.version},
                                          format="json")


def _api_read(part: str = ""):
    return lambda s: s.api(s.actor).get(f"/api/v1/cases/{s.case.pk}/{part}")


def _admin(path: str, method: str = "get", data: dict | None = None):
    def visit(s: Story):
        client = s.client("admin")
        url = path.format(case=s.case.pk)
        return client.post(url, data or {}) if method == "post" else client.get(url)
    return visit


def _download(username_of: Callable[[Story], str]):
    def download(s: Story):
        document = s.case.documents.first()
        return s.api(username_of(s)).get(f"/api/v1/cases/{s.case.pk}/documents/{document.pk}/download/")
    return download


def _csv(s: Story):
    """The owning agency's auditor exports the trail of the case: who tried what, no content."""
    return s.api("rtm.auditor").get("/api/v1/audit/export/", {"case": str(s.case.pk)})


def _inbox_of(username_of: Callable[[Story], str]):
    """What the user's inbox says after the owner's next acts on the case, delivered in this process."""
    def inbox(s: Story):
        start = OutboxEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        note_add(actor=s.cast["rtm.officer"], case_id=s.case.pk, text="Another note")
        for event_id in OutboxEvent.objects.filter(id__gt=start).values_list("id", flat=True):
            deliver_event(event_id)
        return s.api(username_of(s)).get("/api/v1/notifications/")
    return inbox


ACTOR, THIRD = (lambda s: s.actor), (lambda s: s.third)
SHARE_WITH_HAMBURG = _api_post("/api/v1/cases/{case}/shares/", {"agency": "DE-ZOLL-HAM", "level": "view"})
REFER_TO_ANTWERP = _api_post("/api/v1/cases/{case}/transition/", {"to": "referred", "agency": "BE-PROS-ANR"})
GRANT_HAMBURG = _api_post("/api/v1/cases/{case}/grants/", {"username": "ham.officer", "level": "view"})

# rule -> (case setup, actor, third party, the actor's attempt over the API). The download, CSV
# and notification cells look at the platform after the attempt.
RULES = {
    "h2_reshare": (_matrix("h2_managed_by_liaison"), "liaison.officer", "ham.officer", SHARE_WITH_HAMBURG),
    "h2_referral": (_opened("h2_managed_by_liaison"), "liaison.officer", "anr.prosecutor", REFER_TO_ANTWERP),
    "h2_named_grant": (_matrix("h2_managed_by_liaison"), "liaison.officer", "ham.officer", GRANT_HAMBURG),
    "non_owner_handling_code": (_matrix("h2_managed_by_liaison"), "liaison.officer", "ham.officer",
                                _api_patch(handling_code="H0")),
    "non_owner_restricted": (_matrix("shared_manage"), "ham.officer", "rtm.officer", _api_patch(restricted=True)),
    "h3_before_acknowledgement": (_h3_case, "liaison.officer", "liaison.officer", _api_read()),
    "restricted_without_grant": (_matrix("restricted"), "rtm.analyst", "rtm.analyst", _api_read()),
    "restricted_after_share": (_matrix("shared_then_restricted"), "anr.officer", "anr.officer", _api_read()),
    "analyst_cap": (_matrix("owned"), "rtm.analyst", "rtm.analyst",
                    _api_post("/api/v1/cases/{case}/notes/", {"text": "Mine"})),
    "auditor_cap": (_matrix("owned"), "rtm.auditor", "rtm.auditor", _api_read()),
    "agency_admin_cap": (_matrix("owned"), "rtm.admin", "rtm.admin", _api_read()),
    "superuser_without_grant": (_matrix("owned"), "admin", "admin", _api_read()),
}
GUARDIAN_SCREEN = "/admin/cases/case/{case}/permissions/"
CASE_ADMIN = "/admin/cases/case/{case}/change/"

# (rule, entry point) -> (act, expectation). Written out: no cell may be missing.
CELLS: dict[tuple[str, str], tuple[Callable, Expect]] = {
    ("h2_reshare", "browser"): (_browser_share, Expect(403)),
    ("h2_reshare", "api"): (_api_post("/api/v1/cases/{case}/shares/", {"agency": "DE-ZOLL-HAM", "level": "view"}),
                            Expect(403, "h2_no_reshare")),
    ("h2_reshare", "admin"): (_admin("/admin/cases/caseshare/add/"), Expect(403)),
    ("h2_reshare", "download"): (_download(THIRD), Expect(404)),
    ("h2_reshare", "csv"): (_csv, Expect(200)),
    ("h2_reshare", "notification"): (_inbox_of(THIRD), Expect(200)),

    ("h2_referral", "browser"): (_browser_refer, Expect(403)),
    ("h2_referral", "api"): (_api_post("/api/v1/cases/{case}/transition/", {"to": "referred", "agency": "BE-PROS-ANR"}),
                             Expect(403, "h2_no_reshare")),
    ("h2_referral", "admin"): (_admin(CASE_ADMIN, "post", {"status": "referred"}), Expect(403)),
    ("h2_referral", "download"): (_download(THIRD), Expect(404)),
    ("h2_referral", "csv"): (_csv, Expect(200)),
    ("h2_referral", "notification"): (_inbox_of(THIRD), Expect(200)),

    ("h2_named_grant", "browser"): (_browser_grant, Expect(403)),
    ("h2_named_grant", "api"): (_api_post("/api/v1/cases/{case}/grants/", {"username": "ham.officer", "level": "view"}),
                                Expect(403, "h2_no_reshare")),
    ("h2_named_grant", "admin"): (_admin(GUARDIAN_SCREEN), Expect(404)),
    ("h2_named_grant", "download"): (_download(THIRD), Expect(404)),
    ("h2_named_grant", "csv"): (_csv, Expect(200)),
    ("h2_named_grant", "notification"): (_inbox_of(THIRD), Expect(200)),

    # The edit form shows the owner's decisions disabled: a posted value is dropped, the rest saved.
    ("non_owner_handling_code", "browser"): (_browser_edit(handling_code="H0"), Expect(302)),
    ("non_owner_handling_code", "api"): (_api_patch(handling_code="H0"), Expect(403, "owner_decision")),
    ("non_owner_handling_code", "admin"): (_admin(CASE_ADMIN, "post", {"handling_code": "H0"}), Expect(403)),
    ("non_owner_handling_code", "download"): (_download(THIRD), Expect(404)),
    ("non_owner_handling_code", "csv"): (_csv, Expect(200)),
    ("non_owner_handling_code", "notification"): (_inbox_of(THIRD), Expect(200)),

    ("non_owner_restricted", "browser"): (_browser_edit(restricted=True), Expect(302)),
    ("non_owner_restricted", "api"): (_api_patch(restricted=True), Expect(403, "owner_decision")),
    ("non_owner_restricted", "admin"): (_admin(CASE_ADMIN, "post", {"restricted": "on"}), Expect(403)),
    # The owner keeps their own case: the manager's attempt took nothing away.
    ("non_owner_restricted", "download"): (_download(THIRD), Expect(200)),
    ("non_owner_restricted", "csv"): (_csv, Expect(200)),
    ("non_owner_restricted", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("h3_before_acknowledgement", "browser"): (_browser_read("notes"), Expect(200)),  # the gate, not the notes
    ("h3_before_acknowledgement", "api"): (_api_read("notes/"), Expect(403, "conditions_acknowledgement_required")),
    ("h3_before_acknowledgement", "admin"): (_admin(CASE_ADMIN), Expect(200)),
    ("h3_before_acknowledgement", "download"): (_download(ACTOR), Expect(403, "conditions_acknowledgement_required")),
    ("h3_before_acknowledgement", "csv"): (_csv, Expect(200)),
    ("h3_before_acknowledgement", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("restricted_without_grant", "browser"): (_browser_read(), Expect(404)),
    ("restricted_without_grant", "api"): (_api_read(), Expect(404)),
    ("restricted_without_grant", "admin"): (_admin(CASE_ADMIN), Expect(200)),
    ("restricted_without_grant", "download"): (_download(ACTOR), Expect(404)),
    ("restricted_without_grant", "csv"): (_csv, Expect(200)),
    ("restricted_without_grant", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("restricted_after_share", "browser"): (_browser_read(), Expect(404)),
    ("restricted_after_share", "api"): (_api_read("parties/"), Expect(404)),
    ("restricted_after_share", "admin"): (_admin(CASE_ADMIN), Expect(200)),
    ("restricted_after_share", "download"): (_download(ACTOR), Expect(404)),
    ("restricted_after_share", "csv"): (_csv, Expect(200)),
    ("restricted_after_share", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("analyst_cap", "browser"): (_browser_add_note, Expect(403)),
    ("analyst_cap", "api"): (_api_post("/api/v1/cases/{case}/notes/", {"text": "Mine"}), Expect(403, "forbidden")),
    ("analyst_cap", "admin"): (_admin(CASE_ADMIN), Expect(200)),
    ("analyst_cap", "download"): (_download(ACTOR), Expect(200)),  # an analyst reads, never writes
    ("analyst_cap", "csv"): (_csv, Expect(200)),
    ("analyst_cap", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("auditor_cap", "browser"): (_browser_read(), Expect(404)),
    ("auditor_cap", "api"): (_api_read(), Expect(404)),
    ("auditor_cap", "admin"): (_admin(CASE_ADMIN), Expect(200)),
    ("auditor_cap", "download"): (_download(ACTOR), Expect(404)),
    ("auditor_cap", "csv"): (_csv, Expect(200)),
    ("auditor_cap", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("agency_admin_cap", "browser"): (_browser_read(), Expect(404)),
    ("agency_admin_cap", "api"): (_api_read("seizures/"), Expect(404)),
    ("agency_admin_cap", "admin"): (_admin(CASE_ADMIN), Expect(200)),
    ("agency_admin_cap", "download"): (_download(ACTOR), Expect(404)),
    ("agency_admin_cap", "csv"): (_csv, Expect(200)),
    ("agency_admin_cap", "notification"): (_inbox_of(ACTOR), Expect(200)),

    ("superuser_without_grant", "browser"): (_browser_read(), Expect(404)),
    ("superuser_without_grant", "api"): (_api_read(), Expect(404)),
    ("superuser_without_grant", "admin"): (_admin(GUARDIAN_SCREEN), Expect(404)),
    ("superuser_without_grant", "download"): (_download(ACTOR), Expect(404)),
    ("superuser_without_grant", "csv"): (_csv, Expect(200)),
    ("superuser_without_grant", "notification"): (_inbox_of(ACTOR), Expect(200)),
}

# Cells where the reader may legitimately see some of the case (a manager, an analyst reading).
SEES_CONTENT = {("analyst_cap", "download"), ("non_owner_restricted", "download")}
ASKS_FOR_CONDITIONS = {("h3_before_acknowledgement", entry) for entry in ("browser", "api", "download")}
# Rules whose actor holds the case (a manager): they have opened it once, with its reason,
# as they would have before trying anything.
HOLDERS = {"h2_reshare", "h2_referral", "h2_named_grant", "non_owner_handling_code", "non_owner_restricted"}


def _still_holds(rule: str, story: Story) -> None:
    """After any attempt, the rule's point is intact."""
    case = Case.objects.get(pk=story.case.pk)
    third = story.cast[story.third]
    if rule in {"h2_reshare", "h2_referral", "h2_named_grant", "non_owner_handling_code"}:
        assert case.handling_code == "H2" and case.referred_to_id is None
        assert not CaseShare.objects.filter(case=case, agency__code__in=["DE-ZOLL-HAM", "BE-PROS-ANR"]).exists()
        assert not CaseGrant.objects.filter(case=case, user__username="ham.officer").exists()
        assert not can(third, Action.VIEW, case)
    elif rule == "non_owner_restricted":
        assert not case.restricted and can(third, Action.VIEW, case)
    elif rule == "h3_before_acknowledgement":
        consulted = AuditEvent.objects.filter(case_id=case.pk, actor_username=story.actor, operation="consultation")
        assert not consulted.exists()
    else:
        assert not can(third, Action.VIEW, case) or rule == "analyst_cap"
    if rule == "analyst_cap":
        assert not case.notes.filter(text="Mine").exists()


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


@pytest.mark.parametrize("rule,entry", [(rule, entry) for rule in RULES for entry in ENTRY_POINTS],
                         ids=[f"{rule}-{entry}" for rule in RULES for entry in ENTRY_POINTS])
def test_rule_holds_at_entry_point(rule, entry, cast, matrix_case):
    setup, actor, third, attempt = RULES[rule]
    case = setup(cast, matrix_case)
    _content_of(case, cast["rtm.officer"])
    story = Story(case=Case.objects.get(pk=case.pk), actor=actor, third=third, cast=cast)
    if rule in HOLDERS:
        case_consult(actor=cast[actor], case=story.case, justification="Joint investigation")
    act, expect = CELLS[(rule, entry)]
    if entry in {"download", "csv", "notification"}:
        assert attempt(story).status_code in {403, 404}

    response = act(story)
    body = _body(response)

    assert response.status_code == expect.status, body[:400]
    if expect.code:
        assert response.json()["code"] == expect.code
    if (rule, entry) not in SEES_CONTENT:
        for secret in story.secrets():
            if secret == CONDITIONS and (rule, entry) in ASKS_FOR_CONDITIONS:
                continue  # the refusal names the conditions to accept, and only them
            assert secret.encode() not in body, (secret, body[:400])
    if entry == "csv":  # the owning agency's auditors see who tried their case, and nothing of its content
        assert f"access_denied,{'not_visible' if response_was_404(rule) else 'forbidden'},{actor}".encode() in body
    _still_holds(rule, story)


def response_was_404(rule: str) -> bool:
    return rule in {"restricted_without_grant", "restricted_after_share", "auditor_cap", "agency_admin_cap",
                    "superuser_without_grant"}


def test_every_cell_is_written_out():
    assert set(CELLS) == {(rule, entry) for rule in RULES for entry in ENTRY_POINTS}


def test_the_edit_form_of_an_h3_case_waits_behind_the_gate(cast):
    """The edit form shows the case's fields: a foreign manager meets the H3 gate there too."""
    case = _h3_case(cast, None)
    case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level="manage")
    client = Client()
    client.force_login(cast["liaison.officer"])
    response = client.get(reverse("cases:edit", args=[case.pk]))
    assert (response.status_code, response["Location"]) == (302, reverse("cases:detail", args=[case.pk]))
    gate = client.get(response["Location"]).content.decode()
    assert CONDITIONS in gate and case.title not in gate
