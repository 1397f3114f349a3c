"""How readers reach rows beyond the ordinary served page: site search narrowed by Pagefind's
filters, the report opened from disk (``file://``), and filtering by links alone, without
JavaScript. All data is SYNTHETIC (tests/report/factory.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from daylight.report.model import Report
from daylight.report.site import render_site
from tests.report.browser.conftest import page_problems, row_ids
from tests.report.factory import synthetic_report

RESULT = ".pagefind-ui__result-link:not(.pagefind-ui__result-nested *)"  # pages, not their sections
WAIT_MS = 30_000  # as long as Playwright's own waits (expect's default is 5 s)


def _all_results(page: Page) -> list[str]:
    """The titles of every result Pagefind's UI lists, after pressing "Load more" until it is gone."""
    page.locator(RESULT).first.wait_for()
    more = page.locator(".pagefind-ui__button")
    while more.count() and more.first.is_visible():
        before = page.locator(RESULT).count()
        more.first.click()
        page.wait_for_function("([selector, n]) => document.querySelectorAll(selector).length > n",
                               arg=[RESULT, before])
    return [t.strip() for t in page.locator(RESULT).all_inner_texts()]


def test_a_search_filtered_to_one_state_returns_only_that_states_organisations(
    page: Page, base_url: str, browser_report: Report
) -> None:
    in_texas = sorted(o.organization_name for o in browser_report.organizations if o.state == "TX")
    # Other states' pages mention TX (a contractor supporting a Texan agency): the words alone
    # would find them; the filter must not.
    page.goto(base_url + "search.html")
    page.locator("#search input").fill("SYNTHETIC")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    page.locator(".pagefind-ui__filter-name", has_text="state").click()
    page.get_by_role("checkbox", name=re.compile(r"^TX\b")).check()
    _wait_for_results(page, len(in_texas))
    assert sorted(_all_results(page)) == in_texas

    page.goto(base_url + "search.html?q=SYNTHETIC&state=TX&sector=law_enforcement")
    texas_agencies = sorted(o.organization_name for o in browser_report.organizations
                            if o.state == "TX" and o.sector == "law_enforcement")
    _wait_for_results(page, len(texas_agencies))
    assert sorted(_all_results(page)) == texas_agencies


def _wait_for_results(page: Page, count: int) -> None:
    """Until Pagefind's message says ``count`` results (it counts after the filters apply)."""
    page.locator(".pagefind-ui__message").filter(
        has_text=re.compile(rf"^{count} results?\b")).wait_for(timeout=60_000)


@pytest.fixture(scope="module")
def site_on_disk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Report, Path]:
    """A report whose organizations.html holds the first 100 of its 150 rows, as written."""
    report = synthetic_report(organizations=150, operations_per_organization=1)
    out = tmp_path_factory.mktemp("on-disk")
    render_site(report, out, table_html_rows=100, index=False)
    return report, out


def test_opened_from_disk_the_table_shows_sorts_filters_and_searches_every_row(
    browser: Browser, site_on_disk: tuple[Report, Path]
) -> None:
    report, out = site_on_disk
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = page_problems(page)
    try:
        page.goto((out / "organizations.html").as_uri())
        in_html = page.eval_on_selector_all("#organizations tbody tr[data-row-id]",
                                            "rs => rs.map(r => r.dataset.rowId)")
        page.wait_for_selector("#organizations[data-ready]")
        assert "150 organisations" in page.locator("#count").inner_text()
        beyond = report.organizations[120]
        assert beyond.row_id not in in_html

        page.get_by_label("Search names").fill(beyond.organization_name)
        expect(page.locator("#count")).to_have_text(re.compile("^Showing 1 of"), timeout=WAIT_MS)
        assert _names(page) == [beyond.organization_name]

        page.get_by_label("Search names").fill("")
        page.locator("#f-state").select_option(beyond.state)
        want = sorted(o.row_id for o in report.organizations if o.state == beyond.state)
        expect(page.locator("#count")).to_have_text(re.compile(f"^Showing {len(want)} of"),
                                                    timeout=WAIT_MS)
        assert sorted(row_ids(page)) == want

        page.locator("#f-state").select_option("")
        page.get_by_role("button", name="Calls").click()
        page.get_by_role("button", name="Calls").click()  # descending
        top = page.locator("#organizations tbody tr[data-row-id] td[data-field=calls]").first.inner_text()
        assert top == str(max(o.calls for o in report.organizations))
        page.get_by_role("button", name="Organisation").click()  # by name: the last name last
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # the last row, by name
        by_name = sorted(report.organizations, key=lambda o: o.organization_name.lower())
        page.locator(f'tr[data-row-id="{by_name[-1].row_id}"]').wait_for(state="attached")
    finally:
        context.close()
    assert problems == []



