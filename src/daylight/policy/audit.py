"""The audit: replay a period's usage against the policy version that was in force on each day,
and record what the policies refuse as findings, in the log and in the database, atomically.

Usage reaches this layer as plain data (``UsageDay`` rows: account, operation, day, calls) — the
caller reads it from the usage layer, which sits above this one. Usage carries no request
context, so each row is decided with the default context: usage that a policy refuses unless the
request declared an exemption (a purpose, an authorisation) is a finding, and the finding shows
how many of that account's requests the gate itself allowed and denied, so a reader can tell an
exemption that was declared at request time from usage that bypassed the gate.

Accounts are judged by the registry's current classification (the log holds its history), with
support decided *during* the audited period (``registry.support.support_during``).
Days before any version took effect are counted as unaudited, never as compliant.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from daylight.core.canonical import canonical_json
from daylight.core.clock import utc_text
from daylight.core.database import Database, Transaction
from daylight.core.entry_types import POLICY_AUDIT, POLICY_AUDIT_FINDING
from daylight.core.errors import InputError, NotFoundError
from daylight.core.period import Period
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.log.store import LogStore
from daylight.policy.catalog import Catalog
from daylight.policy.decision import Reason
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import Declarations, SupportQuestion, read_account_facts
from daylight.policy.store import PolicyVersion, gate_counts, replace_audit, stored_audit
from daylight.policy.versions import list_versions, version_in_force
from daylight.registry.facts import account_classification
from daylight.registry.support import (
    DEFAULT_STALENESS_DAYS,
    DEFAULT_WINDOW_DAYS,
    classification_during,
)

SYNTHETIC_NOTE = "SYNTHETIC: this finding is about a synthetic account and synthetic usage"


@dataclass(frozen=True)
class UsageDay:
    """How many times an account called an operation on one UTC day."""

    account_id: str
    operation: str
    day: str
    calls: int
    synthetic: bool = False


@dataclass
class _Finding:
    account_id: str
    operation: str
    version: int
    reasons: tuple[Reason, ...]
    errors: tuple[str, ...]
    calls: int = 0
    days: list[str] = field(default_factory=list)
    synthetic: bool = False


@dataclass(frozen=True)
class FindingSupport:
    """A sector the account supports during the period: the registry's path to it (its stored
    steps, as JSON), how many edges lead there, their weight and their kinds of support."""

    sector: str
    path: tuple[dict[str, Any], ...]
    edges: int
    weight: dict[str, Any]
    kinds: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"sector": self.sector, "path": list(self.path), "edges": self.edges,
                "weight": self.weight, "kinds": self.kinds}


@dataclass(frozen=True)
class FindingOrganization:
    """The organisation the account is resolved to."""

    id: str
    name: str
    sector: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sector": self.sector}


@dataclass(frozen=True)
class FindingMatch:
    """How the account was matched to its organisation."""

    status: str
    score: float | None

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "score": self.score}


@dataclass(frozen=True)
class FindingClassification:
    """The account as the registry classifies it, its support decided during the period."""

    sector: str
    organization: FindingOrganization | None
    match: FindingMatch | None
    supports: tuple[FindingSupport, ...]
    log_index: int | None

    def to_json(self) -> dict[str, Any]:
        return {"sector": self.sector,
                "organization": self.organization.to_json() if self.organization else None,
                "match": self.match.to_json() if self.match else None,
                "supports": [s.to_json() for s in self.supports],
                "log_index": self.log_index}


@dataclass(frozen=True)
class GateCounts:
    """How many of the account's requests for the operation the gate itself allowed and denied
    during the period."""

    allowed: int = 0
    denied: int = 0

    def to_json(self) -> dict[str, int]:
        return {"allowed": self.allowed, "denied": self.denied}


@dataclass(frozen=True)
class AuditFinding:
    """Usage of one operation by one account that the version in force refused: how much, on
    which days, which policies refused it and why (a ``policy.audit_finding`` log entry)."""

    account_id: str
    operation: str
    period: str
    count: int
    first_day: str
    last_day: str
    policy_version: int
    policies: tuple[Reason, ...]
    errors: tuple[str, ...]
    classification: FindingClassification
    gate: GateCounts
    usage_digest_log_index: int | None
    synthetic: bool = False

    def to_json(self) -> dict[str, Any]:
        """The finding as logged and printed (docs/policy.md)."""
        out: dict[str, Any] = {
            "account_id": self.account_id, "operation": self.operation, "period": self.period,
            "count": self.count, "first_day": self.first_day, "last_day": self.last_day,
            "policy_version": self.policy_version,
            "policies": [r.to_json() for r in self.policies], "errors": list(self.errors),
            "classification": self.classification.to_json(), "gate": self.gate.to_json(),
            "usage_digest_log_index": self.usage_digest_log_index}
        if self.synthetic:
            out |= {"synthetic": True, "note": SYNTHETIC_NOTE}
        return out


@dataclass(frozen=True)
class AuditSummary:
    """A period's audit in numbers (a ``policy.audit`` log entry): its findings and their
    digest, and where its calls went — audited, refused, on days with no version in force, by
    accounts not in the registry, for operations not in the catalog."""

    period: str
    findings: int
    findings_sha256: str
    calls: int
    audited_calls: int
    calls_refused: int
    unaudited_calls: int
    unknown_account_calls: int
    unknown_operation_calls: int
    unknown_accounts: int
    policy_versions: tuple[int, ...]
    corrects: int | None = None
    """The log index of the period's earlier summary that this one corrects."""
    log_index: int | None = None
    """Where the summary is in the log (not part of the logged payload)."""

    def to_json(self) -> dict[str, Any]:
        """The logged payload, with ``log_index`` once it has one."""
        out: dict[str, Any] = {
            "period": self.period, "findings": self.findings, "findings_sha256": self.findings_sha256,
            "calls": self.calls, "audited_calls": self.audited_calls,
            "calls_refused": self.calls_refused, "unaudited_calls": self.unaudited_calls,
            "unknown_account_calls": self.unknown_account_calls,
            "unknown_operation_calls": self.unknown_operation_calls,
            "unknown_accounts": self.unknown_accounts,
            "policy_versions": list(self.policy_versions)}
        if self.corrects is not None:
            out["corrects"] = self.corrects
        if self.log_index is not None:
            out["log_index"] = self.log_index
        return out


