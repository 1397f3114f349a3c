"""`daylight policy|decide|decisions|audit` through the real command line, on SQLite and
PostgreSQL: the exact output shapes other tools rely on, exit codes, and the log entries."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.core.database import Database
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.store import RegistryStore
from tests.cli.conftest import Cli
from tests.policy.conftest import WORLD, add_registry_accounts
from tests.usage.conftest import csv_text

TODAY = datetime.now(UTC).date().isoformat()


@pytest.fixture
def home(tmp_path: Path, database_url: str) -> Cli:
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "policy.daylight.invalid/log")
    database = Database(url or f"sqlite:///{cli.home / 'daylight.db'}")
    add_registry_accounts(database, WORLD)
    database.close()
    return cli


def _entries(home: Cli) -> list[dict[str, object]]:
    entries, index = [], 0
    while True:
        result = home("log", "entry", str(index), ok=False)
        if result.exit_code != 0:
            return entries
        entries.append(json.loads(result.stdout))
        index += 1


def test_validate_and_test_a_shipped_pack(home: Cli) -> None:
    validated = home.json("policy", "validate", "employee-demands")
    assert validated["valid"] is True and validated["pack"] == "employee-demands"
    assert {p["id"] for p in validated["policies"]} >= {"employee-demands/allow-unless-forbidden"}
    tested = home.json("policy", "test", "eu-ai-act-article-5")
    assert tested["cases"] == tested["passed"] == 25 and tested["failures"] == []


def test_invalid_and_failing_packs_exit_non_zero(home: Cli, tmp_path: Path) -> None:
    pack = tmp_path / "mine"
    pack.mkdir()
    (pack / "pack.toml").write_text('name = "mine"\ntitle = "t"\nsummary = "s"\n')
    (pack / "policies.cedar").write_text(
        '@id("mine/a") @reason("r") forbid (principal, action, resource) when { principal.sectr == "x" };')
    result = home("policy", "validate", str(pack), ok=False)
    assert result.exit_code == 2
    assert "mine/policies.cedar" in result.stderr and "sectr" in result.stderr
    (pack / "policies.cedar").write_text(
        '@id("mine/a") @reason("everything") permit (principal, action, resource);')
    (pack / "corpus.json").write_text(json.dumps({"pack": "mine", "accounts": {}, "cases": [
        {"name": "strangers are allowed?", "given": {"account": "SYNTHETIC-x"},
         "when": {"operation": "face.search"}, "then": {"allowed": True, "reasons": ["mine/a"]}}]}))
    result = home("policy", "test", str(pack), ok=False)
    assert result.exit_code == 6
    assert json.loads(result.stdout)["failures"][0]["decision"]["reasons"][0]["policy"] == \
        "daylight:unknown-account"
    assert home("policy", "publish", str(pack), ok=False).exit_code == 6


def test_publish_list_decide_and_record(home: Cli) -> None:
    published = home.json("policy", "publish", "employee-demands", "rekognition-moratorium-2020")
    assert published["version"] == 1 and published["published"] is True
    listed = home.json("policy", "list")
    assert [p["name"] for p in listed["packs"]] == ["azure-face-limited-access", "employee-demands",
                                                    "eu-ai-act-article-5", "rekognition-moratorium-2020"]
    assert listed["in_force"]["version"] == 1
    assert listed["in_force"]["policy_sha256"] == published["policy_sha256"]
    decision = home.json("decide", "SYNTHETIC-police", "face.search")
    assert decision == {"allowed": False, "reasons": [
        {"policy": "employee-demands/no-face-recognition-for-law-enforcement",
         "reason": "We do not sell face recognition (biometric identification or verification) or "
                   "person tracking to law enforcement or immigration enforcement agencies."},
        {"policy": "rekognition-moratorium-2020/no-police-face-comparison-or-search",
         "reason": "Moratorium on police use of face comparison and search (Amazon, June 2020, "
                   "extended May 2021); exempt only named anti-trafficking and missing-children "
                   "organisations, for that purpose."}],
        "policy_version": 1, "errors": []}
    allowed = home.json("decide", "SYNTHETIC-shop", "face.search", "--context", '{"purpose": "x"}')
    assert allowed["allowed"] is True and allowed["policy_version"] == 1
    stranger = home.json("decide", "SYNTHETIC-nobody", "compute.instance")
    assert stranger["allowed"] is False
    assert stranger["reasons"][0]["policy"] == "daylight:unknown-account"
    records = [json.loads(line) for line in
               home("decisions", "show", "--period", TODAY).stdout.splitlines()]
    counts = [r for r in records if r["type"] == "count"]
    denials = [r for r in records if r["type"] == "denial"]
    assert sum(c["decisions"] for c in counts) == 3
    assert {d["account_id"] for d in denials} == {"SYNTHETIC-police", "SYNTHETIC-nobody"}
    digest = home.json("decisions", "digest", "--period", TODAY)
    assert digest["decisions"] == 3 and digest["denied"] == 2 and digest["appended"] is True
    types = [e["type"] for e in _entries(home)]
    assert types == ["policy.version", "policy.decision_digest"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (("decide", "SYNTHETIC-shop", "face.telepathy"), 3, "unknown operation `face.telepathy`"),
    (("decide", "SYNTHETIC-shop", "face.search", "--context", "{purpose"), 2, "--context: invalid JSON"),
    (("decide", "SYNTHETIC-shop", "face.search", "--context", '{"real_time": "yes"}'), 2,
     "context.real_time: expected true or false"),
    (("decide", "SYNTHETIC-shop", "face.search", "--context", "[1]"), 2, "context: expected an object"),
    (("decide", "SYNTHETIC-shop", "face.search", "--context", '{"hours_since_start": ' + "9" * 5000 + "}"),
     2, "--context: invalid JSON: a number has too many digits"),
    (("decide", "SYNTHETIC-shop", "face.search", "--context", "[" * 5000 + "]" * 5000), 2,
     "--context: invalid JSON: nested too deeply"),
    (("decide", "SYNTHETIC-shop", "face.search", "--context", '{"purpose": "a", "purpose": "b"}'), 2,
     "--context: invalid JSON: the key `purpose` appears twice"),
    (("policy", "publish", "no-such-pack"), 3, "no policy pack `no-such-pack`"),
    (("policy", "publish", "employee-demands", "--effective", "yesterday"), 2, "--effective"),
    (("audit", "--period", "2026-13"), 2, "--period"),
])
def test_bad_input_is_a_clear_error(home: Cli, args: tuple[str, ...], code: int, message: str) -> None:
    result = home(*args, ok=False)
    assert result.exit_code == code
    assert message in result.stderr


def test_audit_replays_ingested_usage(home: Cli, tmp_path: Path) -> None:
    rows = [("SYNTHETIC-police", "2026-11-03T10:00:00Z", "vision", "face.search", 1, "us-east-1", "r1"),
            ("SYNTHETIC-police", "2026-11-04T10:00:00Z", "vision", "face.search", 1, "us-east-1", "r2"),
            ("SYNTHETIC-police", "2026-11-04T11:00:00Z", "compute", "compute.instance", 1, "us-east-1", "r3"),
            ("SYNTHETIC-contractor", "2026-11-05T00:00:00Z", "storage", "storage.object", 1, "us-east-1",
             "r4")]
    usage = tmp_path / "usage.csv"
    usage.write_text(csv_text(rows))
    home("usage", "ingest", str(usage))
    result = home("audit", "--period", "2026-11", ok=False)
    assert result.exit_code == 3 and "usage aggregate --period 2026-11" in result.stderr
    home("usage", "aggregate", "--period", "2026-11")
    home("policy", "publish", "employee-demands", "--effective", "2026-11-04")
    result = home("audit", "--period", "2026-11")
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(f["account_id"], f["operation"], f["count"], f["first_day"]) for f in findings] == [
        ("SYNTHETIC-contractor", "storage.object", 1, "2026-11-05"),
        ("SYNTHETIC-police", "face.search", 1, "2026-11-04")]  # 11-03 was before the version
    assert all(f["usage_digest_log_index"] is not None for f in findings)
    assert "2 findings" in result.stderr and "1 calls on days with no version in force" in result.stderr
    types = [e["type"] for e in _entries(home)]
    assert types[-3:] == ["policy.audit_finding", "policy.audit_finding", "policy.audit"]
    again = home("audit", "--period", "2026-11")
    assert again.stdout == result.stdout and "nothing appended" in again.stderr


def _contractor_whose_award_ended(home: Cli, tmp_path: Path) -> None:
    """A SYNTHETIC contractor whose only ICE award ended on 2026-08-31, with November 2026 usage
    aggregated."""
    database = Database(home.database_url or f"sqlite:///{home.home / 'daylight.db'}")
    when = "2026-11-01T00:00:00Z"
    with database.transaction() as tx:
        store = RegistryStore(tx)
        store.replace_organizations([], [Organization("SYNTHETIC-org", "SYNTHETIC Contractor",
                                                      "commercial", schema="Company", state="VA")])
        store.add_accounts([Account("SYNTHETIC-ended", "SYNTHETIC ended", (), "", "", "US",
                                    "2026-01-01")], when)
        store.put_resolutions([Resolution("SYNTHETIC-ended", "accepted", "SYNTHETIC-org", 0.99, {},
                                          when)])
        store.put_classifications([Classification("SYNTHETIC-ended", "commercial", [
            {"sector": "immigration_enforcement", "path": [{"type": "account", "id": "SYNTHETIC-ended"}],
             "edges": 1, "relationships": [
                 {"relationship_id": "SYNTHETIC-award", "sector": "immigration_enforcement",
                  "kind": "data_analytics_and_it", "rule": "SYNTHETIC", "start": "2024-09-01",
                  "end": "2026-08-31", "amount": 5000000.0, "dates": "period_of_performance"}]}],
            when, None)])
    database.close()
    usage = tmp_path / "usage.csv"
    usage.write_text(csv_text([("SYNTHETIC-ended", "2026-11-05T00:00:00Z", "storage",
                                "storage.object", 1, "us-east-1", "r1")]))
    home("usage", "ingest", str(usage))
    home("usage", "aggregate", "--period", "2026-11")


def test_audit_uses_the_support_window_setting(home: Cli, tmp_path: Path) -> None:
    """The contractor supports immigration enforcement during November 2026 within the default
    365-day window, and not within a 30-day one: the setting decides whether its hosting is a
    finding."""
    _contractor_whose_award_ended(home, tmp_path)
    home("policy", "publish", "employee-demands", "--effective", "2026-11-01")
    default = [json.loads(line) for line in home("audit", "--period", "2026-11").stdout.splitlines()]
    assert [(f["account_id"], f["operation"]) for f in default] == [("SYNTHETIC-ended", "storage.object")]
    assert default[0]["classification"]["supports"][0]["sector"] == "immigration_enforcement"
    narrow = home("--support-window-days", "30", "audit", "--period", "2026-11")
    assert narrow.stdout == "" and "0 findings" in narrow.stderr
    assert "appended at log index" in narrow.stderr  # a new audit correcting the first one


def test_the_report_uses_the_support_window_setting(home: Cli, tmp_path: Path) -> None:
    """The report asks "supports during the period" with the same setting as the gate and the
    audit: the contractor is in November's report within 365 days, not within 30, and the
    methodology states the window it was built with."""
    _contractor_whose_award_ended(home, tmp_path)
    home("report", "build", "--period", "2026-11", "--out", str(tmp_path / "wide"))
    home("--support-window-days", "30", "report", "build", "--period", "2026-11",
         "--out", str(tmp_path / "narrow"))

    def organizations(out: str) -> list[str]:
        rows = json.loads((tmp_path / out / "data" / "organizations.json").read_text())
        return [r["organization_id"] for r in (rows["rows"] if isinstance(rows, dict) else rows)]

    assert "SYNTHETIC-org" in organizations("wide")
    assert "SYNTHETIC-org" not in organizations("narrow")
    methodology = (tmp_path / "narrow" / "methodology.html").read_text()
    assert "less than 30 days before the period" in methodology
