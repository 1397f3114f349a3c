"""`daylight demo`: build a complete provider world end to end (``daylight.flows.demo``) and show
that it verifies. Everything about the accounts and their usage is SYNTHETIC and says so."""

from __future__ import annotations

import base64
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from daylight.core.period import parse_period
from daylight.core.settings import build_settings
from daylight.core.text import count_of
from daylight.flows.accounts import AccountView
from daylight.flows.demo import (
    DEMO_ORIGIN,
    REVIEW_KEY_FILE,
    SYNTHETIC_NOTE,
    DemoStage,
    MirrorStage,
    PolicyStage,
    ProofStage,
    RegistryStage,
    ReportStage,
    UsageStage,
    VoiceStage,
    build_demo_world,
    keep_demo_settings,
    prepare_demo_directory,
)
from daylight.flows.object import make_review_key
from daylight.home import Home
from daylight.report.server import report_server, serve_until_interrupted, url_of

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from daylight.policy.audit import AuditFinding

T = TypeVar("T")


def _classified_table(views: Sequence[AccountView], limit: int = 12) -> Table:
    from rich.table import Table  # heavy: loaded where used, not at start-up

    table = Table(title="SYNTHETIC accounts the registry resolved to agencies or their contractors "
                        f"(first {limit})", title_justify="left")
    for column in ("SYNTHETIC account", "typed name", "resolved to (real reference data)",
                   "sector", "supports", "score"):
        table.add_column(column, no_wrap=column == "SYNTHETIC account")
    for view in [v for v in views if v.is_classified][:limit]:
        supports = ", ".join(sorted(set(view.supported_sectors)))
        score = view.resolution.score if view.resolution else None
        table.add_row(view.account_id, view.account.name,
                      view.organization.name if view.organization else "", view.sector,
                      supports or "—", f"{score:.3f}")
    return table


def _findings_table(findings: Sequence[AuditFinding], views: Sequence[AccountView],
                    limit: int = 12) -> Table:
    """The largest finding of each classified account: who, what, how much, which packs."""
    from rich.table import Table  # heavy: loaded where used, not at start-up

    classified = {v.account_id: v for v in views if v.is_classified}
    largest: dict[str, AuditFinding] = {}
    for finding in findings:
        account = finding.account_id
        if account in classified and (account not in largest
                                      or finding.count > largest[account].count):
            largest[account] = finding
    table = Table(title="largest audit finding of each SYNTHETIC account resolved to an agency "
                        f"or a contractor (first {limit})", title_justify="left")
    for column in ("SYNTHETIC account", "resolved to", "sector / supports", "operation",
                   "calls", "refused by (packs)"):
        table.add_column(column, justify="right" if column == "calls" else "left",
                         no_wrap=column == "SYNTHETIC account")
    for account, finding in list(largest.items())[:limit]:
        view = classified[account]
        packs = sorted({p.policy.split("/", 1)[0] for p in finding.policies})
        table.add_row(account, view.organization.name if view.organization else "",
                      " / ".join([view.sector, *sorted(set(view.supported_sectors))]),
                      finding.operation, f"{finding.count:,}", ", ".join(packs))
    return table


