"""`daylight usage ...` through the real command line, on SQLite and PostgreSQL: the exact
outputs other tools rely on, exit codes, and the digests in the log."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import pytest

from daylight.core.period import parse_period
from daylight.core.settings import build_settings
from daylight.flows.demo import synthetic_usage_for_demo
from daylight.home import Home
from tests.cli.conftest import Cli
from tests.usage.conftest import csv_text

ROWS = [
    ("police-1", "2026-11-03T10:00:00Z", "vision", "face.search", 3, "us-east-1", "r1"),
    ("police-1", "2026-11-04T10:00:00Z", "vision", "face.search", 2, "us-west-2", "r2"),
    ("police-1", "2026-11-04T11:00:00Z", "compute", "compute.instance", 3600, "us-east-1", "r3"),
    ("vendor-9", "2026-11-05T00:00:00Z", "storage", "storage.object", 10, "eu-west-1", "r4"),
]


@pytest.fixture
def home(tmp_path: Path, database_url: str) -> Cli:
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "usage.daylight.invalid/log")
    return cli


@pytest.fixture
def usage_csv(tmp_path: Path) -> Path:
    path = tmp_path / "usage.csv"
    path.write_text(csv_text(ROWS))
    return path


def test_ingest_aggregate_show(home: Cli, usage_csv: Path) -> None:
    assert home.json("usage", "ingest", str(usage_csv)) == {"ingested": 4, "duplicates": 0, "rejected": 0}
    assert home.json("usage", "ingest", str(usage_csv)) == {"ingested": 0, "duplicates": 4, "rejected": 0}
    assert home("usage", "aggregate", "--period", "2026-11").stdout == "3\n"
    assert home.json("usage", "show", "police-1", "--period", "2026-11") == {
        "account_id": "police-1", "period": "2026-11", "operations": [
            {"service": "compute", "operation": "compute.instance", "calls": 1, "units": 3600,
             "first_seen": "2026-11-04T11:00:00Z", "last_seen": "2026-11-04T11:00:00Z",
             "regions": ["us-east-1"]},
            {"service": "vision", "operation": "face.search", "calls": 2, "units": 5,
             "first_seen": "2026-11-03T10:00:00Z", "last_seen": "2026-11-04T10:00:00Z",
             "regions": ["us-east-1", "us-west-2"]},
        ]}
    entries = [json.loads(home("log", "entry", str(i)).stdout) for i in range(2)]
    assert [(e["type"], e["payload"]["account_id"]) for e in entries] == [
        ("usage.digest", "police-1"), ("usage.digest", "vendor-9")]
    assert home.json("usage", "verify", "--period", "2026-11")["digests_checked"] == 2


def test_bad_input_exits_2_naming_the_place_and_stores_nothing(home: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text([ROWS[0], ("x", "2026-11-03T10:00:00", "vision", "face.search", 1,
                                       "us-east-1", "z")]))
    result = home("usage", "ingest", str(bad), ok=False)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {bad}:3: timestamp: timestamp `2026-11-03T10:00:00` "
                                    "has no time zone")
    assert result.stdout == ""
    assert home("usage", "aggregate", "--period", "2026-11").stdout == "0\n"


def test_quarantine_counts_and_says_where(home: Cli, tmp_path: Path) -> None:
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(csv_text([ROWS[0], ("x", "2026-11-03T10:00:00Z", "vision", "face.teleport", 1,
                                         "us-east-1", "z")]))
    result = home("usage", "ingest", str(mixed), "--quarantine", str(tmp_path / "aside"))
    assert json.loads(result.stdout) == {"ingested": 1, "duplicates": 0, "rejected": 1}
    assert "1 rejected rows written to" in result.stderr and str(tmp_path / "aside") in result.stderr
    (aside,) = (tmp_path / "aside").iterdir()
    assert json.loads(aside.read_text())["field"] == "operation"


def test_cloudtrail_through_the_command_line(home: Cli, tmp_path: Path) -> None:
    trail = tmp_path / "trail.json"
    trail.write_text(json.dumps({"Records": [
        {"eventTime": "2026-11-05T08:00:00Z", "eventSource": "rekognition.amazonaws.com",
         "eventName": "SearchFacesByImage", "awsRegion": "us-east-1", "requestID": "a",
         "userIdentity": {"type": "AssumedRole", "accountId": "123456789012"}},
        {"eventTime": "2026-11-05T08:00:01Z", "eventSource": "sts.amazonaws.com",
         "eventName": "GetCallerIdentity", "awsRegion": "us-east-1", "requestID": "b",
         "userIdentity": {"type": "AssumedRole", "accountId": "123456789012"}}]}))
    result = home("usage", "ingest", "--format", "cloudtrail", str(trail))
    assert json.loads(result.stdout) == {"ingested": 1, "duplicates": 0, "rejected": 0}
    assert "1 events ignored" in result.stderr
    not_trail = tmp_path / "other.json"
    not_trail.write_text('{"hello": "world"}')
    refused = home("usage", "ingest", str(not_trail), ok=False)
    assert refused.exit_code == 2 and "not a CloudTrail log" in refused.stderr


def test_usage_errors(home: Cli) -> None:
    missing = home("usage", "show", "police-1", "--period", "2026-10", ok=False)
    assert missing.exit_code == 3 and "has not been aggregated" in missing.stderr
    wrong = home("usage", "aggregate", "--period", "2026-11", "--master", "local[2]", ok=False)
    assert wrong.exit_code == 2 and "--master applies only to --engine spark" in wrong.stderr
    bad_period = home("usage", "aggregate", "--period", "Nov 2026", ok=False)
    assert bad_period.exit_code == 2 and "--period" in bad_period.stderr


def test_generate_writes_labelled_files(home: Cli, tmp_path: Path) -> None:
    answer = home.json("usage", "generate", "--accounts", "3", "--rows", "300", "--out",
                       str(tmp_path / "gen"), "--period", "2026-11", "--format", "csv", "--files", "2")
    assert answer["synthetic"] is True and answer["rows"] == 300 and len(answer["files"]) == 2
    assert all("SYNTHETIC" in Path(f).name for f in answer["files"])
    ingested = home.json("usage", "ingest", *answer["files"])
    assert ingested == {"ingested": 300, "duplicates": 0, "rejected": 0}
    home("usage", "aggregate", "--period", "2026-11")
    shown = home("usage", "show", "SYNTHETIC-000001", "--period", "2026-11")
    assert json.loads(shown.stdout)["synthetic"] is True and "SYNTHETIC" in shown.stderr
    assert json.loads(home("log", "entry", "0").stdout)["payload"]["synthetic"] is True


def test_verify_detects_a_changed_file(home: Cli, usage_csv: Path) -> None:
    home("usage", "ingest", str(usage_csv))
    home("usage", "aggregate", "--period", "2026-11")
    (victim,) = sorted((home.home / "usage" / "data").glob("day=2026-11-03/*.parquet"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    result = home("usage", "verify", "--period", "2026-11", ok=False)
    assert result.exit_code == 6 and "changed after it was ingested" in result.stderr


def test_verify_says_when_stored_files_outgrew_the_logged_digests(home: Cli, usage_csv: Path,
                                                                   tmp_path: Path) -> None:
    home("usage", "ingest", str(usage_csv))
    home("usage", "aggregate", "--period", "2026-11")
    late = tmp_path / "late.csv"
    late.write_text(csv_text([("vendor-9", "2026-11-29T00:00:00Z", "storage", "storage.object", 5,
                               "eu-west-1", "late")]))
    home("usage", "ingest", str(late))
    stale = home("usage", "verify", "--period", "2026-11", ok=False)
    assert stale.exit_code == 6 and "re-run `daylight usage aggregate" in stale.stderr
    home("usage", "aggregate", "--period", "2026-11")
    assert home.json("usage", "verify", "--period", "2026-11")["verified"] is True
    corrections = [json.loads(home("log", "entry", str(i)).stdout)["payload"] for i in (2, 3)]
    assert [(p["account_id"], p["corrects"]) for p in corrections] == [("police-1", 0), ("vendor-9", 1)]


def test_the_demo_helper_generates_ingests_and_aggregates_synthetic_usage(home: Cli) -> None:
    settings = build_settings({"home": str(home.home), "database_url": home.database_url}, {})
    with closing(Home(settings)) as opened:
        recorded = synthetic_usage_for_demo(opened.database(), opened.log(writable=True),
                                            opened.usage_store(), ["demo-police-1", "demo-vendor-2"],
                                            period=parse_period("2026-10"), rows=5000)
    assert recorded.accounts == 2 and recorded.synthetic and recorded.digests_appended == 2
    shown = home.json("usage", "show", "demo-police-1", "--period", "2026-10")
    assert shown["synthetic"] is True
    assert sum(op["calls"] for op in shown["operations"]) > 2500  # the first account is the heavy one
