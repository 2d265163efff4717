"""Browser tests: Playwright driving the system Chromium (Debian's package), headless.

Browsers cannot be downloaded here, so Playwright launches /usr/bin/chromium. Without
it these tests skip, saying why, unless HELPDESK_REQUIRE_BROWSER is set (CI sets it,
after installing Chromium), in which case they fail.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("HELPDESK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        message = f"Chromium no está instalado en {CHROMIUM} (apt-get install chromium chromium-driver)"
        if os.environ.get("HELPDESK_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous and safe.
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="es-MX", timezone_id="America/Mexico_City")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# WCAG 2.1 A and AA: what axe-core checks on every page a browser test visits.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


# Rules whose "needs review" means an aria-* attribute naming a missing id.
DANGLING_ARIA = {"aria-valid-attr-value"}


@pytest.fixture(scope="session")
def axe_engine():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def accessible(axe_engine):
    """accessible(page): fails with axe-core's report when the page as it is now has a
    WCAG 2.1 A/AA violation. Call it on each page a journey visits, after it settled."""

    def check(page, context=None):
        results = axe_engine.run(page, context=context, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        # axe only asks a person to review an aria-describedby (or -labelledby) naming an id
        # that is not in the page; on a settled page it is a broken reference: a failure.
        dangling = [
            node["html"]
            for rule in results.response["incomplete"] if rule["id"] in DANGLING_ARIA
            for node in rule["nodes"]
        ]
        assert not dangling, f"{page.url}: aria-* names an id the page lacks: {dangling}"

    return check
