"""What the access guard costs a decision: `POST /v1/decisions` driven in process, as raw ASGI
calls (no sockets, no HTTP parsing), through the whole service (security headers, then the
guard), through the guard (a cached gateway token, its rate limit, the route table) and the
handler, and through the decision handler alone, on the same app and SYNTHETIC requests.

    .venv/bin/python -m bench.access [--requests 20000] [--rounds 5]

Records are batched (flushed by nobody during the run) so that the database is out of the
measurement: the difference between the two figures is the guard's per-request cost. The
decision cache is on, as `daylight serve` runs by default.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.policy.http import build_home, gateway_token
from bench.policy.world import machine
from daylight.api.app import create_app
from daylight.api.guard import AccessGuard
from daylight.core.settings import build_settings
from daylight.home import Home

Asgi = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


async def drive(app: Asgi, bodies: list[bytes], headers: list[tuple[bytes, bytes]],
                count: int) -> tuple[float, dict[int, int]]:
    """CPU seconds for ``count`` requests, and the statuses answered."""
    statuses: dict[int, int] = {}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses[message["status"]] = statuses.get(message["status"], 0) + 1

    start = time.process_time()  # CPU time: other load on a shared machine inflates it less
    for n in range(count):
        body = bodies[n % len(bodies)]

        async def receive(body: bytes = body) -> dict[str, Any]:
            return {"type": "http.request", "body": body, "more_body": False}

        scope = {"type": "http", "method": "POST", "path": "/v1/decisions", "raw_path": b"/v1/decisions",
                 "query_string": b"", "headers": headers, "client": ("127.0.0.1", 40000),
                 "server": ("127.0.0.1", 8080), "scheme": "http", "http_version": "1.1",
                 "root_path": ""}
        await app(scope, receive, send)
    return time.process_time() - start, statuses


async def answer_ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An app that answers 200 and nothing else: the guard measured on its own."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b""})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--accounts", type=int, default=1000)
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}))
    with tempfile.TemporaryDirectory(prefix="daylight-bench-access-") as scratch:
        home_path = Path(scratch) / "home"
        bodies = build_home(home_path, args.accounts)
        token = gateway_token(home_path)
        home = Home(build_settings({"home": str(home_path)}, {}))
        app = create_app(home, durable=False)
        base = [(b"content-type", b"application/json")]
        guarded = [*base, (b"authorization", f"Bearer {token}".encode())]
        asyncio.run(drive(app, bodies, guarded, 2000))  # warm: Cedar, the decision cache, the token
        guard_alone = AccessGuard(answer_ok, app.route_of, app.gate.database, app.access)
        paths: dict[str, tuple[Asgi, list[tuple[bytes, bytes]]]] = {
            "whole_service": (app, guarded), "guard_and_handler": (app.guard, guarded),
            "handler_alone": (app._dispatch, base), "guard_alone": (guard_alone, guarded)}
        results: dict[str, list[float]] = {name: [] for name in paths}
        for _ in range(args.rounds):
            for name, (entry, headers) in paths.items():
                seconds, statuses = asyncio.run(drive(entry, bodies, headers, args.requests))
                assert set(statuses) == {200}, statuses
                results[name].append(seconds / args.requests * 1e6)
        best = {name: round(min(values), 2) for name, values in results.items()}
        print(json.dumps({"requests_per_round": args.requests, "rounds": args.rounds,
                          "best_us_per_request": best,
                          "guard_us_per_request": round(best["guard_and_handler"]
                                                        - best["handler_alone"], 2),
                          "all_us_per_request": {k: [round(v, 2) for v in vs]
                                                 for k, vs in results.items()}}))
        home.close()
    print(json.dumps({"machine_at_end": machine()}))


if __name__ == "__main__":
    main()
