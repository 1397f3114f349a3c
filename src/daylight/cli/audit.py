"""`daylight audit --period P`: replay the period's usage, day by day, against the policy version
in force on each day (``daylight.flows.audit``); findings as JSON lines on stdout, a summary table
on stderr."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from daylight.cli.output import stderr
from daylight.core.period import parse_period
from daylight.flows.audit import audit_period
from daylight.home import Home
from daylight.policy.audit import AuditReport

if TYPE_CHECKING:
    from rich.table import Table


def _summary_table(report: AuditReport) -> Table:
    from rich.table import Table  # heavy: loaded where used, not at start-up

    table = Table(title=f"audit {report.summary.period}", title_justify="left")
    table.add_column("account")
    table.add_column("operation")
    table.add_column("calls", justify="right")
    table.add_column("policy")
    for finding in report.findings:
        table.add_row(finding.account_id, finding.operation, f"{finding.count:,}",
                      ", ".join(p.policy for p in finding.policies))
    return table


def audit(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="A month `YYYY-MM` (or a day or quarter) of usage.")],
) -> None:
    """Replay a period's aggregated usage against the policy version in force each day; print
    the findings as JSON lines and append them to the log."""
    home: Home = ctx.obj
    parsed = parse_period(period)
    report = audit_period(home.database(), home.log(writable=True), home.usage_store(), parsed,
                          support_window_days=home.settings.support_window_days,
                          support_staleness_days=home.settings.snapshot_staleness_days)
    for finding in report.findings:
        print(json.dumps(finding.to_json(), ensure_ascii=False))
    summary = report.summary
    stderr.print(_summary_table(report))
    stderr.print(f"{summary.findings} findings; {summary.calls_refused:,} of "
               f"{summary.audited_calls:,} audited calls refused by the policy in force; "
               f"{summary.unaudited_calls:,} calls on days with no version in force; "
               f"{summary.unknown_account_calls:,} calls by {summary.unknown_accounts} "
               "accounts not in the registry"
               + (f"; appended at log index {summary.log_index}" if report.appended
                  else "; same findings as the last audit: nothing appended"))
    if any(f.synthetic for f in report.findings):
        stderr.print("SYNTHETIC: findings about synthetic accounts and usage, not real customers")
