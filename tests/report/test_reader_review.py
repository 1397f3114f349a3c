"""What a demanding reader of a published report meets: every link leads to a file, the pages
and the data files say the same thing in the same words, and numbers that differ on purpose are
explained where they are shown."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from daylight.report import chart
from daylight.report.formats import SUPPORTS
from daylight.report.model import EvidenceStep, Report, Source, UsagePoint, VoiceRow
from daylight.report.site import page_name, render_site, short_weeks, week_days
from tests.report.html_rows import page_rows


class _Links(HTMLParser):
    """Every ``href`` and ``src`` of a page, and its element ids (link targets)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def broken_links(site: Path) -> list[str]:
    """Each local link of each page whose target is not a file (a folder is not one: a static
    host answers 403 or 404 for it), or whose ``#fragment`` is not an id of its page."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(path.read_text())
        pages[path.resolve()] = parser
    broken = []
    for page, parser in pages.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme:  # http(s), data: outside the report
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(site.resolve())}: {link}")
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                broken.append(f"{page.relative_to(site.resolve())}: {link} (no such id)")
    return sorted(set(broken))


def test_every_link_of_every_page_leads_to_a_file_of_the_report(published: Path) -> None:
    assert len(list(published.rglob("*.html"))) > 5
    assert broken_links(published) == []


def test_the_crawler_finds_a_link_to_a_folder_or_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "proofs").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="proofs/">p</a> <a href="index.html#nope">n</a> <a href="#top">t</a>'
        '<h1 id="top">x</h1><a href="https://example.org/">e</a>')
    assert broken_links(tmp_path) == ["index.html: index.html#nope (no such id)",
                                      "index.html: proofs/"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dictionary_page_says_what_the_data_package_says(published: Path) -> None:
    """One description per column: the page read from the same place as datapackage.json, with
    the column's type and unit, in the CSV's column order (evidence included)."""
    package = json.loads((published / "data" / "datapackage.json").read_text())
    page = (published / "dictionary.html").read_text()
    for resource in package["resources"]:
        if not resource["path"].endswith(".csv"):
            continue
        table = resource["path"].removeprefix("data/").removesuffix(".csv")
        section = page.split(f'id="h-{table}"', 1)[1].split("</section>", 1)[0]
        rows = re.findall(r"<tr><td><code>([^<]+)</code></td>(.*?)</tr>", section)
        assert [name for name, _ in rows] == [f["name"] for f in resource["schema"]["fields"]], table
        for (name, cells), field in zip(rows, resource["schema"]["fields"], strict=True):
            text = html.unescape(_text(cells))
            assert field["description"] in text, (table, name)
            assert field.get("unit", "") in text, (table, name)


@pytest.fixture(scope="module")
def site(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_site(report, out, index=False)
    return out


def test_refusals_are_requests_to_the_gate_not_calls_and_their_sum_is_explained(
    site: Path, report: Report
) -> None:
    """The headline's refusals are the gate's decisions for the report's organisations; the
    table by policy counts every customer's and counts a request under each policy that refused
    it: a reader who adds up its rows must be told why they come to more."""
    text = _text((site / "index.html").read_text())
    denied = sum(o.denied for o in report.organizations)
    assert f"Requests refused by the policy gate {denied:,}" in text
    assert "calls refused" not in text.lower()
    assert report.refusals
    assert "counts under each policy that refused it" in text
    assert "every customer's" in text
    page = _text((site / "org" / page_name(report.organizations[0].organization_id)).read_text())
    assert "Requests refused by the policy gate" in page and "Requests allowed by the policy gate" in page


def test_a_week_cut_by_the_period_and_the_weeks_sum_that_differs_from_the_calls_are_explained(
    report: Report, tmp_path: Path
) -> None:
    """November 2026 starts on a Sunday and ends on a Monday: its first and last weeks count one
    day each, and their points drop for that reason alone. The weeks are withheld per week, the
    calls in the period per operation: their sums differ, and the page says both numbers."""
    weeks = ["2026-11-01", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]
    points = tuple(UsagePoint(day, None, "law enforcement", 700) for day in weeks)
    november = dataclasses.replace(report, period="2026-11", period_start="2026-11-01",
                                   period_end="2026-12-01", usage_over_time=points)
    render_site(november, tmp_path, index=False)
    text = _text((tmp_path / "index.html").read_text())
    assert ("the week from 2026-11-01 counts 1 day; the week from 2026-11-30 counts 1 day." in text)
    calls = sum(o.calls for o in report.organizations)
    assert calls != 4200
    assert f"The weeks add up to 4,200 calls, not the {calls:,} calls in the period above" in text
    assert "2026-11-02 7 law enforcement 700" in text  # the table's days column


def test_weeks_are_clipped_to_the_period() -> None:
    assert week_days("2026-11-02", "2026-12-01") == 7
    assert week_days("2026-11-01", "2026-12-01") == 1  # a Sunday
    assert week_days("2026-11-30", "2026-12-01") == 1
    assert short_weeks(["2026-11-01", "2026-11-02"], "2026-12-01") == [("2026-11-01", 1)]


def test_voice_rows_name_what_they_are_about_beside_the_published_id(
    report: Report, tmp_path: Path
) -> None:
    """`about` holds an organisation's registry id or `capability:ID`: the page names the
    organisation (with a link) and words the capability, and keeps the published cell as it is
    for `daylight verify`; a declared-use review says which capability it is for."""
    org = report.organizations[0]
    voice = (
        VoiceRow("voi-1", "objection", org.organization_id, "open", 3, None, None,
                 report.period_start, report.period_end, 7),
        VoiceRow("voi-2", "standing_refusal", "capability:real_time_remote_biometric_identification",
                 "active", 2, None, None, report.period_start, report.period_end, 8),
        VoiceRow("voi-3", "declaration_review", "customer outside this report", "approved", 1,
                 "approve", None, report.period_start, report.period_end, 9,
                 capability="biometric_verification"),
    )
    render_site(dataclasses.replace(report, voice=voice), tmp_path, index=False)
    page = (tmp_path / "voice.html").read_text()
    assert f'<a href="org/{page_name(org.organization_id)}">{html.escape(org.organization_name)}</a>' in page
    text = _text(page)
    assert "capability: real time remote biometric identification" in text
    cells = {row.row_id: row.cells for row in page_rows(page)}
    assert cells["voi-1"]["about"] == org.organization_id
    assert cells["voi-2"]["about"] == "capability:real_time_remote_biometric_identification"
    assert cells["voi-3"]["capability"] == "biometric_verification"
    # `signatures` counts co-signers, reviews or employees refusing: the heading says which
    assert "<th scope=\"col\" class=\"n\">Reviews</th>" in page
    assert "<th scope=\"col\" class=\"n\">Employees refusing</th>" in page


def test_an_agency_outside_the_report_is_named_in_the_evidence_not_shown_as_a_bare_id(
    report: Report, tmp_path: Path
) -> None:
    org = report.organizations[0]
    step = EvidenceStep("organization", "U.S. Immigration and Customs Enforcement",
                        organization_id="us-agency:7012", sector="immigration_enforcement")
    changed = dataclasses.replace(org, evidence=(*org.evidence, step))
    render_site(dataclasses.replace(report, organizations=(changed, *report.organizations[1:])),
                tmp_path, index=False)
    text = _text((tmp_path / "org" / page_name(org.organization_id)).read_text())
    assert "U.S. Immigration and Customs Enforcement" in text
    assert "— us-agency:7012" not in text


def test_removed_organisations_are_ids_that_the_page_says_where_to_look_up(site: Path,
                                                                           report: Report) -> None:
    assert report.changes is not None and report.changes.organizations_removed
    text = _text((site / "changes.html").read_text())
    removed = report.changes.organizations_removed[0]
    assert "By registry id: these organisations are not in this report" in text
    assert f"the report for {report.changes.previous_period} names them" in text
    assert removed in text


def test_the_consistency_proofs_first_size_is_said_to_be_the_previous_reports_proof_files(
        site: Path, report: Report) -> None:
    """A reader holding the previous report's log/checkpoint (one entry larger: it holds the
    entry that published that report) saw the proof start at another size, unexplained."""
    assert report.changes is not None
    text = _text((site / "changes.html").read_text())
    assert (f"is the checkpoint the {report.changes.previous_period} report's proof files are "
            "proven against") in text
    assert "one entry larger, because it also holds the entry that published it" in text


def test_the_three_commands_name_every_file_to_copy_and_a_key_path_that_exists_after_copying(
    published: Path, tmp_path: Path
) -> None:
    """The front page once said `wget --mirror` copies the report and then `--key log.vkey`: the
    crawl misses the log's tiles and the search index (not linked from any page), and after it
    the key is at `report/log.vkey`. Each command is run here as written, from a folder holding
    a full copy in `report/`."""
    page = (published / "index.html").read_text()
    commands = re.findall(r"<code>(daylight verify report/[^<]*)</code>",
                          page.split('<ol class="commands">', 1)[1].split("</ol>", 1)[0])
    # no --key: verify then says it used the key published beside the log; a --key naming
    # report/log.vkey was reported as a key the reader had brought (the review)
    assert commands == ["daylight verify report/"]
    assert "<code>daylight verify report/ --key TRUSTED.vkey</code>" in page
    listed = {line.split("  ", 1)[1] for line in (published / "SHA256SUMS").read_text().splitlines()}
    named = set(re.findall(r"<code>([^<]+)</code>", page.split('<ol class="commands">', 1)[1]))
    unlisted = {str(p.relative_to(published)) for p in published.rglob("*") if p.is_file()} - listed
    for path in unlisted:  # every file SHA256SUMS does not list is named, or its folder is
        assert path in named or path.split("/")[0] + "/" in named, path
    assert "not enough" in _text(page)


def test_every_page_says_the_period_is_in_utc(site: Path, report: Report) -> None:
    for path in [site / "index.html", site / "voice.html",
                 site / "org" / page_name(report.organizations[0].organization_id)]:
        text = _text(path.read_text())
        assert f"Period {report.period_start} to {report.period_end} (UTC days, end exclusive)" in text


def test_a_relationship_listed_until_a_past_date_is_explained_where_it_is_shown(
    site: Path, report: Report
) -> None:
    """A 287(g) agreement last listed in a snapshot of 2025-07-03 is in force in a report of
    2026-11 (the staleness rule): a reader who sees "To 2025-07-03" under "relationships in
    force" is told what the dates are, on the page and in the data's description."""
    assert report.supports
    for path in [site / "graph.html",
                 site / "org" / page_name(report.supports[0].agency_id)]:
        text = _text(path.read_text())
        assert "are the first and the last snapshot that list the relationship" in text, path
        assert f"counts until {report.snapshot_staleness_days:,} days after it" in text, path
    assert "the last snapshot that lists it" in SUPPORTS.field("end_date").description


