"""A fuzz pass over every browser query parameter: never a 500.

Every browser URL the URLconf holds (coordination/urls.py and the apps' urls; /api/v1/ has its
own Schemathesis pass) is called with GET, each path filled with a real object, as the first of
the officer, the auditor, the agency admin and the superuser to whom it answers. Each query parameter its view
reads (found in the view's module: `request.GET.get("…")`, `query_int(request.GET, "…")`,
`query_page(…)` and the fields of every FilterSet built from `request.GET`; the admin's
changelist parameters; `next` everywhere) then gets each hostile value in turn: huge and
negative integers, '²' and other digits `int()` reads or `isdigit()` believes, NUL, very long
strings, right-to-left and astral unicode, impossible dates and offsets, and repeated values.
Any status but a 5xx will do here; tests/api/test_bad_input.py holds the 400s expected.
"""
import inspect
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_filters import FilterSet

from agencies.services_admin import service_account_create
from cases.models import CaseFile, CaseShare, Hit
from cases.services.exhibits import exhibit_add
from cases.views.common import TAB_NAMES
from notifications.models import Notification

HOSTILE = [
    "999999999999999999999", "-9223372036854775809", "-1", "0", "1.5", "²", "١٢", " 1", "\x00", "x" * 5_000,
    "Ω😀\u202eabc", "0001-01-01", "9999-12-31", "2024-02-30", "9999-12-31T23:59:59-23:59", "", ["1", "²"],
]
# The admin is Django's own and its changelists are slow to render: the values that broke ours.
ADMIN_HOSTILE = ["999999999999999999999", "-1", "²", "\x00", "x" * 5_000, ["1", "²"]]
ADMIN_CHANGELIST_PARAMETERS = {"p", "o", "q", "_to_field"}
KNOWN = {"page", "cursor", "sort", "before", "q", "status", "port", "owner_agency", "identifier", "seized_after",
         "seized_before", "actor", "case", "operation", "since", "until", "direction"}
CAST = ("rtm.officer", "rtm.auditor", "rtm.admin", "admin")


def _routes(patterns=None, namespace=None, converters=None):
    """(URL name, path converters, view) of every named browser route."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace])) or None
            yield from _routes(entry.url_patterns, inner, {**(converters or {}), **entry.pattern.converters})
        elif isinstance(entry, URLPattern) and entry.name:
            yield ":".join(filter(None, [namespace, entry.name])), {**(converters or {}), **entry.pattern.converters}, \
                entry.callback


def _is_browser(name: str) -> bool:
    if name.startswith("api:"):
        return False  # tests/api/test_schema_fuzz.py
    if name.startswith("admin:"):
        return name == "admin:index" or name.endswith("_changelist")
    return True


ROUTES = {name: (converters, view) for name, converters, view in _routes() if _is_browser(name)}


def parameters_read_by(name: str, view) -> set[str]:
    if name.startswith("admin:"):
        return ADMIN_CHANGELIST_PARAMETERS | {"next"}
    module = inspect.getmodule(inspect.unwrap(view))
    source = inspect.getsource(module)
    found = set(re.findall(r"""GET\.get\(\s*["'](\w+)["']""", source))
    found |= set(re.findall(r"""query_int\(\s*\w+\.GET,\s*["'](\w+)["']""", source))
    if "query_page(" in source:
        found.add("page")
    for class_name in re.findall(r"(\w+)\(\s*request\.GET", source):
        filterset = getattr(module, class_name, None)
        if isinstance(filterset, type) and issubclass(filterset, FilterSet):
            found |= set(filterset.base_filters)
    return found | {"next"}


def _urls(name: str, converters: dict, objects: dict) -> list[str]:
    tabs = sorted(TAB_NAMES) if "tab" in converters else [None]
    urls = []
    for tab in tabs:
        kwargs = {key: objects[key] if key != "tab" else tab for key in converters}
        urls.append(reverse(name, kwargs=kwargs))
    return urls


@pytest.fixture
def objects(cast, matrix_case):
    shared = matrix_case("shared_view")
    return {
        "case_id": matrix_case("owned").pk,
        "share_id": CaseShare.objects.filter(case=shared).values_list("pk", flat=True).first(),
        "grant_id": "00000000-0000-0000-0000-000000000000",
        "notification_id": Notification.objects.filter(recipient=cast["rtm.officer"]).values_list("pk", flat=True).first()
        or "00000000-0000-0000-0000-000000000000",
        # The demo's deliberate hits (cases.demo); the decide and matching URLs take POST only.
        "hit_id": Hit.objects.filter(case__owner_agency__code="NL-CUS-RTM").values_list("pk", flat=True).first(),
        "request_id": "00000000-0000-0000-0000-000000000000",
        "identifier_id": "00000000-0000-0000-0000-000000000000",
        # A new member's set-password link; a made-up token shows the "link no longer valid" page.
        "uidb64": "MQ", "token": "made-up-token",
        # The agency admin's pages (/agency/): a member, a service account and a share of Rotterdam's.
        "member_id": cast["rtm.officer"].pk,
        "account_id": service_account_create(actor=cast["rtm.admin"], name="Fuzz", role="analyst")[0].pk,
        "disclosure_id": CaseShare.objects.filter(case=shared).values_list("pk", flat=True).first(),
        # Issue 16: an exhibit of the owned case, and a case file of Rotterdam's officer (queued: its
        # status page answers, its download says it is not ready).
        "exhibit_id": exhibit_add(actor=cast["rtm.officer"], case_id=matrix_case("owned").pk,
                                  description="Fuzzed exhibit", holder="Evidence room", location="Rotterdam").pk,
        "file_id": CaseFile.objects.create(case=matrix_case("owned"), requested_by=cast["rtm.officer"],
                                           requester_agency=cast["rtm.officer"].memberships.get().agency).pk,
    }


def test_every_known_parameter_is_found_and_every_app_is_covered():
    """The pass below fuzzes what it finds; this keeps it from finding nothing and passing."""
    read = set().union(*(parameters_read_by(name, view) for name, (_converters, view) in ROUTES.items()))
    assert KNOWN <= read, KNOWN - read
    assert {"cases:list", "cases:tab", "notifications:inbox", "audit:trail", "home", "login"} <= set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_hostile_query_values_never_answer_500(client, cast, objects, name):
    converters, view = ROUTES[name]
    if any(objects.get(key, "") is None for key in converters):
        pytest.fail(f"no object to fill {name}: {converters}")
    client.raise_request_exception = False
    failures = []
    for url in _urls(name, converters, objects):
        for username in CAST:  # the first to whom the page answers; the last one otherwise
            client.force_login(get_user_model().objects.get(username=username))
            if client.get(url).status_code == 200:
                break
        for parameter in sorted(parameters_read_by(name, view)):
            for value in ADMIN_HOSTILE if name.startswith("admin:") else HOSTILE:
                status = client.get(url, {parameter: value}).status_code
                if status >= 500:
                    failures.append((url, parameter, value if len(value) < 40 else f"{value[:10]}…", status))
    assert not failures, failures
