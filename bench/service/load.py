"""Mixed traffic against `daylight serve` on loopback for a bounded time, recorded over time.

    .venv/bin/python -m bench.service.load [--duration 600] [--connections 64] [--workers 2]
        [--window 1] [--max-requests 50000000] [--out bench-load] [--accounts 1000]
        [--decision-cache-entries 0] [--records durable|batched] [--rate 3000]

Starts `daylight serve` as a separate process on 127.0.0.1 (a home in a temp dir with 1,000
SYNTHETIC accounts, the four shipped packs published, so the log has entries), then drives it
with **wrk** (Debian's package, a C load generator: one thread holds 64 keep-alive connections
for a few µs of CPU per request, where a Python client would take ~50 µs of the two cores the
server needs) in consecutive windows of ``--window`` seconds until ``--duration`` seconds or
``--max-requests`` requests. Each window is one wrk run whose Lua script picks each request from
``MIX`` (below: the one table of the traffic) and prints, at its end, one JSON line: requests,
latency percentiles (µs), errors by kind, status codes and requests per kind.

Per window it records: throughput, p50/p90/p99/max latency, errors (non-2xx, connect, read,
write, timeouts), the resident memory (VmRSS from ``/proc/PID/status``) of the server process
and of each worker, the server's CPU (all its processes, from ``/proc/PID/stat``) and wrk's own
CPU (``getrusage`` of the finished children), so the share of the two cores the generator took
is known. It writes ``load.csv`` (a row per window), ``load.png`` (throughput, latency, errors and
memory over time) and ``summary.json`` into ``--out``.

A route of ``MIX`` that the server does not have (it answers 404 or 405 before the run) is left out
of the mix and named in the summary, so the same script serves as the service gains routes.
If the server has API tokens (``daylight token create``), the script makes one per role it
needs and sends it as ``Authorization: Bearer``.

Loopback only; bounded in time (``--duration``, each window's wrk with ``--timeout 5s``) and in
requests (``--max-requests``). The server is stopped with SIGINT at the end (records flushed)
and the decisions it recorded are compared with the decisions answered.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.policy.http import DAYLIGHT, build_home, pacing, recorded
from bench.policy.world import machine

HOST = "127.0.0.1"  # loopback only, never anything else
# the service's per-token and per-address rate limits (settings), off for the load run: it
# measures the service, and all of its load comes from one address and one token per role
NO_RATE_LIMITS = {"DAYLIGHT_SERVE_RATE_LIMIT_PER_S": "0", "DAYLIGHT_SERVE_DECISION_RATE_PER_S": "0"}
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Traffic:
    """One row of the mix: ``weight`` requests in a hundred are ``method path`` (``path`` may
    name ``{index}``, ``{account}``: filled from the home), sent with a token of ``role``."""

    name: str
    weight: int
    method: str
    path: str
    role: str


# The mix: a gateway's decisions dominate; the public reads the policy and the log; staff read
# accounts. Rows whose route the server lacks are dropped before the run (see the summary).
MIX: tuple[Traffic, ...] = (
    Traffic("decision", 70, "POST", "/v1/decisions", "gateway"),
    Traffic("policy", 8, "GET", "/v1/policy", "public"),
    Traffic("checkpoint", 6, "GET", "/checkpoint", "public"),
    Traffic("tile", 3, "GET", "/tile/0/000.p/{tile_width}", "public"),
    Traffic("entry bundle", 2, "GET", "/tile/entries/000.p/{tile_width}", "public"),
    Traffic("inclusion proof", 3, "GET", "/v1/log/proofs/inclusion?leaf_index={index}", "public"),
    Traffic("tlog-proof", 2, "GET", "/v1/log/entries/{index}/tlog-proof", "public"),
    Traffic("account", 5, "GET", "/v1/accounts/{account}", "admin"),
    Traffic("accounts page", 1, "GET", "/v1/accounts?limit=50", "admin"),
)


def _lua_string(text: str) -> str:
    return json.dumps(text)  # a JSON string literal is a valid Lua string literal here (ASCII)


def wrk_script(path: Path, requests: list[tuple[str, str, str, bytes | None, str | None]],
               order: list[int], rate: float | None = None, connections: int = 1) -> None:
    """The Lua script: ``requests`` (kind, method, path, body, token) formatted once per thread,
    sent in ``order`` (indices into ``requests``), with counts per kind and per status."""
    rows = []
    for kind, method, target, body, token in requests:
        headers = ['["Content-Type"]="application/json"'] if body is not None else []
        if token:
            headers.append(f'["Authorization"]={_lua_string("Bearer " + token)}')
        rows.append(f"{{{_lua_string(kind)}, {_lua_string(method)}, {_lua_string(target)}, "
                    f"{{{', '.join(headers)}}}, "
                    f"{_lua_string(body.decode()) if body is not None else 'nil'}}}")
    path.write_text(
        "local specs = {\n" + ",\n".join(rows) + "\n}\n"
        "local order = {" + ",".join(str(i + 1) for i in order) + "}\n"
        + _LUA_BODY + pacing(rate, connections))


_LUA_BODY = r"""
local formatted, kinds, n = {}, {}, 0
counts, statuses = {}, {}
local threads = {}

