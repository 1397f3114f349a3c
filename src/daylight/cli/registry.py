"""`daylight reference|accounts|screen|review|registry ...`: the registry of who customers are."""

from __future__ import annotations

import sys
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from daylight.cli.output import print_json, stderr
from daylight.core.clock import utc_now
from daylight.core.errors import InputError
from daylight.flows.accounts import import_accounts, iter_account_views, show_account
from daylight.flows.export import export_ftm as export_ftm_flow
from daylight.flows.review import judge, review_queue
from daylight.flows.screen import screen as screen_flow
from daylight.home import Home
from daylight.registry.reference.build import build_reference, write_reference
from daylight.registry.reference.shipped import read_reference, shipped_data_dir
from daylight.registry.resolution import VERDICTS
from daylight.registry.service import load_reference

reference_app = typer.Typer(no_args_is_help=True, help="The reference registry of real organisations.")
accounts_app = typer.Typer(no_args_is_help=True, help="The provider's customer accounts.")
review_app = typer.Typer(no_args_is_help=True, help="The human review queue of uncertain matches.")
registry_app = typer.Typer(no_args_is_help=True, help="Exports of the registry.")


@reference_app.command("build")
def reference_build(
    ctx: typer.Context,
    source: Annotated[Path | None, typer.Option(
        "--from", help="Directory of the raw public files (default: $DAYLIGHT_REFERENCE_SOURCES "
                       "or ../shared/data).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="Where to write organizations.csv, relationships.csv and manifest.json "
             "(default: the package's shipped data).")] = None,
) -> None:
    """(Re)build the shipped reference data from the raw files, deterministically."""
    home: Home = ctx.obj
    root = source or Path(home.settings.reference_sources)
    reference = build_reference(root)
    info = write_reference(reference, root, out or shipped_data_dir())
    print_json({k: v for k, v in info.items() if k != "inputs"})


@reference_app.command("load")
def reference_load(
    ctx: typer.Context,
    source: Annotated[Path | None, typer.Option(
        "--from", help="A directory written by `reference build --out` (default: shipped).")] = None,
) -> None:
    """Load the reference data into the database, logging every relationship."""
    home: Home = ctx.obj
    reference = read_reference(source)
    print_json(load_reference(home.database(), home.log(writable=True), reference,
                              utc_now()).to_json())


@accounts_app.command("import")
def accounts_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Accounts as .csv or .jsonl.")],
) -> None:
    """Import accounts, or re-sync them from a newer CRM export (all of the file or none of it):
    new ones stored, changed ones updated, logged and re-screened, absent ones kept."""
    home: Home = ctx.obj
    print_json(import_accounts(home.database(), home.log(writable=True), file).to_json())


@accounts_app.command("show")
def accounts_show(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument()],
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The day (YYYY-MM-DD) support is decided for (default: today, UTC).")] = None,
) -> None:
    """One account: as imported, its organisation, the match and its classification as of a day
    (the sectors it supports then, each relationship kept or dropped with its dates and why),
    and its history: what each CRM re-sync changed, old and new values, with the log index."""
    home: Home = ctx.obj
    print_json(show_account(home.database(), account, as_of,
                            window_days=home.settings.support_window_days,
                            staleness_days=home.settings.snapshot_staleness_days,
                            with_history=True).to_json())


@accounts_app.command("list")
def accounts_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines in the shape of `show`.")] = False,
) -> None:
    """Every account: JSON Lines with --json, else a table."""
    from rich.console import Console  # heavy: loaded where used, not at start-up
    from rich.table import Table  # heavy: loaded where used, not at start-up

    home: Home = ctx.obj
    # closed here, before the home closes: not by the garbage collector after it (a reader
    # gone mid-list, EPIPE, left it open and its cursor failed on a closed database)
    with closing(iter_account_views(home.database(),
                                    window_days=home.settings.support_window_days,
                                    staleness_days=home.settings.snapshot_staleness_days)) as views:
        if as_json:
            for view in views:
                print_json(view.to_json())
            return
        table = Table("account", "name", "status", "organization", "sector", "supports")
        for view in views:
            table.add_row(view.account_id, view.account.name,
                          view.resolution.status if view.resolution else "unscreened",
                          view.organization.name if view.organization else "", view.sector,
                          ", ".join(view.supported_sectors))
    Console().print(table)


def screen(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option(
        "--all", help="Re-screen every account, not only the unresolved ones.")] = False,
) -> None:
    """Screen all unresolved accounts against the registry; prints counts per outcome."""
    from rich.progress import (  # heavy: loaded where used, not at start-up
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    home: Home = ctx.obj
    progress = Progress(TextColumn("screening"), BarColumn(), MofNCompleteColumn(),
                        TimeElapsedColumn(), console=stderr, transient=True,
                        disable=not sys.stderr.isatty())
    with progress:
        task = progress.add_task("screening", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        summary = screen_flow(home.database(), home.log(writable=True), everything=everything,
                              on_progress=advance)
    print_json(summary.to_json())


@review_app.command("list")
def review_list(ctx: typer.Context) -> None:
    """Accounts waiting for a reviewer, as JSON Lines, with the candidate and the evidence."""
    home: Home = ctx.obj
    for item in review_queue(home.database()):
        print_json(item.to_json())


@review_app.command("decide")
def review_decide(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The account id.")],
    organization: Annotated[str, typer.Argument(help="The organisation id.")],
    verdict: Annotated[str, typer.Argument(help="same, different or unsure.")],
    note: Annotated[str, typer.Option(help="Why: recorded and logged with the verdict.")],
    by: Annotated[str, typer.Option("--by", help="The reviewer's identity (work address); logged "
                                                 "only as their reviewer pseudonym.")],
) -> None:
    """Judge whether ACCOUNT is ORG; the judgement is stored, logged (the reviewer by pseudonym)
    and never re-asked."""
    if verdict not in VERDICTS:
        raise InputError(f"verdict `{verdict}` must be one of {', '.join(VERDICTS)}")
    home: Home = ctx.obj
    print_json(judge(home.database(), home.log(writable=True), account, organization, verdict,
                     note, reviewer=by).to_json())


@registry_app.command("export-ftm")
def export_ftm(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write FollowTheMoney JSON Lines.")],
) -> None:
    """Write the registry as FollowTheMoney entities (PublicBody, Company, Contract, ...)."""
    home: Home = ctx.obj
    print_json(export_ftm_flow(home.database(), file).to_json())
