"""The Content-Security-Policy in a real browser: the API docs and the Django admin work under
it, and a violation fails the browser test that caused it (conftest.CspWatch).

Every other browser test is watched the same way; these cover the pages no story visits.
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from playwright.sync_api import expect

from e2e.helpers import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def test_api_docs_work_under_the_policy(page, cast):
    page.goto("/api/v1/docs/")
    # Swagger UI ran (its init script is a file, not inline) and drew the contract's operations.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Portcullis API")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/cases/").first).to_be_visible()
    page.locator(".opblock-summary-path", has_text="/api/v1/me/").first.click()
    expect(page.get_by_role("button", name="Try it out").first).to_be_visible()


def test_the_django_admin_works_under_the_policy(page, cast):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_be_visible()
    changelists = page.locator("#content-main a[href$='/']:not(.addlink)").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))")
    assert len(changelists) >= 5
    for url in dict.fromkeys(changelists):
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.locator("#content")).to_be_visible()
    # A form whose widgets are JavaScript (the two-box permission selector).
    page.goto("/admin/auth/group/add/")
    expect(page.locator("#id_permissions_add")).to_be_visible()  # drawn by SelectFilter2.js
    page.get_by_label("Name").fill("Night shift")
    page.locator("#id_permissions_from option").first.dblclick()
    expect(page.locator("#id_permissions_to option")).to_have_count(1)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Night shift")


PROBE = textwrap.dedent('''
    """Run by test_a_violation_fails_the_test in a pytest of its own."""

    INJECTED = '<script>document.title = "inline ran"</script><p style="color: red">styled</p></body>'


    def test_page_with_inline_script_and_style(page):
        def inject(route):
            response = route.fetch()
            route.fulfill(response=response, body=response.text().replace("</body>", INJECTED))

        page.route("**/accounts/login/", inject)
        page.goto("/accounts/login/")
        assert page.title() != "inline ran"  # the policy blocked the script...


    def test_clean_page(page):
        page.goto("/accounts/login/")
        assert page.get_by_label("Password").is_visible()
''')


def test_a_violation_fails_the_test(tmp_path):
    """The hook itself: a page that breaks the policy fails its test (...and the test body
    alone would have passed), a clean page passes."""
    probe = tmp_path / "test_csp_probe.py"
    probe.write_text(PROBE)
    # The browser fixtures and the hook, exactly as every browser test gets them.
    (tmp_path / "conftest.py").write_text("from e2e.conftest import *  # noqa: F401,F403\n")
    environment = {key: value for key, value in os.environ.items()
                   if key not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    # A database of its own (SQLite in memory), never the running suite's test database.
    environment.update(DATABASE_URL="sqlite:///" + str(tmp_path / "probe.sqlite3"),
                       PYTHONPATH=str(ROOT / "tests"))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(probe), "-q", "-p", "no:cacheprovider",
         "--rootdir", str(ROOT), "-c", str(ROOT / "pytest.ini")],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    assert "FAILED " in output and "test_page_with_inline_script_and_style" in output, output
    assert "Content-Security-Policy violations" in output, output
    assert "script-src" in output and "style-src" in output, output
    # Both channels report: the page's securitypolicyviolation events and Chromium's console.
    assert "event: {'directive': 'script-src-elem'" in output and "console error: " in output, output
