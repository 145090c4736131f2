"""Browser pages, read side: dashboard, case list, case page and its gate, error pages.

The cast: Rotterdam customs (rtm.*) owns most cases; the EU liaison bureau holds shares;
Hamburg (ham.officer) is the outsider; rtm.prosecutor receives referrals.
"""
import datetime
import re
import uuid
from urllib.parse import quote

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from cases import selectors_dashboard
from cases.choices import HandlingCode, ShareLevel
from cases.selectors_dashboard import Scope, capped_count
from cases.services import case_create, case_share, identifier_add, seizure_add
from cases.views import listing

HTMX = {"HTTP_HX_REQUEST": "true"}


def new_case(owner, title="Browser test case", **fields):
    values = {"port": "NLRTM", "seized_at": timezone.now() - datetime.timedelta(hours=2),
              "handling_code": HandlingCode.H0, "legal_basis": "Art. 46 UCC", **fields}
    return case_create(actor=owner, title=title, **values)


def tile_count(response, key: str) -> str:
    match = re.search(rf'data-tile="{key}".*?<span data-count>([^<]+)</span>', response.content.decode(), re.DOTALL)
    return match.group(1) if match else None


def listed(response) -> list[str]:
    return re.findall(r'<td class="text-nowrap"><a href="/cases/[0-9a-f-]+/">([A-Z0-9-]+)</a>', response.content.decode())


# Dashboard ---------------------------------------------------------------------------------

def test_dashboard_counts_grow_only_with_what_the_reader_may_see(client, cast):
    client.force_login(cast["liaison.officer"])
    before = client.get(reverse("home"))
    assert before.status_code == 200
    shared_before = int(tile_count(before, "shared"))
    new_case(cast["ham.officer"], "Hamburg keeps this to itself", port="DEHAM")
    shared = new_case(cast["rtm.officer"], "Rotterdam shares this with the bureau")
    case_share(actor=cast["rtm.officer"], case_id=shared.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    after = client.get(reverse("home"))
    assert int(tile_count(after, "shared")) == shared_before + 1
    assert "Hamburg keeps this to itself" not in after.content.decode()
    assert tile_count(after, "referred") is None  # not a prosecutor


def test_prosecutor_dashboard_links_to_the_cases_referred_to_the_office(client, cast, matrix_case):
    client.force_login(cast["rtm.prosecutor"])
    response = client.get(reverse("home"))
    assert int(tile_count(response, "referred")) >= 1
    assert 'href="/cases/?scope=referred&amp;status=active"' in response.content.decode()
    listing = client.get(reverse("cases:list"), {"scope": Scope.REFERRED, "status": "active"})
    assert matrix_case("referred").reference in listed(listing)


def test_dashboard_counts_are_capped_not_exact(client, cast, monkeypatch):
    monkeypatch.setattr(selectors_dashboard, "COUNT_CAP", 3)
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("home"))
    assert tile_count(response, "agency") == "3+"
    assert capped_count(selectors_dashboard.visible_cases(cast["rtm.officer"]), cap=1000).capped is False


def test_auditor_dashboard_shows_no_case_content(client, cast):
    client.force_login(cast["rtm.auditor"])
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "reads the audit trail, not case content" in response.content.decode()
    assert "data-tile" not in response.content.decode()


# Case list ---------------------------------------------------------------------------------

@pytest.fixture
def two_cases(cast):
    officer = cast["rtm.officer"]
    heroin = new_case(officer, "Heroin in marble slabs", summary="Found by the scanner", handling_code="H1")
    seizure_add(actor=officer, case_id=heroin.pk, drug="heroin", quantity="40", unit="kg")
    identifier_add(actor=officer, case_id=heroin.pk, kind="container", value="MSCU1234566")
    cannabis = new_case(officer, "Resin under fruit juice", seized_at=timezone.now() - datetime.timedelta(days=40))
    seizure_add(actor=officer, case_id=cannabis.pk, drug="cannabis_resin", quantity="900", unit="kg")
    return heroin, cannabis


@pytest.mark.parametrize("query,expect_heroin,expect_cannabis", [
    ({"drug": "heroin"}, True, False),
    ({"handling_code": "H1"}, True, False),
    ({"identifier": "mscu 123456-6"}, True, False),
    ({"seized_after": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}, True, False),
    ({"seized_before": (timezone.localdate() - datetime.timedelta(days=30)).isoformat()}, False, True),
    ({"status": "draft", "port": "nl rtm", "owner_agency": "NL-CUS-RTM"}, True, True),
    ({"status": "closed"}, False, False),
    ({"q": "marble"}, True, False),
])
def test_each_filter_narrows_the_list(client, cast, two_cases, query, expect_heroin, expect_cannabis):
    heroin, cannabis = two_cases
    client.force_login(cast["rtm.officer"])
    references = listed(client.get(reverse("cases:list"), {**query, "sort": "-seized"}))
    assert (heroin.reference in references, cannabis.reference in references) == (expect_heroin, expect_cannabis)


