"""CloudTrail's 12-digit account id reaches the customer account that declared it; records of
ids nobody declared are counted and reported, never ingested (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError
from daylight.flows.ingest import ingest_usage
from daylight.registry.accounts import Account, read_accounts
from daylight.registry.service import import_accounts
from daylight.usage.store import UsageStore
from tests.cli.conftest import Cli
from tests.usage.test_ingest import stored_rows

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _trail(path: Path, *account_ids: str) -> Path:
    records = [{"eventTime": f"2026-11-05T08:00:0{i}Z", "eventSource": "rekognition.amazonaws.com",
                "eventName": "SearchFacesByImage", "awsRegion": "us-east-1", "requestID": f"r{i}",
                "userIdentity": {"type": "AssumedRole", "accountId": account_id}}
               for i, account_id in enumerate(account_ids)]
    path.write_text(json.dumps({"Records": records}), encoding="utf-8")
    return path


def test_cloud_account_ids_map_cloudtrail_to_customers(database: Database, tmp_path: Path) -> None:
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "account_id,name,email_domains,city,state,country,created_at,cloud_account_ids\n"
        "crm-7,Quartz Bakery LLC,,,,US,2024-01-02,111122223333;444455556666\n"
        "999988887777,Tidal Hosting LLC,,,,US,2024-01-02,\n", encoding="utf-8")
    import_accounts(database, read_accounts(accounts), NOW)
    store = UsageStore(tmp_path / "usage", database)
    trail = _trail(tmp_path / "trail.json", "111122223333", "444455556666", "999988887777",
                   "123456789012", "123456789012")
    result = ingest_usage(store, [trail], registry=database, clock=lambda: NOW)
    assert result.summary() == {"ingested": 3, "duplicates": 0, "rejected": 0,
                                "unmapped": {"123456789012": 2}}
    assert result.unmapped == {"123456789012": 2}  # counted, reported, not ingested
    assert sorted(row[0] for row in stored_rows(store)) == ["999988887777", "crm-7", "crm-7"]
    with database.transaction(write=False) as tx:
        assert tx.query("SELECT rows_unmapped FROM usage_ingest") == [(2,)]


def test_without_accounts_cloudtrail_keeps_the_cloud_id(database: Database, tmp_path: Path) -> None:
    store = UsageStore(tmp_path / "usage", database)
    trail = _trail(tmp_path / "trail.json", "123456789012")
    result = ingest_usage(store, [trail], registry=database, clock=lambda: NOW)
    assert result.unmapped == {} and [r[0] for r in stored_rows(store)] == ["123456789012"]


def test_a_cloud_account_id_belongs_to_one_account(database: Database, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,name,email_domains,city,state,country,created_at,cloud_account_ids\n"
                   "a,A,,,,US,2024-01-02,12345\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a 12-digit cloud account id") as caught:
        read_accounts(bad)
    assert caught.value.where == "bad.csv:2: cloud_account_ids"
    twice = tmp_path / "twice.csv"
    twice.write_text("account_id,name,email_domains,city,state,country,created_at,cloud_account_ids\n"
                     "a,A,,,,US,2024-01-02,111122223333\nb,B,,,,US,2024-01-02,111122223333\n",
                     encoding="utf-8")
    with pytest.raises(InputError, match="given to two accounts"):
        read_accounts(twice)
    first = Account("a", "A", (), "", "", "US", "2024-01-02", ("111122223333",))
    import_accounts(database, [first], NOW)
    other = Account("b", "B", (), "", "", "US", "2024-01-02", ("111122223333",))
    with pytest.raises(ConflictError, match="belongs to account `a`"):
        import_accounts(database, [other], NOW)


def test_unmapped_ids_are_in_the_ingest_answer_and_listed(tmp_path: Path, database_url: str) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "usage.daylight.invalid/log")
    header = "account_id,name,email_domains,city,state,country,created_at,cloud_account_ids\n"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(header + "crm-7,SYNTHETIC Bakery,,,,US,2024-01-02,111122223333\n",
                        encoding="utf-8")
    cli("accounts", "import", str(accounts))
    assert cli("usage", "unmapped", "--json").stdout == ""  # nothing ingested yet
    first = cli("usage", "ingest", str(_trail(tmp_path / "a.json", "111122223333", "123456789012",
                                                "123456789012", "555566667777")))
    assert json.loads(first.stdout) == {"ingested": 1, "duplicates": 0, "rejected": 0,
                                        "unmapped": {"123456789012": 2, "555566667777": 1}}
    assert "3 CloudTrail records not ingested" in first.stderr
    second = cli.json("usage", "ingest", str(_trail(tmp_path / "b.json", "123456789012")))
    assert second["unmapped"] == {"123456789012": 1}
    listed = [json.loads(line) for line in cli("usage", "unmapped", "--json").stdout.splitlines()]
    assert [(u["cloud_account_id"], u["records"], u["files"], u["declared_by"]) for u in listed] == [
        ("123456789012", 3, 2, None), ("555566667777", 1, 1, None)]
    assert all(u["first_ingested_at"] <= u["last_ingested_at"] for u in listed)
    # the CRM now declares one of them: the list says whose it is (its records are still out)
    accounts.write_text(header + "crm-7,SYNTHETIC Bakery,,,,US,2024-01-02,"
                        "111122223333;555566667777\n", encoding="utf-8")
    cli("accounts", "import", str(accounts))
    listed = [json.loads(line) for line in cli("usage", "unmapped", "--json").stdout.splitlines()]
    assert [u["declared_by"] for u in listed] == [None, "crm-7"]
    table = cli("usage", "unmapped").stdout
    assert "123456789012" in table and "crm-7" in table and "nobody" in table
