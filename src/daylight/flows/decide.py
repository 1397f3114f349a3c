"""Decide: one request through the policy gate (``daylight decide``), the gate the decision
service runs, the recorded decisions of a period, and their digests in the log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.period import Period
from daylight.flows.declare import declarations_source
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.context import normalize_context
from daylight.policy.decision import Decision
from daylight.policy.digest import DecisionDigest, digest_decisions, digest_ended_days
from daylight.policy.engine import DEFAULT_CACHE_ENTRIES
from daylight.policy.gate import Gate
from daylight.policy.store import (
    DecisionCount,
    DenialRecord,
    read_decision_counts,
    read_denials,
)
from daylight.registry.support import DEFAULT_STALENESS_DAYS, DEFAULT_WINDOW_DAYS


@dataclass(frozen=True)
class DecisionRequest:
    """May ``account_id`` call ``operation`` with ``context`` (a JSON object, or none)?"""

    account_id: str
    operation: str
    context: dict[str, Any] | None = None

    @classmethod
    def parse(cls, account_id: str, operation: str, context_text: str | None,
              *, where: str = "--context") -> DecisionRequest:
        """A request whose context is JSON text; unknown or mistyped context fields are refused
        here, before any database is opened."""
        given = parse_json(context_text, where=where) if context_text and context_text.strip() else None
        normalize_context(given)
        return cls(account_id, operation, given)


def open_gate(database: Database, *, cache_entries: int = DEFAULT_CACHE_ENTRIES,
              support_window_days: int = DEFAULT_WINDOW_DAYS, clock: Clock = utc_now,
              support_staleness_days: int = DEFAULT_STALENESS_DAYS) -> Gate:
    """A gate over the shipped catalog and the approved, unexpired declarations that refreshes
    only when asked (the decision service's background task, or never for one command); support
    as of the request's day, within the look-back window and the snapshots' staleness horizon."""
    return Gate(database, default_catalog(), refresh_interval_s=None, cache_entries=cache_entries,
                support_window_days=support_window_days,
                support_staleness_days=support_staleness_days,
                declarations=declarations_source(database, clock), now=clock)


def decide_and_record(database: Database, request: DecisionRequest, *,
                      support_window_days: int = DEFAULT_WINDOW_DAYS,
                      support_staleness_days: int = DEFAULT_STALENESS_DAYS) -> Decision:
    """Decide ``request`` now and record the decision before returning it (a deny is an answer)."""
    gate = open_gate(database, support_window_days=support_window_days,
                     support_staleness_days=support_staleness_days)
    decision = gate.decide(request.account_id, request.operation, request.context)
    gate.flush()
    return decision


def digest_period(database: Database, log: TransparencyLog, period: Period | None, *,
                  clock: Clock = utc_now) -> list[DecisionDigest]:
    """Append the decision digest of ``period``, or of every ended day that needs one."""
    now = clock()
    if period is None:
        return digest_ended_days(database, log, now)
    return [digest_decisions(database, log, period, now)]


@dataclass(frozen=True)
class RecordedDecisions:
    """A period's recorded decision counts and denials."""

    counts: tuple[DecisionCount, ...]
    denials: tuple[DenialRecord, ...]

    def json_lines(self) -> Iterator[dict[str, Any]]:
        """What ``daylight decisions show`` prints: each count, then each denial."""
        for c in self.counts:
            yield {"type": "count", "day": c.day, "account_id": c.account_id,
                   "operation": c.operation, "outcome": c.outcome, "policies": list(c.policies),
                   "policy_version": c.policy_version, "decisions": c.decisions}
        for d in self.denials:
            yield {"type": "denial", "denial_id": d.denial_id, "decided_at": d.decided_at,
                   "account_id": d.account_id, "operation": d.operation,
                   "context": json.loads(d.context), "reasons": json.loads(d.reasons),
                   "errors": json.loads(d.errors), "policy_version": d.policy_version}


def recorded_decisions(database: Database, period: Period) -> RecordedDecisions:
    """The period's decision counts (by day, account, operation, outcome, policies) and its
    denials (in the order they were decided)."""
    return RecordedDecisions(tuple(read_decision_counts(database, period)),
                             tuple(read_denials(database, period)))
