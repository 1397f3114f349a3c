"""The usage layer's aggregate tables: each period's aggregates and digests, and what ``usage show``
reads (the files and ingests are in ``store``, which this module builds on).

``record_aggregation`` replaces a period's aggregate rows and, in the same transaction, appends
a ``usage.digest`` entry for every account whose digest is new or changed (a changed one names
the log index of the digest it corrects); an unchanged account appends nothing, so aggregating
the same data twice adds nothing to the log. The log itself is reached through ``sequence``, a
function the caller passes in (usage does not import the log layer).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from daylight.core.clock import utc_text
from daylight.core.database import Database, Transaction
from daylight.core.errors import NotFoundError
from daylight.core.period import Period
from daylight.usage.aggregate import AggregateRow, Aggregation
from daylight.usage.digest import UsageDigest, build_digests, partitions_hash

Sequencer = Callable[[Transaction, Sequence[dict[str, Any]]], int]
"""Appends digest payloads to the log inside the transaction; returns the first entry's index."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_AGGREGATE_COLUMNS = ("period", "account_id", "service", "operation", "calls", "units",
                      "first_seen", "last_seen", "regions", "synthetic")


@dataclass(frozen=True)
class RecordedAggregation:
    """What recording a period's aggregation changed."""

    period: str
    rows: int
    accounts: int
    digests_appended: int
    first_log_index: int | None
    synthetic: bool


def record_aggregation(database: Database, aggregation: Aggregation, sequence: Sequencer,
                       now: datetime) -> RecordedAggregation:
    """Store a period's aggregates and append the digests that changed; all or nothing."""
    period = aggregation.period.label
    digests = build_digests(aggregation)
    with database.transaction() as tx:
        tx.lock("usage.aggregate")
        known = {row[0]: (row[1], int(row[2])) for row in tx.query(
            "SELECT account_id, digest_sha256, log_index FROM usage_digest WHERE period = ?", (period,))}
        changed: list[UsageDigest] = [d for d in digests if known.get(d.account_id, ("",))[0] != d.sha256]
        payloads = []
        for digest in changed:
            payload = dict(digest.payload)
            if digest.account_id in known:
                payload["corrects"] = known[digest.account_id][1]
            payloads.append(payload)
        first_index = sequence(tx, payloads) if payloads else None
        tx.execute("DELETE FROM usage_aggregate WHERE period = ?", (period,))
        tx.insert_rows("usage_aggregate", _AGGREGATE_COLUMNS, [
            (period, r.account_id, r.service, r.operation, r.calls, r.units, shown["first_seen"],
             shown["last_seen"], json.dumps(shown["regions"]), int(r.synthetic))
            for digest in digests
            for r, shown in zip(digest.rows, digest.payload["operations"], strict=True)])
        for offset, digest in enumerate(changed):
            assert first_index is not None
            tx.execute("DELETE FROM usage_digest WHERE period = ? AND account_id = ?",
                       (period, digest.account_id))
            tx.execute(
                "INSERT INTO usage_digest (period, account_id, digest_sha256, partitions_sha256, "
                "log_index, engine, aggregated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (period, digest.account_id, digest.sha256, digest.payload["partitions"]["sha256"],
                 first_index + offset, aggregation.engine, utc_text(now)))
        tx.execute("DELETE FROM usage_period WHERE period = ?", (period,))
        tx.execute(
            "INSERT INTO usage_period (period, aggregate_rows, accounts, partitions_sha256, engine, "
            "aggregated_at) VALUES (?, ?, ?, ?, ?, ?)",
            (period, len(aggregation.rows), len(digests), partitions_hash(aggregation.files).sha256,
             aggregation.engine, utc_text(now)))
    return RecordedAggregation(period, len(aggregation.rows), len(digests), len(changed), first_index,
                               any(r.synthetic for r in aggregation.rows))


def _require_period(tx: Transaction, period: Period) -> None:
    if tx.query_one("SELECT 1 FROM usage_period WHERE period = ?", (period.label,)) is None:
        raise NotFoundError(f"usage for `{period.label}` has not been aggregated: run "
                            f"`daylight usage aggregate --period {period.label}`")


def is_aggregated(database: Database, period: Period) -> bool:
    """Whether ``period``'s usage has been aggregated (and its digests logged)."""
    with database.transaction(write=False) as tx:
        return tx.query_one("SELECT 1 FROM usage_period WHERE period = ?",
                            (period.label,)) is not None


def _row(values: Sequence[Any]) -> AggregateRow:
    account, service, operation, calls, units, first, last, regions, synthetic = values
    first_us = epoch_us_of(first)
    last_us = epoch_us_of(last)
    return AggregateRow(account, service, operation, int(calls), int(units), first_us, last_us,
                        tuple(orjson.loads(regions)), bool(synthetic))


def epoch_us_of(text: str) -> int:
    """Microseconds since the epoch of an RFC 3339 time (the inverse of ``format_time``)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (moment - _EPOCH) // timedelta(microseconds=1)


def read_aggregates(database: Database, period: Period,
                    account_id: str | None = None) -> list[AggregateRow]:
    """The stored aggregate rows of ``period`` (of one account if given), sorted."""
    sql = ("SELECT account_id, service, operation, calls, units, first_seen, last_seen, regions, "
           "synthetic FROM usage_aggregate WHERE period = ?")
    params: tuple[Any, ...] = (period.label,)
    if account_id is not None:
        sql += " AND account_id = ?"
        params += (account_id,)
    with database.transaction(write=False) as tx:
        _require_period(tx, period)
        rows = tx.query(sql, params)
    return sorted(_row(r) for r in rows)


@dataclass(frozen=True)
class AccountUsage:
    """An account's aggregated usage in a period."""

    account_id: str
    period: Period
    rows: tuple[AggregateRow, ...]

    @property
    def synthetic(self) -> bool:
        """True if any of it comes from synthetic data."""
        return any(row.synthetic for row in self.rows)

    def to_json(self) -> dict[str, Any]:
        """What ``daylight usage show`` prints: ``{"account_id", "period", "operations": [...]}``,
        with ``"synthetic": true`` added when any of it comes from synthetic data."""
        answer: dict[str, Any] = {"account_id": self.account_id, "period": self.period.label,
                                  "operations": [row.to_json() for row in self.rows]}
        if self.synthetic:
            answer["synthetic"] = True
        return answer


def account_usage(database: Database, account_id: str, period: Period) -> AccountUsage:
    """The stored aggregates of ``account_id`` in ``period`` (NotFoundError if the period has not
    been aggregated)."""
    return AccountUsage(account_id, period, tuple(read_aggregates(database, period, account_id)))


def digest_log_indices(database: Database, period: Period) -> dict[str, tuple[int, str]]:
    """Account id → (log index, partitions hash) of the latest digest of each account in ``period``."""
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT account_id, log_index, partitions_sha256 FROM usage_digest "
                        "WHERE period = ?", (period.label,))
    return {r[0]: (int(r[1]), r[2]) for r in rows}
