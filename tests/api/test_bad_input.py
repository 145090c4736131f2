"""Bad input answers 400 and changes nothing; never a 500 (issue 13, "Bad input that still
answers 500"). Each class is tested on the API and on the browser pages that share its cause."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from cases.models import Case, Note

DEEP_LIST = "[" * 100_000
DEEP_OBJECTS = '{"a":' * 5_000 + "1" + "}" * 5_000


def api_as(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


def post_raw(client, path: str, body: str):
    return client.generic("POST", path, body, content_type="application/json")


# --- Deeply nested JSON --------------------------------------------------------------------------

@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECTS, "[" * 64 + "]" * 64, '{"text": ' + "[" * 200 + "]" * 200 + "}"],
                         ids=["100k-lists", "5k-objects", "65-levels", "200-levels-inside-a-field"])
def test_deeply_nested_json_answers_400_on_every_post(cast, matrix_case, body):
    case = matrix_case("owned")
    client = api_as(cast["rtm.officer"])
    notes, cases, events = Note.objects.count(), Case.objects.count(), AuditEvent.objects.count()
    for path in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/notes/", f"/api/v1/cases/{case.pk}/transition/",
                 f"/api/v1/cases/{case.pk}/shares/", f"/api/v1/cases/{case.pk}/seizures/"):
        response = post_raw(client, path, body)
        assert response.status_code == 400, (path, response.status_code)
        assert set(response.json()) == {"detail"} and "JSON" in response.json()["detail"], path
    response = client.generic("PATCH", f"/api/v1/cases/{case.pk}/", body, content_type="application/json")
    assert response.status_code == 400 and set(response.json()) == {"detail"}
    assert (Note.objects.count(), Case.objects.count()) == (notes, cases)
    assert AuditEvent.objects.filter(action__in=["note_add", "case_create", "case_share"]).count() == \
        AuditEvent.objects.filter(action__in=["note_add", "case_create", "case_share"], id__lte=events).count()


def test_deep_json_on_the_token_endpoint_answers_400_before_authentication(db):
    response = post_raw(APIClient(raise_request_exception=False), "/api/v1/auth/token/", DEEP_OBJECTS)
    assert response.status_code == 400 and "detail" in response.json()


def test_nesting_within_the_cap_still_parses(cast, matrix_case):
    """The depth cap refuses nesting, not JSON: an ordinary body is unaffected, and a nested
    value in a scalar field is a field error (400 naming the field), not a parse error."""
    case = matrix_case("owned")
    client = api_as(cast["rtm.officer"])
    response = client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": [[["deep"]]]}, format="json")
    assert response.status_code == 400 and "text" in response.json()
    response = client.post(f"/api/v1/cases/{case.pk}/notes/", {"text": "Crew list requested."}, format="json")
    assert response.status_code == 201


def test_huge_and_non_finite_numbers_in_json_answer_400(cast, matrix_case):
    case = matrix_case("owned")
    client = api_as(cast["rtm.officer"])
    for body in ('{"text": "x", "information_assessment": ' + "9" * 5000 + "}",
                 '{"text": "x", "information_assessment": NaN}',
                 '{"text": "x", "information_assessment": 1e999}',
                 '{"drug": "cocaine", "quantity": ' + "9" * 400 + ', "unit": "kg"}',
                 '{"drug": "cocaine", "quantity": -Infinity, "unit": "kg"}'):
        path = f"/api/v1/cases/{case.pk}/notes/" if "text" in body else f"/api/v1/cases/{case.pk}/seizures/"
        response = post_raw(client, path, body)
        assert response.status_code == 400, (body[:60], response.status_code)


def test_lone_surrogates_in_json_answer_400_not_a_failed_echo(cast, matrix_case):
    """`"\\ud800"` is JSON syntax but no text: echoed in a field message it failed to encode (500)."""
    case = matrix_case("owned")
    client = api_as(cast["rtm.officer"])
    for path, body in ((f"/api/v1/cases/{case.pk}/shares/", '{"agency": "BE-CUS-ANR", "level": "\\ud800"}'),
                       (f"/api/v1/cases/{case.pk}/notes/", '{"text": "ok \\udfff"}'),
                       (f"/api/v1/cases/{case.pk}/notes/", '{"\\ud800": "key"}')):
        response = post_raw(client, path, body)
        assert response.status_code == 400 and "surrogate" in response.json()["detail"], body
    assert not Note.objects.filter(case=case, text__startswith="ok").exists()


# --- Garbage cursors -----------------------------------------------------------------------------

GARBAGE_CURSORS = ["cD1nYXJiYWdl",  # p=garbage
                   "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "cj0xJnA9Mg", "bz05OTk5OTk5OTk5OTk5OTk5OTk5OTk",
                   "not base64 at all", "cD0lMDA", "cD3Csg"]


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS)
def test_garbage_cursor_answers_400_on_every_list(cast, matrix_case, cursor):
    case = matrix_case("owned")
    lists = {
        "rtm.auditor": ["/api/v1/audit/", f"/api/v1/cases/{case.pk}/audit/"],
        "rtm.officer": ["/api/v1/cases/", f"/api/v1/cases/{case.pk}/notes/", f"/api/v1/cases/{case.pk}/seizures/",
                        f"/api/v1/cases/{case.pk}/shares/", f"/api/v1/cases/{case.pk}/documents/",
                        "/api/v1/notifications/"],
    }
    for username, paths in lists.items():
        client = api_as(cast[username])
        for path in paths:
            response = client.get(path, {"cursor": cursor})
            assert response.status_code in (200, 400), (path, cursor, response.status_code)
            if response.status_code == 400:
                assert response.json() == {"cursor": ["Invalid cursor."]}, (path, response.json())


def test_the_reported_cursor_is_refused_on_both_audit_lists_as_on_the_case_list(cast, matrix_case):
    case = matrix_case("owned")
    for username, path in (("rtm.auditor", "/api/v1/audit/"), ("rtm.auditor", f"/api/v1/cases/{case.pk}/audit/"),
                           ("rtm.officer", "/api/v1/cases/")):
        response = api_as(cast[username]).get(path, {"cursor": "cD1nYXJiYWdl"})
        assert response.status_code == 400 and response.json() == {"cursor": ["Invalid cursor."]}, path


def test_a_real_cursor_still_pages(cast, matrix_case):
    client = api_as(cast["rtm.auditor"])
    first = client.get("/api/v1/audit/", {"page_size": 2}).json()
    assert first["next"]
    second = client.get(first["next"]).json()
    assert second["results"] and {e["id"] for e in second["results"]}.isdisjoint({e["id"] for e in first["results"]})


# --- Browser: page numbers and the `before` marker -----------------------------------------------

HOSTILE_INTEGERS = ["999999999999999999999", "9223372036854775808", "-1", "0", "²", "١٢", "1e3", "%00", "\x00",
                    "9" * 5000, " 2", "abc"]
PAGES_TOO_FAR = ["999999999999999999999", "9223372036854775808", "9" * 5000, "1000001", "000000000000000000000002000000"]
NO_PAGE_NUMBER = ["-1", "0", "²", "١٢", "1e3", "%00", "\x00", " 2", "abc", ""]


@pytest.mark.parametrize("value", PAGES_TOO_FAR)
def test_browser_page_numbers_past_reach_answer_400_naming_the_page(client, cast, value):
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("notifications:inbox"), {"page": value})
    assert response.status_code == 400, (value, response.status_code)
    assert "page: Enter a page number from 1 to 1000000." in response.content.decode()


@pytest.mark.parametrize("value", NO_PAGE_NUMBER)
def test_browser_page_values_that_are_no_number_still_mean_the_first_page(client, cast, value):
    """As they always have (tests/test_views_pages.py pins `page=x`); '١٢' no longer reads as 12."""
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("notifications:inbox"), {"page": value})
    assert response.status_code == 200 and response.context["page"]["number"] == 1, value


@pytest.mark.parametrize("cursor", GARBAGE_CURSORS + ["", "cD1Ub3AmaT0xMjM="])  # p=Top&i=123: no uuid
def test_browser_case_list_refuses_a_mangled_cursor_with_400(client, cast, cursor):
    """The case list pages by cursor (coordination.keyset); what is no cursor of ours is a 400
    naming it, as in the API. An empty cursor is the first page."""
    client.force_login(cast["rtm.officer"])
    for sort in ("-seized", "title", "-owner"):
        response = client.get(reverse("cases:list"), {"cursor": cursor, "sort": sort})
        if cursor == "":
            assert response.status_code == 200 and response.context["page"]["first"]
        else:
            assert response.status_code == 400, (cursor, sort, response.status_code)
            assert "cursor: Invalid cursor." in response.content.decode()


@pytest.mark.parametrize("value", HOSTILE_INTEGERS)
def test_browser_before_marker_refuses_bad_values_with_400(client, cast, matrix_case, value):
    case = matrix_case("owned")
    client.force_login(cast["rtm.auditor"])
    response = client.get(reverse("audit:trail"), {"before": value})
    assert response.status_code == 400, (value, response.status_code)
    assert "before: Enter a whole number from 1 to 9223372036854775807." in response.content.decode()
    client.force_login(cast["rtm.officer"])
    response = client.get(reverse("cases:tab", args=[case.pk, "activity"]), {"before": value})
    assert response.status_code == 400, (value, response.status_code)


def test_a_refused_activity_page_keeps_no_consultation_record(client, cast, matrix_case):
    """Reading the activity tab records a consultation; with a bad `before` nothing was shown,
    so nothing stays recorded."""
    case = matrix_case("owned")
    client.force_login(cast["rtm.officer"])
    url = reverse("cases:tab", args=[case.pk, "activity"])
    newest = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    refused = client.get(url, {"before": "²"})
    assert refused.status_code == 400
    assert "before: Enter a whole number" in refused.content.decode()
    assert not AuditEvent.objects.filter(id__gt=newest).exists()
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(id__gt=newest, case_id=case.pk).exists(), "a good read is still recorded"


def test_the_reported_urls_answer_400(client, cast, matrix_case):
    case = matrix_case("owned")
    client.force_login(cast["rtm.officer"])
    assert client.get("/notifications/?page=999999999999999999999").status_code == 400
    assert client.get(f"/cases/{case.pk}/activity/?before=%C2%B2").status_code == 400
    client.force_login(cast["rtm.auditor"])
    assert client.get("/audit/?before=%C2%B2").status_code == 400


def test_good_page_numbers_and_markers_still_work(client, cast, matrix_case):
    case = matrix_case("owned")
    client.force_login(cast["rtm.officer"])
    assert client.get(reverse("notifications:inbox"), {"page": "2"}).status_code == 200
    activity = client.get(reverse("cases:tab", args=[case.pk, "activity"]))
    assert activity.status_code == 200 and activity.context["events"]
    newest = activity.context["events"][0].id
    older = client.get(reverse("cases:tab", args=[case.pk, "activity"]), {"before": str(newest)})
    assert older.status_code == 200 and all(event.id < newest for event in older.context["events"])
    client.force_login(cast["rtm.auditor"])
    trail = client.get(reverse("audit:trail"), {"before": str(newest + 1)})
    assert trail.status_code == 200 and all(event.id <= newest for event in trail.context["events"])
