"""CPU per ``POST /v1/decisions`` in one serving worker, without the kernel: load-independent.

    .venv/bin/python -m bench.policy.request_cpu [--requests 5000] [--warmup 2000] [--profile FILE]
    valgrind --tool=callgrind --instr-atstart=no .venv/bin/python -m bench.policy.request_cpu \\
        --callgrind --requests 1000     # instructions per request (toggled around the requests)

One process, one event loop: the service's app as ``daylight serve`` builds it (no decision
cache, batched records) behind the project's uvicorn protocol (``HttpToolsJsonErrors``: httptools
parsing, uvicorn's request cycle, the head written with the body; the worker tuned as
``daylight serve`` tunes it; the once-a-second background round put off), fed the bench's SYNTHETIC
requests one after the other over a stand-in transport (bytes in, bytes out: no socket, so no
kernel time). Prints the CPU time (``time.process_time``) per request; ``--profile FILE`` adds
the top of a cProfile by own time (all of it in FILE); ``--callgrind`` switches callgrind's
instrumentation on for the measured requests only (``callgrind_control -i on``), so
``callgrind_annotate`` counts them alone (and the stand-in transport's own work, the same for
any code under test). Every answer is checked to be a 200 with a JSON body.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

from bench.policy.http import build_home, gateway_token
from daylight.api.app import create_app
from daylight.api.protocol import HttpToolsJsonErrors
from daylight.core.settings import build_settings
from daylight.home import Home


class Wire:
    """A stand-in for a TCP transport: keeps what the server writes; ``answered`` is set when an
    answer ends (its head and body arrived)."""

    def __init__(self) -> None:
        self.written = bytearray()
        self.answered = asyncio.Event()

    def write(self, data: bytes) -> None:
        self.written += data
        head, _, body = bytes(self.written).partition(b"\r\n\r\n")
        length = [line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")]
        if length and len(body) >= int(length[0].split(b":")[1]):
            self.answered.set()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 18600), "peername": ("127.0.0.1", 40000)}.get(name, default)

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        raise RuntimeError("the server closed the connection")

    def pause_reading(self) -> None: ...

    def resume_reading(self) -> None: ...


def raw_requests(bodies: list[bytes], token: str) -> list[bytes]:
    """The HTTP/1.1 bytes of each decision request, as a gateway sends them."""
    return [b"POST /v1/decisions HTTP/1.1\r\nhost: 127.0.0.1:18600\r\n"
            b"authorization: Bearer " + token.encode() + b"\r\n"
            b"content-type: application/json\r\ncontent-length: " + str(len(body)).encode() +
            b"\r\n\r\n" + body for body in bodies]


async def serve(home: Path, requests: list[bytes], warmup: int, count: int,
                profile: str | None, callgrind: bool) -> dict[str, Any]:
    """Answer ``warmup`` then ``count`` requests on one connection; CPU per measured request."""
    os.environ["DAYLIGHT_HOME"] = str(home)
    # the background round (flush every 0.25 s, refresh every 1 s) is per second, not per
    # request: put off, so that a slow run (valgrind) does not charge it to the requests
    app = create_app(Home(build_settings({"home": str(home)}, os.environ)), cache_entries=0,
                     durable=False, flush_interval_s=3600, refresh_interval_s=3600,
                     tune_worker=True)
    config = Config(app=app, http=HttpToolsJsonErrors, log_level="warning", access_log=False)
    protocol = HttpToolsJsonErrors(config=config, server_state=ServerState(), app_state={})
    wire = Wire()
    protocol.connection_made(wire)  # type: ignore[arg-type]

    async def one(request: bytes) -> None:
        wire.written.clear()
        wire.answered.clear()
        protocol.data_received(request)
        await wire.answered.wait()
        if not wire.written.startswith(b"HTTP/1.1 200 "):
            raise RuntimeError(f"not a 200: {bytes(wire.written[:300])!r}")
        json.loads(bytes(wire.written).partition(b"\r\n\r\n")[2])

    async with app.api.router.lifespan_context(app.api):
        for i in range(warmup):
            await one(requests[i % len(requests)])
        profiler = cProfile.Profile() if profile else None
        if callgrind:
            subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], check=True,
                           capture_output=True)
        if profiler:
            profiler.enable()
        started = time.process_time()
        for i in range(count):
            await one(requests[(warmup + i) % len(requests)])
        cpu_s = time.process_time() - started
        if profiler:
            profiler.disable()
        if callgrind:
            subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], check=True,
                           capture_output=True)
    result: dict[str, Any] = {"requests": count, "warmup": warmup,
                              "cpu_us_per_request": round(cpu_s * 1e6 / count, 1),
                              "load_average": os.getloadavg()}
    if profiler:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(30)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=2000)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--profile", metavar="FILE", help="cProfile the requests into FILE")
    parser.add_argument("--callgrind", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        bodies = build_home(home, args.accounts)
        requests = raw_requests(bodies, gateway_token(home))
        result = asyncio.run(serve(home, requests, args.warmup, args.requests, args.profile,
                                   args.callgrind))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
