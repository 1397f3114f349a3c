"""Random (UUIDv4) against time-ordered (UUIDv7) denial ids: the cost of a flush's inserts.

``policy_denial`` is keyed by ``denial_id``. A random key puts every insert on a random page of
the key's index; a time-ordered one appends. This writes ``--batches`` flushes of ``--batch``
denials (the service's 0.25 s batch at ~3,500 decisions/s a worker) into the table as the
migration creates it, on SQLite in WAL mode as the service opens it, after ``--prefill`` rows
already there, and reports CPU per row, wall time and WAL bytes for each kind of id.

    .venv/bin/python -m bench.policy.denial_ids --prefill 1000000
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import uuid_utils

from bench.policy.world import machine

IDS: dict[str, Callable[[int], str]] = {
    "uuid4": lambda _ns: uuid.uuid4().hex,
    "uuid7": lambda ns: uuid_utils.uuid7(nanoseconds=ns).hex,
}


def denial_table_sql() -> list[str]:
    """The CREATE statements of ``policy_denial`` and its index, from the migration itself."""
    sql = resources.files("daylight.policy").joinpath("migrations/0001_policy.sql").read_text()
    return re.findall(r"CREATE (?:TABLE|INDEX) policy_denial\b.*?;", sql, re.S)


def run(kind: str, folder: Path, prefill: int, batches: int, batch: int) -> dict[str, object]:
    database = sqlite3.connect(folder / f"{kind}.db", isolation_level=None)
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=NORMAL")
    for statement in denial_table_sql():
        database.execute(statement)
    make_id = IDS[kind]
    clock_ns = [1_796_000_000_000_000_000]

    def rows(count: int) -> list[tuple[object, ...]]:
        out = []
        for i in range(count):
            clock_ns[0] += 285_714  # 3,500 denials/s
            out.append((make_id(clock_ns[0]), "2026-12-05", "2026-12-05T08:00:00.000000Z",
                        f"SYNTHETIC-{i % 1000:04d}", "face.search", '{"purpose": "x"}',
                        '[{"policy": "employee-demands/x", "pack": "employee-demands"}]', "[]", 3))
        return out

    insert = "INSERT INTO policy_denial VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    for start in range(0, prefill, 50_000):
        database.execute("BEGIN")
        database.executemany(insert, rows(min(50_000, prefill - start)))
        database.execute("COMMIT")
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(batches):
        database.execute("BEGIN")
        database.executemany(insert, rows(batch))
        database.execute("COMMIT")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    wal = (folder / f"{kind}.db-wal").stat().st_size
    database.close()
    return {"ids": kind, "prefill": prefill, "rows": batches * batch,
            "cpu_us_per_row": round(cpu * 1e6 / (batches * batch), 2),
            "wall_s": round(wall, 2), "wal_mb": round(wal / 1e6, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prefill", type=int, default=0)
    parser.add_argument("--batches", type=int, default=200)
    parser.add_argument("--batch", type=int, default=875)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}), flush=True)
    for _ in range(args.rounds):
        for kind in IDS:
            with tempfile.TemporaryDirectory(prefix="daylight-bench-ids-") as scratch:
                print(json.dumps(run(kind, Path(scratch), args.prefill, args.batches, args.batch)),
                      flush=True)
    print(json.dumps({"machine_at_end": machine()}), flush=True)


if __name__ == "__main__":
    main()
