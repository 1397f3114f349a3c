"""Closed-loop A/B of the decision endpoint: two source trees, interleaved rounds.

Each round starts `daylight serve` (2 workers, no decision cache, batched records unless told)
from each tree in turn, on a fresh copy of one home (no records of earlier runs in its tables),
warms it with wrk for 3 s, then runs wrk for ``--seconds`` with 64 connections and reads, per
request: answers/s, p50/p90/p99 (wrk's), and the CPU of the server's processes split into user
and system time (from /proc, so the kernel's share of a request is visible), each worker's
share, and wrk's own CPU. Rounds interleave the trees, so a machine that drifts shows in both.
Loopback only; about ``2 × rounds × (seconds + 8)`` s.

    .venv/bin/python -m bench.policy.closed_ab --a /tmp/before/src --b src --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
from pathlib import Path

from bench.policy import http
from bench.policy.world import machine


def one_run(template: Path, src: Path, args: argparse.Namespace,
            script: Path) -> dict[str, object]:
    """One server from ``src`` on a fresh copy of the ``template`` home, measured."""
    home = template.with_name("run")
    shutil.rmtree(home, ignore_errors=True)
    shutil.copytree(template, home)
    server = http.Server(home, args.port, args.workers, 0, args.records, src)
    try:
        http.run_wrk(args.port, script, 3, args.connections)  # warm-up: specialised sets, caches
        before = http.process_times(server.process.pid)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = os.getloadavg()[0]
        result = http.parse_wrk(http.run_wrk(args.port, script, args.seconds, args.connections))
        after = http.process_times(server.process.pid)
        ended = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        server.stop()
    answered = result["requests"] or 1
    spent = {pid: (u - before.get(pid, (0.0, 0.0))[0], s - before.get(pid, (0.0, 0.0))[1])
             for pid, (u, s) in after.items()}
    busy = sorted((u + s for u, s in spent.values() if u + s > 0.05), reverse=True)
    return {"src": str(src), "load_average_1m": round(load, 2),
            "answered_per_s": result["requests_per_second"],
            "p50_ms": result.get("p50_ms"), "p90_ms": result.get("p90_ms"),
            "p99_ms": result.get("p99_ms"), "errors": result["non_2xx"],
            "server_user_us": round(sum(u for u, _ in spent.values()) * 1e6 / answered, 1),
            "server_system_us": round(sum(s for _, s in spent.values()) * 1e6 / answered, 1),
            "worker_cpu_shares": [round(b / sum(busy), 2) for b in busy],
            "wrk_cpu_us": round((ended.ru_utime + ended.ru_stime - children.ru_utime
                                 - children.ru_stime) * 1e6 / answered, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--a", type=Path, required=True, help="source tree A (its src/)")
    parser.add_argument("--b", type=Path, required=True, help="source tree B (its src/)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--records", choices=["durable", "batched"], default="batched")
    parser.add_argument("--port", type=int, default=18090)
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}), flush=True)
    with tempfile.TemporaryDirectory(prefix="daylight-bench-ab-") as scratch:
        home = Path(scratch) / "home"
        bodies = http.build_home(home, args.accounts)
        script = Path(scratch) / "decisions.lua"
        http.wrk_script(script, bodies, http.gateway_token(home))
        for round_number in range(1, args.rounds + 1):
            for label, src in (("a", args.a), ("b", args.b)):
                row = one_run(home, src.resolve(), args, script)
                print(json.dumps({"round": round_number, "tree": label, **row}), flush=True)
    print(json.dumps({"machine_at_end": machine()}), flush=True)


if __name__ == "__main__":
    main()