def test_filtering_by_an_invisible_cases_identifier_finds_nothing(client, cast, matrix_case):
    from cast import matrix_container

    client.force_login(cast["ham.officer"])
    response = client.get(reverse("cases:list"), {"identifier": matrix_container("owned")})
    assert listed(response) == []
    assert "No cases match." in response.content.decode()


def test_sorting_and_pages_keep_the_filters_in_the_links(client, cast, two_cases, monkeypatch):
    monkeypatch.setattr(listing, "PAGE_SIZE", 5)
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("cases:list"), {"sort": "title", "owner_agency": "NL-CUS-RTM"})
    titles = re.findall(r"<td>([^<]+)</td>\s*<td><span class=\"status-badge", response.content.decode())
    assert titles == sorted(titles)
    page = response.content.decode()
    assert 'aria-sort="ascending"' in page
    assert "?sort=-title&amp;owner_agency=NL-CUS-RTM" in page  # the next click sorts descending, filter kept
    cursor = response.context["page"]["next"]
    assert f'rel="next" href="?sort=title&amp;owner_agency=NL-CUS-RTM&amp;cursor={quote(cursor, safe="")}"' in page


def test_htmx_gets_only_the_results_and_the_response_varies_on_it(client, cast, two_cases):
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("cases:list"), {"drug": "heroin"}, HTTP_HX_TARGET="case-results", **HTMX)
    body = response.content.decode()
    assert "<html" not in body and "<table" in body
    assert two_cases[0].reference in body
    assert "HX-Request" in response["Vary"]
    assert "<html" in client.get(reverse("cases:list"), {"drug": "heroin"}).content.decode()


def test_a_bad_filter_value_is_shown_not_a_500(client, cast):
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("cases:list"), {"seized_after": "yesterday", "page": "x"})
    assert response.status_code == 200
    assert 'id="id_seized_after_error"' in response.content.decode()
    last_day = client.get(reverse("cases:list"), {"seized_before": "9999-12-31", "seized_after": "0001-01-01"})
    assert last_day.status_code == 200


# Case page and its gate --------------------------------------------------------------------

def test_first_view_of_another_agencys_case_asks_why_and_records_it(client, cast, matrix_case):
    case = matrix_case("shared_contribute")
    client.force_login(cast["liaison.officer"])
    gate = client.get(reverse("cases:detail", args=[case.pk]))
    assert gate.status_code == 200
    assert "Why do you open this case?" in gate.content.decode()
    assert case.legal_basis not in gate.content.decode()
    refused = client.post(reverse("cases:open", args=[case.pk]), {"tab": "notes", "justification": ""})
    assert refused.status_code == 400
    opened = client.post(reverse("cases:open", args=[case.pk]), {"tab": "notes", "justification": "Joint analysis"})
    assert opened["Location"] == reverse("cases:tab", args=[case.pk, "notes"])
    assert AuditEvent.objects.filter(case_id=case.pk, actor_username="liaison.officer", action="case_view",
                                     justification="Joint analysis").count() == 1
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert case.legal_basis in page.content.decode()


def test_the_gate_reads_none_of_the_case_parts(client, cast, matrix_case):
    case = matrix_case("shared_contribute")
    client.force_login(cast["liaison.officer"])
    with CaptureQueriesContext(connection) as captured:
        gate = client.get(reverse("cases:tab", args=[case.pk, "parties"]))
    assert "Why do you open this case?" in gate.content.decode()
    read = " ".join(query["sql"] for query in captured.captured_queries)
    assert "cases_party" not in read and "cases_seizureitem" not in read and "cases_note" not in read
    assert not AuditEvent.objects.filter(case_id=case.pk, actor_username="liaison.officer").exists()


def test_h3_conditions_are_acknowledged_before_the_first_view(client, cast):
    owner = cast["rtm.officer"]
    case = new_case(owner, "Conditions apply here", handling_code=HandlingCode.H3,
                    h3_conditions="Do not contact the consignee.")
    case_share(actor=owner, case_id=case.pk, agency_code="BE-CUS-ANR", level=ShareLevel.VIEW)
    client.force_login(cast["anr.officer"])
    gate = client.get(reverse("cases:tab", args=[case.pk, "seizures"])).content.decode()
    assert "Do not contact the consignee." in gate and "I have read these conditions" in gate
    assert "Why do you open this case?" in gate  # Antwerp also asks for the reason
    missing = client.post(reverse("cases:open", args=[case.pk]), {"tab": "seizures", "justification": "Check"})
    assert missing.status_code == 400
    assert not AuditEvent.objects.filter(case_id=case.pk, action="h3_acknowledge").exists()
    client.post(reverse("cases:open", args=[case.pk]), {"tab": "seizures", "justification": "Check", "acknowledge": "on"})
    acknowledged = AuditEvent.objects.get(case_id=case.pk, action="h3_acknowledge", actor_username="anr.officer")
    assert set(acknowledged.changes) == {"conditions_sha256"}  # the version, not the text
    assert AuditEvent.objects.filter(case_id=case.pk, action="case_view", justification="Check").exists()
    assert client.get(reverse("cases:tab", args=[case.pk, "seizures"])).content.decode().count("Seizures") > 1


