"""`build_report` end to end on a small world, on SQLite and PostgreSQL: the fixed layout, the
rows and their proofs, the small-count rule, re-building, and the next period's changes."""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
from pathlib import Path

import orjson
import pytest
from frictionless import validate

from daylight.core.errors import ConflictError, NotFoundError
from daylight.flows import report as report_flow
from daylight.flows.report import ReportRequest, build_report, publish_reports
from daylight.policy.catalog import default_catalog
from daylight.report.filter_index import SIGNATURE
from daylight.report.formats import TABLES, entry_payload
from daylight.report.search import index_site
from daylight.report.verify import verify_report
from tests.report.conftest import NOW, World, add_month, ingest_month, record_decisions


def build(world: World, period: str, out: Path) -> dict[str, object]:
    result = build_report(world.database, world.log, default_catalog(), ReportRequest(period, out),
                          NOW)
    return result.to_json()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_report_has_the_fixed_layout_and_every_row_is_proven(world: World,
                                                                 tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = build(world, "2026-10", out)
    for name in ("index.html", "report.db", "SHA256SUMS", "log/checkpoint", "log.vkey",
                 "data/datapackage.json", *(f"data/{t.name}.{e}" for t in TABLES
                                            for e in ("csv", "json"))):
        assert (out / name).is_file(), name
    organizations = {r["organization_name"]: r for r in rows(out / "data/organizations.csv")}
    # the police department and the contractor; not ICE (a customer from November), not the bakery
    assert set(organizations) == {"Gainesville Police Department", "THE GEO GROUP, INC."}
    police = organizations["Gainesville Police Department"]
    assert (police["sector"], police["state"], police["synthetic"]) == ("law_enforcement", "FL",
                                                                       "true")
    assert police["denied"] == "30" and police["denied_by"] == \
        "employee-demands/no-face-search-for-police"
    assert contractor_supports(organizations["THE GEO GROUP, INC."])
    usage = {(r["organization_id"], r["operation"]): r for r in rows(out / "data/usage.csv")}
    assert usage[("ori:FL0010100", "face.search")]["calls"] == "12"
    small = usage[("ori:FL0010100", "compute.instance")]
    assert (small["calls"], small["suppressed"]) == ("0", "true")  # 3 calls: under the rule
    assert (police["calls"], police["suppressed"]) == ("12", "true")  # the sum of published rows
    decisions = rows(out / "data/decisions.csv")
    allowed = next(d for d in decisions if d["outcome"] == "allow")
    assert (allowed["decisions"], allowed["suppressed"]) == ("0", "true")
    for table in TABLES:
        for row in rows(out / "data" / f"{table.name}.csv"):
            assert {"row_id", "period_start", "period_end", "log_index", "synthetic"} <= set(row)
            assert (row["period_start"], row["period_end"]) == ("2026-10-01", "2026-11-01")
            proof = (out / "proofs" / f"{row['row_id']}.tlog-proof").read_text()
            assert f"\nindex {row['log_index']}\n" in proof
    assert result["rows_appended"] == sum(len(rows(out / "data" / f"{t.name}.csv")) for t in TABLES)
    checked = verify_report(out)
    assert checked.published_log_index == result["published_log_index"]
    assert checked.key_source.startswith("log.vkey")


def contractor_supports(row: dict[str, str]) -> bool:
    """A CBP contractor whose award runs to 2026-06-30: in force (within the look-back window)
    during October 2026; its support path and source are the evidence."""
    evidence = json.loads(row["evidence"])
    return row["supports"] == "immigration_enforcement" and any(
        s["kind"] == "relationship" and s["source"] for s in evidence)


def test_a_supports_row_counts_the_awards_in_force_not_the_path_screening_recorded(
        world: World, tmp_path: Path) -> None:
    """GEO's awards to CBP in the subset: one ended 2024-10-17 (before October 2026's look-back
    window of 365 days), two run into it (to 2025-12-05 and 2026-06-30); its subsidiary B.I.'s
    awards to ICE ended in 2022. So October's report says one thing: GEO supported CBP through
    those two detention awards, their amounts summed, their dates spanned."""
    out = tmp_path / "report"
    build(world, "2026-10", out)
    geo = [r for r in rows(out / "data/supports.csv") if r["contractor_id"] == "company:geo-group"]
    assert [(r["agency_id"], r["relationship_kind"], r["support_kind"], r["awards"], r["amount"],
             r["start_date"], r["end_date"]) for r in geo] == [
        ("us-agency:7014", "supports", "detention_and_custody", "2", str(round(142298.68 +
                                                                             857297.98)),
         "2023-04-28", "2026-06-30")]
    # the organisation's evidence says which of its awards count, and marks the path's award
    # when it is not one of them
    (contractor,) = [r for r in rows(out / "data/organizations.csv")
                     if r["organization_id"] == "company:geo-group"]
    rules = [s["label"] for s in json.loads(contractor["evidence"]) if s["kind"] == "rule"]
    assert rules == ["supports immigration_enforcement during the period: 2 awards or agreements "
                     "count (latest: within window: ended 2026-06-30, less than 365 days before "
                     "the period); 4 others do not"]


def test_the_data_package_is_valid_and_the_database_searches_names(world: World,
                                                                   tmp_path: Path) -> None:
    out = tmp_path / "report"
    build(world, "2026-10", out)
    report = validate(out / "data" / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "type", "note"])
    package = json.loads((out / "data" / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert any("Atlas of Surveillance" in s["credit"] for s in package["sources"])
    assert "SYNTHETIC" in package["title"]
    with sqlite3.connect(out / "report.db") as connection:
        found = connection.execute(
            "SELECT o.organization_name FROM organizations o JOIN organizations_fts f "
            "ON f.rowid = o.rowid WHERE organizations_fts MATCH 'gainesville'").fetchall()
        calls = connection.execute("SELECT calls, suppressed FROM usage WHERE operation = "
                                   "'compute.instance'").fetchone()
    assert found == [("Gainesville Police Department",)]
    assert calls == (0, 1)


def test_building_a_published_period_again_writes_the_same_bytes_and_appends_nothing(
        world: World, tmp_path: Path) -> None:
    first = build(world, "2026-10", tmp_path / "a")
    size = world.log.tree_size()
    again = build(world, "2026-10", tmp_path / "a")
    elsewhere = build(world, "2026-10", tmp_path / "b")
    assert world.log.tree_size() == size
    assert again["rows_appended"] == elsewhere["rows_appended"] == 0
    assert not again["publication_appended"] and not elsewhere["publication_appended"]
    assert again["published_log_index"] == first["published_log_index"]
    for path in sorted((tmp_path / "a").rglob("*")):
        if path.is_file():
            twin = tmp_path / "b" / path.relative_to(tmp_path / "a")
            assert twin.read_bytes() == path.read_bytes(), path


def test_the_next_period_says_what_changed_and_is_consistent_with_the_first(
        world: World, tmp_path: Path) -> None:
    build(world, "2026-10", tmp_path / "october")
    october_checkpoint = (tmp_path / "october" / "log" / "checkpoint").read_text()
    add_month(world, "2026-11", tmp_path / "incoming")
    record_decisions(world.database, "2026-11-10", police_denials=12)
    result = build_report(world.database, world.log, default_catalog(),
                          ReportRequest("2026-11", tmp_path / "november"), NOW)
    changes = result.report.changes
    assert changes is not None and changes.previous_period == "2026-10"
    assert changes.organizations_added == ("us-agency:7012",)
    assert changes.organizations_removed == ()
    assert changes.consistency_proof
    october = {r["row_id"] for r in rows(tmp_path / "october" / "data" / "organizations.csv")}
    november = {r["row_id"] for r in rows(tmp_path / "november" / "data" / "organizations.csv")}
    assert october < november  # the same fact keeps its row id across periods
    checked = verify_report(tmp_path / "november", since=october_checkpoint)
    assert checked.consistent_with is not None
    verify_report(tmp_path / "october")  # the earlier report still verifies on its own


def test_a_period_whose_usage_was_not_aggregated_is_refused(world: World, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="usage aggregate --period 2026-Q4"):
        build(world, "2026-Q4", tmp_path / "q4")
    assert not (tmp_path / "q4").exists()


def test_a_period_not_aggregated_is_aggregated_and_logged_by_the_build(world: World,
                                                                       tmp_path: Path) -> None:
    ingest_month(world, "2026-11", tmp_path / "incoming")
    size = world.log.tree_size()
    result = build_report(world.database, world.log, default_catalog(),
                          ReportRequest("2026-11", tmp_path / "november", usage_store=world.usage),
                          NOW)
    assert result.usage_aggregated and result.to_json()["usage_aggregated"] is True
    assert result.proven_tree_size > size + result.rows_appended  # the digests came first
    usage = {(r["organization_id"], r["operation"]): r["calls"]
             for r in rows(tmp_path / "november" / "data" / "usage.csv")}
    assert usage[("us-agency:7012", "face.search")] == "11"
    again = build_report(world.database, world.log, default_catalog(),
                         ReportRequest("2026-11", tmp_path / "november", usage_store=world.usage),
                         NOW)
    assert not again.usage_aggregated and again.rows_appended == 0


def test_a_period_that_has_not_ended_is_not_aggregated_by_the_build(world: World,
                                                                    tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"has not ended.*usage aggregate --period 2026-12"):
        build_report(world.database, world.log, default_catalog(),
                     ReportRequest("2026-12", tmp_path / "december", usage_store=world.usage), NOW)
    assert not (tmp_path / "december").exists()


def test_a_directory_that_is_not_a_report_is_never_overwritten(world: World,
                                                                tmp_path: Path) -> None:
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("mine")
    size = world.log.tree_size()
    with pytest.raises(ConflictError, match="refusing"):
        build(world, "2026-10", precious)
    ingest_month(world, "2026-11", tmp_path / "incoming")  # a period to aggregate, too
    with pytest.raises(ConflictError, match="refusing"):
        build_report(world.database, world.log, default_catalog(),
                     ReportRequest("2026-11", precious, usage_store=world.usage), NOW)
    assert (precious / "thesis.txt").read_text() == "mine"
    assert world.log.tree_size() == size  # refused before any digest or row was logged


def test_use_over_time_is_a_weekly_table_with_small_counts_suppressed(world: World,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = build_report(world.database, world.log, default_catalog(),
                          ReportRequest("2026-10", out, usage_store=world.usage), NOW)
    weekly = [(r["week_start"], r["week_end"], r["calls"], r["suppressed"])
              for r in rows(out / "data" / "usage_weekly.csv")
              if r["organization_id"] == "ori:FL0010100"]
    # October 2026 starts on a Thursday: its first week is clipped to 1-4 October (10 calls),
    # the next holds 5 calls (under the small-count rule of 10)
    assert weekly == [("2026-10-01", "2026-10-05", "10", "false"),
                      ("2026-10-05", "2026-10-12", "0", "true")]
    points = result.report.usage_over_time
    police = [(p.day, p.calls, p.suppressed) for p in points if p.organization_id == "ori:FL0010100"]
    assert police == [("2026-10-01", 10, False), ("2026-10-05", 0, True)]
    front = {(p.day, p.capability): p.calls for p in points if p.organization_id is None}
    assert front[("2026-10-01", "law enforcement")] == 10  # the sum of published rows only
    assert verify_report(out).rows["usage_weekly"] == len(result.report.usage_weekly) == 4


def test_consecutive_reports_are_published_side_by_side_and_verified(world: World,
                                                                     tmp_path: Path) -> None:
    add_month(world, "2026-11", tmp_path / "incoming")
    published = publish_reports(world.database, world.log, default_catalog(), world.usage,
                                ["2026-10", "2026-11"], tmp_path / "out", NOW)
    assert [b.out_dir.name for b in published.builds] == ["report-2026-10", "report"]
    first, second = published.verifications
    assert first.consistent_with is None and second.consistent_with == first.tree_size
    assert published.latest.report.changes is not None


def test_a_rebuild_removes_files_and_folders_the_report_no_longer_has(world: World,
                                                                       tmp_path: Path) -> None:
    out = tmp_path / "report"
    build(world, "2026-10", out)
    stale_proof = out / "proofs" / f"use-{'0' * 20}.tlog-proof"
    stale_proof.write_text("from an earlier build")
    (out / "org" / "gone").mkdir()
    (out / "org" / "gone" / "page.html").write_text("from an earlier build")
    again = build(world, "2026-10", out)
    assert again["rows_appended"] == 0 and not again["publication_appended"]
    assert not stale_proof.exists() and not (out / "org" / "gone").exists()
    assert (out / "org").is_dir()
    verify_report(out)


@pytest.fixture
def pagefind_runs(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders the build has Pagefind index, in order."""
    runs: list[Path] = []

    def counted(site: Path) -> list[Path]:
        runs.append(site)
        return index_site(site)

    monkeypatch.setattr(report_flow, "index_site", counted)
    return runs


def _indexed_urls(out: Path) -> set[str]:
    """The page address of every fragment in the report's Pagefind index."""
    return {json.loads(gzip.decompress(f.read_bytes()).removeprefix(SIGNATURE))["url"]
            for f in (out / "pagefind" / "fragment").iterdir()}


def test_a_page_the_report_no_longer_has_is_not_left_in_its_search_index(
        world: World, tmp_path: Path, pagefind_runs: list[Path]) -> None:
    """An organisation dropped from a period (reclassified, corrected) loses its page on a
    re-build; its name and sector must not stay findable in the site's search either."""
    out = tmp_path / "report"
    build(world, "2026-10", out)
    page = sorted((out / "org").iterdir())[0]
    dropped = out / "org" / "us-agency-dropped-000000000000.html"  # as an earlier build left it
    dropped.write_text(page.read_text().replace("<h1>", "<h1>Dropped Sheriff Office "))
    record_decisions(world.database, "2026-10-20", police_denials=5)  # other pages change too
    build(world, "2026-10", out)
    assert pagefind_runs == [out, out] and not dropped.exists()
    assert "/org/us-agency-dropped-000000000000" not in {u.removesuffix(".html") for u in
                                                        _indexed_urls(out)}
    verify_report(out)


def test_a_rebuild_of_an_unchanged_period_keeps_its_search_index_without_pagefind(
        world: World, tmp_path: Path, pagefind_runs: list[Path]) -> None:
    out = tmp_path / "report"
    build(world, "2026-10", out)
    index = {p: p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()}
    again = build(world, "2026-10", out)
    assert pagefind_runs == [out] and not again["publication_appended"]
    assert {p: p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()} == index
    verify_report(out)


@pytest.mark.parametrize("change", ["index file", "listing"])
def test_pagefind_indexes_again_unless_the_index_is_what_was_published(
        world: World, tmp_path: Path, pagefind_runs: list[Path], change: str) -> None:
    out = tmp_path / "report"
    build(world, "2026-10", out)
    fragment = sorted((out / "pagefind" / "fragment").iterdir())[0]
    original = fragment.read_bytes()
    if change == "index file":  # damaged since: indexing again restores it
        fragment.write_bytes(b"damaged")
    else:  # a listing this log did not publish says nothing of the files
        (out / "SHA256SUMS").write_text((out / "SHA256SUMS").read_text() + "0" * 64 + "  x\n")
    again = build(world, "2026-10", out)
    assert pagefind_runs == [out, out]
    assert fragment.read_bytes() == original and not again["publication_appended"]
    verify_report(out)


def test_pagefind_indexes_again_when_a_page_changed(world: World, tmp_path: Path,
                                                   pagefind_runs: list[Path]) -> None:
    out = tmp_path / "report"
    build(world, "2026-10", out)
    record_decisions(world.database, "2026-10-20", police_denials=5)  # the pages show decisions
    again = build(world, "2026-10", out)
    assert pagefind_runs == [out, out] and again["publication_appended"]
    verify_report(out)


def test_row_fingerprints_are_the_ones_earlier_builds_stored(world: World,
                                                             tmp_path: Path) -> None:
    """Rows are fingerprinted with orjson; builds before it stored ``json.dumps``'s bytes. Were
    they different, re-building a period published before would append its rows again."""
    build(world, "2026-10", tmp_path / "report")
    for table in TABLES:
        for record in json.loads((tmp_path / "report" / "data" / f"{table.name}.json")
                                 .read_text(encoding="utf-8")):
            payload = entry_payload(table, record)
            assert orjson.dumps(payload, option=orjson.OPT_SORT_KEYS) == json.dumps(
                payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def test_data_files_hold_the_bytes_earlier_builds_wrote(world: World, tmp_path: Path) -> None:
    """The JSON files are written with orjson; builds before it used ``json.dumps``. Were the
    bytes different, re-building a period published before would publish it again."""
    build(world, "2026-10", tmp_path / "report")
    for table in TABLES:
        path = tmp_path / "report" / "data" / f"{table.name}.json"
        records = json.loads(path.read_text(encoding="utf-8"))
        lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records]
        assert path.read_bytes() == ("[\n" + ",\n".join(lines) + ("\n" if lines else "")
                                     + "]\n").encode()


@pytest.mark.parametrize("folder", ["proofs", "log"])
def test_a_page_left_in_the_proofs_or_the_log_mirror_is_not_indexed(
        world: World, tmp_path: Path, pagefind_runs: list[Path], folder: str) -> None:
    out = tmp_path / "report"
    build(world, "2026-10", out)
    page = sorted((out / "org").iterdir())[0]
    planted = out / folder / "planted.html"
    planted.write_text(page.read_text().replace("<h1>", "<h1>Planted Sheriff Office "))
    record_decisions(world.database, "2026-10-20", police_denials=5)
    build(world, "2026-10", out)
    assert pagefind_runs == [out, out]
    assert not any("planted" in u for u in _indexed_urls(out))