def test_the_weekly_chart_labels_the_weeks_first_days_in_utc() -> None:
    """Vega's own ticks fell every fourth day ("Thu 05", "Mon 09", "Fri 13") under a chart of
    weeks from Monday; the labels are now the weeks' first days."""
    weeks = ["2026-11-01", "2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23", "2026-11-30"]
    svg = chart.render_svg(chart.usage_over_time_spec(
        [(d, "law enforcement", 700) for d in weeks], title="t", x_title="week"))
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert labels[:5] == ["Nov 02", "Nov 09", "Nov 16", "Nov 23", "Nov 30"]  # the Mondays


def test_a_year_of_weeks_gets_at_most_fourteen_labels() -> None:
    days = [(date(2026, 1, 5) + timedelta(weeks=n)).isoformat() for n in range(52)]
    spec = chart.usage_over_time_spec([(d, "all", 1) for d in ["2026-01-01", *days]], title="t")
    ticks = spec["encoding"]["x"]["axis"]["values"]
    assert 1 < len(ticks) <= chart.MAX_TICKS
    assert ticks[0] == 1767571200000  # Monday 2026-01-05T00:00:00Z, not the cut week of Jan 1


def test_the_methodology_says_what_a_suppressed_organisation_row_means(site: Path,
                                                                       report: Report) -> None:
    """An organisation's `suppressed` is true with calls well above the threshold: the row's
    calls are short by the withheld usage rows, and the page says by how much at most."""
    assert any(o.suppressed and o.calls >= report.small_count_threshold
               for o in report.organizations)
    text = _text((site / "methodology.html").read_text())
    limit = report.small_count_threshold - 1
    assert f"its calls are short by up to {limit} for each withheld row" in text
    assert "counted apart from the calls" in text
    assert "refused call" not in text


