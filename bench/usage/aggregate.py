"""Aggregation time: Daylight's aggregation against a bare DuckDB query over the same Parquet, in
the same run, at several sizes; Spark local-mode timing for the record.

For each size N a store holds N SYNTHETIC rows of one month (10,000 accounts, Zipf-like skew, 15
operations, 8 regions) in Daylight's layout: `data/day=YYYY-MM-DD/*.parquet` listed in the
manifest. To reach 10^9 rows in reasonable time the files are written by the generator straight
into that layout (one file per 6-hour slice, so every file lies within one day, zstd, 1M-row row
groups) and listed in the manifest; the ingest path itself is measured by `bench.usage.ingest`.

Timed, alternating, `--repeat` times each (medians reported):
  daylight   `aggregate_period(store, period, DuckDBEngine())`: manifest lookup, existence check of
             every listed file, the aggregation, every result row into a Python `AggregateRow`;
  bare       the query a DuckDB user would write over the same files, with the same outputs:
             `SELECT account_id, service, operation, count(*), sum(units), min(timestamp),
             max(timestamp), list(DISTINCT region ORDER BY region), bool_or(synthetic)
             FROM read_parquet('data/day=YYYY-MM-*/*.parquet') GROUP BY ALL`, fetched;
  bare-same  Daylight's own SQL run bare (the overhead of everything around it);
once: end-to-end `usage aggregate` (aggregation + digest payloads + storing the rows + appending
every account's usage.digest to a real log in SQLite, signed checkpoint) and, up to
`--spark-max` rows, Spark in local mode (`local[*]`: session start, then the aggregation twice).

Run from the repository root:
    .venv/bin/python -m bench.usage.aggregate [--sizes 1e7,1e8,1e9] [--repeat 3] [--spark-max 1e8]
        [--work DIR] [--keep]
Needs about 23 bytes of disk per row (1e9 rows: ~23 GB); the data is deleted at the end unless
--keep is given.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from bench.usage.common import catalog_data, fresh_store, machine, parse_count, timed
from daylight.core.database import Transaction
from daylight.core.period import Period, parse_period
from daylight.log.entry import LogEntry
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.usage.aggregate import DuckDBEngine, aggregate_period, aggregate_sql, parquet_source
from daylight.usage.aggregate_store import record_aggregation
from daylight.usage.generate import generate_usage, synthetic_account_ids
from daylight.usage.spark import SparkEngine
from daylight.usage.store import StoredFile, UsageStore, file_sha256

BARE_SQL = """
    SELECT account_id, service, operation, count(*) AS calls, sum(units) AS units,
           min("timestamp") AS first_seen, max("timestamp") AS last_seen,
           list(DISTINCT region ORDER BY region) AS regions, bool_or(synthetic) AS synthetic
    FROM read_parquet('{glob}', hive_partitioning = false)
    GROUP BY ALL
