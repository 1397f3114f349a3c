"""`daylight audit --period P`: replay the period's usage, day by day, against the policy version
in force on each day; findings as JSON lines on stdout, a summary table on stderr.

The command line is where the layers meet: it reads usage through the usage layer (the month's
aggregates and their digests, and per-day aggregates of the same stored files) and hands it to
the policy layer as plain ``UsageDay`` rows.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import typer

from daylight.cli.output import stderr, utc_now
from daylight.cli.usage import usage_store
from daylight.core.errors import VerificationError
from daylight.core.period import parse_period
from daylight.home import Home
from daylight.policy.audit import AuditReport, UsageDay, audit_usage
from daylight.policy.catalog import default_catalog
from daylight.policy.gate import no_declarations
from daylight.usage.aggregate import DuckDBEngine, aggregate_period
from daylight.usage.record import digest_log_indices, read_aggregates

if TYPE_CHECKING:
    from rich.table import Table


def usage_days(home: Home, period_label: str) -> tuple[list[UsageDay], dict[str, int]]:
    """The period's usage per account, operation and day, and each account's usage digest index.

    The period must have been aggregated (its digests are in the log); the per-day counts are
    aggregated from the same stored files and must add up to the logged aggregates.
    """
    period = parse_period(period_label)
    database = home.database()
    logged = read_aggregates(database, period)
    digests = {account: index for account, (index, _) in digest_log_indices(database, period).items()}
    store, engine = usage_store(home), DuckDBEngine()
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
    return days, digests


def run_audit(home: Home, period_label: str, now: datetime) -> AuditReport:
    """Audit the period's usage in the home and record the findings."""
    days, digests = usage_days(home, period_label)
    return audit_usage(home.database(), home.log(writable=True), period_label, days,
                       default_catalog(), now, declarations=no_declarations(), usage_digests=digests)


def _summary_table(report: AuditReport) -> Table:
    from rich.table import Table  # heavy: loaded where used, not at start-up

    table = Table(title=f"audit {report.summary['period']}", title_justify="left")
    table.add_column("account")
    table.add_column("operation")
    table.add_column("calls", justify="right")
    table.add_column("policy")
    for finding in report.findings:
        table.add_row(finding["account_id"], finding["operation"], f"{finding['count']:,}",
                      ", ".join(p["policy"] for p in finding["policies"]))
    return table


def audit(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="A month `YYYY-MM` (or a day or quarter) of usage.")],
) -> None:
    """Replay a period's aggregated usage against the policy version in force each day; print
    the findings as JSON lines and append them to the log."""
    home: Home = ctx.obj
    report = run_audit(home, period, utc_now())
    for finding in report.findings:
        print(json.dumps(finding, ensure_ascii=False))
    summary = report.summary
    stderr.print(_summary_table(report))
    stderr.print(f"{summary['findings']} findings; {summary['calls_refused']:,} of "
               f"{summary['audited_calls']:,} audited calls refused by the policy in force; "
               f"{summary['unaudited_calls']:,} calls on days with no version in force; "
               f"{summary['unknown_account_calls']:,} calls by {summary['unknown_accounts']} "
               "accounts not in the registry"
               + (f"; appended at log index {summary['log_index']}" if report.appended
                  else "; same findings as the last audit: nothing appended"))
    if any(f.get("synthetic") for f in report.findings):
        stderr.print("SYNTHETIC: findings about synthetic accounts and usage, not real customers")
