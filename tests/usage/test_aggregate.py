"""Aggregation per account × service × operation × period, its digests in the log, and what
`usage show` answers. Numbers are checked against values worked out by hand."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import rfc8785
from hypothesis import example, given
from hypothesis import strategies as st

from daylight.core.database import Transaction
from daylight.core.errors import InputError, NotFoundError, VerificationError
from daylight.core.period import parse_period
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.usage.aggregate import AggregateRow, DuckDBEngine, aggregate_period, format_time
from daylight.usage.aggregate_store import account_usage, epoch_us_of, read_aggregates, record_aggregation
from daylight.usage.digest import build_digests
from daylight.usage.store import UsageStore
from daylight.usage.verify import verify_period
from tests.usage.conftest import Ingest

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ROWS = [
    ("A", "2026-10-31T23:59:59Z", "vision", "face.search", 100, "us-east-1", "o1"),       # October
    ("A", "2026-11-01T00:00:00Z", "vision", "face.search", 3, "us-west-2", "n1"),
    ("A", "2026-11-15T12:00:00.5Z", "vision", "face.search", 4, "us-east-1", "n2"),
    ("A", "2026-11-30T23:59:59Z", "vision", "face.search", 5, "us-east-1", "n3"),
    ("A", "2026-11-02T08:00:00Z", "storage", "storage.object", 1000, "eu-west-1", "n4"),
    ("B", "2026-11-03T10:00:00+02:00", "vision", "face.compare", 1, "eu-central-1", "n5"),
    ("B", "2026-12-01T00:00:00Z", "vision", "face.compare", 7, "eu-central-1", "d1"),     # December
]

EXPECTED_NOVEMBER = [
    {"account_id": "A", "service": "storage", "operation": "storage.object", "calls": 1, "units": 1000,
     "first_seen": "2026-11-02T08:00:00Z", "last_seen": "2026-11-02T08:00:00Z", "regions": ["eu-west-1"]},
    {"account_id": "A", "service": "vision", "operation": "face.search", "calls": 3, "units": 12,
     "first_seen": "2026-11-01T00:00:00Z", "last_seen": "2026-11-30T23:59:59Z",
     "regions": ["us-east-1", "us-west-2"]},
    {"account_id": "B", "service": "vision", "operation": "face.compare", "calls": 1, "units": 1,
     "first_seen": "2026-11-03T08:00:00Z", "last_seen": "2026-11-03T08:00:00Z",
     "regions": ["eu-central-1"]},
]


def as_dicts(rows: Sequence[AggregateRow]) -> list[dict[str, Any]]:
    return [{"account_id": r.account_id, **r.to_json()} for r in rows]


@pytest.fixture
def loaded(ingest: Ingest, write_csv: Callable[..., Path]) -> None:
    ingest(write_csv("usage.csv", ROWS))


def sequencer(log: TransparencyLog) -> Callable[[Transaction, Sequence[dict[str, Any]]], int]:
    def sequence(tx: Transaction, payloads: Sequence[dict[str, Any]]) -> int:
        return log.sequence_in(tx, [LogEntry("usage.digest", NOW, p).encode() for p in payloads])
    return sequence


def logged(log: TransparencyLog, start: int = 0) -> list[LogEntry]:
    return [LogEntry.from_json(json.loads(log.entry(i))) for i in range(start, log.tree_size())]


@pytest.mark.usefixtures("loaded")
def test_a_month_is_aggregated_exactly(store: UsageStore) -> None:
    aggregation = aggregate_period(store, parse_period("2026-11"), DuckDBEngine())
    assert as_dicts(aggregation.rows) == EXPECTED_NOVEMBER
    assert aggregation.accounts == ["A", "B"]
    assert {f.day[:7] for f in aggregation.files} == {"2026-11"}


@pytest.mark.usefixtures("loaded")
def test_days_and_quarters_are_periods_too(store: UsageStore) -> None:
    day = aggregate_period(store, parse_period("2026-11-15"), DuckDBEngine())
    assert [(r.account_id, r.operation, r.calls, r.units, r.first_seen) for r in day.rows] == [
        ("A", "face.search", 1, 4, "2026-11-15T12:00:00.500000Z")]
    quarter = aggregate_period(store, parse_period("2026-Q4"), DuckDBEngine())
    search = next(r for r in quarter.rows if r.operation == "face.search")
    compare = next(r for r in quarter.rows if r.operation == "face.compare")
    assert (search.calls, search.units, search.first_seen) == (4, 112, "2026-10-31T23:59:59Z")
    assert (compare.calls, compare.units, compare.last_seen) == (2, 8, "2026-12-01T00:00:00Z")
    assert aggregate_period(store, parse_period("2027-01"), DuckDBEngine()).rows == ()


@pytest.mark.usefixtures("loaded")
def test_digests_go_to_the_log_once_and_changes_append_corrections(
        store: UsageStore, log: TransparencyLog, ingest: Ingest, write_csv: Callable[..., Path]) -> None:
    period = parse_period("2026-11")
    recorded = record_aggregation(store.database, aggregate_period(store, period, DuckDBEngine()),
                                  sequencer(log), NOW)
    log.integrate()
    assert (recorded.rows, recorded.accounts, recorded.digests_appended) == (3, 2, 2)
    entries = logged(log)
    assert [e.type for e in entries] == ["usage.digest", "usage.digest"]
    assert [e.payload["account_id"] for e in entries] == ["A", "B"]
    first = entries[0].payload
    assert first["period"] == "2026-11" and "corrects" not in first and "synthetic" not in first
    assert first["operations"] == [{k: v for k, v in row.items() if k != "account_id"}
                                   for row in EXPECTED_NOVEMBER[:2]]
    assert first["partitions"]["days"] == 5 and first["partitions"]["files"] == 5

    again = record_aggregation(store.database, aggregate_period(store, period, DuckDBEngine()),
                               sequencer(log), NOW)
    assert again.digests_appended == 0 and log.tree_size() == 2

    ingest(write_csv("late.csv", [("B", "2026-11-20T10:00:00Z", "vision", "face.compare", 2,
                                   "eu-central-1", "late1")]))
    record_aggregation(store.database, aggregate_period(store, period, DuckDBEngine()),
                       sequencer(log), NOW)
    log.integrate()
    # the partitions changed, so both accounts' digests are corrected; B's numbers changed too
    corrections = logged(log, 2)
    assert [(e.payload["account_id"], e.payload["corrects"]) for e in corrections] == [("A", 0), ("B", 1)]
    assert corrections[1].payload["operations"][0]["calls"] == 2
    assert [r.calls for r in read_aggregates(store.database, period, "B")] == [2]


@pytest.mark.usefixtures("loaded")
def test_show_answers_the_documented_shape(store: UsageStore, log: TransparencyLog) -> None:
    period = parse_period("2026-11")
    with pytest.raises(NotFoundError, match="has not been aggregated"):
        account_usage(store.database, "A", period)
    record_aggregation(store.database, aggregate_period(store, period, DuckDBEngine()), sequencer(log), NOW)
    answer = account_usage(store.database, "B", period).to_json()
    assert answer == {"account_id": "B", "period": "2026-11",
                      "operations": [{k: v for k, v in EXPECTED_NOVEMBER[2].items() if k != "account_id"}]}
    assert account_usage(store.database, "nobody", period).to_json()["operations"] == []


def _canonical_sha256(value: object) -> str:
    return hashlib.sha256(rfc8785.dumps(value)).hexdigest()


@pytest.mark.usefixtures("loaded")
def test_an_outsider_can_recompute_the_partitions_hash_from_the_files(
        store: UsageStore, log: TransparencyLog) -> None:
    period = parse_period("2026-11")
    record_aggregation(store.database, aggregate_period(store, period, DuckDBEngine()), sequencer(log), NOW)
    log.integrate()
    days = []
    for folder in sorted(store.data_dir.glob("day=2026-11-*")):
        files = [{"file": p.relative_to(store.data_dir).as_posix(),
                  "rows": pq.ParquetFile(p).metadata.num_rows,
                  "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in sorted(folder.iterdir())]
        days.append({"day": folder.name.removeprefix("day="), "sha256": _canonical_sha256(files)})
    assert logged(log)[0].payload["partitions"]["sha256"] == _canonical_sha256(days)


@pytest.mark.usefixtures("loaded")
def test_changed_missing_or_unlisted_files_are_detected(store: UsageStore) -> None:
    period = parse_period("2026-11")
    check = verify_period(store, period)
    assert (check.files_checked, check.rows) == (5, 5)
    victim = store.absolute(store.files_for_period(period)[0].path)
    original = victim.read_bytes()
    victim.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    with pytest.raises(VerificationError, match="changed after it was ingested") as caught:
        verify_period(store, period)
    assert caught.value.evidence["file_sha256"] != caught.value.evidence["manifest_sha256"]
    victim.write_bytes(original)
    extra = victim.parent / "part-extra-0.parquet"
    extra.write_bytes(original)
    with pytest.raises(VerificationError, match="does not list"):
        verify_period(store, period)
    extra.unlink()
    victim.unlink()
    with pytest.raises(VerificationError, match="missing"):
        verify_period(store, period)


@given(st.integers(min_value=-62135596800 * 10**6, max_value=253402300799 * 10**6))
@example(-62135596800 * 10**6)  # 0001-01-01: glibc's %Y wrote `1`, unreadable (`demo --period 0001-01`)
def test_times_round_trip_through_their_text(epoch_us: int) -> None:
    text = format_time(epoch_us)
    assert text.endswith("Z") and "T" in text and text[4] == "-"
    assert epoch_us_of(text) == epoch_us


def test_sums_too_large_for_their_numbers_are_errors_naming_the_account(
        store: UsageStore, ingest: Ingest, write_csv: Callable[..., Path]) -> None:
    def rows(units: int) -> list[tuple[object, ...]]:
        return [("SYNTHETIC-9", f"2026-11-03T10:00:{i:02d}Z", "vision", "face.search", units,
                 "us-east-1", f"u{units}-{i}") for i in range(12)]
    ingest(write_csv("beyond-int64.csv", rows(999_999_999_999_999_999)))
    with pytest.raises(InputError) as caught:
        aggregate_period(store, parse_period("2026-11"), DuckDBEngine())
    assert caught.value.where == "SYNTHETIC-9: vision: face.search" and "2^63" in caught.value.message


def test_a_digest_beyond_exact_json_numbers_names_the_account(
        store: UsageStore, ingest: Ingest, write_csv: Callable[..., Path]) -> None:
    ingest(write_csv("beyond-2-53.csv", [
        ("SYNTHETIC-9", f"2026-11-03T10:00:{i:02d}Z", "vision", "face.search", 999_999_999_999_999,
         "us-east-1", f"b{i}") for i in range(12)]))
    aggregation = aggregate_period(store, parse_period("2026-11"), DuckDBEngine())
    with pytest.raises(InputError) as caught:
        build_digests(aggregation)
    assert caught.value.where == "SYNTHETIC-9: 2026-11"