"""


def load_store(store: UsageStore, period: Period, rows: int, accounts: int) -> float:
    """Write ``rows`` SYNTHETIC rows of ``period`` into the store's layout and list them."""
    operations, _ = catalog_data()
    slices = len(period.days()) * 4
    generated = generate_usage(store.root / "generated", accounts=synthetic_account_ids(accounts),
                               rows=rows, period=period, operations=operations, files=slices)
    files, ingest_id = [], f"bench-{period.label}"
    for k, item in enumerate(generated):
        day = (period.start + timedelta(days=k // 4)).isoformat()  # slice k: hours 6k..6k+6
        relative = f"day={day}/part-{ingest_id}-{k}.parquet"
        target = store.absolute(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        item.path.rename(target)
        files.append(StoredFile(relative, day, ingest_id, item.rows, target.stat().st_size,
                                file_sha256(target)))
    shutil.rmtree(store.root / "generated")
    with store.database.transaction() as tx:
        store.record_ingest(tx, ingest_id=ingest_id, source_name="SYNTHETIC bench", source_sha256=ingest_id,
                            source_format="parquet", ingested=rows, duplicates=0, rejected=0, ignored=0,
                            synthetic=True, ingested_at=datetime.now(UTC).isoformat())
        store.record_files(tx, files)
    return sum(f.bytes for f in files) / rows


def daylight_aggregation(store: UsageStore, period: Period) -> int:
    return len(aggregate_period(store, period, DuckDBEngine()).rows)


def bare_query(sql: str) -> int:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        return int(con.sql(sql).to_arrow_table().num_rows)
    finally:
        con.close()


def end_to_end(store: UsageStore, period: Period) -> dict[str, Any]:
    log = TransparencyLog.create(store.database, Signer.generate("bench.daylight.invalid/log"))
    now = datetime.now(UTC)

    def sequence(tx: Transaction, payloads: Any) -> int:
        return log.sequence_in(tx, [LogEntry("usage.digest", now, p).encode() for p in payloads])

    def run() -> Any:
        recorded = record_aggregation(store.database, aggregate_period(store, period, DuckDBEngine()),
                                      sequence, now)
        log.integrate()
        return recorded

    seconds, recorded = timed(run)
    return {"seconds": round(seconds, 2), "rows": recorded.rows, "digests": recorded.digests_appended}


def measure(size: int, args: argparse.Namespace, work: Path, index: int) -> dict[str, Any]:
    period = parse_period(f"2025-{index + 1:02d}")
    store = fresh_store(work / f"store-{size}")
    load_seconds, bytes_per_row = timed(lambda: load_store(store, period, size, args.accounts))
    print(f"\n{size:,} rows in {period.label}: loaded in {load_seconds:.0f} s, "
          f"{bytes_per_row:.1f} bytes/row on disk, {len(store.files_for_period(period))} files")
    glob = store.data_dir / f"day={period.label}-*" / "*.parquet"
    bare_sql = BARE_SQL.format(glob=glob)
    same_sql = aggregate_sql(parquet_source(store.existing_files(store.files_for_period(period))))
    bare_query(bare_sql)  # warm the page cache for everyone alike
    times: dict[str, list[float]] = {"daylight": [], "bare": [], "bare_same_sql": []}
    counts = set()
    for _ in range(args.repeat):
        for name, work_fn in (("daylight", lambda: daylight_aggregation(store, period)),
                              ("bare", lambda: bare_query(bare_sql)),
                              ("bare_same_sql", lambda: bare_query(same_sql))):
            seconds, count = timed(work_fn)
            times[name].append(seconds)
            counts.add(count)
    assert len(counts) == 1, f"the three queries disagree on the number of rows: {counts}"
    medians = {k: statistics.median(v) for k, v in times.items()}
    result: dict[str, Any] = {
        "rows": size, "aggregate_rows": counts.pop(), "bytes_per_row": round(bytes_per_row, 1),
        "seconds": {k: [round(x, 2) for x in v] for k, v in times.items()},
        "median_seconds": {k: round(v, 2) for k, v in medians.items()},
        "ratio_to_bare": round(medians["daylight"] / medians["bare"], 3),
        "ratio_to_bare_same_sql": round(medians["daylight"] / medians["bare_same_sql"], 3),
        "daylight_rows_per_s": round(size / medians["daylight"]),
    }
    print(f"  daylight {medians['daylight']:.2f} s, bare {medians['bare']:.2f} s "
          f"(ratio {result['ratio_to_bare']}), bare same SQL {medians['bare_same_sql']:.2f} s "
          f"(ratio {result['ratio_to_bare_same_sql']}); {size / medians['daylight']:,.0f} rows/s")
    result["end_to_end"] = end_to_end(store, period)
    print(f"  end to end with {result['end_to_end']['digests']:,} digests logged: "
          f"{result['end_to_end']['seconds']} s")
    if size <= args.spark_max:
        start_seconds, engine = timed(lambda: SparkEngine("local[*]").__enter__())
        try:
            runs = [timed(lambda: len(aggregate_period(store, period, engine).rows)) for _ in range(2)]
        finally:
            engine.stop()
        assert all(count == result["aggregate_rows"] for _, count in runs)
        result["spark_local"] = {"session_start_seconds": round(start_seconds, 1),
                                 "seconds": [round(s, 1) for s, _ in runs]}
        print(f"  spark local[*]: session {start_seconds:.1f} s, aggregation "
              f"{' / '.join(f'{s:.1f}' for s, _ in runs)} s")
    if not args.keep:
        shutil.rmtree(work / f"store-{size}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e7,1e8,1e9")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark-max", type=parse_count, default=100_000_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    sizes = [parse_count(s) for s in args.sizes.split(",")]
    work = args.work or Path(tempfile.mkdtemp(prefix="daylight-bench-aggregate-"))
    work.mkdir(parents=True, exist_ok=True)
    started_on = machine()
    print(f"machine: {started_on}")
    print(f"duckdb {duckdb.__version__}; sizes {sizes}; {args.accounts:,} accounts; repeat {args.repeat}")
    results = []
    try:
        for index, size in enumerate(sizes):
            results.append(measure(size, args, work, index))
            print(json.dumps(results[-1]), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({"machine": started_on, "results": results}))


if __name__ == "__main__":
    main()
