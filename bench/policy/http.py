"""The HTTP decision endpoint under load, side by side with Cedar in process, in one run.

    bench/policy/run http          # the defaults below: about 3 minutes on an idle 2-core machine
    .venv/bin/python -m bench.policy.http [--workers 2] [--connections 64] [--seconds 6]
        [--records durable batched] [--rates 500 1000 2000 3000] [--cache-entries 0]
        [--in-process-decisions 6000] [--src DIR] [--out DIR]

One run measures, on the same SYNTHETIC world (1,000 accounts, the four shipped packs):

1. **in process**, CPU time per decision: bare ``cedarpy.is_authorized``, ``PolicyEngine.decide``
   and ``Gate.decide`` (``bench.policy.decide``, one round, no decision cache);
2. **over HTTP**, `daylight serve` on loopback (``--workers``, no decision cache by default), for
   each ``--records`` mode (durable: answered once the record is committed; batched: flushed
   every 0.25 s), one server per mode:
   - **closed loop**: wrk (Debian's 4.1.0, 1 thread), ``--connections`` connections each sending
     as soon as it is answered: the throughput ceiling, and the queue it builds (mean latency ≈
     connections / throughput);
   - **open loop**, a ladder of offered rates (``--rates``) over the same number of connections,
     with ``bench.policy.openloop``: requests are scheduled in advance (Poisson arrivals) and
     timed from their scheduled time, so latency is corrected for coordinated omission as wrk2's
     ``-R`` does (wrk2 is not packaged in Debian; wrk's own latencies are not corrected). Each
     step starts once the server has drained the last; the ladder stops at the first rate the
     server cannot keep up with (answers under 90% of the offered rate, or any error).

For every step: p50/p90/p99/p99.9/max, errors (non-200 answers, socket errors, requests not
answered within 5 s), the server's CPU time per request (all its processes, read from /proc:
wall clock on a shared machine is inflated by others' load, CPU time much less), the load
generator's CPU and the load average. Then the highest offered rate at which p99 <= 10 ms, per
mode. After each server stops, the decisions it recorded are counted against the 200 answers
it gave (recorded >= answered: a request in flight when a step ended is decided and recorded
too). Results go to ``--out`` (default ``bench/policy/results/<UTC date>/``): ``http.csv``,
``inprocess.csv``, ``summary.json`` and ``http.png`` (p99 against offered rate).

``--src DIR`` runs the server from another source tree (e.g. ``git archive main src | tar -x -C
/tmp/before``, then ``--src /tmp/before/src``), to compare before and after on one machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.policy.openloop import write_requests
from bench.policy.world import accounts, bodies, machine, requests
from daylight.core.database import Database
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.versions import publish
from daylight.registry.accounts import Account
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.store import RegistryStore

DAYLIGHT = [sys.executable, "-m", "daylight.cli.main"]
_BODIES: list[bytes] = []  # the request bodies of this run (build_home's)
_TOKEN: list[str] = []  # the gateway token of this run


def build_home(home: Path, account_count: int) -> list[bytes]:
    """A home with SYNTHETIC registry accounts and the shipped packs published; request bodies."""
    subprocess.run([*DAYLIGHT, "--home", str(home), "init", "--origin", "bench.daylight.invalid/log"],
                   check=True, capture_output=True)
    facts = accounts(account_count)
    database = Database(f"sqlite:///{home / 'daylight.db'}")
    when = datetime.now(UTC).isoformat()
    with database.transaction() as tx:
        store = RegistryStore(tx)
        store.add_accounts([Account(f.account_id, f"SYNTHETIC {f.account_id}", (), "", "",
                                    f.jurisdiction, "2026-01-01") for f in facts], when)
        store.put_resolutions([Resolution(f.account_id, "accepted", f.organization, 0.99, {}, when)
                               for f in facts])
        store.put_classifications([Classification(
            f.account_id, f.sector, [{"sector": s, "path": [], "edges": 1} for s in f.supports],
            when, None) for f in facts])
    signer = Signer.from_skey((home / "log.key").read_text().strip())
    publish(database, TransparencyLog(database, signer), [load_pack(n) for n in shipped_pack_names()],
            default_catalog(), datetime.now(UTC))
    database.close()
    return bodies(requests(facts, 2000))


def gateway_token(home: Path) -> str:
    """A gateway token for the service (`daylight token create` prints it on its last line)."""
    created = subprocess.run([*DAYLIGHT, "--home", str(home), "token", "create", "--role", "gateway"],
                             check=True, capture_output=True, text=True)
    return created.stdout.splitlines()[-1]


def pacing(rate: float | None, connections: int) -> str:
    """wrk Lua for an open-loop load of ``rate`` requests/s over ``connections``: each connection
    waits an exponentially distributed time (mean ``connections / rate``) before each request,
    so arrivals are Poisson-like and latency is measured below saturation, not as the queue of
    a closed loop. Nothing for None (closed loop: each connection sends as soon as answered)."""
    if not rate:
        return ""
    mean_ms = 1000.0 * connections / rate
    return (f"local mean_ms = {mean_ms:.6f}\n"
            "function delay() return math.floor(-math.log(1 - math.random()) * mean_ms + 0.5) end\n")


def wrk_script(path: Path, request_bodies: list[bytes], token: str, rate: float | None = None,
               connections: int = 1) -> None:
    listed = ",\n".join("  " + json.dumps(b.decode()) for b in request_bodies)
    path.write_text(
        'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
        f'wrk.headers["Authorization"] = "Bearer {token}"\n'
        f"local bodies = {{\n{listed}\n}}\nlocal n = 0\n"
        "request = function()\n  n = n + 1\n"
        '  return wrk.format(nil, "/v1/decisions", nil, bodies[(n % #bodies) + 1])\nend\n'
        + pacing(rate, connections))


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def parse_wrk(output: str) -> dict[str, Any]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(r"Socket errors: (.*)", output)
    percentiles = {f"p{p}_ms": round(_ms(v, u), 2)
                   for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)}
    return {"requests_per_second": float(rps[1]) if rps else None,
            "requests": int(total[1]) if total else None,
            "non_2xx": int(errors[1]) if errors else 0,
            "socket_errors": socket[1].strip() if socket else None, **percentiles}


def wait_ready(port: int, deadline_s: float = 30.0) -> None:
    stop = time.monotonic() + deadline_s
    while time.monotonic() < stop:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/policy", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def recorded(home: Path) -> int:
    database = Database(f"sqlite:///{home / 'daylight.db'}")
    with database.transaction(write=False) as tx:
        row = tx.query_one("SELECT COALESCE(SUM(decisions), 0) FROM policy_decision_count")
    database.close()
    return int(row[0]) if row else 0


TARGET_P99_MS = 10.0
CSV_FIELDS = ["records", "load", "offered_per_s", "answered_per_s", "p50_ms", "p90_ms", "p99_ms",
              "p99_9_ms", "max_ms", "errors", "uncorrected_p99_ms", "generator_lag_p99_ms",
              "server_cpu_us_per_request", "generator_cpu_s", "load_average_1m"]


def process_times(group: int) -> dict[int, tuple[float, float]]:
    """(user s, system s) of every live process in process group ``group`` (the server and its
    workers), by pid, from /proc."""
    tick_s = 1 / os.sysconf("SC_CLK_TCK")
    times = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # a process that ended meanwhile
        if int(fields[2]) == group:  # pgrp; utime and stime are fields 14 and 15 of stat
            times[int(stat.parent.name)] = (int(fields[11]) * tick_s, int(fields[12]) * tick_s)
    return times


def server_cpu_s(group: int) -> float:
    """CPU time (user + system, s) of every live process in process group ``group``."""
    return sum(user + system for user, system in process_times(group).values())


class Server:
    """`daylight serve` in its own process group, for one records mode."""

    def __init__(self, home: Path, port: int, workers: int, cache_entries: int, records: str,
                 src: Path | None) -> None:
        env = dict(os.environ)
        if src is not None:  # the server from another source tree (before/after)
            env["PYTHONPATH"] = str(src)
        self.port = port
        self.process = subprocess.Popen(
            [*DAYLIGHT, "--home", str(home), "serve", "--port", str(port), "--workers",
             str(workers), "--decision-cache-entries", str(cache_entries),
             f"--{records}-decisions"], start_new_session=True, env=env)
        wait_ready(port)
        time.sleep(1.0)  # let every worker finish starting

    def cpu_s(self) -> float:
        return server_cpu_s(self.process.pid)

    def settle(self, deadline_s: float = 15.0) -> None:
        """Wait until the server has finished what an earlier step left queued (its CPU time
        stops growing for 0.5 s), so that one step's backlog is not measured in the next."""
        stop = time.monotonic() + deadline_s
        last = self.cpu_s()
        while time.monotonic() < stop:
            time.sleep(0.5)
            now = self.cpu_s()
            if now - last < 0.05:  # under 10% of a core: background work only
                return
            last = now

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)  # uvicorn stops gracefully: records flushed
        self.process.wait(timeout=60)


