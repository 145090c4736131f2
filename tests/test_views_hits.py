"""Hit/no-hit in the browser: the Hits page, a hit, asking for access, the access requests
with the owner's decision, the case's "Linked cases and hits" tab, "do not match", the
dashboard tiles and the admin's frequent values.

Rotterdam (rtm.officer) and Antwerp (anr.officer) hold the same container; Antwerp's case has
more to hide. Hamburg (ham.officer) is the outsider. Nothing of the other case may show on a
hit page until Antwerp shares it.
"""
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import AccessRequest, CaseShare, Hit, Identifier, MatchKey
from cases.services import case_share, identifier_add
from cases.services.access_requests import access_request_create
from cases.services.matching import hits_match_case
from hits_stories import CONTAINER, new_case, rotterdam_antwerp_pair

JUSTIFICATION = "Same container in our seizure, joint operation"


@pytest.fixture
def pair(cast):
    return rotterdam_antwerp_pair(cast)


def hit_of(case) -> Hit:
    return Hit.objects.get(case=case)


def secrets_of(case) -> list[str]:
    """What a hit page must never show of `case`: its id (both spellings), reference, title,
    summary, its other identifiers and its parties."""
    values = [str(case.pk), case.pk.hex, case.reference, case.title, case.summary]
    values += [identifier.value for identifier in case.identifiers.exclude(value=CONTAINER)]
    values += [party.name for party in case.parties.all()]
    return values


def assert_nothing_of(case, response) -> None:
    body = response.content.decode()
    for secret in secrets_of(case):
        assert secret not in body, f"{secret!r} of the other case leaked"


def logged_in(client, user):
    client.force_login(user)
    return client


def ask(client, hit, level="view", justification=JUSTIFICATION):
    return client.post(reverse("hits:request", args=[hit.pk]), {"level": level, "justification": justification})


def decide(client, access_request, **data):
    return client.post(reverse("hits:decide", args=[access_request.pk]), data)


# The Hits page and a hit -----------------------------------------------------------------------

