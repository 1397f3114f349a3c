"""`daylight usage ...`: ingest metering, aggregate it per period, show an account's usage,
generate SYNTHETIC metering, and check stored files against their digests (``daylight.flows``:
``ingest`` and ``aggregate``)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from daylight.cli.output import print_json, stderr
from daylight.core.clock import utc_now
from daylight.core.errors import ConfigError
from daylight.core.period import parse_period
from daylight.core.text import count_of
from daylight.flows.aggregate import aggregate_and_log, verify_usage
from daylight.flows.ingest import generate_synthetic_usage, ingest_usage, unmapped_cloud_accounts
from daylight.home import Home
from daylight.policy.catalog import Catalog, load_catalog
from daylight.usage.aggregate import DuckDBEngine
from daylight.usage.aggregate_store import account_usage
from daylight.usage.ingest import IngestResult
from daylight.usage.spark import SparkEngine

if TYPE_CHECKING:
    from rich.progress import Progress, Task
    from rich.text import Text

app = typer.Typer(no_args_is_help=True, help="Usage: who used which service and operation, and how much.")


class InputFormat(StrEnum):
    auto = "auto"
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"
    cloudtrail = "cloudtrail"


class EngineName(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


class OutputFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"
    jsonl = "jsonl"


def _progress() -> Progress:
    from rich.progress import (  # heavy: loaded where used, not at start-up
        BarColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text  # heavy: loaded where used, not at start-up

    class RowsPerSecondColumn(ProgressColumn):
        """Rows read so far and the rate, for long ingests."""

        def render(self, task: Task) -> Text:
            rows = int(task.fields.get("rows", 0))
            elapsed = task.elapsed or 0.0
            rate = rows / elapsed if elapsed > 0 else 0.0
            return Text(f"{rows:,} rows · {rate:,.0f} rows/s", style="progress.data.speed")

    return Progress(TextColumn("{task.description}"), BarColumn(), RowsPerSecondColumn(),
                    TimeElapsedColumn(), console=stderr, transient=True,
                    disable=not sys.stderr.isatty())


def _ingest(home: Home, files: Sequence[Path], *, catalog: Catalog | None, declared_format: str,
            quarantine: Path | None) -> IngestResult:
    """Ingest files into the home's store with a progress bar on stderr."""
    with _progress() as progress:
        task = progress.add_task("ingesting", total=len(files), rows=0)
        done_before: dict[str, int] = {}
        names = [str(f) for f in files]

        def advance(name: str, rows: int) -> None:
            done_before[name] = rows
            finished = names.index(name) if name in names else 0
            progress.update(task, description=f"ingesting {Path(name).name}", completed=finished,
                            rows=sum(done_before.values()))

        return ingest_usage(home.usage_store(), files, catalog=catalog,
                            declared_format=declared_format, quarantine=quarantine,
                            progress=advance, registry=home.database())


@app.command()
def ingest(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="Usage files: CSV, JSON Lines, Parquet or "
                                                      "CloudTrail JSON, optionally .gz or .zst.")],
    input_format: Annotated[InputFormat, typer.Option(
        "--format", help="Input format; auto tells it from the file name.")] = InputFormat.auto,
    quarantine: Annotated[Path | None, typer.Option(
        help="Write rows that do not fit to DIR (JSON Lines) instead of refusing the files.")] = None,
    catalog: Annotated[Path | None, typer.Option(
        help="Service catalog TOML; default: the catalog shipped with Daylight.")] = None,
) -> None:
    """Ingest usage files, all or none; print {"ingested", "duplicates", "rejected"}."""
    home: Home = ctx.obj
    chosen = load_catalog(catalog) if catalog is not None else None  # before the home opens
    result = _ingest(home, files, catalog=chosen, declared_format=input_format.value,
                     quarantine=quarantine)
    for outcome in result.files:
        if outcome.already_ingested:
            stderr.print(f"{outcome.source}: already ingested, nothing to do")
        if outcome.quarantine_file is not None:
            stderr.print(f"{outcome.source}: {outcome.rejected:,} rejected rows written to "
                       f"{outcome.quarantine_file}")
        if outcome.ignored:
            stderr.print(f"{outcome.source}: {outcome.ignored:,} events ignored (not in the catalog's "
                       "event table, failed calls, or calls by AWS services)")
        if outcome.synthetic:
            stderr.print(f"{outcome.source}: SYNTHETIC data (marked synthetic on every row)")
        if outcome.unmapped:
            shown = ", ".join(f"{cloud} ({count:,})" for cloud, count in outcome.unmapped[:10])
            more = len(outcome.unmapped) - 10
            stderr.print(f"{outcome.source}: {sum(c for _, c in outcome.unmapped):,} CloudTrail "
                         f"records not ingested: no account declares their cloud account id: "
                         f"{shown}{f' and {more} more' if more > 0 else ''} (add them to "
                         "`cloud_account_ids` in the accounts file)")
    print(json.dumps(result.summary()))