def run_wrk(port: int, script: Path, seconds: int, connections: int) -> str:
    """wrk's output for ``seconds`` of ``script`` over ``connections`` to the server on ``port``."""
    return subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
         "-s", str(script), f"http://127.0.0.1:{port}/"],
        check=True, capture_output=True, text=True, timeout=seconds + 60).stdout


def closed_loop(server: Server, script: Path, connections: int, seconds: int) -> dict[str, Any]:
    """wrk against ``server`` for ``seconds``: each connection sends when answered."""
    wrk_script(script, _BODIES, _TOKEN[0])
    before_cpu, children = server.cpu_s(), resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    output = run_wrk(server.port, script, seconds, connections)
    server_cpu = server.cpu_s() - before_cpu
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = parse_wrk(output)
    answered = result["requests"] or 0
    errors = result["non_2xx"] + (1 if result["socket_errors"] else 0)
    return {"load": "closed loop", "offered_per_s": None,
            "answered_per_s": result["requests_per_second"], "answered": answered,
            "ok": answered - result["non_2xx"],
            "p50_ms": result.get("p50_ms"), "p90_ms": result.get("p90_ms"),
            "p99_ms": result.get("p99_ms"), "p99_9_ms": None, "max_ms": None,
            "errors": errors, "socket_errors": result["socket_errors"],
            "uncorrected_p99_ms": result.get("p99_ms"), "generator_lag_p99_ms": None,
            "server_cpu_us_per_request": round(server_cpu * 1e6 / answered, 1) if answered else None,
            "generator_cpu_s": round(after.ru_utime + after.ru_stime
                                     - children.ru_utime - children.ru_stime, 2),
            "load_average_1m": round(load, 2)}