@dataclass(frozen=True)
class AuditReport:
    """The findings of a period and the summary, with whether they were appended to the log."""

    findings: tuple[AuditFinding, ...]
    summary: AuditSummary
    appended: bool

    def to_json(self) -> dict[str, Any]:
        return {"findings": [f.to_json() for f in self.findings], "summary": self.summary.to_json(),
                "appended": self.appended}


def _day_start(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(0), UTC)


def _engines(database: Database, versions: Iterable[PolicyVersion], catalog: Catalog,
             declarations: Declarations, period: Period,
             question: SupportQuestion) -> dict[int, PolicyEngine]:
    facts = read_account_facts(database, question)
    return {v.version: PolicyEngine(v.compile(), v.version, facts, declarations, catalog)
            for v in versions}


def _gate_counts(database: Database, period: Period) -> dict[tuple[str, str], GateCounts]:
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: {"allowed": 0, "denied": 0})
    for account_id, operation, outcome, n in gate_counts(database, period):
        counts[(account_id, operation)]["allowed" if outcome == "allow" else "denied"] += int(n)
    return {key: GateCounts(**value) for key, value in counts.items()}


def _classification(database: Database, account_id: str, period: Period,
                    question: SupportQuestion) -> FindingClassification:
    """The finding's ``classification``: the account as the registry classifies it, its support
    decided during the period (each sector with its path, edge count, weight and kinds)."""
    found = account_classification(database, account_id)
    organization = found.organization
    during = classification_during(found.supports, question.start, question.end,
                                   window_days=question.window_days, overrides=found.overrides,
                                   staleness_days=question.staleness_days)
    return FindingClassification(
        found.sector,
        FindingOrganization(organization.id, organization.name, organization.sector)
        if organization else None,
        FindingMatch(found.status, found.score) if found.status is not None else None,
        tuple(FindingSupport(s["sector"], tuple(s["path"]), s["edges"], s["support"]["weight"],
                             s["support"]["kinds"]) for s in during["supports"]),
        found.log_index)


