"""The policy layer's storage: its migrations and every statement on its six tables.

=========================  ===============================================================
table                      holds
=========================  ===============================================================
``policy_version``         published versions, with their texts and log index
``policy_decision_count``  decisions per day × account × operation × outcome × policies × version
``policy_denial``          every denial, whole
``policy_decision_digest`` each digested period's latest digest and its log index
``policy_audit``           each audited period's latest summary and its log index
``policy_audit_finding``   the findings of each period's latest audit
=========================  ===============================================================

No other module runs SQL on these tables; other layers read them through the functions here.
Reads take a ``Database`` (one read transaction each); writes that must be atomic with a log
entry take the caller's ``Transaction``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from daylight.core.database import Database, Migration, Transaction, load_migrations
from daylight.core.errors import NotFoundError
from daylight.core.period import Period

if TYPE_CHECKING:
    from daylight.policy.policies import CompiledPolicies

_VERSION_COLUMNS = ("version", "packs", "policy_text", "policy_sha256", "schema_text",
                    "schema_sha256", "published_at", "effective_from", "log_index")
_DENIAL_COLUMNS = ("denial_id", "day", "decided_at", "account_id", "operation", "context",
                   "reasons", "errors", "policy_version")
_FINDING_COLUMNS = ("period", "account_id", "operation", "policy_version", "policies", "calls",
                    "finding", "log_index")


def policy_migrations() -> list[Migration]:
    """The policy layer's schema migrations."""
    return load_migrations("policy", "daylight.policy")


# --- policy_version -------------------------------------------------------------------------

@dataclass(frozen=True)
class PolicyVersion:
    """A published version, with the texts it was published with."""

    version: int
    packs: tuple[dict[str, Any], ...]
    policy_text: str
    policy_sha256: str
    schema_text: str
    schema_sha256: str
    published_at: str
    effective_from: str
    log_index: int

    def to_json(self) -> dict[str, Any]:
        """The version as `daylight policy list` shows it (without the texts)."""
        return {"version": self.version, "policy_sha256": self.policy_sha256,
                "schema_sha256": self.schema_sha256, "packs": list(self.packs),
                "published_at": self.published_at, "effective_from": self.effective_from,
                "log_index": self.log_index}

    def compile(self) -> CompiledPolicies:
        """Parse the stored texts again (they were valid when published)."""
        # Loaded here, not at the top: every command opens this store (for its migrations) and
        # most never compile a version; the schema and catalog cost start-up time.
        from daylight.policy.policies import PolicyText, compile_policies
        from daylight.policy.schema import parse_schema

        schema = parse_schema(self.schema_text, where=f"policy version {self.version} schema")
        return compile_policies([PolicyText(f"policy version {self.version}", self.policy_text)],
                                schema, text=self.policy_text)


def _version(row: Sequence[Any]) -> PolicyVersion:
    return PolicyVersion(int(row[0]), tuple(json.loads(row[1])), row[2], row[3], row[4], row[5],
                         row[6], row[7], int(row[8]))


_SELECT_VERSION = f"SELECT {', '.join(_VERSION_COLUMNS)} FROM policy_version"


def latest_version(tx: Transaction) -> PolicyVersion | None:
    """The newest published version, inside the caller's transaction."""
    row = tx.query_one(_SELECT_VERSION + " ORDER BY version DESC LIMIT 1")
    return _version(row) if row is not None else None


def read_versions(database: Database) -> list[PolicyVersion]:
    """Every published version, oldest first."""
    with database.transaction(write=False) as tx:
        rows = tx.query(_SELECT_VERSION + " ORDER BY version")
    return [_version(r) for r in rows]


def read_version(database: Database, version: int) -> PolicyVersion:
    """One published version; NotFoundError if there is none with that number."""
    with database.transaction(write=False) as tx:
        row = tx.query_one(_SELECT_VERSION + " WHERE version = ?", (version,))
    if row is None:
        raise NotFoundError(f"no policy version {version}")
    return _version(row)


def insert_version(tx: Transaction, version: PolicyVersion) -> None:
    """Store a newly published version (in the transaction that logs it)."""
    tx.execute(f"INSERT INTO policy_version ({', '.join(_VERSION_COLUMNS)}) VALUES "
               f"({', '.join('?' for _ in _VERSION_COLUMNS)})",
               (version.version, json.dumps(list(version.packs)), version.policy_text,
                version.policy_sha256, version.schema_text, version.schema_sha256,
                version.published_at, version.effective_from, version.log_index))