def open_loop(server: Server, requests_file: Path, rate: float, connections: int,
              seconds: int) -> dict[str, Any]:
    """``bench.policy.openloop`` against ``server``: ``rate`` requests/s scheduled in advance,
    timed from their scheduled time."""
    before_cpu = server.cpu_s()
    load = os.getloadavg()[0]
    output = subprocess.run(
        [sys.executable, "-m", "bench.policy.openloop", "--port", str(server.port), "--rate",
         str(rate), "--seconds", str(seconds), "--connections", str(connections),
         "--requests", str(requests_file)],
        check=True, capture_output=True, text=True, timeout=seconds + 120).stdout
    server_cpu = server.cpu_s() - before_cpu
    result = json.loads(output.strip().splitlines()[-1])
    sent = result["sent"]
    return {"load": "open loop", "offered_per_s": rate,
            "answered_per_s": result["answered_in_time_per_s"], "answered": result["answered"],
            "ok": result["ok_total"],
            **{key: result[key] for key in ("p50_ms", "p90_ms", "p99_ms", "p99_9_ms", "max_ms",
                                            "errors", "statuses")},
            "uncorrected_p99_ms": result["uncorrected"]["p99_ms"],
            "generator_lag_p99_ms": result["generator_lag"]["p99_ms"],
            "server_cpu_us_per_request": round(server_cpu * 1e6 / sent, 1) if sent else None,
            "generator_cpu_s": result["generator_cpu_s"], "load_average_1m": round(load, 2)}


def in_process(decisions: int, account_count: int) -> list[dict[str, Any]]:
    """CPU per decision in process (``bench.policy.decide``, one round, the shipped packs)."""
    from bench.policy.decide import run as decide_run  # cedarpy: only when measured

    paths = decide_run(None, account_count, decisions, 1, 64)["paths"]
    return [{"path": name, "cpu_us": paths[name]["cpu_us"], "p50_us": paths[name]["p50_us"],
             "cpu_vs_bare": paths[name]["cpu_vs_bare"]}
            for name in ("bare cedarpy.is_authorized", "PolicyEngine.decide",
                         "Gate.decide (records)")]


def highest_rate_within(rows: list[dict[str, Any]], records: str) -> float | None:
    """The highest offered rate at which p99 <= TARGET_P99_MS with no errors, for ``records``
    (None if none)."""
    passing = [r["offered_per_s"] for r in rows if r["records"] == records
               and r["load"] == "open loop" and r["p99_ms"] is not None
               and r["p99_ms"] <= TARGET_P99_MS and r["errors"] == 0]
    return max(passing) if passing else None