def test_the_hits_page_lists_the_own_case_value_and_other_agency_and_nothing_of_their_case(client, cast, pair):
    rtm, anr = pair
    response = logged_in(client, cast["rtm.officer"]).get(reverse("hits:list"), {"case": rtm.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert rtm.reference in body and CONTAINER in body and "BE-CUS-ANR" in body
    assert reverse("hits:detail", args=[hit_of(rtm).pk]) in body
    assert_nothing_of(anr, response)


def test_the_hits_page_filters_on_status(client, cast, pair):
    rtm, _anr = pair
    client = logged_in(client, cast["rtm.officer"])
    hit_url = reverse("hits:detail", args=[hit_of(rtm).pk])
    assert hit_url in client.get(reverse("hits:list"), {"status": "new"}).content.decode()
    assert hit_url not in client.get(reverse("hits:list"), {"status": "linked"}).content.decode()
    assert client.get(reverse("hits:list"), {"status": "maybe"}).status_code == 400
    assert client.get(reverse("hits:list"), {"case": "not-a-case"}).status_code == 400


def test_opening_a_hit_shows_the_request_form_and_is_audited_as_combination(client, cast, pair):
    rtm, anr = pair
    hit = hit_of(rtm)
    response = logged_in(client, cast["rtm.officer"]).get(reverse("hits:detail", args=[hit.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="justification"' in body and 'name="csrfmiddlewaretoken"' in body
    assert CONTAINER in body and "Douane Antwerpen" in body
    assert_nothing_of(anr, response)
    record = AuditEvent.objects.get(action="hit_open", object_id=str(hit.pk))
    assert (record.operation, record.case_id, record.actor.username) == ("combination", rtm.pk, "rtm.officer")


def test_a_third_agency_gets_404_on_the_hit_and_its_request(client, cast, pair):
    rtm, _anr = pair
    hit = hit_of(rtm)
    client = logged_in(client, cast["ham.officer"])
    assert client.get(reverse("hits:detail", args=[hit.pk])).status_code == 404
    assert ask(client, hit).status_code == 404
    assert not AccessRequest.objects.exists()
    assert reverse("hits:detail", args=[hit.pk]) not in client.get(reverse("hits:list")).content.decode()
    access_request = access_request_create(actor=cast["rtm.officer"], hit_id=hit.pk, level="view",
                                           justification=JUSTIFICATION)
    assert decide(client, access_request, decision="approve", level="view").status_code == 404
    assert access_request.pk.hex not in client.get(reverse("hits:access-requests")).content.decode()
    assert not CaseShare.objects.filter(case=access_request.case,
                                        agency__code__in=["NL-CUS-RTM", "DE-ZOLL-HAM"]).exists()


def test_requesting_access_creates_the_request_and_shows_it_pending(client, cast, pair):
    rtm, anr = pair
    hit = hit_of(rtm)
    client = logged_in(client, cast["rtm.officer"])
    response = ask(client, hit, level="contribute")
    assert response.status_code == 302 and response.url == reverse("hits:detail", args=[hit.pk])
    access_request = AccessRequest.objects.get(hit=hit)
    assert (access_request.level, access_request.justification, access_request.requester.username,
            access_request.case_id, access_request.status) == (
        "contribute", JUSTIFICATION, "rtm.officer", anr.pk, "pending")
    page = client.get(response.url)
    body = page.content.decode()
    assert "Access requested from BE-CUS-ANR" in body and "waiting for BE-CUS-ANR" in body
    assert 'name="justification"' not in body  # no second request while one waits
    assert_nothing_of(anr, page)
    assert_nothing_of(anr, client.get(reverse("hits:access-requests")))


def test_a_request_without_justification_is_refused_on_its_field(client, cast, pair):
    rtm, _anr = pair
    response = ask(logged_in(client, cast["rtm.officer"]), hit_of(rtm), justification="  ")
    assert response.status_code == 400
    error = re.search(r'id="id_justification_error"><div>([^<]+)</div>', response.content.decode())
    assert error and error.group(1) == "This field is required."
    assert 'aria-invalid="true"' in response.content.decode()
    assert not AccessRequest.objects.exists()


# Access requests and the decision ------------------------------------------------------------

@pytest.fixture
def asked(cast, pair):
    rtm, _anr = pair
    return access_request_create(actor=cast["rtm.officer"], hit_id=hit_of(rtm).pk, level="contribute",
                                 justification=JUSTIFICATION)


def test_the_owner_sees_the_incoming_request_with_who_why_and_the_decide_form(client, cast, pair, asked):
    rtm, anr = pair
    response = logged_in(client, cast["anr.officer"]).get(reverse("hits:access-requests"))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (anr.reference, "rtm.officer", "NL-CUS-RTM", rtm.reference, CONTAINER, JUSTIFICATION):
        assert shown in body, shown
    assert reverse("hits:decide", args=[asked.pk]) in body
    # The requester's own case is named by reference only: no link into it.
    assert reverse("cases:detail", args=[rtm.pk]) not in body


def test_the_requester_sees_the_outgoing_request_without_the_other_case(client, cast, pair, asked):
    rtm, anr = pair
    response = logged_in(client, cast["rtm.officer"]).get(reverse("hits:access-requests"))
    assert response.status_code == 200
    body = response.content.decode()
    assert rtm.reference in body and "BE-CUS-ANR" in body and JUSTIFICATION in body
    assert reverse("hits:decide", args=[asked.pk]) not in body
    assert_nothing_of(anr, response)


def test_an_approval_creates_the_share_and_links_the_hit(client, cast, pair, asked):
    rtm, anr = pair
    response = decide(logged_in(client, cast["anr.officer"]), asked, decision="approve", level="view",
                      reason="Go ahead")
    assert response.status_code == 302
    share = CaseShare.objects.get(case=anr, agency__code="NL-CUS-RTM")
    assert (share.level, share.granted_by.username) == ("view", "anr.officer")
    assert AccessRequest.objects.get(pk=asked.pk).status == "approved"
    client.force_login(cast["rtm.officer"])
    hit_page = client.get(reverse("hits:detail", args=[hit_of(rtm).pk])).content.decode()
    assert reverse("cases:detail", args=[anr.pk]) in hit_page and anr.reference in hit_page
    assert "Linked" in hit_page


def test_a_refusal_needs_a_reason_and_shares_nothing(client, cast, pair, asked):
    _rtm, anr = pair
    client = logged_in(client, cast["anr.officer"])
    no_reason = decide(client, asked, decision="refuse", reason="")
    assert no_reason.status_code == 400
    assert "Say why the request is refused." in no_reason.content.decode()
    above = decide(client, asked, decision="approve", level="manage")
    assert above.status_code == 400
    assert decide(client, asked, decision="refuse", reason="Undercover operation running").status_code == 302
    assert AccessRequest.objects.get(pk=asked.pk).status == "refused"
    assert not CaseShare.objects.filter(case=anr, agency__code="NL-CUS-RTM").exists()
    # A second decision is a conflict, shown as a message; nothing changes.
    again = decide(client, asked, decision="approve", level="view")
    assert again.status_code == 302
    assert "already been refused" in client.get(again.url).content.decode()
    assert not CaseShare.objects.filter(case=anr, agency__code="NL-CUS-RTM").exists()


def test_the_requester_cannot_decide_its_own_request(client, cast, asked):
    assert decide(logged_in(client, cast["rtm.officer"]), asked, decision="approve", level="view").status_code == 404
    assert AccessRequest.objects.get(pk=asked.pk).status == "pending"


# The case page ---------------------------------------------------------------------------------

def test_the_case_tab_lists_its_hits_for_the_owning_agency_only(client, cast, pair):
    rtm, anr = pair
    url = reverse("cases:tab", args=[rtm.pk, "hits"])
    client = logged_in(client, cast["rtm.officer"])
    page = client.get(reverse("cases:detail", args=[rtm.pk])).content.decode()
    assert url in page  # the tab is offered
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("hits:detail", args=[hit_of(rtm).pk]) in response.content.decode()
    assert_nothing_of(anr, response)
    # A reader of another agency holding a share sees the case, not its hits.
    case_share(actor=cast["rtm.officer"], case_id=rtm.pk, agency_code="EU-LIA", level="view")
    client.force_login(cast["liaison.officer"])
    client.post(reverse("cases:open", args=[rtm.pk]), {"tab": "overview", "justification": "Route analysis"})
    assert url not in client.get(reverse("cases:detail", args=[rtm.pk])).content.decode()
    assert client.get(url).status_code == 404


def test_the_owner_excludes_an_identifier_from_matching_and_back(client, cast, pair):
    rtm, _anr = pair
    identifier = Identifier.objects.get(case=rtm, value=CONTAINER)
    client = logged_in(client, cast["rtm.officer"])
    tab = client.get(reverse("cases:tab", args=[rtm.pk, "identifiers"])).content.decode()
    toggle = reverse("cases:identifier-matching", args=[rtm.pk, identifier.pk])
    assert toggle in tab and "Do not match" in tab
    response = client.post(toggle, {"excluded": "1", "justification": "Shipping line's own container"})
    assert response.status_code == 302 and response.url == reverse("cases:tab", args=[rtm.pk, "identifiers"])
    identifier.refresh_from_db()
    assert identifier.matching_excluded and not MatchKey.objects.filter(identifier=identifier).exists()
    assert not Hit.objects.filter(case=rtm).exists()  # the open hit rested only on it
    tab = client.get(response.url).content.decode()
    assert "Not matched" in tab and "Match again" in tab
    record = AuditEvent.objects.get(action="identifier_exclude_from_matching", object_id=str(identifier.pk))
    assert record.justification == "Shipping line's own container"
    client.post(toggle, {"excluded": "0"})
    identifier.refresh_from_db()
    assert not identifier.matching_excluded and MatchKey.objects.filter(identifier=identifier).exists()


def test_only_the_owner_may_exclude_an_identifier(client, cast, pair):
    rtm, _anr = pair
    identifier = Identifier.objects.get(case=rtm, value=CONTAINER)
    toggle = reverse("cases:identifier-matching", args=[rtm.pk, identifier.pk])
    assert logged_in(client, cast["ham.officer"]).post(toggle, {"excluded": "1"}).status_code == 404
    identifier.refresh_from_db()
    assert not identifier.matching_excluded


# Dashboard, navigation, admin --------------------------------------------------------------------

def tile_count(response, key: str) -> str | None:
    match = re.search(rf'data-tile="{key}".*?<span data-count>([^<]+)</span>', response.content.decode(), re.DOTALL)
    return match.group(1) if match else None


def test_the_dashboard_counts_pending_requests_on_both_sides(client, cast, pair):
    rtm, _anr = pair
    client.force_login(cast["anr.officer"])
    incoming_before = int(tile_count(client.get(reverse("home")), "incoming-requests"))
    client.force_login(cast["rtm.officer"])
    before = client.get(reverse("home"))
    outgoing_before = int(tile_count(before, "outgoing-requests"))
    assert int(tile_count(before, "new-hits")) >= 1
    access_request_create(actor=cast["rtm.officer"], hit_id=hit_of(rtm).pk, level="view", justification="x")
    assert int(tile_count(client.get(reverse("home")), "outgoing-requests")) == outgoing_before + 1
    client.force_login(cast["anr.officer"])
    assert int(tile_count(client.get(reverse("home")), "incoming-requests")) == incoming_before + 1
    client.force_login(cast["rtm.auditor"])
    assert tile_count(client.get(reverse("home")), "incoming-requests") is None


def test_the_nav_offers_hits_to_agency_members(client, cast):
    page = logged_in(client, cast["rtm.officer"]).get(reverse("home")).content.decode()
    assert f'href="{reverse("hits:list")}"' in page and f'href="{reverse("hits:access-requests")}"' in page


@override_settings(MATCHING_MAX_CASES=1)
def test_frequent_values_are_listed_for_superusers_only(client, cast, pair):
    url = reverse("admin:cases_frequent_values")
    response = logged_in(client, cast["admin"]).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    key = MatchKey.objects.filter(identifier__value=CONTAINER).values_list("key", flat=True).first()
    assert key[:16] in body and "Container" in body
    assert CONTAINER not in body  # keys only, never the value
    for secret in secrets_of(pair[1]) + secrets_of(pair[0]):
        assert secret not in body
    assert url in client.get(reverse("admin:cases_case_changelist")).content.decode()


def test_a_refused_request_shows_its_reason_and_the_hit_may_be_asked_again(client, cast, pair, asked):
    rtm, _anr = pair
    decide(logged_in(client, cast["anr.officer"]), asked, decision="refuse", reason="Undercover operation running")
    client.force_login(cast["rtm.officer"])
    page = client.get(reverse("hits:detail", args=[hit_of(rtm).pk])).content.decode()
    assert "Access refused" in page and "Undercover operation running" in page
    assert 'name="justification"' in page
    assert "anr.officer" not in page  # who decided stays with the owner side, as in the API


def test_asking_for_a_case_already_shared_is_a_conflict_shown_as_a_message(client, cast, pair):
    rtm, anr = pair
    hit = hit_of(rtm)
    client = logged_in(client, cast["rtm.officer"])
    client.get(reverse("hits:detail", args=[hit.pk]))  # the page, loaded before the share
    case_share(actor=cast["anr.officer"], case_id=anr.pk, agency_code="NL-CUS-RTM", level="view")
    response = ask(client, hit)
    assert response.status_code == 302
    assert "Your agency can already see the other case." in client.get(response.url).content.decode()
    assert not AccessRequest.objects.exists()


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def test_the_hit_and_request_lists_make_the_same_queries_however_many_rows(client, cast, pair, asked):
    client = logged_in(client, cast["rtm.officer"])
    before = {url: count_queries(client, url) for url in (reverse("hits:list"), reverse("hits:access-requests"))}
    for number in range(3):
        rtm = new_case(cast["rtm.officer"], f"More bananas {number}", "NLRTM")
        anr = new_case(cast["anr.officer"], f"More pineapples {number}", "BEANR")
        for actor, case in ((cast["rtm.officer"], rtm), (cast["anr.officer"], anr)):
            identifier_add(actor=actor, case_id=case.pk, kind="bill_of_lading", value=f"MEDU1234567{number}")
        hits_match_case(case_id=anr.pk)
        access_request_create(actor=cast["rtm.officer"], hit_id=hit_of(rtm).pk, level="view", justification="x")
    after = {url: count_queries(client, url) for url in before}
    assert after == before
    # session, user, membership, then: one page of hits and the cases to filter on; one page of
    # each direction, and the own values of a page that has rows (Rotterdam has no incoming one)
    assert before == {reverse("hits:list"): 5, reverse("hits:access-requests"): 6}
