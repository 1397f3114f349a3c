"""What the gate and the audit recorded during a period, as typed reads for the report: decision
counts per account × operation × outcome × deciding policies, audit findings per account, the
versions in force, and each policy's reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from daylight.core.database import Database
from daylight.core.period import Period
from daylight.policy.versions import PolicyVersion, list_versions, parse_time


@dataclass(frozen=True)
class DecisionCount:
    """How many requests of an account for an operation the gate decided one way, and why."""

    account_id: str
    operation: str
    outcome: str  # "allow" or "deny"
    policies: tuple[str, ...]
    decisions: int


@dataclass(frozen=True)
class FindingCount:
    """Audit findings of one account in a period, and the calls they concern."""

    account_id: str
    findings: int
    calls: int


def decision_counts(database: Database, period: Period) -> list[DecisionCount]:
    """The gate's decisions during ``period``, summed over days and policy versions."""
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT account_id, operation, outcome, policies, SUM(decisions) "
                        "FROM policy_decision_count WHERE day >= ? AND day < ? "
                        "GROUP BY account_id, operation, outcome, policies",
                        (period.start.isoformat(), period.end.isoformat()))
    counts = [DecisionCount(r[0], r[1], r[2], tuple(sorted(str(r[3]).split())), int(r[4]))
              for r in rows]
    return sorted(counts, key=lambda c: (c.account_id, c.operation, c.outcome, c.policies))


def finding_counts(database: Database, period: Period) -> dict[str, FindingCount]:
    """Account id → its audit findings in the period's latest audit (none if not audited)."""
    with database.transaction(write=False) as tx:
        rows = tx.query("SELECT account_id, COUNT(*), SUM(calls) FROM policy_audit_finding "
                        "WHERE period = ? GROUP BY account_id", (period.label,))
    return {r[0]: FindingCount(r[0], int(r[1]), int(r[2])) for r in rows}


def versions_in_force(database: Database, period: Period) -> list[PolicyVersion]:
    """Every version in force at some time during ``period``, oldest first."""
    start = datetime.combine(period.start, time(0), UTC)
    end = datetime.combine(period.end, time(0), UTC)
    versions = list_versions(database)
    chosen = []
    for i, version in enumerate(versions):
        effective = parse_time(version.effective_from)
        following = versions[i + 1] if i + 1 < len(versions) else None
        until = parse_time(following.effective_from) if following is not None else None
        if effective < end and (until is None or until > start):
            chosen.append(version)
    return chosen


def policy_reasons(versions: list[PolicyVersion]) -> dict[str, str]:
    """Policy id → the human reason it carries, in the newest of ``versions`` that has it."""
    reasons: dict[str, str] = {}
    for version in versions:
        for rule_id, rule in version.compile().rules.items():
            reasons[rule_id] = rule.reason
    return reasons
