"""`daylight usage ...`: ingest metering, aggregate it per period, show an account's usage,
generate SYNTHETIC metering, and check stored files against their digests.

The command line is where the layers meet: it loads the service catalog (policy layer) and hands
its operations and event table to the usage layer as plain data, and it appends the usage digests
to the transparency log in the same transaction as the aggregate rows.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from daylight.cli.output import stderr, utc_now
from daylight.core.canonical import parse_json_object
from daylight.core.database import Transaction
from daylight.core.errors import ConfigError, VerificationError
from daylight.core.period import Period, parse_period
from daylight.home import Home
from daylight.log.entry import LogEntry
from daylight.policy.catalog import Catalog, default_catalog, load_catalog
from daylight.usage.aggregate import DuckDBEngine, Engine, aggregate_period
from daylight.usage.digest import DIGEST_ENTRY_TYPE
from daylight.usage.generate import generate_usage, synthetic_account_ids
from daylight.usage.ingest import IngestResult, ingest_files
from daylight.usage.record import (
    RecordedAggregation,
    account_usage,
    digest_log_indices,
    record_aggregation,
)
from daylight.usage.spark import SparkEngine
from daylight.usage.store import UsageStore
from daylight.usage.verify import verify_period

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


def usage_store(home: Home) -> UsageStore:
    """The home's usage store (``<home>/usage``)."""
    return UsageStore(home.settings.home / "usage", home.database())


def _catalog(path: Path | None) -> Catalog:
    return load_catalog(path) if path is not None else default_catalog()


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


def run_ingest(home: Home, files: Sequence[Path], *, catalog: Catalog, declared_format: str = "auto",
               quarantine: Path | None = None) -> IngestResult:
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

        return ingest_files(list(files), usage_store(home), operations=catalog.service_of_operations(),
                            events=dict(catalog.events), declared_format=declared_format,
                            quarantine=quarantine, progress=advance)


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
    result = run_ingest(home, files, catalog=_catalog(catalog), declared_format=input_format.value,
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
    print(json.dumps(result.summary()))


def digest_sequencer(home: Home, now: datetime) -> Any:
    """A function appending usage digests to the home's log inside a transaction."""
    log = home.log(writable=True)

    def sequence(tx: Transaction, payloads: Sequence[dict[str, Any]]) -> int:
        return log.sequence_in(tx, [LogEntry(DIGEST_ENTRY_TYPE, now, p).encode() for p in payloads])

    return sequence


def run_aggregate(home: Home, period: Period, engine: Engine) -> RecordedAggregation:
    """Aggregate a period, store the rows and append the changed digests to the log."""
    aggregation = aggregate_period(usage_store(home), period, engine)
    now = utc_now()
    recorded = record_aggregation(home.database(), aggregation, digest_sequencer(home, now), now)
    if recorded.digests_appended:
        home.log(writable=True).integrate()
    return recorded


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
        recorded = run_aggregate(home, parsed, DuckDBEngine())
    else:
        with SparkEngine(master or "local[*]") as spark:
            recorded = run_aggregate(home, parsed, spark)
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
    if answer.get("synthetic"):
        stderr.print("SYNTHETIC: this usage comes from generated data, not real metering")
    print(json.dumps(answer))


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
    count = files or max(1, math.ceil(rows / 10_000_000))
    written = generate_usage(out, accounts=synthetic_account_ids(accounts), rows=rows, period=chosen,
                             operations=default_catalog().service_of_operations(), files=count,
                             file_format=output_format.value, seed=seed)
    stderr.print(f"SYNTHETIC: wrote {rows:,} rows for {accounts:,} accounts in {len(written)} files")
    print(json.dumps({"synthetic": True, "period": chosen.label, "accounts": accounts, "rows": rows,
                      "files": [str(f.path) for f in written]}))


@app.command()
def verify(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="YYYY-MM (also YYYY-MM-DD or YYYY-Qn).")],
) -> None:
    """Re-hash a period's stored files; check them against the manifest and the logged digests."""
    home: Home = ctx.obj
    parsed = parse_period(period)
    check = verify_period(usage_store(home), parsed)
    log = home.log()
    digests = digest_log_indices(home.database(), parsed)
    for account_id, (index, _) in sorted(digests.items()):
        entry = LogEntry.from_json(parse_json_object(log.entry(index), where=f"log entry {index}"))
        logged = entry.payload.get("partitions", {}).get("sha256")
        if entry.type != DIGEST_ENTRY_TYPE or entry.payload.get("account_id") != account_id:
            raise VerificationError("the log entry recorded for a usage digest is not that digest",
                                    where=f"log entry {index}")
        if logged != check.partitions_sha256:
            raise VerificationError(
                "the stored usage files differ from those the logged digest was computed from: "
                f"re-run `daylight usage aggregate --period {parsed.label}` to append a correction",
                where=f"log entry {index}",
                evidence={"account_id": account_id, "logged_partitions_sha256": logged,
                          "stored_partitions_sha256": check.partitions_sha256})
    print(json.dumps({"period": parsed.label, "files_checked": check.files_checked, "rows": check.rows,
                      "partitions_sha256": check.partitions_sha256, "digests_checked": len(digests),
                      "verified": True}))


def synthetic_usage_for_demo(home: Home, account_ids: Sequence[str], *, period: str = "2026-10",
                             rows: int = 200_000, seed: int = 1) -> RecordedAggregation:
    """For ``daylight demo``: generate SYNTHETIC usage for ``account_ids`` (skewed: the first
    accounts are the heaviest), ingest it into the home and aggregate the period, appending the
    usage digests (marked synthetic) to the log."""
    catalog = default_catalog()
    parsed = parse_period(period)
    with tempfile.TemporaryDirectory(prefix="daylight-synthetic-usage-") as scratch:
        written = generate_usage(Path(scratch), accounts=list(account_ids), rows=rows, period=parsed,
                                 operations=catalog.service_of_operations(),
                                 files=max(1, math.ceil(rows / 10_000_000)), seed=seed)
        run_ingest(home, [f.path for f in written], catalog=catalog)
    return run_aggregate(home, parsed, DuckDBEngine())
