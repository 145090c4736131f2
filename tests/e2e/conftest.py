"""Fixtures for the headless-browser tests: Debian's Chromium, the demo cast and three cases.

live_server runs on a transactional database that is emptied after every test, so each test
builds the data it needs through the project's own services.

The pages are served with the real Content-Security-Policy, and every browser context is
watched: a CSP violation, reported as a `securitypolicyviolation` event or on the console,
fails the test that caused it (pytest_runtest_call below).
"""
import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import sync_playwright

from agencies.demo import seed_cast
from cases.choices import HandlingCode, ShareLevel
from cases.services import case_create, case_share
from e2e.helpers import PASSWORD, log_in

CHROMIUM = "/usr/bin/chromium"  # Debian's package; never a downloaded browser.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="package")
def browser():
    # Playwright's sync API keeps an event loop running in this thread, so Django refuses ORM
    # calls from the tests (SynchronousOnlyOperation). Allow them, but only while the browser
    # is up: set process-wide, the variable would leak into the rest of the suite (and into
    # `manage.py check --deploy`, which warns about it).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Runs in every document before its own scripts (Playwright's init scripts are not subject to
# the page's CSP) and reports each violation to the test through an exposed binding.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__portcullisCspViolation({
    directive: event.effectiveDirective || event.violatedDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
    page: document.location.href,
  });
});
"""
# Chromium's console wording for a refused load or inline script/style/handler.
_CSP_CONSOLE_MARKER = "Content Security Policy"


class CspWatch:
    """Collects the CSP violations of the browser contexts it watches."""

    def __init__(self):
        self.violations: list[str] = []
        self.contexts = []

    def watch(self, context):
        context.expose_binding("__portcullisCspViolation",
                               lambda source, report: self.violations.append(f"event: {report}"))
        context.add_init_script(_CSP_LISTENER)
        context.on("console", self._console)
        self.contexts.append(context)
        return context

    def _console(self, message):
        if _CSP_CONSOLE_MARKER in message.text:
            self.violations.append(f"console {message.type}: {message.text}")

    def flush(self):
        """Let reports still in flight arrive: Playwright delivers events while it waits. (No
        script in the page: some contexts have JavaScript switched off.)"""
        pages = [page for context in self.contexts for page in context.pages if not page.is_closed()]
        if pages:
            pages[0].wait_for_timeout(100)

    def check(self):
        self.flush()
        assert not self.violations, "Content-Security-Policy violations:\n" + "\n".join(self.violations)


@pytest.fixture
def csp_watch():
    return CspWatch()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """After the test body, before its contexts close: fail the test on any CSP violation."""
    result = yield
    watch = item.funcargs.get("csp_watch")
    if watch is not None:
        watch.check()
    return result


@pytest.fixture
def page(browser, live_server, csp_watch):
    """A fresh browser context per test, so no session cookie leaks between tests."""
    context = csp_watch.watch(browser.new_context(base_url=live_server.url))
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def cast(live_server, settings):
    # Start empty: the first transactional test of a session still holds whatever the
    # session-wide setup seeded (tests/conftest.py seeds the whole demo), and "the list shows
    # exactly these cases" only means something if these are the only cases there are.
    call_command("flush", interactive=False, verbosity=0)
    # Fast hashing: these tests are about pages, not password storage (ten users per test).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return seed_cast(password=PASSWORD)


def _open_case(actor, title, port):
    return case_create(
        actor=actor,
        title=title,
        port=port,
        seized_at=timezone.now() - datetime.timedelta(days=1),
        handling_code=HandlingCode.H0,
        legal_basis="Art. 46 Union Customs Code",
    )


@pytest.fixture
def cases(cast):
    """Two Rotterdam cases (one shared with the EU liaison bureau) and one Hamburg case."""
    rtm = _open_case(cast["rtm.officer"], "Cocaine in bananas, Rotterdam only", "NLRTM")
    shared = _open_case(cast["rtm.officer"], "Cocaine in pineapples, shared with liaison", "NLRTM")
    case_share(actor=cast["rtm.officer"], case_id=shared.pk, agency_code="EU-LIA",
               level=ShareLevel.VIEW, justification="E2E share")
    ham = _open_case(cast["ham.officer"], "Cocaine in coffee, Hamburg only", "DEHAM")
    return {"rtm": rtm, "shared": shared, "ham": ham}


@pytest.fixture
def login(page):
    def _login(username, password=PASSWORD):
        log_in(page, username, password)
    return _login


@pytest.fixture
def user_page(browser, live_server, csp_watch):
    """A logged-in page per user, each in its own browser context (own cookies), for stories
    in which several people take turns."""
    contexts = []

    def _open(username, **options):
        context = csp_watch.watch(
            browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, **options))
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        log_in(page, username)
        return page

    yield _open
    for context in contexts:
        context.close()