def _names(page: Page) -> list[str]:
    return list(page.eval_on_selector_all(
        "#organizations tbody tr[data-row-id] td[data-field=organization_name]",
        "cs => cs.map(c => c.textContent)"))


def test_without_javascript_links_lead_to_one_states_agencies_using_one_capability(
    browser: Browser, base_url: str, browser_report: Report
) -> None:
    want = sorted(o.organization_name for o in browser_report.organizations
                  if o.state == "TX" and o.sector == "law_enforcement"
                  and "biometric_identification" in o.capabilities)
    assert want
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "organizations.html")
        assert page.locator("details#by-state").get_attribute("open") is not None
        page.get_by_role("link", name="TX, law enforcement:").click()
        page.wait_for_url("**/organizations/state-TX.html#sector-law_enforcement")
        sector = page.locator("nav.toc li", has=page.locator("a[href='#sector-law_enforcement']"))
        sector.get_by_role("link", name="biometric identification").click()
        page.wait_for_url("**/state-TX.html#law_enforcement--biometric_identification")
        listed = page.locator("#law_enforcement--biometric_identification + dd a")
        assert sorted(listed.all_inner_texts()) == want
        first = listed.first.inner_text()
        listed.first.click()
        assert page.locator("h1").inner_text() == first
        # The state's page holds every row of the state once, in its sector's table.
        page.go_back()
        rows = page.eval_on_selector_all("#sector-law_enforcement ~ .table-wrap tr[data-row-id]",
                                         "rs => rs.map(r => r.dataset.rowId)")
        assert sorted(rows) == sorted(o.row_id for o in browser_report.organizations
                                      if o.state == "TX" and o.sector == "law_enforcement")
    finally:
        context.close()


def test_axe_finds_nothing_serious_in_the_filters_as_links_and_the_filtered_search(
    page: Page, base_url: str
) -> None:
    axe = Axe()
    found = []

    def check(name: str) -> None:
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found.append(f"{name}: {violation['id']}: {violation['help']} "
                             f"{[n['target'] for n in violation['nodes'][:3]]}")

    page.goto(base_url + "organizations.html")
    page.wait_for_selector("#organizations[data-ready]")
    assert page.locator("details#by-state").get_attribute("open") is None  # closed by the script
    page.locator("details#by-state summary").click()
    page.locator("details#by-state table a").first.wait_for()
    check("organizations.html, the table by state open")
    page.goto(base_url + "organizations/state-TX.html")
    check("organizations/state-TX.html")
    page.goto(base_url + "search.html?q=SYNTHETIC&state=TX")
    expect(page.locator(".pagefind-ui__message")).to_have_text(re.compile("^3 results?"),
                                                               timeout=WAIT_MS)
    check("search.html, filtered")
    assert found == []


def test_opened_from_disk_the_search_page_says_it_needs_http(
    browser: Browser, site_dir: Path
) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto((site_dir / "search.html").as_uri())
        assert "needs the report served over HTTP" in page.locator("#search").inner_text()
    finally:
        context.close()
    assert errors == []
