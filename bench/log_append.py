"""Durable append throughput of the transparency log, SQLite and PostgreSQL.

Measures, in one run on this machine:
  - the single-core SHA-256 limit (hashlib on 64-byte inputs: the cost of one tree node),
  - appends of 1 KB canonical JSON entries in batches, durable before they return
    (SQLite WAL with synchronous=FULL; PostgreSQL with fsync on), each batch integrated into the
    tree and covered by a new signed checkpoint,
  - the same for plain bytes from outside, whose canonical form the log checks (entries made by
    Daylight's own canonicaliser are canonical by construction and are not checked again),
  - the same including RFC 8785 canonicalisation of the JSON objects,
  - many threads submitting single entries through the BatchingAppender.
Published figures for comparison: Tessera ~10,000 entries/s on local NVMe; Sunlight <= 3,750/s.

Run from the repository root: .venv/bin/python -m bench.log_append [--entries N] [--batch B]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import tempfile
import threading
import time
from pathlib import Path

from tests.postgres import PostgresServer

from daylight.core.canonical import canonical_json
from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.log.batcher import BatchingAppender
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog


def machine() -> str:
    load = os.getloadavg()
    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"Python {platform.python_version()}, load average {load[0]:.2f} at start")


def sha256_limit(seconds: float = 1.0) -> float:
    data, sha = b"\x01" * 64, hashlib.sha256
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(10_000):
            sha(data).digest()
        count += 10_000
    return count / (time.perf_counter() - start)


def entry_object(i: int) -> dict[str, object]:
    # About 1 KB once canonical: a typed Daylight entry with a padded payload.
    return {"type": "bench.fact", "time": "2026-11-23T00:00:00Z",
            "payload": {"n": i, "account": f"acct-{i:012d}", "note": "x" * 930}}


def fresh_log(url: str) -> TransparencyLog:
    database = Database(url)
    migrate(database, all_migrations())
    return TransparencyLog.create(database, Signer.generate("bench.daylight.invalid/log"))


def bulk(log: TransparencyLog, entries: list[bytes], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(entries), batch):
        log.append_canonical(entries[i : i + batch])
    return len(entries) / (time.perf_counter() - start)


def with_canonicalisation(log: TransparencyLog, count: int, batch: int, offset: int) -> float:
    start = time.perf_counter()
    for i in range(0, count, batch):
        log.append_canonical([canonical_json(entry_object(offset + j))
                              for j in range(i, min(i + batch, count))])
    return count / (time.perf_counter() - start)


def batched_threads(log: TransparencyLog, entries: list[bytes], threads: int) -> float:
    appender = BatchingAppender(log, batch_interval_ms=5, batch_max_entries=65536,
                                pending_max_entries=10_000_000)
    share = len(entries) // threads

    def client(k: int) -> None:
        futures = [appender.submit(e) for e in entries[k * share : (k + 1) * share]]
        for future in futures:
            future.result()

    workers = [threading.Thread(target=client, args=(k,)) for k in range(threads)]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    appender.close()
    return share * threads / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    entries = [canonical_json(entry_object(i)) for i in range(args.entries)]
    size = sum(map(len, entries)) / len(entries)
    print(f"machine: {machine()}")
    print(f"entries: {args.entries} of {size:.0f} bytes (canonical JSON), batches of {args.batch}")
    print(f"single-core SHA-256 limit (64-byte inputs): {sha256_limit():,.0f} hashes/s "
          f"(a log needs about 2 per entry)")
    results = {}
    with tempfile.TemporaryDirectory(dir=Path(__file__).parent) as scratch:
        log = fresh_log(f"sqlite:///{Path(scratch) / 'bench.db'}")
        results["sqlite bulk"] = bulk(log, entries, args.batch)
        results["sqlite bulk, outside bytes checked"] = bulk(
            log, [bytes(e) for e in entries[: args.entries // 2]], args.batch)
        results["sqlite incl. canonicalisation"] = with_canonicalisation(
            log, args.entries // 4, args.batch, args.entries)
        results["sqlite 8 threads via BatchingAppender"] = batched_threads(
            log, entries[: args.entries // 2], 8)
        log.database.close()
    server = PostgresServer(durable=True)
    try:
        log = fresh_log(server.url)
        results["postgresql bulk"] = bulk(log, entries, args.batch)
        results["postgresql bulk, outside bytes checked"] = bulk(
            log, [bytes(e) for e in entries[: args.entries // 2]], args.batch)
        results["postgresql incl. canonicalisation"] = with_canonicalisation(
            log, args.entries // 4, args.batch, args.entries)
        results["postgresql 8 threads via BatchingAppender"] = batched_threads(
            log, entries[: args.entries // 2], 8)
        log.database.close()
    finally:
        server.stop()
    print("durable appends (sequenced, integrated, checkpoint signed before returning):")
    for name, rate in results.items():
        print(f"  {name:45s} {rate:>10,.0f} entries/s")
    print("target: >= 50,000 entries/s on SQLite; published: Tessera ~10,000/s (local NVMe), "
          "Sunlight <= 3,750/s")


if __name__ == "__main__":
    main()
