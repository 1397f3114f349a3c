"""An open-loop HTTP load generator whose latencies are corrected for coordinated omission.

    .venv/bin/python -m bench.policy.openloop --port P --rate R --seconds S --connections C
        --requests FILE [--warmup-s 1]

wrk (Debian's 4.1.0) is a closed-loop generator: a connection sends its next request only when
the previous one is answered, so when the server stalls it stops sending, and the requests it
*would* have sent during the stall are never timed ("coordinated omission"). wrk2's ``-R`` fixes
this by timing each request from when it was *meant* to be sent; wrk2 is not packaged in Debian,
so this script does the same thing: arrivals are scheduled in advance at ``rate`` per second
(exponentially distributed gaps: a Poisson process, like independent gateway callers; wrk2 uses
even gaps), each is sent on a free keep-alive connection of ``connections`` (or waits for one,
in arrival order, if all are busy), and its latency is counted **from its scheduled time** to the
last byte of the answer. A stall of the server therefore shows in every request that arrived
during it, as a caller would see it.

Reported (JSON on stdout): latency percentiles corrected (from the scheduled time) and as a
closed-loop tool would count them (from the moment the request was written); the generator's own
lateness (``lag``: written − scheduled while a connection was free, which is this Python
process's timer and scheduling slop, included in the corrected figures); answers by status;
timeouts; and the generator's CPU time. The requests file holds one raw HTTP/1.1 request per
record, separated by a NUL byte (``write_requests``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import deque
from pathlib import Path
from typing import Any

SEPARATOR = b"\0"


def write_requests(path: Path, host: str, bodies: list[bytes], token: str) -> None:
    """Raw ``POST /v1/decisions`` requests, one per body, for ``--requests``."""
    head = ("POST /v1/decisions HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer {token}\r\nContent-Length: {length}\r\n\r\n")
    path.write_bytes(SEPARATOR.join(
        head.format(host=host, token=token, length=len(body)).encode() + body for body in bodies))


def percentiles(samples_ms: list[float]) -> dict[str, float | None]:
    """p50, p90, p99, p99.9 and max (ms) of ``samples_ms``, nearest rank."""
    ordered = sorted(samples_ms)

    def rank(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, max(0, int(q * len(ordered) + 0.5) - 1))], 3)

    return {"p50_ms": rank(0.50), "p90_ms": rank(0.90), "p99_ms": rank(0.99),
            "p99_9_ms": rank(0.999), "max_ms": round(ordered[-1], 3) if ordered else None}


class Connection(asyncio.Protocol):
    """One keep-alive connection with at most one request in flight."""

    def __init__(self, generator: Generator) -> None:
        self.generator = generator
        self.transport: Any = None
        self.buffer = b""
        self.current: tuple[float, float] | None = None  # (scheduled, written)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # uvloop's transports are not asyncio.Transport subclasses

    def send(self, scheduled: float, request: bytes) -> None:
        assert self.transport is not None
        self.current = (scheduled, time.perf_counter())
        self.transport.write(request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0 or self.current is None:
            return
        head = self.buffer[:end].decode("latin-1")
        length = 0
        for line in head.split("\r\n")[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if len(self.buffer) < end + 4 + length:
            return
        self.buffer = self.buffer[end + 4 + length:]
        status = int(head.split(" ", 2)[1])
        scheduled, written = self.current
        self.current = None
        self.generator.answered(self, status, scheduled, written, time.perf_counter())

    def connection_lost(self, exc: Exception | None) -> None:
        self.generator.lost(self)


class Generator:
    """Sends scheduled requests over a pool of connections; keeps what it measured."""

    def __init__(self, requests: list[bytes], warmup_until: float, end: float) -> None:
        self.requests = requests
        self.warmup_until = warmup_until
        self.end = end
        self.ok_total = 0  # 200 answers, warm-up included (the server recorded each)
        self.done_in_time = 0  # answers that arrived between the warm-up and the end
        self.free: deque[Connection] = deque()
        self.backlog: deque[float] = deque()  # scheduled times of requests waiting for a connection
        self.sent = 0
        self.corrected: list[float] = []
        self.uncorrected: list[float] = []
        self.lag: list[float] = []
        self.statuses: dict[int, int] = {}
        self.lost_connections = 0

    def arrive(self, scheduled: float) -> None:
        if self.free:
            connection = self.free.popleft()
            self._send(connection, scheduled)
        else:
            self.backlog.append(scheduled)

    def _send(self, connection: Connection, scheduled: float) -> None:
        connection.send(scheduled, self.requests[self.sent % len(self.requests)])
        self.sent += 1

    def answered(self, connection: Connection, status: int, scheduled: float, written: float,
                 done: float) -> None:
        self.ok_total += status == 200
        self.done_in_time += self.warmup_until <= done < self.end
        if scheduled >= self.warmup_until:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.corrected.append((done - scheduled) * 1000)
            self.uncorrected.append((done - written) * 1000)
        if self.backlog:
            self._send(connection, self.backlog.popleft())
        else:
            self.free.append(connection)

    def lost(self, connection: Connection) -> None:
        self.lost_connections += 1
        if connection in self.free:
            self.free.remove(connection)


async def run(port: int, rate: float, seconds: float, connections: int, requests: list[bytes],
              warmup_s: float, timeout_s: float, seed: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    start = time.perf_counter() + 0.2
    end = start + warmup_s + seconds
    generator = Generator(requests, start + warmup_s, end)
    for _ in range(connections):
        _, protocol = await loop.create_connection(lambda: Connection(generator), "127.0.0.1", port)
        generator.free.append(protocol)
    rng = random.Random(seed)
    cpu = time.process_time()
    scheduled = start
    while scheduled < end:
        now = time.perf_counter()
        if scheduled > now:
            await asyncio.sleep(scheduled - now)
        now = time.perf_counter()
        while scheduled <= now and scheduled < end:  # every arrival that is due, late or not
            if generator.free and scheduled >= generator.warmup_until:
                generator.lag.append((now - scheduled) * 1000)
            generator.arrive(scheduled)
            scheduled += rng.expovariate(rate)
    deadline = time.perf_counter() + timeout_s
    while (generator.backlog or len(generator.free) < connections - generator.lost_connections) \
            and time.perf_counter() < deadline:
        await asyncio.sleep(0.01)
    cpu = time.process_time() - cpu
    unanswered = len(generator.backlog) + (connections - generator.lost_connections
                                           - len(generator.free))
    measured = len(generator.corrected)
    ok = generator.statuses.get(200, 0)
    return {"offered_per_s": rate, "connections": connections, "seconds": seconds,
            "sent": generator.sent, "ok_total": generator.ok_total,
            "answered": measured, "answered_in_time_per_s": round(generator.done_in_time / seconds, 1),
            "statuses": {str(k): v for k, v in sorted(generator.statuses.items())},
            "errors": measured - ok + unanswered + generator.lost_connections,
            "unanswered_at_end": unanswered, "connections_lost": generator.lost_connections,
            **percentiles(generator.corrected),
            "uncorrected": percentiles(generator.uncorrected),
            "generator_lag": percentiles(generator.lag),
            "generator_cpu_s": round(cpu, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate", type=float, required=True, help="requests/s offered")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured time")
    parser.add_argument("--warmup-s", type=float, default=1.0, help="sent, not measured")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--requests", type=Path, required=True, help="see write_requests")
    parser.add_argument("--timeout-s", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    requests = args.requests.read_bytes().split(SEPARATOR)
    print(json.dumps(asyncio.run(run(args.port, args.rate, args.seconds, args.connections,
                                     requests, args.warmup_s, args.timeout_s, args.seed))))


if __name__ == "__main__":
    main()