def test_the_owning_agency_reads_its_h3_case_without_the_gate(client, cast):
    case = new_case(cast["rtm.officer"], "H3 at home", handling_code=HandlingCode.H3, h3_conditions="Quiet.")
    client.force_login(cast["rtm.analyst"])
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "H3 at home" in page and "I have read these conditions" not in page
    assert not AuditEvent.objects.filter(case_id=case.pk, action="h3_acknowledge").exists()


def test_parties_tab_is_a_consultation_of_its_own(client, cast, matrix_case):
    case = matrix_case("owned")
    client.force_login(cast["rtm.officer"])
    client.get(reverse("cases:tab", args=[case.pk, "parties"]))
    assert AuditEvent.objects.filter(case_id=case.pk, actor_username="rtm.officer", action="parties_view").exists()


def test_viewer_gets_no_forms_no_buttons_and_no_activity(client, cast, matrix_case):
    case = matrix_case("owned")
    client.force_login(cast["rtm.analyst"])
    page = client.get(reverse("cases:tab", args=[case.pk, "seizures"])).content.decode()
    assert "Add a seizure" not in page
    assert reverse("cases:transition", args=[case.pk]) not in page
    assert reverse("cases:edit", args=[case.pk]) not in page
    assert reverse("cases:tab", args=[case.pk, "activity"]) not in page
    refused = client.get(reverse("cases:tab", args=[case.pk, "activity"]))
    assert refused.status_code == 403
    assert "audit trail is for its owning agency" in refused.content.decode()
    denied = AuditEvent.objects.get(case_id=case.pk, actor_username="rtm.analyst", operation="access_denied")
    assert (denied.action, denied.changes) == ("forbidden", {"code": "forbidden"})


def test_owner_reads_the_activity_trail(client, cast, matrix_case):
    case = matrix_case("shared_view")
    client.force_login(cast["rtm.officer"])
    page = client.get(reverse("cases:tab", args=[case.pk, "activity"])).content.decode()
    assert "Opened the case" in page and "Shared the case" in page and "BE-CUS-ANR" in page


def test_htmx_tab_switch_returns_only_the_tabs(client, cast, matrix_case):
    case = matrix_case("owned")
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("cases:tab", args=[case.pk, "route"]), HTTP_HX_TARGET="case-tabs", **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="case-tabs">') and "<html" not in body


def test_unknown_tab_is_404(client, cast, matrix_case):
    client.force_login(cast["rtm.officer"])
    assert client.get(f"/cases/{matrix_case('owned').pk}/nonsense/").status_code == 404


# Error pages and locale --------------------------------------------------------------------

def test_404_for_an_invisible_case_is_the_same_page_as_for_no_case(client, cast, matrix_case):
    case = matrix_case("owned")
    client.force_login(cast["ham.officer"])
    hidden = client.get(reverse("cases:detail", args=[case.pk]))
    missing = client.get(reverse("cases:detail", args=[uuid.uuid4()]))
    assert hidden.status_code == missing.status_code == 404

    def strip_token(response):
        """Without the CSRF token and the address the reader typed (the language form returns to it)."""
        page = re.sub(r"/cases/[0-9a-f-]{36}/", "/cases/ID/", response.content.decode())
        return re.sub(r'value="[A-Za-z0-9]{64}"|"X-CSRFToken": "[A-Za-z0-9]{64}"', "", page)

    assert strip_token(hidden) == strip_token(missing)
    assert "There is nothing here that you can open." in strip_token(hidden)


def test_500_page_stands_alone():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "/static/vendor/bootstrap/bootstrap.min.css" in html


def test_dates_and_numbers_follow_the_readers_language(client, cast):
    case = new_case(cast["rtm.officer"], "Localised", seized_at=timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 30)))
    seizure_add(actor=cast["rtm.officer"], case_id=case.pk, drug="cocaine", quantity="1200.5", unit="kg")
    client.force_login(cast["rtm.officer"])
    english = client.get(reverse("cases:tab", args=[case.pk, "seizures"])).content.decode()
    dutch = client.get(reverse("cases:tab", args=[case.pk, "seizures"]), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "1,200.5" in english and "1.200,5" in dutch
    overview = client.get(reverse("cases:detail", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "5. März 2026" in overview
    assert '<html lang="de">' in overview
