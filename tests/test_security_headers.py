"""Security headers on every kind of response, no-store on case data, and the settings that
`make run` relies on (DEBUG off by default, no persistent connections under runserver).

Issue 13, "Headers and the demo", "Caching" and "Connections".
"""
import base64
import hashlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path
from rest_framework.test import APIClient

from coordination.views import server_error

ROOT = Path(__file__).resolve().parent.parent
NO_INLINE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'", "*", "data:", "http:", "https:")


def _explode(*args, **kwargs):
    raise RuntimeError("boom")


# A URLconf of this module's own, for the 500 page (pytest.mark.urls below).
urlpatterns = [path("explode/", _explode)]
handler500 = server_error


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def assert_security_headers(response, what: str):
    assert "Content-Security-Policy" in response, f"{what}: no Content-Security-Policy"
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], f"{what}: script-src {policy['script-src']}"
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert response["X-Frame-Options"] == "DENY", what
    assert response["Referrer-Policy"] == "same-origin", what
    assert response["X-Content-Type-Options"] == "nosniff", what
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", f"{what}: Permissions-Policy {feature}"


def assert_no_store(response, what: str):
    assert "no-store" in response["Cache-Control"], f"{what}: Cache-Control {response.get('Cache-Control')}"
    assert "public" not in response["Cache-Control"] and "max-age=6" not in response["Cache-Control"]


def logged_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


# The headers on every kind of response ------------------------------------------------------

def test_every_header_on_pages_admin_api_docs_and_error_pages(cast, matrix_case):
    case = matrix_case("owned")
    officer, admin, anonymous = logged_in(cast["rtm.officer"]), logged_in(cast["admin"]), Client()
    api = APIClient()
    api.force_authenticate(cast["rtm.officer"])
    responses = {
        "dashboard": (officer.get("/"), 200),
        "case list": (officer.get("/cases/"), 200),
        "case page": (officer.get(f"/cases/{case.pk}/"), 200),
        "login page": (anonymous.get("/accounts/login/"), 200),
        "admin index": (admin.get("/admin/"), 200),
        "admin login": (anonymous.get("/admin/login/"), 200),
        "API case list": (api.get("/api/v1/cases/"), 200),
        "API case detail": (api.get(f"/api/v1/cases/{case.pk}/"), 200),
        "API 401": (APIClient().get("/api/v1/cases/"), 401),
        "API 404": (api.get("/api/v1/cases/00000000-0000-0000-0000-000000000000/"), 404),
        "API docs page": (anonymous.get("/api/v1/docs/"), 200),
        "API docs script": (anonymous.get("/api/v1/docs/", {"script": ""}), 200),
        "API schema": (anonymous.get("/api/v1/schema/"), 200),
        "404 page, anonymous": (anonymous.get("/no-such-page/"), 404),
        "404 page, logged in": (officer.get("/cases/00000000-0000-0000-0000-000000000000/"), 404),
        "403 page": (officer.get("/audit/"), 403),
        "static file": (anonymous.get("/static/css/portcullis.css"), 200),
    }
    for what, (response, status) in responses.items():
        assert response.status_code == status, what
        assert_security_headers(response, what)


def test_the_404_and_403_pages_are_the_products_own(cast):
    officer = logged_in(cast["rtm.officer"])
    for response, status in ((Client().get("/no-such-page/"), 404), (officer.get("/audit/"), 403)):
        body = response.content.decode()
        assert response.status_code == status
        assert f'<p class="error-code" aria-hidden="true">{status}</p>' in body
        assert "Portcullis" in body and "Traceback" not in body and "URLconf" not in body


@pytest.mark.urls(__name__)
def test_the_500_page_carries_the_headers_and_no_store():
    response = Client(raise_request_exception=False).get("/explode/")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    assert_security_headers(response, "500 page")
    assert_no_store(response, "500 page")


