"""Per-period decision digests: what the gate decided during a period, committed to the log as
a ``policy.decision_digest`` entry, in the same transaction as the digest's row.

The payload commits to the period's count and denial rows::

    counts_sha256  = SHA-256(JCS([{"day", "account_id", "operation", "outcome", "policies",
                                   "policy_version", "decisions"} of each count row,
                                  sorted by (day, account_id, operation, outcome, policies,
                                  policy_version)]))
    denials_sha256 = SHA-256(JCS([{"denial_id", "decided_at", "account_id", "operation",
                                   "context", "reasons", "errors", "policy_version"} of each
                                  denial, sorted by (decided_at, denial_id)]))

(JCS: RFC 8785 canonical JSON; ``context``, ``reasons`` and ``errors`` as JSON values). Strings
sort by Unicode code point and ``policy_version`` as a number — never in the database's
collation, which on PostgreSQL follows the server's locale (``en_US`` puts ``a`` before ``B``)
and would make the hash depend on how the server was set up. ``decided_at`` is RFC 3339 UTC
with microseconds, so its strings sort as its times do. A period digested again with the same
rows appends nothing; with different rows (late decisions), a new digest names the index of the
entry it ``corrects``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from daylight.core.canonical import canonical_json
from daylight.core.clock import utc_text
from daylight.core.database import Database, Transaction
from daylight.core.entry_types import POLICY_DECISION_DIGEST
from daylight.core.period import Period, parse_period
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.policy.store import (
    decision_counts_in,
    denials_in,
    put_decision_digest,
    stored_decision_digest,
    undigested_days,
)

RECENT_DAYS = 2


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _count_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["day"], row["account_id"], row["operation"], row["outcome"], row["policies"],
            row["policy_version"])


def _payload(tx: Transaction, period: Period) -> dict[str, Any]:
    counts: list[dict[str, Any]] = [
        {"day": c.day, "account_id": c.account_id, "operation": c.operation, "outcome": c.outcome,
         "policies": c.policies_text, "policy_version": c.policy_version, "decisions": c.decisions}
        for c in decision_counts_in(tx, period)]
    count_rows = sorted(counts, key=_count_key)
    denial_rows = sorted(({"denial_id": d.denial_id, "decided_at": d.decided_at,
                           "account_id": d.account_id, "operation": d.operation,
                           "context": json.loads(d.context), "reasons": json.loads(d.reasons),
                           "errors": json.loads(d.errors), "policy_version": d.policy_version}
                          for d in denials_in(tx, period)),
                         key=lambda r: (r["decided_at"], r["denial_id"]))
    decided = sum(r["decisions"] for r in count_rows)
    allowed = sum(r["decisions"] for r in count_rows if r["outcome"] == "allow")
    return {
        "period": period.label, "decisions": decided, "allowed": allowed, "denied": decided - allowed,
        "denials_recorded": len(denial_rows),
        "accounts": len({r["account_id"] for r in count_rows}),
        "policy_versions": sorted({r["policy_version"] for r in count_rows}),
        "counts_sha256": _sha256(count_rows), "denials_sha256": _sha256(denial_rows),
    }


@dataclass(frozen=True)
class DecisionDigest:
    """A period's decision digest: the logged payload, its log index, and whether this call
    appended it (False: the same digest was already in the log)."""

    payload: dict[str, Any]
    log_index: int
    appended: bool

    def to_json(self) -> dict[str, Any]:
        """What ``daylight decisions digest`` prints: the payload, ``log_index``, ``appended``."""
        return {**self.payload, "log_index": self.log_index, "appended": self.appended}


def digest_decisions(database: Database, log: TransparencyLog, period: Period,
                     now: datetime) -> DecisionDigest:
    """Append the period's decision digest if it is new or changed; return it with its index."""
    with database.transaction() as tx:
        tx.lock("policy.decision_digest")
        payload = _payload(tx, period)
        digest = _sha256(payload)
        stored = stored_decision_digest(tx, period)
        if stored is not None and stored[0] == digest:
            return DecisionDigest(payload, stored[1], False)
        if stored is not None:
            payload["corrects"] = stored[1]
        index = log.sequence_in(tx, [LogEntry(POLICY_DECISION_DIGEST, now, payload).encode()])
        put_decision_digest(tx, period, digest, payload["decisions"], payload["denials_recorded"],
                            index, utc_text(now))
    log.integrate()
    return DecisionDigest(payload, index, True)


def days_to_digest(database: Database, today: date) -> list[str]:
    """Ended days with decisions whose digest is missing, plus the last ``RECENT_DAYS`` ended
    days (late decisions from other processes may still arrive for them)."""
    return undigested_days(database, today.isoformat(),
                           (today - timedelta(days=RECENT_DAYS)).isoformat())


def digest_ended_days(database: Database, log: TransparencyLog, now: datetime) -> list[DecisionDigest]:
    """Digest every ended day that needs it (see ``days_to_digest``); return what was appended."""
    appended: list[DecisionDigest] = []
    for day in days_to_digest(database, now.date()):
        result = digest_decisions(database, log, parse_period(day), now)
        if result.appended:
            appended.append(result)
    return appended
