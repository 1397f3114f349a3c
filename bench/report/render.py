"""Benchmark the report's pages: build time, first render in Chromium, transfer size, and the
same data opened in Datasette, side by side.

    .venv/bin/python -m bench.report.render [--organizations 10000] [--operations 100] [--runs 3]

A SYNTHETIC report (tests/report/factory.py: 10,000 organisations × 100 operations = 10^6 usage
rows by default) is rendered with ``render_site``; the data files are written as the data writer
writes them, and a SQLite database with full-text search on organisation names stands in for
``report.db`` (built here with the standard library, so the bench does not wait for the data
writer). The site is served on loopback as ``daylight report serve`` serves it and opened in
Debian's Chromium (Playwright) with a cold cache; Datasette (``pip install datasette``; the
``bench`` extra) serves the database on loopback and is opened the same way.

Measured per page, median of ``--runs`` cold loads: first contentful paint, DOMContentLoaded,
load, and bytes transferred (document and every sub-resource, uncompressed as served).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import platform
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from tests.report.factory import synthetic_report, write_data_files

from daylight.report.search import index_site
from daylight.report.server import report_server, url_of
from daylight.report.site import render_site

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TIMING = """async () => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = await new Promise(resolve => {
    const seen = performance.getEntriesByName('first-contentful-paint')[0];
    if (seen) return resolve(seen);
    new PerformanceObserver(list => resolve(list.getEntriesByName('first-contentful-paint')[0]))
      .observe({type: 'paint', buffered: true});
    setTimeout(() => resolve(null), 30000);
  });
  const ready = await new Promise(resolve => {
    if (!document.querySelector('[data-rows]')) return resolve(null);  // no table script here
    const started = performance.now();
    (function poll() {
      const marked = document.querySelector('[data-ready]');
      if (marked) return resolve(Number(marked.getAttribute('data-ready')));
      if (performance.now() - started > 30000) return resolve(null);
      setTimeout(poll, 10);
    })();
  });
  const resources = performance.getEntriesByType('resource');
  return {
    fcp_ms: fcp ? fcp.startTime : null,
    dcl_ms: nav.domContentLoadedEventEnd,
    load_ms: nav.loadEventEnd,
    ready_ms: ready,
    bytes: nav.encodedBodySize + resources.reduce((n, r) => n + r.encodedBodySize, 0),
    requests: 1 + resources.length,
  };
}"""


def _machine() -> str:
    load = os.getloadavg()
    return (f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_database(site: Path) -> Path:
    """organizations and usage from the CSV files, with FTS5 on organisation names."""
    path = site / "report.db"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        for table in ("organizations", "usage"):
            with (site / "data" / f"{table}.csv").open(newline="") as handle:
                reader = csv.reader(handle)
                header = next(reader)
                db.execute(f"CREATE TABLE {table} ({', '.join(f'[{c}]' for c in header)})")
                marks = ", ".join("?" for _ in header)
                db.executemany(f"INSERT INTO {table} VALUES ({marks})", reader)
        db.execute("CREATE VIRTUAL TABLE organizations_fts USING fts5(organization_name, "
                   "content='organizations', content_rowid='rowid')")
        db.execute("INSERT INTO organizations_fts(rowid, organization_name) "
                   "SELECT rowid, organization_name FROM organizations")
        db.execute("CREATE INDEX usage_organization ON usage(organization_id)")
    return path


def measure(urls: dict[str, str], runs: int) -> dict[str, dict[str, float | None]]:
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, float | None]] = {}
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            for name, url in urls.items():
                samples = []
                for _ in range(runs):
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(url, wait_until="load", timeout=120_000)
                    page.wait_for_timeout(100)
                    samples.append(page.evaluate(TIMING))
                    context.close()
                values = {k: [s[k] for s in samples if s[k] is not None] for k in samples[0]}
                results[name] = {k: statistics.median(v) if v else None for k, v in values.items()}
        finally:
            browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--operations", type=int, default=100, help="usage rows per organisation")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build into this folder and keep it")
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--no-search", action="store_true", help="skip the Pagefind index (and its time)")
    args = parser.parse_args()

    print(f"machine: {_machine()}")
    started = time.perf_counter()
    report = synthetic_report(args.organizations, operations_per_organization=args.operations)
    print(f"SYNTHETIC report: {len(report.organizations):,} organisations, {len(report.usage):,} usage rows, "
          f"{len(report.decisions):,} decision rows, {len(report.supports):,} support edges "
          f"(made in {time.perf_counter() - started:.1f} s, not counted)")

    site = args.keep or Path(tempfile.mkdtemp(prefix="daylight-report-bench-"))
    if site.exists():
        shutil.rmtree(site)
    wall, cpu = time.perf_counter(), time.process_time()
    written = render_site(report, site, index=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = sum(p.stat().st_size for p in written)
    print(f"render_site (pages): {wall:.1f} s wall, {cpu:.1f} s CPU; {len(written):,} files, "
          f"{size / 2**20:,.0f} MiB")
    search_wall, children = time.perf_counter(), os.times()
    indexed = [] if args.no_search else index_site(site)
    search_wall, after = time.perf_counter() - search_wall, os.times()
    search_cpu = (after.children_user + after.children_system
                  - children.children_user - children.children_system)
    print(f"Pagefind index of {len(written):,} files: {search_wall:.1f} s wall, "
          f"{search_cpu:.1f} s CPU (its process); "
          f"{len(indexed):,} files, {sum(p.stat().st_size for p in indexed) / 2**20:,.1f} MiB")
    table = (site / "table" / "organizations.js").stat().st_size
    print(f"table/organizations.js: {table / 1024:,.0f} KiB; organizations.html: "
          f"{(site / 'organizations.html').stat().st_size / 1024:,.0f} KiB")
    write_data_files(report, site)
    database = build_database(site)
    print(f"data files and a stand-in report.db written ({database.stat().st_size / 2**20:,.0f} MiB)")
    del report

    server = report_server(site, port=0)  # as `daylight report serve` serves it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = url_of(server)
    urls = {"daylight index.html": base + "index.html",
            f"daylight organizations.html ({args.organizations:,} rows)": base + "organizations.html",
            "daylight one organisation page": base + "org/org-00003.html"}
    datasette = None
    if not args.no_datasette and importlib.util.find_spec("datasette") is None:
        print("datasette is not installed (pip install -e '.[bench]'): measuring Daylight's pages only")
        args.no_datasette = True
    if not args.no_datasette:
        port = _free_port()
        datasette = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(database), "--port", str(port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        ds = f"http://127.0.0.1:{port}/"
        for _ in range(200):
            try:
                urllib.request.urlopen(ds + "-/versions.json", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        urls |= {"datasette database page": ds + "report",
                 "datasette organizations (100 rows, its default page)": ds + "report/organizations",
                 # 1,000 is Datasette's max_returned_rows; raised to 10,000 its server alone took ~20 s.
                 "datasette organizations (_size=1000, its maximum)": ds + "report/organizations?_size=1000",
                 "datasette full-text search": ds + "report/organizations?_search=Immigration"}
    try:
        results = measure(urls, args.runs)
    finally:
        server.shutdown()
        server.server_close()
        if datasette is not None:
            datasette.terminate()
            datasette.wait()
    print(f"\nChromium {CHROMIUM}, cold cache, median of {args.runs}:")
    print("| page | first contentful paint | DOMContentLoaded | load | table ready | transferred "
          "| requests |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        ready = "—" if r["ready_ms"] is None else f"{r['ready_ms']:,.0f} ms"
        print(f"| {name} | {r['fcp_ms']:,.0f} ms | {r['dcl_ms']:,.0f} ms | {r['load_ms']:,.0f} ms "
              f"| {ready} | "
              f"{r['bytes'] / 1024:,.0f} KiB | {r['requests']:.0f} |")
    print(json.dumps({"render_wall_s": round(wall, 2), "render_cpu_s": round(cpu, 2),
                      "pagefind_wall_s": round(search_wall, 2), "pagefind_cpu_s": round(search_cpu, 2),
                      "pages": results}))
    if args.keep is None:
        shutil.rmtree(site)


if __name__ == "__main__":
    main()
