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
import resource
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from daylight.core.database import Database, migrate
from daylight.core.entry_types import USAGE_DIGEST as DIGEST_ENTRY_TYPE
from daylight.core.period import parse_period
from daylight.flows import report as report_flow
from daylight.flows.report import ReportRequest, build_report
from daylight.home import all_migrations
from daylight.log.entry import LogEntry
from daylight.log.export import MirrorExporter
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog, Operation, default_catalog
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.store import Classification, RegistryStore, Resolution
from daylight.report.proofs import ProofFileWriter
from daylight.report.verify import verify_report
from daylight.usage.aggregate import AggregateRow, Aggregation
from daylight.usage.aggregate_store import record_aggregation

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SECTORS = ("law_enforcement", "immigration_enforcement", "commercial")


def bench_catalog(operations: int) -> Catalog:
    """The shipped catalog, with SYNTHETIC operations added (each a copy of a shipped one, named
    ``SERVICE.synthetic_NNN``) until it has ``operations``: the shipped catalog has 15, and
    10^6 usage rows from 10,000 organisations need 100 per organisation."""
    catalog = default_catalog()
    shipped = sorted(catalog.operations.values(), key=lambda o: o.id)
    added = {}
    for n in range(max(0, operations - len(shipped))):
        model = shipped[n % len(shipped)]
        added[f"{model.service}.synthetic_{n:03d}"] = Operation(
            f"{model.service}.synthetic_{n:03d}", model.service, f"SYNTHETIC {model.title}",
            model.capabilities)
    return replace(catalog, operations=MappingProxyType({**catalog.operations, **added}))


def build_world(database: Database, log: TransparencyLog, catalog: Catalog, organizations: int,
                operations: int) -> int:
    """Organisations, one SYNTHETIC account each (classified), and K aggregate rows each."""
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
            # a company supports the agency through a dated award in force during the period
            # (the edge the registry's time-aware classification reads), so it is reported too
            supports = [] if sector != "commercial" else [
                {"sector": "immigration_enforcement", "edges": 1, "relationships": [
                    {"relationship_id": f"award:{n}", "sector": "immigration_enforcement",
                     "target_id": "synthetic-org:ice", "kind": "contract", "start": "2025-01-01",
                     "end": "2027-12-31", "amount": 1000.0 * n}], "path": [
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


PHASES: dict[object, tuple[str, ...]] = {
    report_flow: ("_draft", "report_records", "_sequence_rows", "_changes", "write_data",
                  "render_site", "index_site", "_remove_stale", "_listed_files", "_publish"),
    ProofFileWriter: ("result",),
    MirrorExporter: ("export",),
}
"""The steps of ``build_report`` timed one by one: the names it calls them by. The proof files
are written by a child process meanwhile; ``result`` is the wait for it, and its CPU is the
child's whole CPU (counted when the child ends). ``index_site`` is Pagefind (a child process);
``export`` is the log mirror's (two calls: before the proofs, and after publishing)."""


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (Pagefind, the proof
    writers, verify's page readers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def time_phases() -> dict[str, list[float]]:
    """Wrap each step of ``PHASES`` in its module so that each call adds its wall and CPU
    seconds to the returned table (name → [wall, CPU, calls]); clear it between builds."""
    table: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])

    def timed(name: str, function: Callable[..., object]) -> Callable[..., object]:
        def run(*args: object, **kwargs: object) -> object:
            started, cpu = time.perf_counter(), _cpu()
            try:
                return function(*args, **kwargs)
            finally:
                row = table[name]
                row[0] += time.perf_counter() - started
                row[1] += _cpu() - cpu
                row[2] += 1
        return run

    for module, names in PHASES.items():
        for name in names:
            setattr(module, name, timed(name, getattr(module, name)))
    return table


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
        catalog = bench_catalog(args.operations)
        usage_rows = build_world(database, log, catalog, args.organizations, args.operations)
        print(f"SYNTHETIC world: {args.organizations:,} organisations, {usage_rows:,} aggregate "
              f"usage rows ({time.perf_counter() - started:.1f} s to write)")
        timings = []
        phases = time_phases()
        for attempt in ("first build (appends every row)", "re-build (appends nothing)"):
            phases.clear()
            started, cpu = time.perf_counter(), _cpu()
            result = build_report(database, log, catalog,
                                  ReportRequest("2026-11", folder / "report"), NOW)
            timings.append((attempt, time.perf_counter() - started, _cpu() - cpu, result))
            print(f"{attempt}, per step (wall / CPU s, load average now "
                  f"{os.getloadavg()[0]:.2f}):", flush=True)
            for name, (wall, cpu_s, calls) in phases.items():
                print(f"  {name:<18} {wall:7.2f} / {cpu_s:6.2f}" + (f"  ({calls:.0f} calls)"
                                                                  if calls > 1 else ""))
        started, cpu = time.perf_counter(), _cpu()  # with the processes that read the pages
        verified = None if args.no_verify else verify_report(folder / "report")
        verify_s, verify_cpu = time.perf_counter() - started, _cpu() - cpu
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
