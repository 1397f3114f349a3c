"""Proof generation at scale: inclusion and consistency proofs from a log of 10^7 entries.

Builds (or reuses, with --keep) a SQLite log of N small entries, then times
TransparencyLog.inclusion_proof(random index, latest size) and
TransparencyLog.consistency_proof(random old size, latest size) — each call a read transaction,
tile reads and hashing along the right edge only — and checks every proof it times.
Target: p50 <= 200 µs for each at 10^7 entries.

Run from the repository root:
    .venv/bin/python -m bench.log_proofs [--entries 10000000] [--samples 2000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.log import merkle
from daylight.log.note import Signer
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.service import TransparencyLog

SEED = b"daylight bench proofs key seed.."  # fixed, so --keep can reopen the log


def build(directory: Path, entries: int) -> TransparencyLog:
    url = f"sqlite:///{directory / 'proofs.db'}"
    signer = Signer("bench.daylight.invalid/proofs", SEED)
    database = Database(url)
    migrate(database, all_migrations())
    with database.transaction(write=False) as tx:
        exists = tx.query_one("SELECT 1 FROM log_meta")
    log = TransparencyLog(database, signer) if exists else TransparencyLog.create(database, signer)
    size = log.tree_size()
    if size < entries:
        start = time.perf_counter()
        batch = 65536
        for first in range(size, entries, batch):
            count = min(batch, entries - first)
            log.append_canonical([b'{"n":%d}' % i for i in range(first, first + count)])
            done = first + count
            if done % (batch * 16) < batch or done == entries:
                rate = (done - size) / (time.perf_counter() - start)
                print(f"  built {done:,} entries ({rate:,.0f}/s)", file=sys.stderr)
    return log


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--keep", type=Path, help="directory to build the log in and keep")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as scratch:
        directory = args.keep or Path(scratch)
        directory.mkdir(parents=True, exist_ok=True)
        log = build(directory, args.entries)
        size = log.tree_size()
        latest = log.checkpoint()
        rng = random.Random(9162)
        inclusion, consistency = [], []
        for _ in range(args.samples):
            index = rng.randrange(size)
            start = time.perf_counter()
            answer = log.inclusion_proof(index)
            inclusion.append(time.perf_counter() - start)
            verify_inclusion(index, size, merkle.leaf_hash(b'{"n":%d}' % index), answer.proof,
                             latest.root_hash)
            old = rng.randrange(1, size)
            start = time.perf_counter()
            proof = log.consistency_proof(old, size)
            consistency.append(time.perf_counter() - start)
            verify_consistency(old, size, proof.old_root, latest.root_hash, proof.proof)
        db_bytes = sum(p.stat().st_size for p in directory.glob("proofs.db*"))
        log.database.close()
    print(f"log: {size:,} entries, SQLite files {db_bytes / 2**20:,.0f} MiB; "
          f"{args.samples} random proofs of each kind, every one verified")
    for name, samples in (("inclusion", inclusion), ("consistency", consistency)):
        print(f"  {name:11s} p50 {statistics.median(samples) * 1e6:7.0f} µs   "
              f"p99 {percentile(samples, 0.99) * 1e6:7.0f} µs   "
              f"mean {statistics.fmean(samples) * 1e6:7.0f} µs")
    print("target: p50 <= 200 µs for each at 10^7 entries")


if __name__ == "__main__":
    main()
