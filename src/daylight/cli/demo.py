"""`daylight demo`: build a complete provider world end to end and show that it verifies.

Real public reference data (agencies, contractors, contract awards, 287(g) agreements,
surveillance vendors) and SYNTHETIC customer accounts and usage: the registry screens and
classifies the accounts, usage is generated, ingested and aggregated, the shipped policy packs
are published and decide sample requests, the audit replays the period's usage against them, and
the transparency log that recorded every fact is exported and verified as an auditor would.
Everything about the accounts and their usage is SYNTHETIC and says so.
"""

from __future__ import annotations

import base64
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from daylight.cli.output import utc_now
from daylight.cli.policy import policy_demo
from daylight.cli.usage import synthetic_usage_for_demo
from daylight.core.errors import ConflictError
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.log import merkle
from daylight.log.export import export_mirror
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.verifier import verify_mirror
from daylight.registry.demo import populate_demo_registry
from daylight.registry.service import iter_account_views

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

MARKER = ".daylight-demo"
DEMO_ORIGIN = "demo.daylight.invalid/log"
SYNTHETIC_NOTE = ("SYNTHETIC: every account and every usage figure in this demo is invented. "
                  "Organisation names are real public reference data; no real organisation used "
                  "any service.")
T = TypeVar("T")


def _prepare(out: Path) -> None:
    if out.exists():
        if not (out / MARKER).is_file():
            raise ConflictError(f"`{out}` exists and is not a Daylight demo directory: "
                                "refusing to overwrite it")
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / MARKER).write_text("SYNTHETIC: written by `daylight demo`; safe to delete.\n")


@contextmanager
def _step(console: Console, title: str) -> Iterator[None]:
    start = time.perf_counter()
    with console.status(f"{title}…"):
        yield
    console.print(f"[green]✓[/] {title} [dim]({time.perf_counter() - start:.1f} s)[/]")


def _run(console: Console, title: str, work: Callable[[], T]) -> T:
    with _step(console, title):
        return work()


def _is_classified(view: dict[str, Any]) -> bool:
    classification = view["classification"]
    return classification["sector"] in {"law_enforcement", "immigration_enforcement"} or bool(
        classification["supports"])


def _heavy_first(views: list[dict[str, Any]]) -> list[str]:
    """Account ids in the order usage generation makes heaviest first: a few invented commercial
    customers, then the classified accounts, then everyone else (so the report has content)."""
    classified = [v["account"]["account_id"] for v in views if _is_classified(v)]
    others = [v["account"]["account_id"] for v in views if not _is_classified(v)]
    return others[:5] + classified + others[5:]


def _classified_table(views: list[dict[str, Any]], limit: int = 12) -> Table:
    from rich.table import Table  # heavy: loaded where used, not at start-up

    table = Table(title="SYNTHETIC accounts the registry resolved to agencies or their contractors "
                        f"(first {limit})", title_justify="left")
    for column in ("SYNTHETIC account", "typed name", "resolved to (real reference data)",
                   "sector", "supports", "score"):
        table.add_column(column, no_wrap=column == "SYNTHETIC account")
    for view in [v for v in views if _is_classified(v)][:limit]:
        organization = view["organization"] or {}
        supports = ", ".join(sorted({s["sector"] for s in view["classification"]["supports"]}))
        table.add_row(view["account"]["account_id"], view["account"]["name"],
                      organization.get("name", ""), view["classification"]["sector"],
                      supports or "—", f"{view['match']['score']:.3f}")
    return table


def _findings_table(findings: list[dict[str, Any]], views: list[dict[str, Any]],
                    limit: int = 12) -> Table:
    """The largest finding of each classified account: who, what, how much, which packs."""
    from rich.table import Table  # heavy: loaded where used, not at start-up

    classified = {v["account"]["account_id"]: v for v in views if _is_classified(v)}
    largest: dict[str, dict[str, Any]] = {}
    for finding in findings:
        account = finding["account_id"]
        if account in classified and finding["count"] > largest.get(account, {"count": -1})["count"]:
            largest[account] = finding
    table = Table(title="largest audit finding of each SYNTHETIC account resolved to an agency "
                        f"or a contractor (first {limit})", title_justify="left")
    for column in ("SYNTHETIC account", "resolved to", "sector / supports", "operation",
                   "calls", "refused by (packs)"):
        table.add_column(column, justify="right" if column == "calls" else "left",
                         no_wrap=column == "SYNTHETIC account")
    for account, finding in list(largest.items())[:limit]:
        view = classified[account]
        supports = {s["sector"] for s in view["classification"]["supports"]}
        packs = sorted({p["policy"].split("/", 1)[0] for p in finding["policies"]})
        table.add_row(account, (view["organization"] or {}).get("name", ""),
                      " / ".join([view["classification"]["sector"], *sorted(supports)]),
                      finding["operation"], f"{finding['count']:,}", ", ".join(packs))
    return table