class ConsoleProgress:
    """Draws the demo's steps and stages on a Rich console."""

    def __init__(self, console: Console, period: str) -> None:
        self.console = console
        self.period = period

    def step(self, title: str, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        with self.console.status(f"{title}…"):
            result = work()
        self.console.print(f"[green]✓[/] {title} [dim]({time.perf_counter() - start:.1f} s)[/]")
        return result

    def show(self, stage: DemoStage) -> None:
        from rich.panel import Panel  # heavy: loaded where used, not at start-up

        console = self.console
        if isinstance(stage, RegistryStage):
            reference, screening = stage.registry.reference, stage.registry.screening
            console.print(f"  reference: {reference.organizations:,} organisations, "
                          f"{reference.relationships:,} relationships; screening: "
                          f"{screening.accepted} accepted, {screening.review} for review, "
                          f"{screening.rejected} unmatched; a SYNTHETIC reviewer then "
                          f"confirmed {stage.reviewed.confirmed} ({stage.reviewed.left} left "
                          "for review)")
            sectors = Counter(v.sector for v in stage.views)
            supporting = sum(1 for v in stage.views if v.supports)
            console.print(f"  classified: {sectors['law_enforcement']} law enforcement, "
                          f"{sectors['immigration_enforcement']} immigration enforcement, "
                          f"{supporting} supporting immigration enforcement (all SYNTHETIC accounts)")
            console.print(_classified_table(stage.views))
        elif isinstance(stage, UsageStage):
            usage = stage.usage
            console.print(f"  {usage.rows:,} aggregate rows (account × service × operation) for "
                          f"{usage.accounts:,} SYNTHETIC accounts; {usage.digests_appended:,} usage "
                          "digests appended to the log")
        elif isinstance(stage, VoiceStage):
            voice = stage.voice
            console.print(f"  declarations: {', '.join(sorted(voice.declarations.values()))}; "
                          f"objections: {', '.join(sorted(voice.objections.values()))}; "
                          f"refusals: {voice.refusals} (signers sealed to the demo review key "
                          f"{stage.review_key_file})")
        elif isinstance(stage, PolicyStage):
            policy = stage.policy
            audit = policy.audit.summary.to_json() if policy.audit else {}
            console.print(f"  sample decisions: {policy.allowed} allowed, {policy.denied} "
                          f"denied; audit of {self.period}: {audit['calls_refused']:,} of "
                          f"{audit['audited_calls']:,} SYNTHETIC calls would have been refused, "
                          f"{audit['findings']:,} findings")
            console.print(_findings_table(policy.audit.findings if policy.audit else (),
                                          stage.views))
        elif isinstance(stage, ProofStage):
            latest = stage.checkpoint
            console.print(Panel(latest.note.rstrip("\n"), title="signed checkpoint (C2SP)",
                                subtitle=stage.vkey))
            console.print(f"[green]✓[/] entry {stage.index} (the registry's screening summary) is "
                          f"in the tree of size {latest.tree_size}: inclusion proof of "
                          f"{stage.inclusion_hashes} hashes; the tree after screening is a prefix "
                          f"of it: consistency proof of {stage.consistency_hashes} hashes")
        elif isinstance(stage, MirrorStage):
            report = stage.report
            console.print(f"  {report.entries_checked:,} entries and every tile verified; root "
                          f"{base64.b64encode(report.root_hash).decode()}; consistent with the "
                          f"first checkpoint (size {report.consistent_with})")
            console.print(f"Re-check it yourself: .venv/bin/daylight log verify {stage.mirror} "
                          f"--key {stage.vkey_file}")
        elif isinstance(stage, ReportStage):
            second = stage.second
            console.print(f"  {second.period.label}: {second.usage.rows:,} aggregate rows, "
                          f"{second.decisions:,} gate decisions, "
                          f"{second.audit.summary.findings:,} audit findings")
            for built, checked in zip(stage.reports.builds, stage.reports.verifications,
                                      strict=True):
                rows = ", ".join(f"{n:,} {table}" for table, n in built.rows.items())
                since = (f"; consistent with the earlier report's checkpoint (size "
                         f"{checked.consistent_with})" if checked.consistent_with else "")
                console.print(f"  {built.out_dir}: {built.period}, rows: {rows}; each row proven "
                              f"at tree size {built.proven_tree_size}; "
                              f"{checked.files_checked:,} files verified{since}")
            newest = stage.reports.latest
            changes = newest.report.changes
            if changes is not None:
                console.print(f"  changes since {changes.previous_period}: "
                              f"{count_of(len(changes.organizations_added), 'organisation')} added, "
                              f"{len(changes.organizations_removed)} removed")
            earlier = stage.reports.builds[0].out_dir / "log" / "checkpoint"
            witness = (f" --witness {stage.witness_vkey_file}" if stage.witness_vkey_file
                       else "")
            console.print(f"Verify it yourself: .venv/bin/daylight verify {newest.out_dir} "
                          f"--key {stage.vkey_file} --since {earlier}{witness}")


def demo(
    out: Annotated[Path, typer.Option(help="Directory for the demo's home and mirror; "
                                           "replaced if it holds an earlier demo.")] = Path("daylight-demo"),
    accounts: Annotated[int, typer.Option(min=10, help="How many SYNTHETIC accounts.")] = 2000,
    usage_rows: Annotated[int, typer.Option(min=1, help="How many SYNTHETIC usage records.")] = 200_000,
    period: Annotated[str, typer.Option(help="The first month (YYYY-MM) of the SYNTHETIC usage; "
                                             "the month after it is the second.")] = "2026-10",
    serve: Annotated[bool, typer.Option(help="Then serve the report on 127.0.0.1 and print its "
                                             "URL (Ctrl-C stops).")] = False,
    port: Annotated[int, typer.Option(help="Port for --serve (0: any free port).")] = 8000,
) -> None:
    """Build the demo world on the embedded SQLite default and show that it verifies."""
    from rich.console import Console  # heavy: loaded where used, not at start-up
    from rich.panel import Panel  # heavy: loaded where used, not at start-up

    console = Console()
    console.print(Panel(SYNTHETIC_NOTE, style="yellow"))
    prepare_demo_directory(out)
    # The demo always runs on the embedded default, whatever DAYLIGHT_* says; its review key's
    # private half is left beside the home (a demo only).
    review_key = make_review_key(out / REVIEW_KEY_FILE)
    home = Home(build_settings({"home": str(out / "home"), "review_key": review_key}, {}))
    progress = ConsoleProgress(console, period)
    try:
        signer = progress.step("created a home, its Ed25519 key and an empty log",
                               lambda: home.initialise(DEMO_ORIGIN))
        keep_demo_settings(out / "home", review_key)
        build_demo_world(home.database(), home.log(writable=True), home.usage_store(),
                         signer.verifier(), home.voice_keys(), out, progress, accounts=accounts,
                         usage_rows=usage_rows, period=parse_period(period))
    finally:
        home.close()
    console.print(Panel(SYNTHETIC_NOTE, style="yellow"))
    if serve:
        server = report_server(out / "report", port=port)
        console.print(f"serving the report at {url_of(server)} (Ctrl-C stops)")
        print(url_of(server), flush=True)
        serve_until_interrupted(server)
