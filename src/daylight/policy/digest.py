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
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from daylight.core.canonical import canonical_json
from daylight.core.database import Database, Transaction
from daylight.core.period import Period, parse_period
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog

DIGEST_ENTRY = "policy.decision_digest"
RECENT_DAYS = 2


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _count_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["day"], row["account_id"], row["operation"], row["outcome"], row["policies"],
            row["policy_version"])


def _payload(tx: Transaction, period: Period) -> dict[str, Any]:
    first, last = period.start.isoformat(), (period.end - timedelta(days=1)).isoformat()
    counts = tx.query("SELECT day, account_id, operation, outcome, policies, policy_version, "
                      "decisions FROM policy_decision_count WHERE day >= ? AND day <= ?",
                      (first, last))
    denials = tx.query("SELECT denial_id, decided_at, account_id, operation, context, reasons, "
                       "errors, policy_version FROM policy_denial WHERE day >= ? AND day <= ?",
                       (first, last))
    count_rows = sorted(({"day": r[0], "account_id": r[1], "operation": r[2], "outcome": r[3],
                          "policies": r[4], "policy_version": int(r[5]), "decisions": int(r[6])}
                         for r in counts), key=_count_key)
    denial_rows = sorted(({"denial_id": r[0], "decided_at": r[1], "account_id": r[2],
                           "operation": r[3], "context": json.loads(r[4]),
                           "reasons": json.loads(r[5]), "errors": json.loads(r[6]),
                           "policy_version": int(r[7])} for r in denials),
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


def digest_decisions(database: Database, log: TransparencyLog, period_label: str,
                     now: datetime) -> dict[str, Any]:
    """Append the period's decision digest if it is new or changed; return it with its index."""
    period = parse_period(period_label)
    with database.transaction() as tx:
        tx.lock("policy.decision_digest")
        payload = _payload(tx, period)
        digest = _sha256(payload)
        stored = tx.query_one("SELECT digest_sha256, log_index FROM policy_decision_digest "
                              "WHERE period = ?", (period.label,))
        if stored is not None and stored[0] == digest:
            return {**payload, "log_index": int(stored[1]), "appended": False}
        if stored is not None:
            payload["corrects"] = int(stored[1])
        index = log.sequence_in(tx, [LogEntry(DIGEST_ENTRY, now, payload).encode()])
        tx.execute("DELETE FROM policy_decision_digest WHERE period = ?", (period.label,))
        tx.execute("INSERT INTO policy_decision_digest (period, digest_sha256, decisions, denials, "
                   "log_index, digested_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (period.label, digest, payload["decisions"], payload["denials_recorded"], index,
                    now.isoformat()))
    log.integrate()
    return {**payload, "log_index": index, "appended": True}


def days_to_digest(database: Database, today: date) -> list[str]:
    """Ended days with decisions whose digest is missing, plus the last ``RECENT_DAYS`` ended
    days (late decisions from other processes may still arrive for them)."""
    recent = (today - timedelta(days=RECENT_DAYS)).isoformat()
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT DISTINCT c.day FROM policy_decision_count c "
                        "LEFT JOIN policy_decision_digest d ON d.period = c.day "
                        "WHERE c.day < ? AND (d.period IS NULL OR c.day >= ?) ORDER BY c.day",
                        (today.isoformat(), recent))
    return [r[0] for r in rows]


def digest_ended_days(database: Database, log: TransparencyLog, now: datetime) -> list[dict[str, Any]]:
    """Digest every ended day that needs it (see ``days_to_digest``); return what was appended."""
    appended: list[dict[str, Any]] = []
    for day in days_to_digest(database, now.date()):
        result = digest_decisions(database, log, day, now)
        if result["appended"]:
            appended.append(result)
    return appended


def stored_digests(database: Database, periods: Sequence[str]) -> dict[str, int]:
    """Period → log index of its latest decision digest."""
    found: dict[str, int] = {}
    with database.transaction(write=False) as tx:
        for period in periods:
            row = tx.query_one("SELECT log_index FROM policy_decision_digest WHERE period = ?",
                               (period,))
            if row is not None:
                found[period] = int(row[0])
    return found