def _sha256(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def _evaluate_usage(database: Database, period: Period, usage: Iterable[UsageDay], catalog: Catalog,
                   declarations: Declarations,
                   question: SupportQuestion) -> tuple[list[_Finding], dict[str, Any]]:
    """Decide every usage row under the version in force on its day; the refused ones grouped."""
    versions = list_versions(database)
    engines = _engines(database, versions, catalog, declarations, period, question)
    in_force: dict[str, PolicyVersion | None] = {}
    findings: dict[tuple[str, str, int, str], _Finding] = {}
    totals: dict[str, Any] = {"calls": 0, "audited_calls": 0, "calls_refused": 0, "unaudited_calls": 0,
              "unknown_account_calls": 0, "unknown_operation_calls": 0}
    unknown_accounts: set[str] = set()
    for row in usage:
        if not period.start.isoformat() <= row.day < period.end.isoformat():
            raise InputError(f"usage day `{row.day}` is outside the period `{period.label}`")
        totals["calls"] += row.calls
        if row.day not in in_force:
            in_force[row.day] = version_in_force(versions, _day_start(row.day))
        version = in_force[row.day]
        if version is None:
            totals["unaudited_calls"] += row.calls
            continue
        engine = engines[version.version]
        if row.account_id not in engine.accounts:
            unknown_accounts.add(row.account_id)
            totals["unknown_account_calls"] += row.calls
            continue
        try:
            decision = engine.decide(row.account_id, row.operation)
        except NotFoundError:
            totals["unknown_operation_calls"] += row.calls
            continue
        totals["audited_calls"] += row.calls
        if decision.allowed:
            continue
        totals["calls_refused"] += row.calls
        key = (row.account_id, row.operation, version.version, " ".join(decision.policy_ids))
        finding = findings.get(key)
        if finding is None:
            finding = findings[key] = _Finding(row.account_id, row.operation, version.version,
                                               tuple(decision.reasons), tuple(decision.errors))
        finding.calls += row.calls
        finding.days.append(row.day)
        finding.synthetic = finding.synthetic or row.synthetic
    totals["unknown_accounts"] = len(unknown_accounts)
    totals["policy_versions"] = sorted({v.version for v in in_force.values() if v is not None})
    return [findings[k] for k in sorted(findings)], totals


def _logged_summary(tx: Transaction, index: int) -> dict[str, Any]:
    """The summary the log holds at ``index``, without the ``corrects`` it may carry."""
    payload = json.loads(LogStore(tx).entry(index))["payload"]
    return {key: value for key, value in payload.items() if key != "corrects"}


def audit_usage(database: Database, log: TransparencyLog, period: Period,
                usage: Iterable[UsageDay], catalog: Catalog, now: datetime, *,
                declarations: Declarations | None = None,
                usage_digests: Mapping[str, int] | None = None,
                window_days: int = DEFAULT_WINDOW_DAYS,
                staleness_days: int = DEFAULT_STALENESS_DAYS) -> AuditReport:
    """Audit a period's usage and record the findings (log entries and rows, atomically).

    ``usage_digests`` maps account id → log index of the usage digest the usage came from, so
    that each finding points at the usage it is about. An audit whose findings are the same as
    the period's last audit appends nothing. An audit whose findings or totals differ from the
    period's last logged summary (late usage, a version now in force on days that were
    unaudited) appends a new one naming the summary it ``corrects``. Support is decided during
    the period with the look-back window ``window_days`` and the staleness horizon
    ``staleness_days`` (the ``support_window_days`` and ``snapshot_staleness_days`` settings).
    """
    question = SupportQuestion(period.start.isoformat(),
                               (period.end - timedelta(days=1)).isoformat(), window_days,
                               staleness_days)
    grouped, totals = _evaluate_usage(database, period, usage, catalog, declarations or {},
                                      question)
    gate = _gate_counts(database, period)
    classifications: dict[str, FindingClassification] = {}
    findings = []
    for f in grouped:
        if f.account_id not in classifications:
            classifications[f.account_id] = _classification(database, f.account_id, period,
                                                            question)
        findings.append(AuditFinding(
            f.account_id, f.operation, period.label, f.calls, min(f.days), max(f.days), f.version,
            f.reasons, f.errors, classifications[f.account_id],
            gate.get((f.account_id, f.operation), GateCounts()),
            (usage_digests or {}).get(f.account_id), f.synthetic))
    logged = [f.to_json() for f in findings]
    findings_sha256 = _sha256(logged)
    summary = AuditSummary(period.label, len(findings), findings_sha256, totals["calls"],
                           totals["audited_calls"], totals["calls_refused"],
                           totals["unaudited_calls"], totals["unknown_account_calls"],
                           totals["unknown_operation_calls"], totals["unknown_accounts"],
                           tuple(totals["policy_versions"]))
    with database.transaction() as tx:
        tx.lock("policy.audit")
        stored = stored_audit(tx, period)
        if stored is not None and stored[0] == findings_sha256 \
                and _logged_summary(tx, stored[1]) == summary.to_json():
            return AuditReport(tuple(findings), replace(summary, log_index=stored[1]), False)
        if stored is not None:
            summary = replace(summary, corrects=stored[1])
        entries = [LogEntry(POLICY_AUDIT_FINDING, now, f).encode() for f in logged]
        entries.append(LogEntry(POLICY_AUDIT, now, summary.to_json()).encode())
        first = log.sequence_in(tx, entries)
        replace_audit(tx, period, logged, findings_sha256, first, utc_text(now))
    log.integrate()
    return AuditReport(tuple(findings), replace(summary, log_index=first + len(findings)), True)
