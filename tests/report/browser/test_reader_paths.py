"""How readers reach rows beyond the ordinary served page: site search narrowed by Pagefind's
filters, the report opened from disk (``file://``), and filtering by links alone, without
JavaScript. All data is SYNTHETIC (tests/report/factory.py)."""

from __future__ import annotations

import re

from playwright.sync_api import Page

from daylight.report.model import Report

RESULT = ".pagefind-ui__result-link:not(.pagefind-ui__result-nested *)"  # pages, not their sections


def _all_results(page: Page) -> list[str]:
    """The titles of every result Pagefind's UI lists, after pressing "Load more" until it is gone."""
    page.locator(RESULT).first.wait_for()
    more = page.locator(".pagefind-ui__button")
    while more.count() and more.first.is_visible():
        before = page.locator(RESULT).count()
        more.first.click()
        page.wait_for_function(
            f"document.querySelectorAll('{RESULT}').length > {before}")
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
    page.wait_for_function("document.querySelector('.pagefind-ui__message') && "
                           "/^3 results?/.test(document.querySelector('.pagefind-ui__message').textContent)")
    assert sorted(_all_results(page)) == in_texas

    page.goto(base_url + "search.html?q=SYNTHETIC&state=TX&sector=law_enforcement")
    page.wait_for_function("document.querySelector('.pagefind-ui__message') && "
                           "/^2 results?/.test(document.querySelector('.pagefind-ui__message').textContent)")
    assert sorted(_all_results(page)) == sorted(
        o.organization_name for o in browser_report.organizations
        if o.state == "TX" and o.sector == "law_enforcement")
