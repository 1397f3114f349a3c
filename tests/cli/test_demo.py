"""`daylight demo`, the main job, end to end on a small world."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from typer.testing import CliRunner

from daylight.cli.main import app
from daylight.core.database import Database
from daylight.log.note import verifier_from_vkey
from daylight.log.verifier import verify_mirror
from daylight.report.verify import verify_report


def test_the_demo_builds_a_world_that_verifies_and_labels_it_synthetic(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    env = {"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": "postgresql://ignored.invalid/x",
           "COLUMNS": "200"}
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--accounts", "300",
                                      "--usage-rows", "20000"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.count("SYNTHETIC") >= 10
    assert "every tile verified" in result.stdout
    verifier = verifier_from_vkey((out / "log.vkey").read_text())
    report = verify_mirror(out / "mirror", verifier)
    with Database(f"sqlite:///{out / 'home' / 'daylight.db'}") as database, \
            database.transaction(write=False) as tx:
        accounts = tx.query("SELECT account_id FROM registry_account")
        (findings,) = tx.query_one("SELECT count(*) FROM policy_audit_finding") or (0,)
        (digests,) = tx.query_one("SELECT count(*) FROM policy_decision_digest") or (0,)
        judged = tx.query("SELECT account_id FROM registry_resolution WHERE status = 'judged'")
        voice = {status for (status,) in tx.query(
            "SELECT status FROM voice_declaration UNION ALL SELECT status FROM voice_objection")}
    assert len(accounts) == 300
    assert all(a.startswith("SYNTHETIC-") for (a,) in accounts)
    assert findings > 0 and digests > 0
    assert voice == {"approved", "rejected", "open", "resolved"}  # SYNTHETIC voice, reviewed
    # the SYNTHETIC reviewer confirmed the contractor accounts screening held, so the report
    # publishes companies supporting an agency, not only agencies
    assert judged and re.search(r"a SYNTHETIC reviewer then confirmed (\d+)", result.stdout)[1] \
        == str(len(judged))
    with (out / "report" / "data" / "supports.csv").open(newline="") as handle:
        supporters = {r["contractor_id"] for r in csv.DictReader(handle)}
    assert any(s.startswith("company:") for s in supporters), supporters
    assert report.tree_size > 34_000  # reference relationships, classifications, usage, policy
    # both periods' reports, side by side, the second consistent with the first
    earlier = out / "report-2026-10"
    latest = verify_report(out / "report", key=(out / "log.vkey").read_text(),
                           since=(earlier / "log" / "checkpoint").read_text())
    assert latest.period == "2026-11" and latest.consistent_with is not None
    assert latest.rows["organizations"] > 0 and latest.rows["decisions"] > 0
    first = verify_report(earlier)
    assert first.period == "2026-10"
    assert first.rows["decisions"] > 0  # the first month's gate decisions are in its report
    # cosigned by the demo's SYNTHETIC witness; voice, corrections and use over time are tables
    witness = (out / "witness.vkey").read_text()
    assert verify_report(out / "report", witnesses=[witness]).cosigned_by == (
        "synthetic-witness.demo.daylight.invalid",)
    assert latest.rows["voice"] > 0 and latest.rows["usage_weekly"] > 0
    assert "--witness" in result.stdout
    added = re.search(r"changes since 2026-10: (\d+) (organisations?) added", result.stdout)
    assert added is not None and added[2] == ("organisation" if added[1] == "1" else "organisations")
    assert "daylight verify" in result.stdout
    # the demo's home works for the voice commands a reader tries there: its settings file holds
    # the review key the demo sealed signers to, whose private half is review.key beside it
    objection = CliRunner().invoke(app, [
        "--home", str(out / "home"), "objection", "file", "--by", "reader@provider.example",
        "--about", f"account:{accounts[0][0]}", "--statement", "SYNTHETIC: a reader's test"],
        env={"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": None, "DAYLIGHT_REVIEW_KEY": None},
        catch_exceptions=False)
    assert objection.exit_code == 0, objection.stderr
    assert "objection_id" in objection.stdout


def test_the_demo_refuses_to_replace_a_directory_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "precious").mkdir()
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "precious")])
    assert result.exit_code == 4
    assert "refusing to overwrite" in result.stderr
    # a name over the filesystem's limit: Path.exists raised OSError, a traceback (the probe
    # of issue 14); now one line naming --out, and nothing made
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / ("x" * 300))])
    assert result.exit_code == 2 and result.stderr.startswith("error: --out: cannot use"), \
        result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]
