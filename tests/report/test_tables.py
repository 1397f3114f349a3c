"""The voice, the corrections log and use over time are proven tables like the others: in
``data/`` as CSV and JSON, in ``report.db``, in the Data Package, each row with its proof file,
shown in the pages as published rows; a changed byte in any of them is reported by ``verify``
as file, row and field. The voice is read as it stands when the report is built, never naming a
person. Everything here is SYNTHETIC."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from frictionless import validate

from daylight.core.database import Database, migrate
from daylight.core.errors import VerificationError
from daylight.flows.correction import (
    CorrectionFiling,
    CorrectionReview,
    file_correction,
    review_correction,
)
from daylight.flows.report import ReportRequest, build_report
from daylight.flows.voice_demo import voice_demo
from daylight.home import all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.report.site import page_name
from daylight.report.verify import verify_report
from daylight.voice.privacy import VoiceKeys, generate_review_key, unb64
from tests.report.conftest import NOW, World, make_world
from tests.report.html_rows import page_rows

OCTOBER_20 = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
NOVEMBER_5 = datetime(2026, 11, 5, 12, 0, tzinfo=UTC)


def _keys() -> VoiceKeys:
    public, _ = generate_review_key()
    return VoiceKeys(unb64(public, where="key"), b"k" * 32)


def add_voice_and_corrections(world: World) -> str:
    """The demo's SYNTHETIC voice on 20 October; a correction about the contractor filed and
    accepted in October, and one filed in November (after the period). Returns the contractor's
    organisation id."""
    voice_demo(world.database, world.log, default_catalog(), _keys(), OCTOBER_20)
    contractor = next(r for r in _organizations(world) if r[1] == "THE GEO GROUP, INC.")[0]
    filed = file_correction(world.database, world.log, CorrectionFiling(
        f"organization:{contractor}", "SYNTHETIC: its detention contract ended; write to "
        "claims@example.org", ("https://example.org/SYNTHETIC-evidence",)), OCTOBER_20)
    review_correction(world.database, world.log, CorrectionReview(
        filed.correction.correction_id, "synthetic-reviewer@provider.invalid", "accept",
        "SYNTHETIC: the award's period of performance ended", effective="2026-10-21",
        sectors=("immigration_enforcement",)), OCTOBER_20)
    file_correction(world.database, world.log, CorrectionFiling(
        f"organization:{contractor}", "SYNTHETIC: a later claim"), NOVEMBER_5)
    return contractor


def _organizations(world: World) -> list[tuple[str, str]]:
    from daylight.flows.accounts import iter_account_views

    return [(v.organization.id, v.organization.name)
            for v in iter_account_views(world.database, "2026-10-01", "2026-10-31")
            if v.organization is not None]


@pytest.fixture(scope="module")
def with_voice(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """October's report of the small world with voice, corrections and use over time (SQLite)."""
    folder = tmp_path_factory.mktemp("with-voice")
    database = Database(f"sqlite:///{folder / 'daylight.db'}")
    migrate(database, all_migrations())
    try:
        log = TransparencyLog.create(database, Signer.generate("test.daylight.invalid/log"))
        world = make_world(database, log, folder)
        contractor = add_voice_and_corrections(world)
        build_report(database, log, default_catalog(),
                     ReportRequest("2026-10", folder / "report", usage_store=world.usage), NOW)
        yield folder / "report", contractor
    finally:
        database.close()


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_voice_rows_are_counts_as_of_the_period_end_and_name_no_person(
        with_voice: tuple[Path, str]) -> None:
    out, contractor = with_voice
    voice = rows(out / "data" / "voice.csv")
    kinds = sorted(r["kind"] for r in voice)
    assert kinds == ["declaration_review", "declaration_review", "objection", "objection",
                     "standing_refusal"]
    resolved = next(r for r in voice if r["kind"] == "objection" and r["status"] == "resolved")
    assert (resolved["about"], resolved["signatures"]) == (contractor, "3")
    assert resolved["outcome"].startswith("SYNTHETIC")
    refusal = next(r for r in voice if r["kind"] == "standing_refusal")
    assert (refusal["about"], refusal["signatures"]) == ("capability:biometric_identification", "2")
    reviews = {r["capability"]: r for r in voice if r["kind"] == "declaration_review"}
    assert reviews["biometric_identification"]["status"] == "rejected"
    for row in voice:
        assert {"row_id", "period_start", "period_end", "log_index"} <= set(row)
        assert (out / "proofs" / f"{row['row_id']}.tlog-proof").is_file()
    for name in ("voice.csv", "voice.json", "corrections.csv", "corrections.json"):
        text = (out / "data" / name).read_text()
        assert "@" not in text and "synthetic-employee" not in text, name


