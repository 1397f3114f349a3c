"""A SYNTHETIC report site served on loopback, and Debian's Chromium driven by Playwright.

Chromium is the Debian package (``/usr/bin/chromium``; scripts/test installs it): Playwright's own
browser download is never used. Screenshots of the main pages go to ``build/report-screenshots/``.

The site is served with the report's content security policy, which has no ``'unsafe-eval'``:
give Playwright a function (``"() => ..."``, with ``arg=``), a locator or ``expect``, never a
bare expression, to wait on: ``wait_for_function`` evaluates an expression with ``eval`` in the
page each time it polls, which the policy refuses (a function is compiled once, over CDP).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from daylight.report.model import Report
from daylight.report.site import render_site
from tests.report.factory import synthetic_report, write_data_files
from tests.servers import report_thread

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).parents[3] / "build" / "report-screenshots"


@pytest.fixture(scope="session")
def browser_report() -> Report:
    return synthetic_report(organizations=40)


@pytest.fixture(scope="session")
def site_dir(browser_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    # 16 rows in organizations.html's HTML, the others on the pages by state (as a 10,000-row
    # report is written); the table script shows all 40 from table/organizations.json.
    render_site(browser_report, out, table_chunk_rows=16, table_html_rows=16)
    write_data_files(browser_report, out)
    return out


def row_ids(page: Page) -> list[str]:
    """The row ids of the central table's rows in the document, in order."""
    return list(page.eval_on_selector_all("#organizations tbody tr[data-row-id]",
                                          "rs => rs.map(r => r.dataset.rowId)"))


def page_problems(page: Page) -> list[str]:
    """What goes wrong on ``page`` from now on, as it happens: console errors and warnings,
    uncaught errors, dialogs and failed requests, each with the page's address."""
    problems: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{page.url}: {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("dialog", lambda dialog: problems.append(f"{page.url}: dialog {dialog.message}"))
    page.on("requestfailed", lambda request: problems.append(f"failed {request.url}"))
    return problems


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    with report_thread(site_dir) as url:
        yield url


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope: Playwright's sync API runs an event loop while it is open, and tests outside
    # this folder that call asyncio.run() must not find one running.
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (scripts/test does)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page; any script error while the test uses it fails the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    try:
        yield page
    finally:
        context.close()
    assert errors == []


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