@app.command()
def unmapped(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines instead of a table.")] = False,
) -> None:
    """Cloud account ids whose CloudTrail records were not ingested (no account declared them):
    records, files, when, and the account that declares the id now."""
    home: Home = ctx.obj
    views = unmapped_cloud_accounts(home.usage_store(), home.database())
    if as_json:
        for view in views:
            print_json(view.to_json())
        return
    from rich.console import Console  # heavy: loaded where used, not at start-up
    from rich.table import Table

    table = Table("cloud account id", "records", "files", "first ingested", "last ingested",
                  "declared by now")
    for view in views:
        u = view.unmapped
        table.add_row(u.cloud_account_id, f"{u.records:,}", str(u.files), u.first_ingested_at,
                      u.last_ingested_at, view.declared_by or "nobody")
    Console(soft_wrap=True).print(table)


@app.command()
def aggregate(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="YYYY-MM (also YYYY-MM-DD or YYYY-Qn).")],
    engine: Annotated[EngineName, typer.Option(help="Aggregate with DuckDB (one machine) or "
                                                    "Apache Spark.")] = EngineName.duckdb,
    master: Annotated[str | None, typer.Option(
        help="Spark master URL, with --engine spark.", show_default="local[*]")] = None,
) -> None:
    """Aggregate a period per account × service × operation; print the number of rows."""
    home: Home = ctx.obj
    parsed = parse_period(period)
    if engine is EngineName.duckdb:
        if master is not None:
            raise ConfigError("--master applies only to --engine spark", where="--master")
        recorded = aggregate_and_log(home.database(), home.log(writable=True), home.usage_store(),
                                     parsed, DuckDBEngine())
    else:
        with SparkEngine(master or "local[*]") as spark:
            recorded = aggregate_and_log(home.database(), home.log(writable=True),
                                         home.usage_store(), parsed, spark)
    note = (f"{recorded.rows:,} aggregate rows for {recorded.accounts:,} accounts in {parsed.label}; "
            f"{recorded.digests_appended:,} usage digests appended to the log")
    if recorded.first_log_index is not None:
        note += f" from index {recorded.first_log_index}"
    stderr.print(note + (" (SYNTHETIC data)" if recorded.synthetic else ""))
    print(recorded.rows)


@app.command()
def show(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="Account id.")],
    period: Annotated[str, typer.Option(help="YYYY-MM (also YYYY-MM-DD or YYYY-Qn).")],
) -> None:
    """Print an account's aggregated usage in a period as JSON."""
    home: Home = ctx.obj
    answer = account_usage(home.database(), account, parse_period(period))
    if answer.synthetic:
        stderr.print("SYNTHETIC: this usage comes from generated data, not real metering")
    print(json.dumps(answer.to_json()))


@app.command()
def generate(
    accounts: Annotated[int, typer.Option(min=1, help="Number of SYNTHETIC accounts.")],
    rows: Annotated[int, typer.Option(min=0, help="Number of rows in all.")],
    out: Annotated[Path, typer.Option(help="Directory to write the files to.")],
    period: Annotated[str | None, typer.Option(
        help="Month or quarter the rows fall in; default: the current month.")] = None,
    files: Annotated[int, typer.Option(
        min=0, help="Number of files; 0: one per 10 million rows.")] = 0,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="File format.")] = OutputFormat.parquet,
    seed: Annotated[int, typer.Option(min=0, max=65535, help="Seed; same seed, same data.")] = 1,
) -> None:
    """Write SYNTHETIC metering (labelled in every file) with a few heavy accounts."""
    chosen = parse_period(period or utc_now().strftime("%Y-%m"))
    generated = generate_synthetic_usage(out, accounts=accounts, rows=rows, period=chosen,
                                         files=files, file_format=output_format.value, seed=seed)
    stderr.print(f"SYNTHETIC: wrote {count_of(rows, 'row')} for {count_of(accounts, 'account')} "
                 f"in {count_of(len(generated.files), 'file')}")
    print(json.dumps(generated.to_json()))


@app.command()
def verify(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="YYYY-MM (also YYYY-MM-DD or YYYY-Qn).")],
) -> None:
    """Re-hash a period's stored files; check them against the manifest and the logged digests."""
    home: Home = ctx.obj
    parsed = parse_period(period)
    verified = verify_usage(home.database(), home.log(), home.usage_store(), parsed)
    print(json.dumps(verified.to_json()))