def test_the_corrections_log_is_what_was_filed_and_decided_by_the_build(
        with_voice: tuple[Path, str]) -> None:
    out, contractor = with_voice
    corrections = rows(out / "data" / "corrections.csv")
    # October's report, built in December: the October correction and the November claim
    assert [(r["about"], r["decision"], r["effective_from"]) for r in corrections] == [
        (contractor, "accepted", "2026-10-21"), (contractor, "filed", "")]
    row = corrections[0]
    assert "[removed]" in row["claim"] and row["correction_log_index"].isdigit()
    assert corrections[1]["rationale"] == "" and corrections[1]["corrects_log_index"] == ""
    page = (out / "changes.html").read_text()
    assert [r.row_id for r in page_rows(page)] == [r["row_id"] for r in corrections]


def test_a_correction_reviewer_is_published_only_as_a_pseudonym(
        with_voice: tuple[Path, str]) -> None:
    """The reviewer of the October correction is in no published file (data, report.db, pages,
    proofs); the registry's review entry that its row names holds only their pseudonym."""
    out, _ = with_voice
    for path in (p for p in out.rglob("*") if p.is_file()):
        assert b"synthetic-reviewer@provider.invalid" not in path.read_bytes(), path
    row = rows(out / "data" / "corrections.csv")[0]
    database = Database(f"sqlite:///{out.parent / 'daylight.db'}")
    try:
        entry = json.loads(TransparencyLog(database).entry(int(row["correction_log_index"])))
    finally:
        database.close()
    assert entry["type"] == "registry.correction_review"
    assert entry["payload"]["reviewer"].startswith("reviewer-")
    assert "@" not in json.dumps(entry)


def test_the_new_tables_are_in_the_package_the_database_and_verify(
        with_voice: tuple[Path, str]) -> None:
    out, _ = with_voice
    assert validate(out / "data" / "datapackage.json").valid
    package = json.loads((out / "data" / "datapackage.json").read_text())
    names = {r["name"] for r in package["resources"]}
    assert {"voice-csv", "corrections-json", "usage_weekly-csv"} <= names
    with sqlite3.connect(out / "report.db") as connection:
        counts = {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("voice", "corrections", "usage_weekly")}
    assert counts == {"voice": 5, "corrections": 2, "usage_weekly": 4}
    checked = verify_report(out)
    assert (checked.rows["voice"], checked.rows["corrections"], checked.rows["usage_weekly"]) \
        == (5, 2, 4)
    voice_page = page_rows((out / "voice.html").read_text())
    assert len(voice_page) == 5 and all(r.cells for r in voice_page)
    weekly = rows(out / "data" / "usage_weekly.csv")
    police = [r["row_id"] for r in weekly if r["organization_id"] == "ori:FL0010100"]
    page = page_rows((out / "org" / page_name("ori:FL0010100")).read_text())
    assert [r.row_id for r in page if r.row_id.startswith("wk-")] == police


@pytest.fixture
def copy(with_voice: tuple[Path, str], tmp_path: Path) -> Path:
    target = tmp_path / "report"
    shutil.copytree(with_voice[0], target)
    return target


def problems(directory: Path) -> str:
    with pytest.raises(VerificationError) as caught:
        verify_report(directory)
    return caught.value.diagnostics()


def test_a_changed_voice_count_is_named_by_file_row_and_field(copy: Path) -> None:
    voice = rows(copy / "data" / "voice.csv")
    refusal = next(r for r in voice if r["kind"] == "standing_refusal")
    path = copy / "data" / "voice.csv"
    text = path.read_text()
    old = ",capability:biometric_identification,active,2,"
    assert old in text
    path.write_text(text.replace(old, ",capability:biometric_identification,active,0,"))
    found = problems(copy)
    assert "data/voice.csv:" in found and f"(row {refusal['row_id']}): signatures: says \"0\"" \
        in found


def test_a_changed_correction_in_json_and_in_the_page_is_named(copy: Path) -> None:
    path = copy / "data" / "corrections.json"
    path.write_text(path.read_text().replace('"decision":"accepted"', '"decision":"rejected"'))
    page = copy / "changes.html"
    page.write_text(page.read_text().replace('<td data-field="decision">accepted</td>',
                                             '<td data-field="decision">rejected</td>'))
    found = problems(copy)
    assert "data/corrections.json:" in found and ": decision: says \"rejected\"" in found
    assert "changes.html:" in found


def test_a_changed_weekly_count_in_the_database_is_named(copy: Path) -> None:
    with sqlite3.connect(copy / "report.db") as connection:
        connection.execute("UPDATE usage_weekly SET calls = 99 WHERE calls = 10")
    found = problems(copy)
    assert "report.db: usage_weekly:" in found and ": calls: says 99" in found
