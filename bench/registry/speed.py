"""Screening speed: 1,000,000 SYNTHETIC accounts against the full shipped reference registry.

Measures (1) the in-memory screener + classifier over N accounts with W worker processes (the
index is built once and shared by fork), (2) single-account latency (p50/p99) as the API would
call it, and (3) end to end through the database (`import_accounts` + `screen_accounts`, one
process, SQLite) for M accounts. All accounts are SYNTHETIC (see daylight.registry.demo).

Run: bench/registry/run speed [N] [W] [M]   (defaults 1000000 2 100000)
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account
from daylight.registry.classification import Graph
from daylight.registry.demo import build_demo_accounts
from daylight.registry.organization import part_of_links
from daylight.registry.reference.shipped import read_reference
from daylight.registry.screening import Screener
from daylight.registry.service import Screening, import_accounts, load_reference, screen_accounts

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
M = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
NOW = datetime(2026, 11, 23, tzinfo=UTC)
_SCREENING: Screening | None = None


def _work(chunk: list[Account]) -> dict[str, int]:
    assert _SCREENING is not None
    counts: dict[str, int] = {}
    for account in chunk:
        resolution, _, _ = _SCREENING.resolve(account, (), NOW)
        counts[resolution.status] = counts.get(resolution.status, 0) + 1
    return counts


def main() -> None:
    global _SCREENING
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()} (shared machine)")
    started = time.perf_counter()
    reference = read_reference()
    _SCREENING = Screening(
        Screener(reference.organizations, part_of=part_of_links(reference.relationships)),
        Graph(reference.organizations, reference.relationships))
    print(f"reference: {len(reference.organizations)} organisations, "
          f"{len(reference.relationships)} relationships; read and indexed in "
          f"{time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    accounts = build_demo_accounts(reference, N)
    print(f"generated {N} SYNTHETIC accounts in {time.perf_counter() - started:.1f} s")

    latencies = []
    for account in accounts[:20000]:
        t = time.perf_counter()
        _SCREENING.resolve(account, (), NOW)
        latencies.append((time.perf_counter() - t) * 1000)
    latencies.sort()
    print(f"single account (warm, 20000 calls): p50 {statistics.median(latencies):.3f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)]:.3f} ms")

    chunks = [accounts[i:i + 5000] for i in range(0, N, 5000)]
    started = time.perf_counter()
    totals: dict[str, int] = {}
    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        for counts in pool.imap_unordered(_work, chunks):
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
    elapsed = time.perf_counter() - started
    print(f"in memory: {N} accounts screened and classified with {WORKERS} processes in "
          f"{elapsed:.1f} s ({N / elapsed:.0f} accounts/s); outcomes {totals}")

    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{folder}/bench.db")
        migrate(database, all_migrations())
        log = TransparencyLog.create(database, Signer.generate("bench.daylight.invalid/log"))
        started = time.perf_counter()
        load_reference(database, log, reference, NOW)
        print(f"database: reference loaded (with {len(reference.relationships)} log entries) in "
              f"{time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        import_accounts(database, accounts[:M], NOW)
        imported = time.perf_counter() - started
        started = time.perf_counter()
        summary = screen_accounts(database, log, NOW, screening=_SCREENING)
        screened = time.perf_counter() - started
        print(f"database (SQLite, 1 process): imported {M} in {imported:.1f} s, screened in "
              f"{screened:.1f} s ({M / screened:.0f} accounts/s); {summary.to_json()}")
        database.close()


if __name__ == "__main__":
    main()
