"""What the gate and the audit recorded during a period, summed for the report: decision counts
per account × operation × outcome × deciding policies (over days and versions), the versions in
force during the period, and each policy's reason."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time

from daylight.core.clock import parse_utc_text
from daylight.core.database import Database
from daylight.core.period import Period
from daylight.policy.store import PolicyVersion, read_decision_counts, read_versions


@dataclass(frozen=True)
class DecisionTotal:
    """How many requests of an account for an operation the gate decided one way, and why,
    during a period."""

    account_id: str
    operation: str
    outcome: str  # "allow" or "deny"
    policies: tuple[str, ...]
    decisions: int


def decision_totals(database: Database, period: Period) -> list[DecisionTotal]:
    """The gate's decisions during ``period``, summed over days and policy versions, sorted."""
    totals: dict[tuple[str, str, str, tuple[str, ...]], int] = defaultdict(int)
    for count in read_decision_counts(database, period):
        totals[(count.account_id, count.operation, count.outcome,
                tuple(sorted(count.policies)))] += count.decisions
    return [DecisionTotal(*key, n) for key, n in sorted(totals.items())]


def versions_in_force(database: Database, period: Period) -> list[PolicyVersion]:
    """Every version in force at some time during ``period``, oldest first."""
    start = datetime.combine(period.start, time(0), UTC)
    end = datetime.combine(period.end, time(0), UTC)
    versions = read_versions(database)
    chosen = []
    for i, version in enumerate(versions):
        effective = parse_utc_text(version.effective_from)
        following = versions[i + 1] if i + 1 < len(versions) else None
        until = parse_utc_text(following.effective_from) if following is not None else None
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