def test_the_policy_allows_no_inline_or_evaluated_script():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert policy["script-src"] == ["'self'"]
    assert not set(policy["script-src"]) & set(NO_INLINE)
    assert not set(policy["default-src"]) & set(NO_INLINE)
    assert "'unsafe-inline'" not in policy["style-src"]
    assert "CONTENT_SECURITY_POLICY_REPORT_ONLY" not in dir(settings)  # enforced, not only reported


def test_the_one_hashed_style_is_exactly_the_django_admins():
    """The style-src hash allows Django admin's changelist rule (admin/change_list.html, for a
    ModelAdmin without action bars) and nothing else: after a Django upgrade changes that
    rule, this says so instead of the admin quietly losing the style."""
    import django.contrib.admin

    template = Path(django.contrib.admin.__file__).parent / "templates" / "admin" / "change_list.html"
    [rule] = re.findall(r"<style>(.*?)</style>", template.read_text(), re.S)
    digest = base64.b64encode(hashlib.sha256(rule.encode()).digest()).decode()
    hashes = [source for source in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"]
              if source.startswith("'sha256-")]
    assert hashes == [f"'sha256-{digest}'"]


# No inline script anywhere the browser executes it --------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def project_templates() -> list[Path]:
    folders = [ROOT / "templates", *(app / "templates" for app in ROOT.iterdir() if (app / "apps.py").exists())]
    return [file for folder in folders if folder.exists() for file in folder.rglob("*.html")]


def test_no_template_holds_inline_script_handlers_or_styles():
    templates = project_templates()
    assert len(templates) > 20
    offending = [
        f"{file.relative_to(ROOT)}: {match.group(0)}"
        for file in templates
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER, INLINE_STYLE, re.compile(r"javascript:", re.I))
        if not file.is_relative_to(ROOT / "templates" / "notifications" / "email")  # e-mails, not pages
        for match in pattern.finditer(file.read_text())
    ]
    assert offending == []


def test_rendered_pages_hold_no_inline_script(cast, matrix_case):
    officer, admin = logged_in(cast["rtm.officer"]), logged_in(cast["admin"])
    case = matrix_case("owned")
    pages = [officer.get("/"), officer.get("/cases/"), officer.get(f"/cases/{case.pk}/"),
             officer.get("/notifications/"), admin.get("/admin/"), Client().get("/api/v1/docs/"),
             Client().get("/accounts/login/")]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "<script" in body  # the pages do load scripts, from files
        assert not INLINE_SCRIPT.search(body), response.wsgi_request.path
        assert not INLINE_HANDLER.search(body), response.wsgi_request.path


# Cache-Control: no-store on case data --------------------------------------------------------

def test_no_store_on_every_response_that_carries_case_data(cast, matrix_case):
    case = matrix_case("owned")
    document = case.documents.get()
    officer, auditor = logged_in(cast["rtm.officer"]), logged_in(cast["rtm.auditor"])
    api = APIClient()
    api.force_authenticate(cast["rtm.officer"])
    audit_api = APIClient(HTTP_X_JUSTIFICATION="Supervisor request 2026-114")
    audit_api.force_authenticate(cast["rtm.auditor"])
    responses = {
        "dashboard": officer.get("/"),
        "case list": officer.get("/cases/"),
        "case list, HTMX": officer.get("/cases/", {"q": "Matrix"}, HTTP_HX_REQUEST="true"),
        "case page": officer.get(f"/cases/{case.pk}/"),
        "case tab": officer.get(f"/cases/{case.pk}/identifiers/"),
        "notifications": officer.get("/notifications/"),
        "audit trail": auditor.get("/audit/"),
        "API case list": api.get("/api/v1/cases/"),
        "API case detail": api.get(f"/api/v1/cases/{case.pk}/"),
        "API identifiers": api.get(f"/api/v1/cases/{case.pk}/identifiers/"),
        "API documents": api.get(f"/api/v1/cases/{case.pk}/documents/"),
        "API document download": api.get(f"/api/v1/cases/{case.pk}/documents/{document.pk}/download/"),
        "API notifications": api.get("/api/v1/notifications/"),
        "API audit": audit_api.get("/api/v1/audit/"),
        "API audit CSV export": audit_api.get("/api/v1/audit/export/"),
    }
    for what, response in responses.items():
        assert response.status_code == 200, f"{what}: {response.status_code}"
        assert_no_store(response, what)
    assert b"PDF" in b"".join(responses["API document download"].streaming_content)
    assert responses["API audit CSV export"]["Content-Type"].startswith("text/csv")


