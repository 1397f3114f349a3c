"""Benchmark the central table opened from disk (``file://``) beside the same page served over
HTTP: first contentful paint and the time until the table's controls hold every row.

    .venv/bin/python -m bench.report.from_disk [--organizations 10000] [--runs 3]

A SYNTHETIC report (tests/report/factory.py, one usage row per organisation: the table page does
not depend on usage rows) is rendered without the search index; Chromium (Debian's, through
``bench.report.render.measure``) opens ``organizations.html`` cold, from the folder and from the
report's own server on loopback (``daylight report serve``). Before the table's rows were a
script, a page opened from disk never became ready (browsers refuse ``fetch`` on ``file://``):
"table ready" was empty.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
from pathlib import Path

from tests.report.factory import synthetic_report

from bench.report.render import _machine, measure
from daylight.report.server import report_server, url_of
from daylight.report.site import render_site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"machine: {_machine()}")
    report = synthetic_report(args.organizations, operations_per_organization=1)
    site = Path(tempfile.mkdtemp(prefix="daylight-from-disk-"))
    try:
        render_site(report, site, index=False)
        server = report_server(site, port=0)  # as `daylight report serve` serves it
        threading.Thread(target=server.serve_forever, daemon=True).start()
        urls = {"from disk (file://)": (site / "organizations.html").as_uri(),
                "served (http://127.0.0.1)": url_of(server) + "organizations.html"}
        results = measure(urls, args.runs)
        server.shutdown()
        server.server_close()
    finally:
        shutil.rmtree(site, ignore_errors=True)
    print(f"\norganizations.html, {args.organizations:,} rows, Chromium cold cache, median of {args.runs}:")
    print("| opened | first contentful paint | DOMContentLoaded | table ready (every row) |")
    print("|---|---|---|---|")
    for name, r in results.items():
        cells = [f"{r[k]:,.0f} ms" if r[k] is not None else "never" for k in ("fcp_ms", "dcl_ms", "ready_ms")]
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