def plot(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    """p99 (and p50) against offered rate, one line per records mode, the target dotted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5))
    for records, color in (("durable", "tab:red"), ("batched", "tab:blue")):
        mine = [r for r in rows if r["records"] == records and r["load"] == "open loop"]
        if not mine:
            continue
        rates = [r["offered_per_s"] for r in mine]
        axes.plot(rates, [r["p99_ms"] for r in mine], marker="o", color=color,
                  label=f"{records}: p99")
        axes.plot(rates, [r["p50_ms"] for r in mine], marker=".", linestyle="--", color=color,
                  label=f"{records}: p50")
    axes.axhline(TARGET_P99_MS, color="grey", linestyle=":", label="p99 target (10 ms)")
    axes.set_yscale("log")
    axes.set_xlabel("offered rate (requests/s, open loop, latency from the scheduled time)")
    axes.set_ylabel("latency (ms)")
    axes.set_title(title, fontsize=9)
    axes.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--seconds", type=int, default=6, help="per step (open loop: measured, "
                                                               "after 1 s of warm-up)")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--cache-entries", type=int, default=0,
                        help="the server's decision cache (0: every request through Cedar)")
    parser.add_argument("--records", nargs="+", choices=["durable", "batched"],
                        default=["durable", "batched"],
                        help="decision records committed before each answer (group commit), "
                             "or flushed every 0.25 s")
    parser.add_argument("--rates", type=float, nargs="+", default=[500, 1000, 2000, 3000],
                        help="open-loop offered rates (requests/s over all connections)")
    parser.add_argument("--in-process-decisions", type=int, default=6000,
                        help="decisions per in-process path (0: skip)")
    parser.add_argument("--src", type=Path, default=None,
                        help="run the server from this source tree (PYTHONPATH)")
    parser.add_argument("--out", type=Path, default=None,
                        help="results folder (default bench/policy/results/<UTC date>)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (bench/policy/run installs it)")
    out = args.out or Path(__file__).parent / "results" / datetime.now(UTC).strftime("%Y-%m-%d")
    out.mkdir(parents=True, exist_ok=True)
    started = machine()
    print(json.dumps({"machine_at_start": started, "closed_loop": "wrk 4.1.0 (1 thread)",
                      "open_loop": "bench.policy.openloop (latency from the scheduled time)",
                      "server_src": str(args.src or "this tree")}), flush=True)
    inprocess = in_process(args.in_process_decisions, args.accounts) \
        if args.in_process_decisions else []
    for row in inprocess:
        print(json.dumps({"in_process": row}), flush=True)
    rows: list[dict[str, Any]] = []
    checks: dict[str, dict[str, int]] = {}
    saturated: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="daylight-bench-http-") as scratch:
        home = Path(scratch) / "home"
        _BODIES[:] = build_home(home, args.accounts)
        _TOKEN[:] = [gateway_token(home)]
        requests_file = Path(scratch) / "requests.bin"
        write_requests(requests_file, f"127.0.0.1:{args.port}", _BODIES, _TOKEN[0])
        for records in args.records:
            before = recorded(home)
            server = Server(home, args.port, args.workers, args.cache_entries, records, args.src)
            ok = 0
            try:
                steps = [closed_loop(server, Path(scratch) / "decisions.lua", args.connections,
                                     args.seconds)]
                for rate in sorted(args.rates):
                    server.settle()
                    step = open_loop(server, requests_file, rate, args.connections, args.seconds)
                    steps.append(step)
                    if step["errors"] or step["answered_per_s"] < 0.9 * rate:
                        # saturated: a higher rate only measures a longer queue (and leaves
                        # a backlog behind), so the ladder stops here
                        saturated[records] = rate
                        print(json.dumps({"records": records, "saturated_at_per_s": rate,
                                          "not_run": [r for r in args.rates if r > rate]}))
                        break
                for step in steps:
                    ok += step.pop("ok")
                    step.pop("answered")
                    row = {"records": records, "workers": args.workers,
                           "connections": args.connections, **step}
                    rows.append(row)
                    print(json.dumps(row), flush=True)
            finally:
                server.stop()
            checks[records] = {"answered_200": ok, "recorded": recorded(home) - before}
            print(json.dumps({"records": records, **checks[records]}), flush=True)
    best = {records: highest_rate_within(rows, records) for records in args.records}
    ended = machine()
    summary = {"machine_at_start": started, "machine_at_end": ended,
               "workers": args.workers, "connections": args.connections,
               "decision_cache_entries": args.cache_entries, "seconds_per_step": args.seconds,
               "server_src": str(args.src or "this tree"), "in_process": inprocess,
               "http": rows, "recorded_vs_answered": checks,
               "highest_rate_with_p99_within_10_ms": best,
               "ladder_stopped_saturated_at_per_s": saturated}
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    with (out / "http.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with (out / "inprocess.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["path", "cpu_us", "p50_us", "cpu_vs_bare"])
        writer.writeheader()
        writer.writerows(inprocess)
    plot(rows, out / "http.png",
         f"POST /v1/decisions, {args.workers} workers, {args.connections} connections, no "
         f"decision cache; load average {started['load_average'][0]} at start, "
         f"{ended['load_average'][0]} at end")
    print(json.dumps({"highest_rate_with_p99_within_10_ms": best, "machine_at_end": ended,
                      "results": str(out)}), flush=True)


if __name__ == "__main__":
    main()
