"""What a request for published reports costs in finding their directories under
``serve_reports_dir`` (``flows/published.py``): CPU time per call of ``list_published`` (``GET
/v1/reports``) and of ``report_file`` (every ``GET /v1/reports/{period}/files/...``), with N
SYNTHETIC publications on SQLite, each a directory holding its ``publication.json``.

    .venv/bin/python -m bench.report.published [--sizes 1,10,100,1000,10000] [--calls 50]

CPU time (``time.process_time``), not wall-clock: the machine is shared. The first call of each
size is timed apart (nothing read before); the rest are the steady state of a running service
whose reports were published a day ago (a ``publication.json`` younger than two seconds is read
on every call: ``flows.published.SETTLED_NS``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.report.render import _machine
from daylight.core.database import Database, migrate
from daylight.flows.published import list_published, report_file
from daylight.home import all_migrations
from daylight.report.formats import PUBLICATION_FILE
from daylight.report.store import Publication, ReportStore


def _period(i: int) -> str:
    return f"{2000 + i // 12:04d}-{i % 12 + 1:02d}"


def _world(root: Path, size: int) -> tuple[Database, Path]:
    database = Database(f"sqlite:///{root / 'daylight.db'}")
    migrate(database, all_migrations())
    with database.transaction() as tx:
        store = ReportStore(tx)
        for i in range(size):
            store.add_publication(Publication(i, _period(i), "2000-01-01", "2000-01-31", i + 1,
                                              "ab" * 32, "2026-12-05T00:00:00Z"))
    reports = root / "reports"
    a_day_ago = time.time_ns() - 86_400 * 10**9
    for i in range(size):
        directory = reports / f"report-{_period(i)}"
        directory.mkdir(parents=True)
        pointer = directory / PUBLICATION_FILE
        pointer.write_text(json.dumps(
            {"period": _period(i), "published_log_index": i, "SYNTHETIC": True}))
        os.utime(pointer, ns=(a_day_ago, a_day_ago))  # published earlier, as a service finds them
        (directory / "index.html").write_text("SYNTHETIC\n")
    return database, reports


def _cpu_ms(call: Callable[[], object], calls: int) -> tuple[float, float]:
    """CPU ms of the first call, and the median of ``calls`` more."""
    start = time.process_time()
    call()
    first = (time.process_time() - start) * 1000
    times = []
    for _ in range(calls):
        start = time.process_time()
        call()
        times.append((time.process_time() - start) * 1000)
    return first, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,100,1000,10000")
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    print(f"machine: {_machine()}")
    print("| publications | list_published first | list_published | report_file first | report_file |")
    print("|---:|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        root = Path(tempfile.mkdtemp(prefix="daylight-published-"))
        try:
            database, reports = _world(root, size)
            last = _period(size - 1)
            listed = _cpu_ms(partial(list_published, database, reports), args.calls)
            served = _cpu_ms(partial(report_file, database, reports, last, "index.html"), args.calls)
            assert len(list_published(database, reports)) == size
            database.close()
        finally:
            shutil.rmtree(root, ignore_errors=True)
        print(f"| {size:,} | {listed[0]:.2f} ms | {listed[1]:.2f} ms | {served[0]:.2f} ms "
              f"| {served[1]:.2f} ms |")


if __name__ == "__main__":
    main()
