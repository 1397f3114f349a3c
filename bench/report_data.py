"""Benchmark: the data half of `daylight report build` at scale — reading the layers, logging every
row as its own entry, writing CSV/JSON/Data Package/SQLite, one tlog-proof per row, and verifying
the result — for SYNTHETIC worlds of N organisations, each with one account and K operations.

    .venv/bin/python -m bench.report_data --organizations 10000 --operations 10

The world is written through the registry's and the usage layer's own stores (no screening, no
Parquet: the report reads the aggregates and classifications those layers keep, so there are no
weekly use-over-time rows, and no voice). The build includes the pages (the pages' own benchmark
is bench/report/). Everything is SYNTHETIC. `--no-verify` skips the verification (the slowest
part) to keep a run short on a shared machine. The issue's target: 10,000 organisations and
10^6 usage rows (`--organizations 10000 --operations 100`) built in 30 s or less.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from daylight.core.database import Database, migrate
from daylight.core.entry_types import USAGE_DIGEST as DIGEST_ENTRY_TYPE
from daylight.core.period import parse_period
from daylight.flows.report import ReportRequest, build_report
from daylight.home import all_migrations
from daylight.log.entry import LogEntry
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.store import Classification, RegistryStore, Resolution
from daylight.report.verify import verify_report
from daylight.usage.aggregate import AggregateRow, Aggregation
from daylight.usage.aggregate_store import record_aggregation

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SECTORS = ("law_enforcement", "immigration_enforcement", "commercial")


def build_world(database: Database, log: TransparencyLog, organizations: int,
                operations: int) -> int:
    """Organisations, one SYNTHETIC account each (classified), and K aggregate rows each."""
    catalog = default_catalog()
    ops = sorted(catalog.operations)[:operations]
    when = "2026-11-01T00:00:00Z"
    with database.transaction() as tx:
        store = RegistryStore(tx)
        orgs, accounts, resolutions, classifications = [], [], [], []
        for n in range(organizations):
            sector = SECTORS[n % 3]
            org_id = f"synthetic-org:{n:06d}"
            orgs.append(Organization(org_id, f"SYNTHETIC Organisation {n}", sector,
                                     state="CA", schema="PublicBody"))
            account = f"SYNTHETIC-{n:07d}"
            accounts.append(Account(account, f"SYNTHETIC {n}", (), "", "CA", "US", "2025-01-01"))
            resolutions.append(Resolution(account, "accepted", org_id, 0.99, {}, when))
            supports = [] if sector != "commercial" else [
                {"sector": "immigration_enforcement", "edges": 1, "path": [
                    {"type": "account", "id": account}, {"type": "organization", "id": org_id},
                    {"type": "relationship", "id": f"award:{n}", "kind": "supports",
                     "source": "synthetic", "amount": 1000.0 * n, "start_date": "2025-01-01"},
                    {"type": "organization", "id": "synthetic-org:ice", "name": "SYNTHETIC ICE",
                     "sector": "immigration_enforcement"}]}]
            classifications.append(Classification(account, sector, supports, when, None))
        store.replace_organizations([], orgs)
        store.add_accounts(accounts, when)
        store.put_resolutions(resolutions)
        store.put_classifications(classifications)
    period = parse_period("2026-11")
    start_us = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1_000_000)
    rows = [AggregateRow(f"SYNTHETIC-{n:07d}", catalog.operations[op].service, op,
                         5 + (n * 7 + i) % 400, 1, start_us, start_us, ("us-east-1",), True)
            for n in range(organizations) for i, op in enumerate(ops)]
    aggregation = Aggregation(period, tuple(sorted(rows)), (), "bench")

    def sequence(tx: object, payloads: object) -> int:
        return log.sequence_in(tx, [LogEntry(DIGEST_ENTRY_TYPE, NOW, p).encode()  # type: ignore
                                    for p in payloads])  # type: ignore[attr-defined]

    record_aggregation(database, aggregation, sequence, NOW)  # type: ignore[arg-type]
    log.integrate()
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--operations", type=int, default=10)
    parser.add_argument("--no-verify", action="store_true", help="do not verify the report")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory(prefix="daylight-bench-report-") as scratch:
        folder = Path(scratch)
        database = Database(f"sqlite:///{folder / 'daylight.db'}")
        migrate(database, all_migrations())
        log = TransparencyLog.create(database, Signer.generate("bench.daylight.invalid/log"))
        started = time.perf_counter()
        usage_rows = build_world(database, log, args.organizations, args.operations)
        print(f"SYNTHETIC world: {args.organizations:,} organisations, {usage_rows:,} aggregate "
              f"usage rows ({time.perf_counter() - started:.1f} s to write)")
        timings = []
        for attempt in ("first build (appends every row)", "re-build (appends nothing)"):
            started, cpu = time.perf_counter(), time.process_time()
            result = build_report(database, log, default_catalog(),
                                  ReportRequest("2026-11", folder / "report"), NOW)
            timings.append((attempt, time.perf_counter() - started, time.process_time() - cpu,
                            result))
        started, cpu = time.perf_counter(), time.process_time()
        verified = None if args.no_verify else verify_report(folder / "report")
        verify_s, verify_cpu = time.perf_counter() - started, time.process_time() - cpu
        size = sum(p.stat().st_size for p in (folder / "report").rglob("*") if p.is_file())
        database.close()
    for attempt, seconds, cpu_s, result in timings:
        rows = sum(result.rows.values())
        print(f"{attempt}: {seconds:.1f} s wall, {cpu_s:.1f} s CPU for {rows:,} rows "
              f"({rows / cpu_s:,.0f} rows per CPU second), {result.rows_appended:,} entries "
              "appended")
    if verified is not None:
        print(f"verify: {verify_s:.1f} s wall, {verify_cpu:.1f} s CPU for "
              f"{sum(verified.rows.values()):,} rows and {verified.files_checked:,} files")
    print(f"report directory {size / 1e6:.1f} MB; load average at the end "
          f"{os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
