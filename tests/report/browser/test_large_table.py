"""The central table of a larger SYNTHETIC report (1,500 organisations, more than the page's HTML
holds): only the rows on screen are in the document, yet sorting, filtering, scrolling to the
end and the CSV of the view cover every row."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from daylight.report.model import Report
from daylight.report.site import render_site
from tests.report.browser.conftest import row_ids
from tests.report.factory import synthetic_report
from tests.servers import report_thread

ORGANIZATIONS = 1500


@pytest.fixture(scope="module")
def large_report() -> Report:
    return synthetic_report(organizations=ORGANIZATIONS, operations_per_organization=1)


@pytest.fixture(scope="module")
def large_url(large_report: Report, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("large-report")
    render_site(large_report, out, index=False)
    with report_thread(out) as url:
        yield url


@pytest.fixture
def table(browser: Browser, large_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(large_url + "organizations.html")
    page.wait_for_selector("#organizations[data-ready]")
    try:
        yield page
    finally:
        context.close()
    assert errors == []



def test_only_the_rows_on_screen_are_written_and_scrolling_reaches_the_last(
    table: Page, large_report: Report
) -> None:
    shown = row_ids(table)
    assert 0 < len(shown) < 200
    assert shown == [o.row_id for o in large_report.organizations[: len(shown)]]
    assert "1,500 organisations" in table.locator("#count").inner_text()
    table.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    table.locator(f'tr[data-row-id="{large_report.organizations[-1].row_id}"]').wait_for(state="attached")
    assert large_report.organizations[0].row_id not in row_ids(table)
    table.evaluate("() => window.scrollTo(0, 0)")
    table.locator(f'tr[data-row-id="{large_report.organizations[0].row_id}"]').wait_for(state="attached")


def test_sorting_filtering_and_the_csv_of_the_view_cover_every_row(
    table: Page, large_report: Report
) -> None:
    table.get_by_role("button", name="Calls").click()
    table.get_by_role("button", name="Calls").click()  # descending: the largest first
    top = max(large_report.organizations, key=lambda o: o.calls)
    assert table.locator("#organizations tbody tr[data-row-id] td[data-field=calls]").first.inner_text() \
        == str(top.calls)

    table.get_by_label("State", exact=True).select_option("TX")
    texas = [o for o in large_report.organizations if o.state == "TX"]
    assert f"Showing {len(texas):,} of 1,500" in table.locator("#count").inner_text()
    with table.expect_download() as info:
        table.get_by_role("button", name="Download this view (CSV)").click()
    view = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    assert sorted(r["row_id"] for r in view) == sorted(o.row_id for o in texas)
    calls = [int(r["calls"]) for r in view]
    assert calls == sorted(calls, reverse=True)
