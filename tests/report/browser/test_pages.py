"""The report's pages in Chromium, served as `daylight report serve` serves them (with the
report's content security policy): they render without errors, the central table sorts, filters
and finds an agency, charts, map and graph are drawn, a CSV download matches the table, the
SYNTHETIC banner shows, the keyboard reaches every control, axe-core finds nothing serious, and
the pages read without JavaScript. All data is SYNTHETIC (tests/report/factory.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from daylight.report.model import Report
from daylight.report.server import REPORT_CSP
from daylight.report.site import page_name
from tests.report.browser.conftest import page_problems

PAGES = ["index.html", "organizations.html", "graph.html", "voice.html", "changes.html",
         "methodology.html", "dictionary.html", "credits.html", "search.html"]
TABLE_FIELDS = ["organization_name", "sector", "supports", "state", "services", "capabilities", "calls",
                "suppressed", "allowed", "denied", "denied_by", "declared_purposes", "audit_findings",
                "actions"]


def _pages(report: Report) -> list[str]:
    orgs = [f"org/{page_name(o.organization_id)}" for o in report.organizations[:6]]
    return PAGES + orgs


def open_table(page: Page, base_url: str, query: str = "") -> None:
    """organizations.html, once the table script has its rows (it fetches them after load)."""
    page.goto(base_url + "organizations.html" + query)
    page.wait_for_selector("#organizations[data-ready]")


def _visible_names(page: Page) -> list[str]:
    return list(page.eval_on_selector_all(
        "table.orgs tbody tr:not([hidden]) td[data-field=organization_name]",
        "cells => cells.map(c => c.textContent)"))


def test_every_page_renders_under_the_reports_csp_without_console_errors_and_shows_the_banner(
    page: Page, base_url: str, browser_report: Report, screenshots: Path
) -> None:
    problems = page_problems(page)  # a CSP violation is a console error
    for name in _pages(browser_report):
        response = page.goto(base_url + name)
        assert response is not None and response.status == 200, name
        assert response.headers["content-security-policy"] == REPORT_CSP, name
        page.wait_for_load_state("load")
        banner = page.locator("#synthetic-banner")
        assert banner.is_visible(), name
        assert "SYNTHETIC" in banner.inner_text()
        if "/" not in name:
            page.screenshot(path=str(screenshots / name.replace(".html", ".png")), full_page=True)
    page.goto(base_url + f"org/{page_name(browser_report.organizations[3].organization_id)}")
    page.screenshot(path=str(screenshots / "organization.png"), full_page=True)
    assert problems == []


def test_the_central_table_sorts_filters_and_finds_an_agency(
    page: Page, base_url: str, browser_report: Report
) -> None:
    open_table(page, base_url)
    total = len(browser_report.organizations)
    assert len(_visible_names(page)) == total

    page.get_by_role("button", name="Calls").click()
    calls = [int(c) for c in page.eval_on_selector_all(
        "table.orgs tbody tr td[data-field=calls]", "cells => cells.map(c => c.textContent)")]
    assert calls == sorted(calls)
    assert page.locator("th[data-field=calls]").get_attribute("aria-sort") == "ascending"
    page.get_by_role("button", name="Calls").click()
    calls = [int(c) for c in page.eval_on_selector_all(
        "table.orgs tbody tr td[data-field=calls]", "cells => cells.map(c => c.textContent)")]
    assert calls == sorted(calls, reverse=True)

    agency = next(o for o in browser_report.organizations if o.sector == "immigration_enforcement")
    page.get_by_label("Search names").fill(agency.organization_name.split()[-1])
    assert _visible_names(page) == [agency.organization_name]
    assert "Showing 1 of" in page.locator("#count").inner_text()
    assert "q=" in page.url

    page.get_by_role("button", name="Clear").click()
    page.get_by_label("State", exact=True).select_option("TX")
    expected = sorted(o.organization_name for o in browser_report.organizations if o.state == "TX")
    assert sorted(_visible_names(page)) == expected

    page.get_by_label("State", exact=True).select_option("")
    page.get_by_label("Capability").select_option("biometric_identification")
    page.get_by_label("Who").select_option("supporting")
    expected = sorted(o.organization_name for o in browser_report.organizations
                      if "biometric_identification" in o.capabilities and o.supports
                      and o.sector not in ("law_enforcement", "immigration_enforcement"))
    assert expected and sorted(_visible_names(page)) == expected


def test_site_search_finds_an_organisation_page(page: Page, base_url: str, browser_report: Report) -> None:
    org = next(o for o in browser_report.organizations if o.sector == "law_enforcement")
    page.goto(base_url + "search.html")
    page.locator("#search input").fill(org.organization_name)
    link = page.locator(".pagefind-ui__result-link", has_text=org.organization_name).first
    link.wait_for()
    assert link.get_attribute("href") == f"/org/{page_name(org.organization_id)}"
    link.click()
    page.wait_for_url(f"**/org/{page_name(org.organization_id)}")
    assert page.locator("h1").inner_text() == org.organization_name
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(base_url + f"search.html?q={org.organization_name.split()[-1]}")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    assert requested and all(url.startswith(base_url) for url in requested)  # no CDN, nothing else


def test_the_central_table_filters_by_kind_and_amount_of_support(
    page: Page, base_url: str, browser_report: Report
) -> None:
    totals: dict[str, float] = {}
    kinds: dict[str, set[str]] = {}
    for edge in browser_report.supports:
        for org in {edge.contractor_id, edge.agency_id}:
            totals[org] = totals.get(org, 0.0) + (edge.amount or 0.0)
            kinds.setdefault(org, set()).add(edge.support_kind)
    names = {o.organization_id: o.organization_name for o in browser_report.organizations}
    kind = "detention_and_custody"
    with_kind = sorted(names[o] for o, k in kinds.items() if kind in k and o in names)
    assert 0 < len(with_kind) < len(names)

    open_table(page, base_url)
    page.get_by_label("Kind of support").select_option(kind)
    assert sorted(_visible_names(page)) == with_kind
    assert f"kind={kind}" in page.url
    least = sorted(totals[o] for o, k in kinds.items() if kind in k)[len(with_kind) // 2]
    page.get_by_label("Support at least (USD)").fill(str(int(least)))
    expected = sorted(names[o] for o, k in kinds.items()
                      if kind in k and o in names and round(totals[o]) >= int(least))
    assert 0 < len(expected) < len(with_kind)
    assert sorted(_visible_names(page)) == expected
    page.reload()  # the filter is in the address: a link to it shows the same rows
    page.wait_for_selector("#organizations[data-ready]")
    assert page.get_by_label("Kind of support").input_value() == kind
    assert sorted(_visible_names(page)) == expected

    page.get_by_role("button", name="Support (USD)").click()
    amounts = [int(c) for c in page.eval_on_selector_all(
        "table.orgs tbody tr:not([hidden]) td[data-derived=support_usd]", "cs => cs.map(c => c.textContent)")]
    assert amounts == sorted(amounts) and amounts[0] >= least - 1


def test_the_table_by_kind_of_support_reads_without_javascript(
    browser: Browser, base_url: str, browser_report: Report
) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "organizations.html")
        page.get_by_role("link", name="detention and custody").click()
        page.wait_for_url("**/organizations/kind-detention_and_custody.html")
        kinds = page.eval_on_selector_all("td[data-derived=support_kinds]",
                                          "cs => cs.map(c => c.textContent)")
        assert kinds and all("detention_and_custody" in k.split(";") for k in kinds)
        amounts = [int(c) for c in page.eval_on_selector_all(
            "td[data-derived=support_usd]", "cs => cs.map(c => c.textContent)")]
        assert amounts == sorted(amounts, reverse=True)
        page.locator("td[data-field=organization_name] a").first.click()
        assert page.locator("h1").inner_text() in {o.organization_name for o in browser_report.organizations}
    finally:
        context.close()


def test_a_map_link_filters_the_table_by_state(page: Page, base_url: str, browser_report: Report) -> None:
    open_table(page, base_url)
    page.locator('.map a[data-state="CA"]').click()
    page.wait_for_url("**state=CA**")
    page.wait_for_selector("#organizations[data-ready]")
    expected = sorted(o.organization_name for o in browser_report.organizations if o.state == "CA")
    assert sorted(_visible_names(page)) == expected
    assert page.get_by_label("State", exact=True).input_value() == "CA"


def test_charts_map_and_graph_are_drawn(page: Page, base_url: str, browser_report: Report) -> None:
    page.goto(base_url + "index.html")
    widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 3 and all(w > 100 for w in widths)

    open_table(page, base_url)
    assert page.locator(".map path").count() == 51
    assert page.locator(".map a[data-state]").count() == len({o.state for o in browser_report.organizations
                                                               if o.state != "PR"})
    box = page.locator(".map svg").bounding_box()
    assert box is not None and box["width"] > 300

    page.goto(base_url + "graph.html")
    page.wait_for_selector("#graph[data-drawn]")
    drawn = int(page.locator("#graph").get_attribute("data-drawn") or 0)
    nodes = {s.contractor_id for s in browser_report.supports}
    nodes |= {s.agency_id for s in browser_report.supports}
    assert drawn == len(nodes) > 0
    assert page.locator("#graph canvas").count() >= 1
    box = page.locator("#graph").bounding_box()
    assert box is not None and box["height"] >= 500


def test_the_csv_download_matches_the_table(page: Page, base_url: str, site_dir: Path) -> None:
    open_table(page, base_url)
    with page.expect_download() as info:
        page.locator("main p.lede a", has_text="CSV").first.click()
    downloaded = Path(info.value.path()).read_text()
    assert downloaded == (site_dir / "data" / "organizations.csv").read_text()
    by_id = {r["row_id"]: r for r in csv.DictReader(io.StringIO(downloaded))}
    shown = page.eval_on_selector_all(
        "table.orgs tbody tr[data-row-id]",
        """rows => rows.map(r => [r.dataset.rowId, r.dataset.logIndex,
             Object.fromEntries([...r.querySelectorAll('td[data-field]')]
               .map(c => [c.dataset.field, c.textContent]))])""",
    )
    assert len(shown) == len(by_id)
    for row_id, log_index, cells in shown:
        assert by_id[row_id]["log_index"] == log_index
        assert {f: by_id[row_id][f] for f in TABLE_FIELDS} == cells

    page.get_by_label("Sector").select_option("law_enforcement")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download this view (CSV)").click()
    view = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text())))
    visible = page.eval_on_selector_all("table.orgs tbody tr[data-row-id]",
                                        "rs => rs.map(r => r.dataset.rowId)")
    assert [r["row_id"] for r in view] == visible
    assert all(r["sector"] == "law_enforcement" for r in view)
    hostile = [r["organization_name"] for r in view if "HYPERLINK" in r["organization_name"]]
    assert all(name.startswith("'=") for name in hostile)


def test_the_keyboard_reaches_every_control(page: Page, base_url: str) -> None:
    open_table(page, base_url)
    controls = page.eval_on_selector_all(
        "#filters input, #filters select, #filters button, #by-state summary, #organizations th button",
        "els => els.map((e, i) => { e.dataset.probe = String(i); return i; })",
    )
    reached: set[str] = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        probe = page.evaluate("() => document.activeElement && document.activeElement.dataset.probe")
        if probe is not None:
            reached.add(probe)
        if len(reached) == len(controls):
            break
    assert len(reached) == len(controls)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    assert page.locator("#organizations th[aria-sort=ascending]").count() == 1


def test_axe_finds_no_serious_or_critical_violation(
    page: Page, base_url: str, browser_report: Report
) -> None:
    axe = Axe()
    found = []
    for name in [*PAGES, f"org/{page_name(browser_report.organizations[3].organization_id)}"]:
        page.goto(base_url + name)
        if name == "organizations.html":
            page.wait_for_selector("#organizations[data-ready]")
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                found.append(f"{name}: {violation['id']}: {violation['help']} "
                             f"{[n['target'] for n in violation['nodes'][:3]]}")
    assert found == []


def test_the_pages_read_without_javascript(browser: Browser, base_url: str, browser_report: Report) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base_url + "organizations.html")
        in_html = page.eval_on_selector_all("table.orgs tbody tr[data-row-id]",
                                            "rs => rs.map(r => r.dataset.rowId)")
        assert len(in_html) == 16
        states = [a.get_attribute("href") or "" for a in page.locator("#by-state th a").all()]
        by_state: list[str] = []
        for href in states:
            page.goto(base_url + href)
            by_state += page.eval_on_selector_all("table.orgs tbody tr[data-row-id]",
                                                  "rs => rs.map(r => r.dataset.rowId)")
        assert sorted(by_state) == sorted(o.row_id for o in browser_report.organizations)
        assert set(in_html) < set(by_state)
        page.goto(base_url + "organizations.html")
        assert not page.locator("#filters").is_visible()
        # No cell's text runs into the next column ("immigration_enforcement" is one long word)
        overflowing = page.eval_on_selector_all(
            "table.orgs tbody td", "tds => tds.filter(td => td.scrollWidth > td.clientWidth + 1)"
            ".map(td => td.dataset.field + ': ' + td.textContent)")
        assert overflowing == []
        page.goto(base_url + "graph.html")
        assert page.locator("#supports tbody tr[data-row-id]").count() == len(browser_report.supports)
        assert page.locator("#supports a[href^='org/']").count() >= len(browser_report.supports)
        assert "needs JavaScript" in page.locator("#graph").inner_text()
        box = page.locator("#graph").bounding_box()  # the note, not an empty 560-pixel frame
        assert box is not None and box["height"] < 120
        page.goto(base_url + "index.html")
        widths = page.eval_on_selector_all("figure img", "imgs => imgs.map(i => i.naturalWidth)")
        assert all(w > 100 for w in widths)
    finally:
        context.close()


def test_printing_prints_the_rows_shown_without_the_controls(
    page: Page, base_url: str, browser_report: Report
) -> None:
    open_table(page, base_url)
    page.emulate_media(media="print")
    rows = page.locator("table.orgs tbody tr[data-row-id]:visible")
    assert rows.count() == len(browser_report.organizations)
    page.emulate_media(media="screen")
    page.get_by_label("State", exact=True).select_option("TX")
    page.emulate_media(media="print")
    texas = [o for o in browser_report.organizations if o.state == "TX"]
    assert page.locator("table.orgs tbody tr[data-row-id]:visible").count() == len(texas)
    assert not page.locator("#filters").is_visible()
    assert not page.locator("header.site nav").is_visible()
    assert page.locator("#synthetic-banner").is_visible()
