"""The notification endpoints and pages: the inbox, follows, preferences, agency webhooks."""
import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.choices import ShareLevel
from cases.models import CaseShare
from cases.services import case_share, case_unshare, note_add
from notifications.kinds import Kind
from notifications.models import EmailPreference, Notification, WebhookEndpoint
from notifications.services import case_follow, webhook_endpoint_register

INBOX_QUERIES = 4  # session, user, membership (for the visible-case subquery), one page of notifications


@pytest.fixture
def api():
    def as_user(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return as_user


@pytest.fixture
def shared_case(cast, open_case, committed):
    case = open_case(cast["rtm.officer"])
    with committed():
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    return case


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return sum(1 for query in captured.captured_queries if "SAVEPOINT" not in query["sql"])


def test_the_inbox_needs_a_caller(db):
    assert APIClient().get("/api/v1/notifications/").status_code == 401


def test_the_inbox_lists_the_callers_own_notifications(api, cast, shared_case):
    response = api(cast["liaison.officer"]).get("/api/v1/notifications/?page_size=200")
    assert response.status_code == 200
    item = next(row for row in response.json()["results"] if row["case"] == str(shared_case.pk))
    notification = Notification.objects.get(case=shared_case)
    assert item == {"id": str(notification.pk), "kind": "case_shared", "read": False, "text": notification.text,
                    "created_at": item["created_at"], "case": str(shared_case.pk)}
    others = api(cast["anr.officer"]).get("/api/v1/notifications/?page_size=200").json()["results"]
    assert str(notification.pk) not in {row["id"] for row in others}


def test_the_case_link_goes_once_access_is_gone(api, cast, shared_case):
    case_unshare(actor=cast["rtm.officer"], case_id=shared_case.pk,
                 share_id=CaseShare.objects.get(case=shared_case, agency__code="EU-LIA").pk)
    notification = Notification.objects.get(case=shared_case, kind=Kind.CASE_SHARED)
    rows = api(cast["liaison.officer"]).get("/api/v1/notifications/?page_size=200").json()["results"]
    assert next(row for row in rows if row["id"] == str(notification.pk))["case"] is None


def test_marking_read_is_for_the_recipient_only(api, cast, shared_case):
    notification = Notification.objects.get(case=shared_case)
    url = f"/api/v1/notifications/{notification.pk}/read/"
    assert api(cast["anr.officer"]).post(url).status_code == 404
    unread = api(cast["liaison.officer"]).get("/api/v1/notifications/unread-count/").json()["unread"]
    response = api(cast["liaison.officer"]).post(url)
    assert response.status_code == 200 and response.json()["read"] is True
    assert api(cast["liaison.officer"]).get("/api/v1/notifications/unread-count/").json() == {"unread": unread - 1}
    assert api(cast["liaison.officer"]).post("/api/v1/notifications/read-all/").status_code == 200
    assert api(cast["liaison.officer"]).get("/api/v1/notifications/unread-count/").json() == {"unread": 0}


def test_the_inbox_is_cursor_paginated(api, cast, shared_case, committed):
    case_follow(actor=cast["liaison.officer"], case_id=shared_case.pk)
    with committed():
        for number in range(3):
            note_add(actor=cast["rtm.officer"], case_id=shared_case.pk, text=f"Note {number}")
    client = api(cast["liaison.officer"])
    first = client.get("/api/v1/notifications/?page_size=2").json()
    second = client.get(first["next"]).json()
    assert len(first["results"]) == 2 and first["previous"] is None
    assert not {row["id"] for row in first["results"]} & {row["id"] for row in second["results"]}
    assert client.get("/api/v1/notifications/?cursor=garbage").status_code == 400


def test_inbox_queries_are_pinned_and_flat(client, cast, shared_case, committed):
    client.force_login(cast["liaison.officer"])
    before = queries(client, "/api/v1/notifications/")
    case_follow(actor=cast["liaison.officer"], case_id=shared_case.pk)
    with committed():
        for number in range(20):
            note_add(actor=cast["rtm.officer"], case_id=shared_case.pk, text=f"Note {number}")
    assert queries(client, "/api/v1/notifications/") == before == INBOX_QUERIES


def test_email_preferences_are_read_and_changed_per_kind(api, cast):
    client = api(cast["liaison.officer"])
    assert client.get("/api/v1/notifications/preferences/").json()["email"]["case_shared"] == "immediate"
    response = client.patch("/api/v1/notifications/preferences/", {"email": {"case_shared": "digest"}},
                            format="json")
    assert response.status_code == 200 and response.json()["email"]["case_shared"] == "digest"
    assert EmailPreference.objects.get(user=cast["liaison.officer"], kind="case_shared").mode == "digest"
    for bad in ({"email": {"case_shared": "hourly"}}, {"email": {"gossip": "off"}}, {"mail": {}}):
        assert client.patch("/api/v1/notifications/preferences/", bad, format="json").status_code == 400


def test_following_a_case_needs_sight_of_it(api, cast, matrix_case):
    owned = matrix_case("owned")
    url = f"/api/v1/cases/{owned.pk}/follow/"
    assert api(cast["liaison.officer"]).post(url).status_code == 404
    analyst = api(cast["rtm.analyst"])
    assert analyst.post(url).json() == {"following": True}
    assert analyst.get(url).json() == {"following": True}
    assert analyst.delete(url).json() == {"following": False}
    assert analyst.get(url).json() == {"following": False}


def test_webhooks_are_for_agency_admins(api, cast):
    response = api(cast["rtm.officer"]).get("/api/v1/webhooks/")
    assert response.status_code == 403 and response.json()["code"] == "agency_admins_only"
    assert api(cast["rtm.officer"]).post("/api/v1/webhooks/", {"url": "https://x.example/h"},
                                         format="json").status_code == 403


def test_an_agency_admin_registers_sees_and_removes_their_endpoints(api, cast, agency_admin, member):
    client = api(agency_admin)
    created = client.post("/api/v1/webhooks/", {"url": "https://lia.example/portcullis", "kinds": ["case_shared"]},
                          format="json")
    assert created.status_code == 201
    body = created.json()
    assert len(body["secret"]) == 64 and body["agency"] == "EU-LIA" and body["kinds"] == ["case_shared"]
    assert "secret" not in client.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert [row["id"] for row in client.get("/api/v1/webhooks/").json()["results"]] == [body["id"]]

    other_admin = api(member("BE-CUS-ANR", "agency_admin"))
    assert other_admin.get(f"/api/v1/webhooks/{body['id']}/").status_code == 404
    assert other_admin.delete(f"/api/v1/webhooks/{body['id']}/").status_code == 404

    assert client.patch(f"/api/v1/webhooks/{body['id']}/", {"active": False}, format="json").json()["active"] is False
    assert client.delete(f"/api/v1/webhooks/{body['id']}/").status_code == 204
    assert not WebhookEndpoint.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize("body,field", [
    ({"url": "ftp://lia.example/x"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "https://lia.example/x", "kinds": ["gossip"]}, "kinds"),
    ({"url": "https://lia.example/x", "colour": "red"}, "colour"),
])
def test_bad_endpoints_are_refused_field_by_field(api, agency_admin, body, field):
    response = api(agency_admin).post("/api/v1/webhooks/", body, format="json")
    assert response.status_code == 400 and field in response.json()


def test_an_endpoints_deliveries_show_each_attempt(api, cast, open_case, committed, agency_admin, webhook_receiver):
    receiver = webhook_receiver(500, 200)
    endpoint, _secret = webhook_endpoint_register(actor=agency_admin, url=receiver.url)
    case = open_case(cast["rtm.officer"])
    with committed():
        case_share(actor=cast["rtm.officer"], case_id=case.pk, agency_code="EU-LIA", level=ShareLevel.VIEW)
    [row] = api(agency_admin).get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()["results"]
    assert (row["kind"], row["case"], row["status"], row["attempts"]) == ("case_shared", str(case.pk), "pending", 1)
    assert [attempt["status_code"] for attempt in row["attempt_log"]] == [500]


def test_the_inbox_page_lists_and_opens_notifications(client, cast, shared_case):
    notification = Notification.objects.get(case=shared_case)
    assert client.get("/notifications/").status_code == 302  # to the login page
    client.force_login(cast["liaison.officer"])
    page = client.get("/notifications/")
    assert page.status_code == 200 and notification.text in page.content.decode()
    opened = client.get(f"/notifications/{notification.pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{shared_case.pk}/"
    notification.refresh_from_db()
    assert notification.read_at is not None
    client.force_login(cast["anr.officer"])
    assert client.get(f"/notifications/{notification.pk}/").status_code == 404


def test_the_preferences_page_saves_every_kind(client, cast):
    client.force_login(cast["liaison.officer"])
    assert client.get("/notifications/preferences/").status_code == 200
    choices = {kind: "off" for kind in Kind.values} | {"case_shared": "digest"}
    assert client.post("/notifications/preferences/", choices).status_code == 302
    assert EmailPreference.objects.get(user=cast["liaison.officer"], kind="case_shared").mode == "digest"


def test_the_follow_button_and_unread_count_drop_into_any_page(client, cast, shared_case, matrix_case):
    request = RequestFactory().get(f"/cases/{shared_case.pk}/")
    request.user = cast["liaison.officer"]
    html = Template("{% load notification_tags %}{% unread_notification_count %}|{% follow_button case %}").render(
        Context({"request": request, "case": shared_case}))
    count, form = html.split("|", 1)
    assert int(count) == Notification.objects.filter(recipient=cast["liaison.officer"], read_at=None).count() >= 1
    assert 'name="following" value="1"' in form

    client.force_login(cast["liaison.officer"])
    response = client.post(f"/notifications/follow/{shared_case.pk}/", {"following": "1", "next": "https://evil.example/"})
    assert response["Location"] == f"/cases/{shared_case.pk}/"
    assert client.post(f"/notifications/follow/{matrix_case('owned').pk}/", {"following": "1"}).status_code == 404