def demo(
    out: Annotated[Path, typer.Option(help="Directory for the demo's home and mirror; "
                                           "replaced if it holds an earlier demo.")] = Path("daylight-demo"),
    accounts: Annotated[int, typer.Option(min=10, help="How many SYNTHETIC accounts.")] = 2000,
    usage_rows: Annotated[int, typer.Option(min=1, help="How many SYNTHETIC usage records.")] = 200_000,
    period: Annotated[str, typer.Option(help="The month (YYYY-MM) of the SYNTHETIC usage.")] = "2026-10",
) -> None:
    """Build the demo world on the embedded SQLite default and show that it verifies."""
    from rich.console import Console  # heavy: loaded where used, not at start-up
    from rich.panel import Panel  # heavy: loaded where used, not at start-up

    console = Console()
    console.print(Panel(SYNTHETIC_NOTE, style="yellow"))
    _prepare(out)
    # The demo always runs on the embedded default, whatever DAYLIGHT_* says.
    home = Home(build_settings({"home": str(out / "home")}, {}))
    try:
        _build(console, home, out, accounts, usage_rows, period)
    finally:
        home.close()


def _build(console: Console, home: Home, out: Path, accounts: int, usage_rows: int,
           period: str) -> None:
    from rich.panel import Panel  # heavy: loaded where used, not at start-up

    signer = _run(console, "created a home, its Ed25519 key and an empty log",
                  lambda: home.initialise(DEMO_ORIGIN))
    database, log = home.database(), home.log(writable=True)
    first = log.checkpoint()

    registry = _run(console, f"loaded the reference registry and screened {accounts} SYNTHETIC "
                             "accounts", lambda: populate_demo_registry(
                                 database, log, utc_now(), count=accounts))
    views = list(iter_account_views(database))
    after_registry = log.checkpoint()
    reference, screening = registry["reference"], registry["screening"]
    console.print(f"  reference: {reference['organizations']:,} organisations, "
                  f"{reference['relationships']:,} relationships; screening: "
                  f"{screening['accepted']} accepted, {screening['review']} for review, "
                  f"{screening['rejected']} unmatched")
    sectors = Counter(v["classification"]["sector"] for v in views)
    supporting = sum(1 for v in views if v["classification"]["supports"])
    console.print(f"  classified: {sectors['law_enforcement']} law enforcement, "
                  f"{sectors['immigration_enforcement']} immigration enforcement, "
                  f"{supporting} supporting immigration enforcement (all SYNTHETIC accounts)")
    console.print(_classified_table(views))

    usage = _run(console, f"generated, ingested and aggregated {usage_rows:,} SYNTHETIC usage "
                          f"records for {period}", lambda: synthetic_usage_for_demo(
                              home, _heavy_first(views), period=period, rows=usage_rows))
    console.print(f"  {usage.rows:,} aggregate rows (account × service × operation) for "
                  f"{usage.accounts:,} SYNTHETIC accounts; {usage.digests_appended:,} usage "
                  "digests appended to the log")

    policy = _run(console, "published the four shipped policy packs, decided sample requests "
                           f"and audited {period}", lambda: policy_demo(home, period=period))
    decisions, audit = policy["decisions"], policy["audit"]
    console.print(f"  sample decisions: {decisions['allowed']} allowed, {decisions['denied']} "
                  f"denied; audit of {period}: {audit['calls_refused']:,} of "
                  f"{audit['audited_calls']:,} SYNTHETIC calls would have been refused, "
                  f"{audit['findings']:,} findings")
    console.print(_findings_table(policy["audit_findings"], views))

    latest = log.checkpoint()
    console.print(Panel(latest.note.rstrip("\n"), title="signed checkpoint (C2SP)",
                        subtitle=signer.verifier().vkey))
    index = after_registry.tree_size - 1
    answer = log.inclusion_proof(index)
    verify_inclusion(index, answer.tree_size, merkle.leaf_hash(log.entry(index)), answer.proof,
                     latest.root_hash)
    consistency = log.consistency_proof(after_registry.tree_size, latest.tree_size)
    verify_consistency(consistency.old_size, consistency.new_size, after_registry.root_hash,
                       latest.root_hash, consistency.proof)
    console.print(f"[green]✓[/] entry {index} (the registry's screening summary) is in the tree "
                  f"of size {latest.tree_size}: inclusion proof of {len(answer.proof)} hashes; "
                  f"the tree after screening is a prefix of it: consistency proof of "
                  f"{len(consistency.proof)} hashes")

    mirror = out / "mirror"
    _run(console, f"exported the log to {mirror} (C2SP tlog-tiles)",
         lambda: export_mirror(log, mirror))
    report = _run(console, "verified the mirror as an outside auditor would",
                  lambda: verify_mirror(mirror, signer.verifier(), since=first.note))
    console.print(f"  {report.entries_checked:,} entries and every tile verified; root "
                  f"{base64.b64encode(report.root_hash).decode()}; consistent with the first "
                  f"checkpoint (size {report.consistent_with})")
    (out / "log.vkey").write_text(signer.verifier().vkey + "\n")
    console.print(f"Re-check it yourself: .venv/bin/daylight log verify {mirror} "
                  f"--key {out / 'log.vkey'}")
    console.print(Panel(SYNTHETIC_NOTE, style="yellow"))
