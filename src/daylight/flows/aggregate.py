"""Aggregate a period's usage and log its digests; verify stored usage against those digests.

The usage layer does not import the log: this flow hands ``record_aggregation`` a sequencer that
appends the digests to the log inside the same transaction as the aggregate rows, then signs a
checkpoint covering them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json_object
from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database, Transaction
from daylight.core.entry_types import USAGE_DIGEST
from daylight.core.errors import VerificationError
from daylight.core.period import Period
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.usage.aggregate import Engine, aggregate_period
from daylight.usage.aggregate_store import (
    RecordedAggregation,
    Sequencer,
    digest_log_indices,
    record_aggregation,
)
from daylight.usage.store import UsageStore
from daylight.usage.verify import verify_period


def digest_sequencer(log: TransparencyLog, clock: Clock = utc_now) -> Sequencer:
    """A sequencer appending usage digest payloads to ``log`` inside a transaction, each entry
    stamped with one reading of ``clock``."""
    now = clock()

    def sequence(tx: Transaction, payloads: Sequence[dict[str, Any]]) -> int:
        return log.sequence_in(tx, [LogEntry(USAGE_DIGEST, now, p).encode() for p in payloads])

    return sequence


def aggregate_and_log(database: Database, log: TransparencyLog, store: UsageStore, period: Period,
                      engine: Engine, clock: Clock = utc_now) -> RecordedAggregation:
    """Aggregate ``period``, store the rows and append the changed digests to the log."""
    aggregation = aggregate_period(store, period, engine)
    now = clock()
    recorded = record_aggregation(database, aggregation, digest_sequencer(log, lambda: now), now)
    if recorded.digests_appended:
        log.integrate()
    return recorded


@dataclass(frozen=True)
class UsageVerification:
    """A period's stored files re-hashed and checked against the manifest and the logged digests."""

    period: Period
    files_checked: int
    rows: int
    partitions_sha256: str
    digests_checked: int

    def to_json(self) -> dict[str, Any]:
        """What ``daylight usage verify`` prints."""
        return {"period": self.period.label, "files_checked": self.files_checked,
                "rows": self.rows, "partitions_sha256": self.partitions_sha256,
                "digests_checked": self.digests_checked, "verified": True}


def verify_usage(database: Database, log: TransparencyLog, store: UsageStore,
                 period: Period) -> UsageVerification:
    """Re-hash ``period``'s stored files and check them against every logged usage digest of the
    period; VerificationError with the evidence if anything differs."""
    check = verify_period(store, period)
    digests = digest_log_indices(database, period)
    for account_id, (index, _) in sorted(digests.items()):
        entry = LogEntry.from_json(parse_json_object(log.entry(index), where=f"log entry {index}"))
        logged = entry.payload.get("partitions", {}).get("sha256")
        if entry.type != USAGE_DIGEST or entry.payload.get("account_id") != account_id:
            raise VerificationError("the log entry recorded for a usage digest is not that digest",
                                    where=f"log entry {index}")
        if logged != check.partitions_sha256:
            raise VerificationError(
                "the stored usage files differ from those the logged digest was computed from: "
                f"re-run `daylight usage aggregate --period {period.label}` to append a correction",
                where=f"log entry {index}",
                evidence={"account_id": account_id, "logged_partitions_sha256": logged,
                          "stored_partitions_sha256": check.partitions_sha256})
    return UsageVerification(period, check.files_checked, check.rows, check.partitions_sha256,
                             len(digests))
