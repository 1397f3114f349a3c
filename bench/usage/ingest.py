"""Ingest throughput: rows per second into the usage store, from CSV and from Parquet.

Generates SYNTHETIC metering (10,000 accounts, one month, files of at most 10 million rows),
then times `ingest_files` (read, validate every row, deduplicate by request id, write day
partitions, commit the manifest) into a fresh store for each format. For scale, the same run also
times a bare DuckDB conversion of the same files to Parquet (`COPY (FROM read_csv/read_parquet)
TO ... (PARTITION_BY day)`) with no validation and no deduplication: the floor for this machine.

Run from the repository root:
    .venv/bin/python -m bench.usage.ingest [--rows 1e7] [--work DIR]
The scratch directory is deleted at the end unless --keep is given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import duckdb

from bench.usage.common import catalog_data, fresh_store, machine, parse_count, timed
from daylight.core.period import parse_period
from daylight.usage.generate import generate_usage, synthetic_account_ids
from daylight.usage.ingest import ingest_files


def bare_conversion(files: list[Path], out: Path, reader: str) -> None:
    """DuckDB alone: the same files to day-partitioned zstd Parquet, nothing checked."""
    shutil.rmtree(out, ignore_errors=True)
    listed = ", ".join(f"'{f}'" for f in files)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"""COPY (SELECT *, strftime("timestamp"::TIMESTAMPTZ, '%Y-%m-%d') AS day
                          FROM {reader}([{listed}]))
                    TO '{out}' (FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd)""")
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=parse_count, default=10_000_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="daylight-bench-ingest-"))
    operations, events = catalog_data()
    period = parse_period("2026-03")
    files = max(1, args.rows // 10_000_000)
    print(f"machine: {machine()}")
    print(f"rows: {args.rows:,} SYNTHETIC, 10,000 accounts, {files} file(s) per format")
    results = {}
    try:
        for fmt in ("parquet", "csv"):
            seconds, written = timed(lambda fmt=fmt: generate_usage(
                work / f"gen-{fmt}", accounts=synthetic_account_ids(10_000), rows=args.rows,
                period=period, operations=operations, files=files, file_format=fmt))
            size = sum(g.path.stat().st_size for g in written)
            print(f"generated {fmt}: {size / 2**20:,.0f} MiB in {seconds:.1f} s")
            paths = [g.path for g in written]
            store = fresh_store(work / f"home-{fmt}")
            seconds, result = timed(lambda paths=paths, store=store: ingest_files(
                paths, store, operations=operations, events=events))
            assert result.ingested == args.rows, result.summary()
            bare_seconds, _ = timed(lambda paths=paths, fmt=fmt: bare_conversion(
                paths, work / f"bare-{fmt}", "read_csv" if fmt == "csv" else "read_parquet"))
            results[fmt] = {"rows": args.rows, "seconds": round(seconds, 2),
                            "rows_per_s": round(args.rows / seconds),
                            "bare_duckdb_seconds": round(bare_seconds, 2),
                            "bare_duckdb_rows_per_s": round(args.rows / bare_seconds)}
            print(f"ingest {fmt}: {args.rows / seconds:,.0f} rows/s ({seconds:.1f} s); "
                  f"bare DuckDB conversion {args.rows / bare_seconds:,.0f} rows/s ({bare_seconds:.1f} s)")
            shutil.rmtree(work / f"gen-{fmt}")
            shutil.rmtree(work / f"home-{fmt}")
            shutil.rmtree(work / f"bare-{fmt}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
