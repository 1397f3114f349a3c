"""Audit a period: replay its usage, day by day, against the policy version in force each day.

The usage is read through the usage layer (the period's logged aggregates and their digests,
and per-day aggregates of the same stored files) and handed to the policy layer as plain
``UsageDay`` rows; the findings are recorded by the policy layer, in the log and its tables.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.errors import VerificationError
from daylight.core.period import Period, parse_period
from daylight.log.service import TransparencyLog
from daylight.policy.audit import AuditReport, UsageDay, audit_usage
from daylight.policy.catalog import Catalog, default_catalog
from daylight.policy.entities import Declarations
from daylight.registry.support import DEFAULT_STALENESS_DAYS, DEFAULT_WINDOW_DAYS
from daylight.usage.aggregate import DuckDBEngine, aggregate_period
from daylight.usage.aggregate_store import digest_log_indices, read_aggregates
from daylight.usage.store import UsageStore


@dataclass(frozen=True)
class PeriodUsage:
    """A period's usage per account, operation and day, and each account's usage digest index."""

    days: tuple[UsageDay, ...]
    digest_log_indices: dict[str, int]


def usage_days(database: Database, store: UsageStore, period: Period) -> PeriodUsage:
    """The period's usage per day. The period must have been aggregated (its digests are in the
    log); the per-day counts are aggregated from the same stored files and must add up to the
    logged aggregates (VerificationError otherwise)."""
    logged = read_aggregates(database, period)
    digests = {account: index for account, (index, _) in digest_log_indices(database, period).items()}
    engine = DuckDBEngine()
    days: list[UsageDay] = []
    for day in period.days():
        for row in aggregate_period(store, parse_period(day), engine).rows:
            days.append(UsageDay(row.account_id, row.operation, day, row.calls, row.synthetic))
    per_day: Counter[tuple[str, str]] = Counter()
    for usage in days:
        per_day[(usage.account_id, usage.operation)] += usage.calls
    expected: Counter[tuple[str, str]] = Counter()
    for row in logged:
        expected[(row.account_id, row.operation)] += row.calls
    if per_day != expected:
        raise VerificationError(
            f"the stored usage of `{period.label}` no longer adds up to its logged aggregates: run "
            f"`daylight usage verify --period {period.label}`",
            evidence={"differing": len(set(per_day.items()) ^ set(expected.items()))})
    return PeriodUsage(tuple(days), digests)


def audit_period(database: Database, log: TransparencyLog, store: UsageStore, period: Period, *,
                 clock: Clock = utc_now, catalog: Catalog | None = None,
                 declarations: Declarations | None = None,
                 support_window_days: int = DEFAULT_WINDOW_DAYS,
                 support_staleness_days: int = DEFAULT_STALENESS_DAYS) -> AuditReport:
    """Audit ``period``'s usage and record the findings (nothing is appended if they are the
    same as the period's last audit); support is decided during the period with the look-back
    window and the staleness horizon (the ``support_window_days`` and
    ``snapshot_staleness_days`` settings)."""
    usage = usage_days(database, store, period)
    return audit_usage(database, log, period, usage.days, catalog or default_catalog(), clock(),
                       declarations=declarations or {},
                       usage_digests=usage.digest_log_indices, window_days=support_window_days,
                       staleness_days=support_staleness_days)
