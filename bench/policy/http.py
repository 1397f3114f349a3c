"""The HTTP decision endpoint under load: `daylight serve` (uvicorn) on loopback, driven by wrk
(Debian's `wrk`, a C load generator) for a bounded time, with a request mix cycling through
SYNTHETIC accounts, operations and contexts.

    .venv/bin/python -m bench.policy.http [--workers 1 2] [--connections 16 64] [--seconds 15]
        [--records durable batched] [--rate 0 3000]

The server and wrk share the machine's cores (wrk gets one thread). The mix has 2,000 distinct
requests; runs with the decision cache (the default) answer repeats from it, runs with
``--decision-cache-entries 0`` send every request through Cedar. After each run the server is
stopped and the decisions it recorded are counted, to check that every answered request was
decided and recorded.
"""

from __future__ import annotations

import argparse
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


def run(home: Path, script: Path, workers: int, connections: int, seconds: int,
        port: int, cache_entries: int, records: str = "durable",
        rate: float | None = None) -> dict[str, Any]:
    wrk_script(script, _BODIES, _TOKEN[0], rate, connections)
    before = recorded(home)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    server = subprocess.Popen([*DAYLIGHT, "--home", str(home), "serve", "--port", str(port),
                               "--workers", str(workers), "--decision-cache-entries",
                               str(cache_entries), f"--{records}-decisions"],
                              start_new_session=True)
    try:
        wait_ready(port)
        load = machine()["load_average"]
        output = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
             "-s", str(script), f"http://127.0.0.1:{port}/"],
            check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        with_wrk = resource.getrusage(resource.RUSAGE_CHILDREN)
        os.killpg(server.pid, signal.SIGINT)  # uvicorn shuts down gracefully: records flushed
        server.wait(timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = parse_wrk(output)
    # CPU time, which other load on a shared machine does not inflate as it does wall clock:
    # the server's (its workers included, start-up and shut-down too) and wrk's
    result["server_cpu_s"] = round(after.ru_utime + after.ru_stime
                                   - with_wrk.ru_utime - with_wrk.ru_stime, 2)
    result["wrk_cpu_s"] = round(with_wrk.ru_utime + with_wrk.ru_stime
                                - children.ru_utime - children.ru_stime, 2)
    return {"workers": workers, "connections": connections, "seconds": seconds,
            "rate": rate or "closed loop",
            "decision_cache_entries": cache_entries, "decision_records": records,
            "load_average_at_start": load, **result,
            "decisions_recorded": recorded(home) - before}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--connections", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--cache-entries", type=int, nargs="+", default=[65_536, 0],
                        help="decision cache sizes to run with (0: every request through Cedar)")
    parser.add_argument("--records", nargs="+", choices=["durable", "batched"],
                        default=["durable", "batched"],
                        help="decision records committed before each answer (group commit), "
                             "or flushed every 0.25 s")
    parser.add_argument("--rate", type=float, nargs="+", default=[0],
                        help="requests/s offered over all connections, open loop (each "
                             "connection paced by wrk's delay()); 0: closed loop, as fast as "
                             "answered")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: `apt-get install wrk` (bench/policy/run installs it)")
    print(json.dumps({"machine_at_start": machine(), "load_generator": "wrk 4.1.0 (1 thread)"}))
    with tempfile.TemporaryDirectory(prefix="daylight-bench-http-") as scratch:
        home = Path(scratch) / "home"
        script = Path(scratch) / "decisions.lua"
        _BODIES[:] = build_home(home, args.accounts)
        _TOKEN[:] = [gateway_token(home)]
        for records in args.records:
            for cache_entries in args.cache_entries:
                for workers in args.workers:
                    for connections in args.connections:
                        for rate in args.rate:
                            print(json.dumps(run(home, script, workers, connections,
                                                 args.seconds, args.port, cache_entries,
                                                 records, rate or None)), flush=True)
    print(json.dumps({"machine_at_end": machine()}))


if __name__ == "__main__":
    main()