def test_sources_are_named_where_the_data_holds_their_ids(report: Report, tmp_path: Path) -> None:
    """`supports.source` and an evidence step's source hold the registry's source ids
    (`ice-287g-via-287g-watch`, `fbi-roster, 287g`): the pages name the sources beside them, as
    the credits page does; an id no source claims is shown as it is."""
    sources = (Source("ICE 287(g) participating agencies", "https://www.ice.gov/", "MIT",
                      "ICE", "2025", ids=("SYNTHETIC awards", "287g")),
               Source("FBI Crime Data Explorer", "https://cde.ucr.cjis.gov/", "public domain",
                      "FBI", "2025", ids=("fbi-roster",)))
    org = report.organizations[0]
    step = EvidenceStep("organization", org.organization_name, org.organization_id,
                        source="fbi-roster, 287g, daylight-curated")
    changed = dataclasses.replace(org, evidence=(*org.evidence, step))
    named = dataclasses.replace(report, sources=sources,
                                organizations=(changed, *report.organizations[1:]))
    render_site(named, tmp_path, index=False)
    graph = (tmp_path / "graph.html").read_text()
    assert "<td>ICE 287(g) participating agencies</td>" in graph
    cells = {row.row_id: row.cells for row in page_rows(graph)}
    assert cells[report.supports[0].row_id]["source"] == "SYNTHETIC awards"
    text = _text((tmp_path / "org" / page_name(org.organization_id)).read_text())
    assert ("source: FBI Crime Data Explorer, ICE 287(g) participating agencies, "
            "daylight-curated") in text
    credits = (tmp_path / "credits.html").read_text()
    assert "<code>SYNTHETIC awards</code>, <code>287g</code>" in credits


