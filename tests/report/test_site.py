"""The static site rendered from a SYNTHETIC report: layout, the row contract with ``daylight
verify``, escaping, the SYNTHETIC banner, determinism and the data dictionary."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from daylight.core.errors import StorageError
from daylight.core.text import count_of
from daylight.report.dictionary import data_dictionary
from daylight.report.model import (
    CorrectionRow,
    DecisionRow,
    OrganizationRow,
    Report,
    SupportRow,
    UsageRow,
    UsageWeekRow,
    VoiceRow,
)
from daylight.report.site import cell_text, entry_href, page_name, render_site, signatures
from daylight.report.table_script import TABLE_SCRIPT, from_script, rows_of, to_script
from tests.report.factory import HOSTILE_NAME, synthetic_report
from tests.report.html_rows import inline_scripts, page_rows

ROW_TYPES: dict[str, type] = {
    "organizations": OrganizationRow, "usage": UsageRow, "supports": SupportRow,
    "decisions": DecisionRow, "usage_weekly": UsageWeekRow, "voice": VoiceRow,
    "corrections": CorrectionRow,
}
PAGES = ["index.html", "organizations.html", "graph.html", "voice.html", "changes.html",
         "methodology.html", "dictionary.html", "credits.html"]


@pytest.fixture(scope="module")
def site(report: Report, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    render_site(report, out, table_chunk_rows=10)
    return out


def test_the_pages_are_where_the_issue_puts_them(site: Path, report: Report) -> None:
    for page in PAGES:
        assert (site / page).is_file(), page
    for org in report.organizations:
        assert (site / "org" / page_name(org.organization_id)).is_file()
    for chart in ("usage-over-time", "by-service", "by-capability"):
        svg = (site / "charts" / f"{chart}.svg").read_text()
        assert svg.startswith("<svg") and "<path" in svg
    assert (site / "static" / "vendor" / "cytoscape.min.js").stat().st_size > 100_000
    assert "MIT" in (site / "static" / "vendor" / "cytoscape.LICENSE").read_text()


def test_render_returns_every_file_it_wrote(site: Path, report: Report, tmp_path: Path) -> None:
    written = render_site(report, tmp_path, table_chunk_rows=10)
    on_disk = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert sorted(written) == on_disk


def test_the_same_report_renders_the_same_bytes(site: Path, report: Report, tmp_path: Path) -> None:
    render_site(report, tmp_path, table_chunk_rows=10)
    for path in sorted(site.rglob("*")):
        if path.is_file():
            assert (tmp_path / path.relative_to(site)).read_bytes() == path.read_bytes(), path


def test_every_central_row_carries_its_id_log_index_and_fields_as_the_csv_writes_them(
    site: Path, report: Report
) -> None:
    rows = {r.row_id: r for r in page_rows((site / "organizations.html").read_text())}
    assert len(rows) == len(report.organizations)
    shown = ["organization_name", "sector", "supports", "state", "services", "capabilities", "calls",
             "suppressed", "allowed", "denied", "denied_by", "declared_purposes", "audit_findings", "actions"]
    for org in report.organizations:
        row = rows[org.row_id]
        assert row.log_index == org.log_index
        assert row.cells == {f: cell_text(getattr(org, f)) for f in shown}


def test_every_organisation_page_lists_its_usage_and_decisions_with_proofs(
    site: Path, report: Report
) -> None:
    org = report.organizations[3]
    html = (site / "org" / page_name(org.organization_id)).read_text()
    rows = {r.row_id: r for r in page_rows(html)}
    usage = [u for u in report.usage if u.organization_id == org.organization_id]
    decisions = [d for d in report.decisions if d.organization_id == org.organization_id]
    assert usage and decisions
    for u in usage:
        assert rows[u.row_id].cells["calls"] == str(u.calls)
        assert rows[u.row_id].log_index == u.log_index
        assert f'href="../proofs/{u.row_id}.tlog-proof"' in html
    for d in decisions:
        assert rows[d.row_id].cells["decisions"] == str(d.decisions)
    assert rows[org.row_id].cells["organization_id"] == org.organization_id
    assert f'href="../{entry_href(org.log_index, report.tree_size)}"' in html


def test_published_rows_of_the_other_pages(site: Path, report: Report) -> None:
    graph = {r.row_id: r for r in page_rows((site / "graph.html").read_text())}
    assert set(graph) == {s.row_id for s in report.supports}
    # Voice and corrections are published tables: rows with data-row-id and proof links.
    voice = {r.row_id: r for r in page_rows((site / "voice.html").read_text())}
    assert set(voice) == {v.row_id for v in report.voice}
    for v in report.voice:
        assert voice[v.row_id].cells["signatures"] == str(v.signatures)
        assert voice[v.row_id].log_index == v.log_index
    changes_html = (site / "changes.html").read_text()
    changes = {r.row_id: r for r in page_rows(changes_html)}
    assert set(changes) == {c.row_id for c in report.corrections}
    for c in report.corrections:
        assert f'href="proofs/{c.row_id}.tlog-proof"' in changes_html
        assert f'href="{entry_href(c.log_index, report.tree_size)}">#{c.log_index}</a>' in changes_html


def test_text_from_customers_and_reference_data_is_escaped(site: Path) -> None:
    for path in [site / p for p in PAGES] + sorted((site / "org").iterdir()):
        html = path.read_text()
        assert "<script>alert(1)</script>" not in html, path
        assert all("alert" not in script for script in inline_scripts(html)), path
    table = (site / "organizations.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table
    assert HOSTILE_NAME in [r.cells["organization_name"] for r in page_rows(table)]
    graph = (site / "graph.html").read_text()
    data_island = re.search(r'<script type="application/json" id="graph-data">(.*?)</script>', graph, re.S)
    assert data_island and "</" not in data_island[1]


def test_every_page_shows_the_synthetic_banner(site: Path) -> None:
    for path in [site / p for p in PAGES] + sorted((site / "org").iterdir()):
        assert 'id="synthetic-banner"' in path.read_text(), path


def test_a_real_report_has_no_synthetic_banner(tmp_path: Path) -> None:
    report = dataclasses.replace(synthetic_report(organizations=4), synthetic=False)
    render_site(report, tmp_path)
    assert "synthetic-banner" not in (tmp_path / "index.html").read_text()


def test_the_front_page_shows_the_checkpoint_and_its_cosignatures(site: Path, report: Report) -> None:
    html = (site / "index.html").read_text()
    assert report.origin in html and f"tree size <strong>{report.tree_size:,}</strong>" in html
    found = signatures(report.checkpoint, report.origin)
    assert [s.is_log for s in found] == [True, False]
    assert "Cosigned by witness <code>witness.example/SYNTHETIC-witness</code>" in html
    assert html.count("<li>") >= 3 and "daylight verify" in html


def test_organisation_pages_have_safe_file_names() -> None:
    assert page_name("org-00001") == "org-00001.html"
    unsafe = page_name("../etc/passwd")
    assert "/" not in unsafe and unsafe.endswith(".html") and not unsafe.startswith(".")
    assert page_name("a b") != page_name("a_b")


def test_entry_links_point_at_the_bundle_that_holds_the_entry() -> None:
    assert entry_href(5, 1000) == "log/tile/entries/000"
    assert entry_href(999, 1000) == "log/tile/entries/003.p/232"
    assert entry_href(1023, 1024) == "log/tile/entries/003"


def test_every_published_column_is_in_the_data_dictionary() -> None:
    tables = data_dictionary()
    assert set(tables) == set(ROW_TYPES)
    for table, row_type in ROW_TYPES.items():
        assert {c.name for c in tables[table]} == {f.name for f in dataclasses.fields(row_type)}, table
        assert all(c.description for c in tables[table]), table


def test_an_empty_report_renders(tmp_path: Path) -> None:
    report = synthetic_report(organizations=0, with_changes=False)
    render_site(report, tmp_path)
    assert "This is the first report" in (tmp_path / "changes.html").read_text()
    assert page_rows((tmp_path / "organizations.html").read_text()) == []


def _decoded(site: Path) -> tuple[list[str], dict[str, tuple[int, str, dict[str, str]]]]:
    text = (site / TABLE_SCRIPT).read_text()
    table = from_script(text)
    assert to_script(table) == text
    rows = {}
    for row in rows_of(table):
        rows[row.row_id] = (int(str(row.log_index)), row.entry,
                            row.cells | row.derived | {"page": row.page})
    return table.fields, rows


def test_the_table_script_reads_the_same_cells_as_the_html_and_the_support_derived_from_supports(
    site: Path, report: Report
) -> None:
    fields, rows = _decoded(site)
    html = {r.row_id: r for r in page_rows((site / "organizations.html").read_text())}
    assert list(rows) == [o.row_id for o in report.organizations]
    for org in report.organizations:
        log_index, entry, cells = rows[org.row_id]
        assert log_index == org.log_index and entry == entry_href(org.log_index, report.tree_size)
        assert cells["page"] == f"org/{page_name(org.organization_id)}"
        assert {f: cells[f] for f in html[org.row_id].cells} == html[org.row_id].cells
        edges = [s for s in report.supports if org.organization_id in (s.contractor_id, s.agency_id)]
        assert cells["support_kinds"] == ";".join(sorted({s.support_kind for s in edges}))
        assert cells["support_usd"] == str(round(sum(s.amount or 0 for s in edges)))
    assert "support_kinds" in fields and any(c["support_kinds"] for _, _, c in rows.values())


def test_a_large_table_puts_one_block_in_the_page_and_every_row_on_the_pages_by_state_and_kind(
    report: Report, tmp_path: Path
) -> None:
    render_site(report, tmp_path, table_chunk_rows=5, table_html_rows=8, index=False)
    first = page_rows((tmp_path / "organizations.html").read_text())
    assert [r.row_id for r in first] == [o.row_id for o in report.organizations[:5]]
    by_state = {}
    for path in sorted((tmp_path / "organizations").glob("state-*.html")):
        for row in page_rows(path.read_text()):
            org = next(o for o in report.organizations if o.row_id == row.row_id)
            assert path.name == f"state-{org.state}.html"
            assert row.cells["organization_name"] == org.organization_name
            by_state[row.row_id] = row
    assert sorted(by_state) == sorted(o.row_id for o in report.organizations)
    _, rows = _decoded(tmp_path)
    kinds = sorted((tmp_path / "organizations").glob("kind-*.html"))
    assert kinds
    for path in kinds:
        kind = path.name.removeprefix("kind-").removesuffix(".html")
        listed = [r.row_id for r in page_rows(path.read_text())]
        want = [i for i, (_, _, c) in rows.items() if kind in c["support_kinds"].split(";")]
        assert sorted(listed) == sorted(want)
        amounts = [int(rows[i][2]["support_usd"]) for i in listed]
        assert amounts == sorted(amounts, reverse=True)


def test_organisation_pages_written_by_forked_children_are_the_pages_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = synthetic_report(organizations=450, operations_per_organization=1, days=14)
    monkeypatch.setattr("daylight.report.site.processes_for", lambda items: 3)  # on any machine
    shared = render_site(report, tmp_path / "shared", index=False)
    monkeypatch.setattr("daylight.report.site.processes_for", lambda items: 1)
    alone = render_site(report, tmp_path / "alone", index=False)
    assert [p.relative_to(tmp_path / "shared") for p in shared] == \
        [p.relative_to(tmp_path / "alone") for p in alone]  # the same files, in the same order
    for path in sorted(alone):
        twin = tmp_path / "shared" / path.relative_to(tmp_path / "alone")
        assert twin.read_bytes() == path.read_bytes(), path


def test_a_child_that_cannot_write_its_pages_fails_the_render_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = synthetic_report(organizations=450, operations_per_organization=1, days=14)
    last = tmp_path / "org" / page_name(report.organizations[-1].organization_id)
    last.mkdir(parents=True)  # a folder where the last page goes: only a child writes it
    monkeypatch.setattr("daylight.report.site.processes_for", lambda items: 2)
    with pytest.raises(StorageError, match="could not write a share of the organisation pages: "
                                           "IsADirectoryError"):
        render_site(report, tmp_path, index=False)


def test_counts_in_prose_agree_with_their_noun(site: Path, report: Report) -> None:
    assert [count_of(1, "organisation"), count_of(2, "organisation"),
            count_of(1_000, "hash", "hashes")] == ["1 organisation", "2 organisations", "1,000 hashes"]
    page = (site / "organizations.html").read_text()
    assert not re.search(r"\b1 organisations\b", page)
    states = Counter(o.state for o in report.organizations if o.state)
    lone = [state for state, n in states.items() if n == 1]
    many = [state for state, n in states.items() if n > 1]
    assert lone and many, "the fixture should have a state with one organisation and one with more"
    assert re.search(r": 1 organisation</title>", page)
    assert re.search(rf": {states[many[0]]} organisations</title>", page)
