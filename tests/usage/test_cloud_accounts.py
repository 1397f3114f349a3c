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
    assert result.summary() == {"ingested": 3, "duplicates": 0, "rejected": 0}
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