def test_agencies_that_support_another_are_counted_and_said_to_be(report: Report,
                                                                   tmp_path: Path) -> None:
    """The demo's front page said "Companies supporting them: 1" while three police agencies
    hold 287(g) agreements with ICE: the headline counts companies only, and now says so."""
    police = [o for o in report.organizations if o.sector == "law_enforcement"][:2]
    changed = {o.row_id: dataclasses.replace(o, supports=("immigration_enforcement",))
               for o in police}
    with_287g = dataclasses.replace(report, organizations=tuple(
        changed.get(o.row_id, o) for o in report.organizations))
    render_site(with_287g, tmp_path, index=False)
    text = _text((tmp_path / "index.html").read_text())
    assert "2 of the agencies above also support another agency" in text


def test_a_public_body_that_supports_an_agency_is_not_counted_as_a_company(report: Report,
                                                                           tmp_path: Path) -> None:
    """Reference build 9 shipped the Texas Military Department and a transit authority as
    companies; as public bodies (``other_government``) with CBP contracts they are still shown
    as supporting immigration enforcement, but never counted among the companies."""
    companies = [o for o in report.organizations
                 if o.sector not in ("law_enforcement", "immigration_enforcement") and o.supports]
    assert companies, "the factory's report has a supporting company"
    body = dataclasses.replace(companies[0], sector="other_government")
    changed = dataclasses.replace(report, organizations=tuple(
        body if o.row_id == body.row_id else o for o in report.organizations))
    render_site(changed, tmp_path, index=False)
    text = _text((tmp_path / "index.html").read_text())
    assert f"Companies supporting them {len(companies) - 1}" in text
    assert "Other public bodies supporting them 1" in text


@pytest.mark.parametrize("sector", ["nonprofit", "unknown"])
def test_a_supporter_that_is_no_public_body_is_not_counted_as_one(sector: str, report: Report,
                                                                   tmp_path: Path) -> None:
    """Only military, intelligence and other government bodies are public bodies: a nonprofit,
    or an organisation whose sector is unknown, stays among the supporters counted before."""
    companies = [o for o in report.organizations
                 if o.sector not in ("law_enforcement", "immigration_enforcement") and o.supports]
    other = dataclasses.replace(companies[0], sector=sector)
    changed = dataclasses.replace(report, organizations=tuple(
        other if o.row_id == other.row_id else o for o in report.organizations))
    render_site(changed, tmp_path, index=False)
    text = _text((tmp_path / "index.html").read_text())
    assert f"Companies supporting them {len(companies)}" in text
    assert "Other public bodies" not in text
