"""Usage digests: per account and period, the aggregates plus a hash of the partitions they were
computed from, as the payload of a ``usage.digest`` log entry.

The partitions hash commits to the exact stored files of the period, so that a later change to
any raw file, or a file added to the period afterwards, is detectable. It is computed from the
manifest, and can be recomputed by anyone holding the Parquet files::

    partition_sha256(day) = SHA-256(JCS([{"file", "rows", "sha256"} of each file of the day,
                                          sorted by file]))
    partitions.sha256     = SHA-256(JCS([{"day", "sha256": partition_sha256(day)} of each day
                                          of the period that holds files, sorted by day]))

where JCS is RFC 8785 canonical JSON, ``file`` is the path below the data directory
(``day=2026-11-03/part-….parquet``) and ``sha256`` the hex SHA-256 of the file's bytes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import canonical_json
from daylight.usage.aggregate import AggregateRow, Aggregation
from daylight.usage.store import StoredFile


@dataclass(frozen=True)
class PartitionsHash:
    """The hash of a period's day partitions, and how many days and files it covers."""

    days: int
    files: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"days": self.days, "files": self.files, "sha256": self.sha256}


def _sha256(value: Any, where: str | None = None) -> str:
    return hashlib.sha256(canonical_json(value, where=where)).hexdigest()


def partition_sha256(files: Iterable[StoredFile]) -> str:
    """The hash of one day partition: its files, rows and file hashes."""
    listed = sorted(files, key=lambda f: f.path)
    return _sha256([{"file": f.path, "rows": f.rows, "sha256": f.sha256} for f in listed])


def partitions_hash(files: Iterable[StoredFile]) -> PartitionsHash:
    """The hash of every day partition the files belong to."""
    by_day: dict[str, list[StoredFile]] = defaultdict(list)
    for stored in files:
        by_day[stored.day].append(stored)
    days = [{"day": day, "sha256": partition_sha256(by_day[day])} for day in sorted(by_day)]
    return PartitionsHash(len(days), sum(len(v) for v in by_day.values()), _sha256(days))


@dataclass(frozen=True)
class UsageDigest:
    """The digest of one account's usage in one period: its rows, the entry payload, and the
    SHA-256 of the payload's canonical JSON (which identifies the digest's content)."""

    account_id: str
    period: str
    rows: tuple[AggregateRow, ...]
    payload: dict[str, Any]
    sha256: str


def build_digests(aggregation: Aggregation) -> list[UsageDigest]:
    """One digest per account of the aggregation, sorted by account id."""
    partitions = partitions_hash(aggregation.files).to_json()
    by_account: dict[str, list[AggregateRow]] = defaultdict(list)
    for row in aggregation.rows:
        by_account[row.account_id].append(row)
    digests = []
    for account_id in sorted(by_account):
        rows = sorted(by_account[account_id])
        payload: dict[str, Any] = {
            "account_id": account_id,
            "period": aggregation.period.label,
            "operations": [row.to_json() for row in rows],
            "partitions": partitions,
        }
        if any(row.synthetic for row in rows):
            payload["synthetic"] = True
            payload["note"] = "SYNTHETIC usage generated for a demo or benchmark, not real metering"
        # units beyond 2^53 have no exact JSON number: the error names the account
        digests.append(UsageDigest(account_id, aggregation.period.label, tuple(rows), payload,
                                   _sha256(payload, f"{account_id}: {aggregation.period.label}")))
    return digests