function setup(thread) table.insert(threads, thread) end

function init(args)
  for i, s in ipairs(specs) do
    kinds[i] = s[1]
    formatted[i] = wrk.format(s[2], s[3], s[4], s[5])
  end
  n = math.random(#order) - 1
end

function request()
  n = n % #order + 1
  local i = order[n]
  counts[kinds[i]] = (counts[kinds[i]] or 0) + 1
  return formatted[i]
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function merged(name)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get(name) or {}) do total[tostring(k)] = (total[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%s":%d', k, v)) end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'DAYLIGHT-WINDOW {"duration_us":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,' ..
    '"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"mean_us":%.1f,"counts":%s,"statuses":%s}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean, merged("counts"), merged("statuses")))
end
"""


def _get(port: int, target: str, token: str | None) -> int:
    """The status of ``GET target`` (a probe before the run)."""
    request = urllib.request.Request(f"http://{HOST}:{port}{target}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def wait_ready(port: int, server: subprocess.Popen[bytes] | None = None,
               deadline_s: float = 180.0) -> None:
    stop = time.monotonic() + deadline_s
    while time.monotonic() < stop:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} before answering "
                               f"(is port {port} taken?)")
        try:
            if _get(port, "/v1/policy", None) < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def make_token(home: Path, role: str) -> str | None:
    """A new API token of ``role`` (the last line of `daylight token create`), or None when the
    service has no tokens yet."""
    done = subprocess.run([*DAYLIGHT, "--home", str(home), "token", "create", "--role", role],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return None
    lines = done.stdout.strip().splitlines()
    return lines[-1].strip() if lines else None


def server_processes(root: int) -> list[int]:
    """``root`` and its descendants (uvicorn's workers), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        found += frontier
    return found


def rss_mib(pid: int) -> float:
    """VmRSS of ``pid`` in MiB (0 if it is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    return int(match[1]) / 1024 if match else 0.0


def process_name(pid: int, root: int) -> str:
    """``server`` (uvicorn's supervisor), ``worker PID``, or what else the supervisor started
    (multiprocessing's resource tracker)."""
    if pid == root:
        return "server"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return f"process {pid}"
    return f"tracker {pid}" if b"resource_tracker" in command else f"worker {pid}"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of ``pids`` so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / _CLOCK_TICKS


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_requests(home: Path, port: int, tokens: dict[str, str | None],
                   bodies: list[bytes], accounts: list[str]
                   ) -> tuple[list[tuple[str, str, str, bytes | None, str | None]],
                              dict[str, int], dict[str, str]]:
    """Every request of the mix whose route the server has; the weights kept; the rows left out
    and why."""
    size = _log_size(home)
    requests: list[tuple[str, str, str, bytes | None, str | None]] = []
    weights: dict[str, int] = {}
    left_out: dict[str, str] = {}
    for row in MIX:
        token = tokens.get(row.role)
        if row.name == "decision":
            requests += [(row.name, row.method, row.path, body, token) for body in bodies]
            weights[row.name] = row.weight
            continue
        rng = random.Random(row.name)
        targets = sorted({row.path.format(index=rng.randrange(max(size, 1)),
                                          account=rng.choice(accounts),
                                          tile_width=min(max(size, 1), 255))
                          for _ in range(200)})
        status = _get(port, targets[0], token)
        if status in (404, 405):
            left_out[row.name] = f"{row.method} {row.path}: {status} (no such route yet)"
            continue
        if status >= 400:
            left_out[row.name] = f"{row.method} {targets[0]}: {status} before the run"
            continue
        requests += [(row.name, row.method, t, None, token) for t in targets]
        weights[row.name] = row.weight
    return requests, weights, left_out


def _log_size(home: Path) -> int:
    from daylight.core.database import Database
    from daylight.log.service import TransparencyLog

    database = Database(f"sqlite:///{home / 'daylight.db'}")
    try:
        return int(TransparencyLog(database, None).tree_size())
    except Exception:  # a log this script cannot read: log reads use index 0
        return 0
    finally:
        database.close()


def schedule(requests: list[tuple[str, str, str, bytes | None, str | None]],
             weights: dict[str, int], length: int = 20_000) -> list[int]:
    """``length`` request indices: kinds drawn by weight, each kind's requests in turn."""
    rng = random.Random(11)
    by_kind: dict[str, list[int]] = {}
    for i, (kind, *_) in enumerate(requests):
        by_kind.setdefault(kind, []).append(i)
    for indices in by_kind.values():
        rng.shuffle(indices)
    kinds = list(weights)
    position = dict.fromkeys(kinds, 0)
    order = []
    for kind in rng.choices(kinds, weights=[weights[k] for k in kinds], k=length):
        indices = by_kind[kind]
        order.append(indices[position[kind] % len(indices)])
        position[kind] += 1
    return order


def run_window(script: Path, port: int, connections: int, seconds: int) -> dict[str, Any]:
    """One wrk run of ``seconds``; its JSON line, and wrk's CPU."""
    before = _children_cpu()
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
         f"http://{HOST}:{port}/"],
        check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    line = next((x for x in output.splitlines() if x.startswith("DAYLIGHT-WINDOW ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result: {output[-500:]}")
    result: dict[str, Any] = json.loads(line.split(" ", 1)[1])
    result["wrk_cpu_s"] = _children_cpu() - before
    return result


FIELDS = ["t_s", "window_s", "requests", "requests_per_second", "p50_ms", "p90_ms", "p99_ms",
          "max_ms", "errors", "non_2xx", "socket_errors", "server_rss_mib", "server_cpu_percent",
          "wrk_cpu_percent", "load_average_1m", "rss_by_process_mib", "requests_by_kind",
          "statuses"]


def plot(rows: list[dict[str, Any]], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [r["t_s"] for r in rows]
    figure, axes = plt.subplots(4, 1, figsize=(10, 11), sharex=True)
    axes[0].plot(t, [r["requests_per_second"] for r in rows], color="tab:blue")
    axes[0].set_ylabel("requests/s")
    axes[0].set_ylim(bottom=0)
    axes[1].plot(t, [r["p50_ms"] for r in rows], label="p50", color="tab:green")
    axes[1].plot(t, [r["p99_ms"] for r in rows], label="p99", color="tab:red")
    axes[1].axhline(10, color="grey", linestyle=":", label="p99 target (10 ms)")
    axes[1].set_ylabel("latency (ms)")
    axes[1].set_ylim(bottom=0)
    axes[1].legend(loc="upper right")
    axes[2].bar(t, [r["errors"] for r in rows], width=rows[0]["window_s"] * 0.8 if rows else 1,
                color="tab:red")
    axes[2].set_ylabel("errors / window")
    axes[2].set_ylim(bottom=0, top=max([1, *[r["errors"] for r in rows]]) * 1.2)
    by_process: dict[str, list[float]] = {}
    for r in rows:
        for name, value in json.loads(r["rss_by_process_mib"]).items():
            by_process.setdefault(name, []).append(value)
    for name, values in by_process.items():
        if len(values) == len(t):
            axes[3].plot(t, values, label=name)
    axes[3].plot(t, [r["server_rss_mib"] for r in rows], label="all", color="black")
    axes[3].set_ylabel("server RSS (MiB)")
    axes[3].set_ylim(bottom=0)
    axes[3].legend(loc="lower right", fontsize="small")
    axes[3].set_xlabel("seconds since start")
    figure.suptitle(title, fontsize="medium")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def _slope_mib_per_min(rows: list[dict[str, Any]]) -> float:
    """Least-squares slope of the server's RSS after the first tenth of the run."""
    tail = rows[len(rows) // 10:]
    if len(tail) < 2:
        return 0.0
    xs = [r["t_s"] for r in tail]
    ys = [r["server_rss_mib"] for r in tail]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    return round(60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var, 3) \
        if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (bound)")
    parser.add_argument("--max-requests", type=int, default=50_000_000, help="requests (bound)")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=int, default=5,
                        help="seconds per wrk run, a row of the CSV (each run starts wrk and "
                             "its connections anew: ~0.1 s without load between rows)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="seconds of the same load before recording (engines built, "
                             "caches filled); not in the rows")
    parser.add_argument("--rate", type=float, default=None,
                        help="requests/s offered, open loop (Poisson-like pacing per "
                             "connection); default: closed loop, at the rate the server holds")
    parser.add_argument("--keep-rate-limits", action="store_true",
                        help="leave the service's rate limits as configured (they are switched "
                             "off by default: the load comes from one address)")
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18090)
    parser.add_argument("--decision-cache-entries", type=int, default=None,
                        help="the server's decision cache (default: the setting's, 65536)")
    parser.add_argument("--records", choices=["durable", "batched"], default="durable")
    parser.add_argument("--out", type=Path, default=Path("bench-load"))
    args = parser.parse_args()
    if args.duration <= 0 or args.window <= 0 or args.max_requests <= 0:
        raise SystemExit("--duration, --window and --max-requests must be positive")
    args.out.mkdir(parents=True, exist_ok=True)
    start_machine = machine()
    print(json.dumps({"machine_at_start": start_machine}), flush=True)
    with tempfile.TemporaryDirectory(prefix="daylight-bench-load-") as scratch:
        home = Path(scratch) / "home"
        bodies = build_home(home, args.accounts)
        accounts = sorted({json.loads(b)["account_id"] for b in bodies})
        tokens = {role: make_token(home, role) for role in {row.role for row in MIX}}
        command = [*DAYLIGHT, "--home", str(home), "serve", "--host", HOST, "--port",
                   str(args.port), "--workers", str(args.workers), f"--{args.records}-decisions"]
        if args.decision_cache_entries is not None:
            command += ["--decision-cache-entries", str(args.decision_cache_entries)]
        environment = dict(os.environ)
        if not args.keep_rate_limits:  # one client address and a few tokens make all the load
            environment.update(NO_RATE_LIMITS)
        server = subprocess.Popen(command, start_new_session=True, env=environment)
        rows: list[dict[str, Any]] = []
        decisions_sent = 0
        try:
            wait_ready(args.port, server)
            requests, weights, left_out = build_requests(home, args.port, tokens, bodies, accounts)
            script = Path(scratch) / "mix.lua"
            wrk_script(script, requests, schedule(requests, weights), args.rate, args.connections)
            if args.warmup > 0:
                warmup = run_window(script, args.port, args.connections, args.warmup)
                print(json.dumps({"warmup_requests": warmup["requests"],
                                  "warmup_p99_ms": warmup["p99_us"] / 1000}), flush=True)
            recorded_before = recorded(home)
            started = time.monotonic()
            total = 0
            while time.monotonic() - started < args.duration and total < args.max_requests:
                seconds = min(args.window, max(1, round(args.duration - (time.monotonic() - started))))
                pids = server_processes(server.pid)
                cpu_before, wall_before = cpu_seconds(pids), time.monotonic()
                window = run_window(script, args.port, args.connections, seconds)
                wall = time.monotonic() - wall_before
                pids = server_processes(server.pid)
                by_process = {process_name(pid, server.pid): round(rss_mib(pid), 1) for pid in pids}
                total += window["requests"]
                decisions_sent += window["counts"].get("decision", 0)
                socket_errors = sum(window[k] for k in ("connect", "read", "write", "timeout"))
                row = {
                    "t_s": round(time.monotonic() - started, 2),
                    "window_s": round(window["duration_us"] / 1e6, 3),
                    "requests": window["requests"],
                    "requests_per_second": round(window["requests"] * 1e6 / window["duration_us"], 1),
                    "p50_ms": window["p50_us"] / 1000, "p90_ms": window["p90_us"] / 1000,
                    "p99_ms": window["p99_us"] / 1000, "max_ms": window["max_us"] / 1000,
                    "errors": window["status"] + socket_errors, "non_2xx": window["status"],
                    "socket_errors": socket_errors,
                    "server_rss_mib": round(sum(by_process.values()), 1),
                    "server_cpu_percent": round(100 * (cpu_seconds(pids) - cpu_before) / wall, 1),
                    "wrk_cpu_percent": round(100 * window["wrk_cpu_s"] / wall, 1),
                    "load_average_1m": round(os.getloadavg()[0], 2),
                    "rss_by_process_mib": json.dumps(by_process),
                    "requests_by_kind": json.dumps(window["counts"], sort_keys=True),
                    "statuses": json.dumps(window["statuses"], sort_keys=True),
                }
                rows.append(row)
                print(json.dumps({k: row[k] for k in FIELDS[:15]}), flush=True)
        finally:
            os.killpg(server.pid, signal.SIGINT)  # graceful: records flushed
            exit_code = server.wait(timeout=60)
        decisions_recorded = recorded(home) - recorded_before if rows else 0
    if not rows:
        raise SystemExit("no window ran")
    with (args.out / "load.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    title = (f"daylight serve, {args.workers} workers, {args.connections} connections, "
             f"{start_machine['cores']} cores; load average at start {start_machine['load_average'][0]}")
    plot(rows, args.out / "load.png", title)
    rates = sorted(r["requests_per_second"] for r in rows)
    p99s = sorted(r["p99_ms"] for r in rows)
    seconds = sum(r["window_s"] for r in rows)
    summary = {
        "machine_at_start": start_machine, "machine_at_end": machine(),
        "load_generator": "wrk 4.1.0 (Debian), 1 thread, Lua mix script, windows of "
                          f"{args.window} s",
        "workers": args.workers, "connections": args.connections,
        "offered_rate": args.rate or "closed loop",
        "rate_limits": "as configured" if args.keep_rate_limits else NO_RATE_LIMITS,
        "decision_records": args.records,
        "decision_cache_entries": args.decision_cache_entries,
        "mix_weights": weights, "left_out_of_mix": left_out,
        "tokens": sorted(role for role, token in tokens.items() if token) or "none (no token "
                                                                             "command yet)",
        "windows": len(rows), "seconds_under_load": round(seconds, 1),
        "requests": sum(r["requests"] for r in rows),
        "requests_per_second_mean": round(sum(r["requests"] for r in rows) / seconds, 1),
        "requests_per_second_median_window": rates[len(rates) // 2],
        "requests_per_second_min_window": rates[0],
        "p50_ms_median_window": sorted(r["p50_ms"] for r in rows)[len(rows) // 2],
        "p99_ms_median_window": p99s[len(p99s) // 2],
        "p99_ms_worst_window": p99s[-1],
        "errors": sum(r["errors"] for r in rows),
        "non_2xx": sum(r["non_2xx"] for r in rows),
        "server_rss_mib_first_window": rows[0]["server_rss_mib"],
        "server_rss_mib_last_window": rows[-1]["server_rss_mib"],
        "server_rss_mib_max": max(r["server_rss_mib"] for r in rows),
        "server_rss_slope_mib_per_minute": _slope_mib_per_min(rows),
        "server_cpu_percent_mean": round(sum(r["server_cpu_percent"] for r in rows) / len(rows), 1),
        "wrk_cpu_percent_mean": round(sum(r["wrk_cpu_percent"] for r in rows) / len(rows), 1),
        # sent: made by wrk's request(), including those still in flight when a window ended
        # (at most one per connection and window), which the server may never have received
        "decision_requests_sent": decisions_sent, "decisions_recorded": decisions_recorded,
        "server_exit_code": exit_code,
        "outputs": [str(args.out / n) for n in ("load.csv", "load.png", "summary.json")],
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(summary))
    sys.exit(0 if summary["errors"] == 0 and exit_code == 0 else 1)


if __name__ == "__main__":
    main()