# --- policy_decision_count, policy_denial ---------------------------------------------------

@dataclass(frozen=True)
class DecisionCount:
    """Decisions of one day × account × operation × outcome × deciding policies × version."""

    day: str
    account_id: str
    operation: str
    outcome: str
    policies: tuple[str, ...]
    policy_version: int
    decisions: int

    @property
    def policies_text(self) -> str:
        """The deciding policy ids as stored: space-separated, sorted."""
        return " ".join(self.policies)


@dataclass(frozen=True)
class DenialRecord:
    """One recorded denial; ``context``, ``reasons`` and ``errors`` are JSON text as stored."""

    denial_id: str
    decided_at: str
    account_id: str
    operation: str
    context: str
    reasons: str
    errors: str
    policy_version: int


CountRow = tuple[str, str, str, str, str, int, int]
"""(day, account id, operation, outcome, policies, policy version, decisions)."""
DenialRow = tuple[str, str, str, str, str, str, str, str, int]
"""(denial id, day, decided at, account id, operation, context, reasons, errors, version)."""


def add_decisions(database: Database, counts: Iterable[CountRow],
                  denials: Sequence[DenialRow]) -> None:
    """Add decision counts (adding to counts already stored) and store denials, in one
    transaction."""
    with database.transaction() as tx:
        tx.executemany(
            "INSERT INTO policy_decision_count (day, account_id, operation, outcome, "
            "policies, policy_version, decisions) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (day, account_id, operation, outcome, policies, policy_version) "
            "DO UPDATE SET decisions = policy_decision_count.decisions + excluded.decisions",
            list(counts))
        tx.insert_rows("policy_denial", _DENIAL_COLUMNS, list(denials))


def _first_and_last_day(period: Period) -> tuple[str, str]:
    return period.start.isoformat(), (period.end - timedelta(days=1)).isoformat()


def _count(row: Sequence[Any]) -> DecisionCount:
    return DecisionCount(row[0], row[1], row[2], row[3], tuple(row[4].split()), int(row[5]),
                         int(row[6]))


def _denial(row: Sequence[Any]) -> DenialRecord:
    return DenialRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], int(row[7]))


_SELECT_COUNTS = ("SELECT day, account_id, operation, outcome, policies, policy_version, "
                  "decisions FROM policy_decision_count WHERE day >= ? AND day <= ?")
_SELECT_DENIALS = ("SELECT denial_id, decided_at, account_id, operation, context, reasons, "
                   "errors, policy_version FROM policy_denial WHERE day >= ? AND day <= ?")


def decision_counts_in(tx: Transaction, period: Period) -> list[DecisionCount]:
    """The period's count rows, in no particular order, inside the caller's transaction."""
    return [_count(r) for r in tx.query(_SELECT_COUNTS, _first_and_last_day(period))]


def denials_in(tx: Transaction, period: Period) -> list[DenialRecord]:
    """The period's denials, in no particular order, inside the caller's transaction."""
    return [_denial(r) for r in tx.query(_SELECT_DENIALS, _first_and_last_day(period))]


def read_decision_counts(database: Database, period: Period) -> list[DecisionCount]:
    """The period's count rows, ordered by day, account, operation, outcome and policies."""
    with database.transaction(write=False) as tx:
        rows = tx.query(_SELECT_COUNTS + " ORDER BY day, account_id, operation, outcome, policies",
                        _first_and_last_day(period))
    return [_count(r) for r in rows]


def read_denials(database: Database, period: Period) -> list[DenialRecord]:
    """The period's denials, in the order they were decided."""
    with database.transaction(write=False) as tx:
        rows = tx.query(_SELECT_DENIALS + " ORDER BY decided_at, denial_id",
                        _first_and_last_day(period))
    return [_denial(r) for r in rows]


