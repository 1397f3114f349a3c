"""The audit replays usage day by day against the version in force that day, and records its
findings (account, operation, period, count, policies, classification path) in the log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.core.period import parse_period
from daylight.log.service import TransparencyLog
from daylight.policy.audit import UsageDay, audit_usage
from daylight.policy.catalog import Catalog
from daylight.policy.decision import Decision, Reason
from daylight.policy.pack import load_pack
from daylight.policy.recorder import DecisionRecorder
from daylight.policy.versions import publish
from tests.policy.conftest import NOW

NOV_1 = datetime(2026, 11, 1, tzinfo=UTC)
NOV_15 = datetime(2026, 11, 15, tzinfo=UTC)
POLICE_LE = "employee-demands/no-face-recognition-for-law-enforcement"
MORATORIUM = "rekognition-moratorium-2020/no-police-face-comparison-or-search"
USAGE = [
    UsageDay("SYNTHETIC-police", "face.search", "2026-10-31", 7, synthetic=True),   # before any version
    UsageDay("SYNTHETIC-police", "face.search", "2026-11-02", 5, synthetic=True),
    UsageDay("SYNTHETIC-police", "face.search", "2026-11-03", 4, synthetic=True),
    UsageDay("SYNTHETIC-police", "face.search", "2026-11-20", 2, synthetic=True),   # under version 2
    UsageDay("SYNTHETIC-police", "text.ocr", "2026-11-20", 9, synthetic=True),
    UsageDay("SYNTHETIC-contractor", "storage.object", "2026-11-05", 100, synthetic=True),
    UsageDay("SYNTHETIC-shop", "face.search", "2026-11-05", 50, synthetic=True),
    UsageDay("SYNTHETIC-stranger", "compute.instance", "2026-11-05", 3, synthetic=True),
]


def _publish_two_versions(database: Database, log: TransparencyLog, catalog: Catalog) -> None:
    publish(database, log, [load_pack("employee-demands")], catalog, NOW, effective_from=NOV_1)
    publish(database, log, [load_pack("employee-demands"), load_pack("rekognition-moratorium-2020")],
            catalog, NOW, effective_from=NOV_15)


def test_findings_follow_the_version_in_force_each_day(world: Database, log: TransparencyLog,
                                                       catalog: Catalog) -> None:
    _publish_two_versions(world, log, catalog)
    november = [u for u in USAGE if u.day.startswith("2026-11")]
    report = audit_usage(world, log, parse_period("2026-11"), november, catalog, NOW,
                         usage_digests={"SYNTHETIC-police": 41})
    assert report.appended
    found = {(f.account_id, f.operation, f.policy_version): f.to_json() for f in report.findings}
    assert set(found) == {("SYNTHETIC-police", "face.search", 1), ("SYNTHETIC-police", "face.search", 2),
                          ("SYNTHETIC-contractor", "storage.object", 1)}
    early = found[("SYNTHETIC-police", "face.search", 1)]
    assert (early["count"], early["first_day"], early["last_day"]) == (9, "2026-11-02", "2026-11-03")
    assert [p["policy"] for p in early["policies"]] == [POLICE_LE]
    assert early["usage_digest_log_index"] == 41
    assert early["classification"]["sector"] == "law_enforcement"
    assert early["synthetic"] is True and "SYNTHETIC" in early["note"]
    late = found[("SYNTHETIC-police", "face.search", 2)]
    assert {p["policy"] for p in late["policies"]} == {POLICE_LE, MORATORIUM}
    contractor = found[("SYNTHETIC-contractor", "storage.object", 1)]
    assert contractor["classification"]["supports"][0]["sector"] == "immigration_enforcement"
    assert contractor["classification"]["supports"][0]["path"]
    summary = report.summary.to_json()
    assert (summary["calls"], summary["calls_refused"], summary["audited_calls"]) == (173, 111, 170)
    assert (summary["unknown_accounts"], summary["unknown_account_calls"]) == (1, 3)
    assert summary["policy_versions"] == [1, 2]
    entries = [json.loads(e) for e in log.entries(0, log.tree_size())]
    assert [e["type"] for e in entries[-4:]] == ["policy.audit_finding"] * 3 + ["policy.audit"]
    assert entries[-1]["payload"]["findings_sha256"] == summary["findings_sha256"]
    assert {e["payload"]["account_id"] for e in entries[-4:-1]} == {"SYNTHETIC-police",
                                                                   "SYNTHETIC-contractor"}


def test_days_before_any_version_are_unaudited_not_compliant(world: Database, log: TransparencyLog,
                                                             catalog: Catalog) -> None:
    _publish_two_versions(world, log, catalog)
    report = audit_usage(world, log, parse_period("2026-10"), [USAGE[0]], catalog, NOW)
    assert report.findings == ()
    assert report.summary.unaudited_calls == 7 and report.summary.audited_calls == 0


def test_the_same_audit_appends_nothing_a_changed_one_corrects(world: Database, log: TransparencyLog,
                                                                catalog: Catalog) -> None:
    _publish_two_versions(world, log, catalog)
    november = [u for u in USAGE if u.day.startswith("2026-11")]
    first = audit_usage(world, log, parse_period("2026-11"), november, catalog, NOW)
    size = log.tree_size()
    again = audit_usage(world, log, parse_period("2026-11"), november, catalog, NOW)
    assert not again.appended and log.tree_size() == size
    assert again.summary.log_index == first.summary.log_index
    more = [*november, UsageDay("SYNTHETIC-ice", "compute.instance", "2026-11-21", 1)]
    corrected = audit_usage(world, log, parse_period("2026-11"), more, catalog, NOW)
    assert corrected.appended and corrected.summary.corrects == first.summary.log_index
    with world.transaction(write=False) as tx:
        rows = tx.query("SELECT account_id, calls, log_index FROM policy_audit_finding ORDER BY account_id")
    assert [r[0] for r in rows] == ["SYNTHETIC-contractor", "SYNTHETIC-ice", "SYNTHETIC-police",
                                    "SYNTHETIC-police"]
    assert all(r[2] >= size for r in rows)


def test_findings_show_what_the_gate_itself_decided(world: Database, log: TransparencyLog,
                                                    catalog: Catalog) -> None:
    _publish_two_versions(world, log, catalog)
    recorder = DecisionRecorder(clock=lambda: datetime(2026, 11, 2, 9, tzinfo=UTC).timestamp())
    recorder.record("SYNTHETIC-police", "face.search", None,
                    Decision(False, (Reason(POLICE_LE, "r"),), 1))
    recorder.flush(world)
    report = audit_usage(world, log, parse_period("2026-11"), USAGE[1:3], catalog, NOW)
    assert report.findings[0].to_json()["gate"] == {"allowed": 0, "denied": 1}


def test_usage_outside_the_period_is_refused(world: Database, log: TransparencyLog,
                                             catalog: Catalog) -> None:
    with pytest.raises(InputError, match="outside the period"):
        audit_usage(world, log, parse_period("2026-11"), [USAGE[0]], catalog, NOW)


def test_changed_totals_with_the_same_findings_correct_the_logged_summary(
        world: Database, log: TransparencyLog, catalog: Catalog) -> None:
    """Days audited before any version took effect, then audited again once one is in force,
    find nothing refused either time; the log must not keep saying they were unaudited."""
    usage = [UsageDay("SYNTHETIC-shop", "face.search", "2026-10-05", 7)]
    first = audit_usage(world, log, parse_period("2026-10"), usage, catalog, NOW)
    assert first.summary.unaudited_calls == 7 and first.findings == ()
    publish(world, log, [load_pack("employee-demands")], catalog, NOW,
            effective_from=datetime(2026, 10, 1, tzinfo=UTC))
    again = audit_usage(world, log, parse_period("2026-10"), usage, catalog, NOW)
    assert again.findings == () and again.summary.audited_calls == 7
    assert again.appended and again.summary.corrects == first.summary.log_index
    assert again.summary.log_index is not None
    logged = json.loads(log.entry(again.summary.log_index))["payload"]
    assert (logged["unaudited_calls"], logged["audited_calls"]) == (0, 7)
    assert audit_usage(world, log, parse_period("2026-10"), usage, catalog, NOW).appended is False