def test_a_views_own_cache_header_cannot_relax_no_store(rf):
    from django.http import HttpResponse

    from coordination.middleware import SecurityHeadersMiddleware

    def cacheable_view(request):
        response = HttpResponse("case data")
        response["Cache-Control"] = "public, max-age=600"
        response["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
        return response

    response = SecurityHeadersMiddleware(cacheable_view)(rf.get("/cases/"))
    assert response["Cache-Control"] == "no-store"
    assert "Expires" not in response


def test_static_files_stay_cacheable_and_carry_no_case_data():
    response = Client().get("/static/css/portcullis.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]


# DEBUG and database connections in development ---------------------------------------------

def settings_value(expression: str, argv: list[str] | None = None, **env) -> str:
    """Imports the settings in a fresh interpreter, as manage.py would, and prints one value."""
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"DJANGO_DEBUG", "DJANGO_ENV", "DATABASE_CONN_MAX_AGE"}}
    environment.update(env)
    code = (f"import sys; sys.argv = {argv or ['manage.py', 'check']!r}; "
            f"from coordination import settings as s; print({expression})")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment,
                            capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_debug_is_off_by_default_and_on_only_when_asked():
    assert settings_value("s.DEBUG") == "False"
    assert settings_value("s.DEBUG", DJANGO_DEBUG="1") == "True"
    assert settings_value("s.DEBUG", DJANGO_DEBUG="0") == "False"


def test_runserver_never_keeps_database_connections_gunicorn_does():
    conn_max_age = "s.DATABASES['default']['CONN_MAX_AGE']"
    assert settings_value(conn_max_age, ["manage.py", "runserver", "127.0.0.1:8000"]) == "0"
    assert settings_value(conn_max_age, ["manage.py", "runserver"], DATABASE_CONN_MAX_AGE="60") == "0"
    assert settings_value(conn_max_age, ["gunicorn", "coordination.wsgi"]) == "60"


def test_make_run_serves_without_debug_and_without_persistent_connections():
    dry_run = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True)
    [serve] = [line for line in dry_run.stdout.splitlines() if "runserver" in line]
    assert "DATABASE_CONN_MAX_AGE=0" in serve and "DJANGO_DEBUG" not in serve
    assert serve.rstrip().endswith("runserver 127.0.0.1:8123")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_runserver_without_debug_serves_static_files_and_the_products_404(tmp_path):
    """What `make run` starts, with DEBUG left at its default: static files still come (from
    WhiteNoise, not runserver's DEBUG-only handler) and a wrong address gets the product's 404."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if key not in {"DJANGO_DEBUG", "DJANGO_ENV"}}
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}", DATABASE_CONN_MAX_AGE="0")
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers, css = fetch(f"{base}/static/css/portcullis.css")
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "runserver did not start"
                time.sleep(0.2)
        assert status == 200 and ".htmx-indicator" in css
        status, headers, body = fetch(f"{base}/no-such-page/")
        assert status == 404
        assert '<p class="error-code" aria-hidden="true">404</p>' in body
        assert "URLconf" not in body and "DEBUG = True" not in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["Cache-Control"] == "no-store"
        status, headers, body = fetch(f"{base}/accounts/login/")
        assert status == 200 and 'name="password"' in body
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stdout.close()