def gate_counts(database: Database, period: Period) -> list[tuple[str, str, str, int]]:
    """(account id, operation, outcome, decisions) summed over the period."""
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT account_id, operation, outcome, SUM(decisions) FROM "
                        "policy_decision_count WHERE day >= ? AND day < ? "
                        "GROUP BY account_id, operation, outcome",
                        (period.start.isoformat(), period.end.isoformat()))
    return [(r[0], r[1], r[2], int(r[3])) for r in rows]


# --- policy_decision_digest -----------------------------------------------------------------

def stored_decision_digest(tx: Transaction, period: Period) -> tuple[str, int] | None:
    """(digest SHA-256, log index) of the period's latest decision digest, if any."""
    row = tx.query_one("SELECT digest_sha256, log_index FROM policy_decision_digest "
                       "WHERE period = ?", (period.label,))
    return (row[0], int(row[1])) if row is not None else None


def put_decision_digest(tx: Transaction, period: Period, digest_sha256: str, decisions: int,
                        denials: int, log_index: int, digested_at: str) -> None:
    """Store the period's decision digest, replacing the one it corrects."""
    tx.execute("DELETE FROM policy_decision_digest WHERE period = ?", (period.label,))
    tx.execute("INSERT INTO policy_decision_digest (period, digest_sha256, decisions, denials, "
               "log_index, digested_at) VALUES (?, ?, ?, ?, ?, ?)",
               (period.label, digest_sha256, decisions, denials, log_index, digested_at))


def undigested_days(database: Database, today: str, recent: str) -> list[str]:
    """Days before ``today`` with decisions whose digest is missing, or on or after ``recent``."""
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT DISTINCT c.day FROM policy_decision_count c "
                        "LEFT JOIN policy_decision_digest d ON d.period = c.day "
                        "WHERE c.day < ? AND (d.period IS NULL OR c.day >= ?) ORDER BY c.day",
                        (today, recent))
    return [r[0] for r in rows]


def decision_digest_indices(database: Database, periods: Sequence[str]) -> dict[str, int]:
    """Period label → log index of its latest decision digest (periods with none are absent)."""
    found: dict[str, int] = {}
    with database.transaction(write=False) as tx:
        for period in periods:
            row = tx.query_one("SELECT log_index FROM policy_decision_digest WHERE period = ?",
                               (period,))
            if row is not None:
                found[period] = int(row[0])
    return found


# --- policy_audit, policy_audit_finding -----------------------------------------------------

def stored_audit(tx: Transaction, period: Period) -> tuple[str, int] | None:
    """(findings SHA-256, log index of the summary) of the period's latest audit, if any."""
    row = tx.query_one("SELECT findings_sha256, log_index FROM policy_audit WHERE period = ?",
                       (period.label,))
    return (row[0], int(row[1])) if row is not None else None


def replace_audit(tx: Transaction, period: Period, findings: Sequence[dict[str, Any]],
                  findings_sha256: str, first_index: int, audited_at: str) -> None:
    """Store the period's audit, replacing the last one: the findings at log indices from
    ``first_index``, the summary right after them."""
    tx.execute("DELETE FROM policy_audit_finding WHERE period = ?", (period.label,))
    tx.execute("DELETE FROM policy_audit WHERE period = ?", (period.label,))
    tx.insert_rows("policy_audit_finding", _FINDING_COLUMNS,
                   [(period.label, f["account_id"], f["operation"], f["policy_version"],
                     " ".join(p["policy"] for p in f["policies"]), f["count"],
                     json.dumps(f, sort_keys=True), first_index + i)
                    for i, f in enumerate(findings)])
    tx.execute("INSERT INTO policy_audit (period, findings_sha256, findings, log_index, "
               "audited_at) VALUES (?, ?, ?, ?, ?)",
               (period.label, findings_sha256, len(findings), first_index + len(findings),
                audited_at))


@dataclass(frozen=True)
class FindingCount:
    """Audit findings of one account in a period's latest audit, and the calls they concern."""

    account_id: str
    findings: int
    calls: int


def read_finding_counts(database: Database, period: Period) -> dict[str, FindingCount]:
    """Account id → its findings in the period's latest audit (empty if never audited)."""
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT account_id, COUNT(*), SUM(calls) FROM policy_audit_finding "
                        "WHERE period = ? GROUP BY account_id", (period.label,))
    return {r[0]: FindingCount(r[0], int(r[1]), int(r[2])) for r in rows}
