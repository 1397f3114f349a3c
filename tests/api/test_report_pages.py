"""A published report's pages served by the service (`GET /v1/reports/{period}/files/...`) run in
Chromium as they do from `daylight report serve`: they carry the report's content security
policy (`REPORT_CSP`), not the API's `default-src 'none'`, so their scripts, styles and search
run with no console error. The report is SYNTHETIC (tests/report/factory.py)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from daylight.api.headers import SECURITY_HEADERS
from daylight.core.database import Database, migrate
from daylight.home import Home, all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.report.model import Report
from daylight.report.server import REPORT_CSP
from daylight.report.site import page_name
from daylight.report.store import Publication, ReportStore
from daylight.voice.privacy import generate_review_key
from tests.api.routes_world import service, service_home
from tests.report.browser.conftest import (  # noqa: F401 - the browser fixtures, shared
    FLAGS,
    browser,
    browser_report,
    page_problems,
    playwright,
    site_dir,
)
from tests.servers import uvicorn_thread

PERIOD = "2026-10"
PAGES = ["index.html", "organizations.html", "graph.html", "voice.html", "changes.html",
         "methodology.html", "dictionary.html", "credits.html", "search.html"]


@pytest.fixture
def published(tmp_path: Path, site_dir: Path) -> Home:  # noqa: F811 - the shared fixture
    """A home (SQLite) that published the SYNTHETIC report of ``PERIOD`` with its files."""
    database = Database(f"sqlite:///{tmp_path / 'daylight.db'}")
    migrate(database, all_migrations())
    log = TransparencyLog.create(database, Signer.generate("daylight.test/log"))
    home = service_home(tmp_path, database, log, generate_review_key()[0])
    with database.transaction() as tx:
        ReportStore(tx).add_publication(Publication(7, PERIOD, "2026-10-01", "2026-10-31", 7,
                                                    "ab" * 32, "2026-11-01T00:00:00Z"))
    directory = home.settings.reports_dir / "report"
    shutil.copytree(site_dir, directory)
    (directory / "publication.json").write_text(json.dumps({"period": PERIOD,
                                                            "published_log_index": 7}))
    return home


@pytest.fixture
def service_url(published: Home) -> Iterator[str]:
    """The service of ``published`` on loopback (uvicorn in a thread), its base URL."""
    with uvicorn_thread(service(published)) as url:
        yield url


def test_report_pages_served_by_the_service_run_without_console_errors(
        browser: Browser, service_url: str, browser_report: Report) -> None:  # noqa: F811
    base = f"{service_url}/v1/reports/{PERIOD}/files/"
    context = browser.new_context()
    page = context.new_page()
    problems = page_problems(page)
    try:
        for name in [*PAGES, f"org/{page_name(browser_report.organizations[3].organization_id)}"]:
            response = page.goto(base + name)
            assert response is not None and response.status == 200, name
            headers = response.headers
            assert headers["content-security-policy"] == REPORT_CSP, name
            others = {k.decode(): v.decode() for k, v in SECURITY_HEADERS
                      if k != b"content-security-policy"}
            assert {k: headers[k] for k in others} == others, name
            page.wait_for_load_state("load")
            assert "SYNTHETIC" in page.locator("#synthetic-banner").inner_text(), name
        # the table's script ran: it fetched its rows (connect-src) and marked itself ready
        page.goto(base + "organizations.html")
        page.wait_for_selector("#organizations[data-ready]", timeout=15_000)
        # the search ran Pagefind (its WebAssembly) and links a result under the report's path
        org = browser_report.organizations[3]
        page.goto(base + "search.html")
        page.locator("#search input").fill(org.organization_name)
        link = page.locator(".pagefind-ui__result-link", has_text=org.organization_name).first
        link.wait_for(timeout=15_000)
        link.click()
        page.wait_for_url(f"**/org/{page_name(org.organization_id)}")
    finally:
        context.close()
    assert problems == []

