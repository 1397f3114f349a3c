"""The servers tests start on loopback, one way each: a command (`daylight serve`, `daylight
witness serve`, uvicorn) as its own process, an ASGI app under uvicorn in a thread, and a report
directory served as `daylight report serve` serves it, or by a test's own handler, in a
thread."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from starlette.types import ASGIApp

from daylight.report.server import report_server, url_of

START_TIMEOUT_S = 60


def free_port() -> int:
    """A loopback port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(**variables: str) -> dict[str, str]:
    """This process's environment without its `DAYLIGHT_*` variables (a server reads only what
    the test gives it), plus ``variables``."""
    return {**{k: v for k, v in os.environ.items() if not k.startswith("DAYLIGHT_")}, **variables}


def daylight_command(home: Path, *args: str) -> list[str]:
    """The command line of `daylight --home HOME ARGS...` run by this Python."""
    return [sys.executable, "-m", "daylight.cli.main", "--home", str(home), *args]


@dataclass(frozen=True)
class Process:
    """A server running as its own process: the process, its base URL, its stderr's file."""

    process: subprocess.Popen[bytes]
    url: str
    stderr: Path

    def errors(self) -> str:
        """What the server wrote on stderr so far."""
        return self.stderr.read_text()


@contextmanager
def serving(command: list[str], port: int, stderr: Path, *, ready: str = "/v1/policy",
            cwd: Path | None = None, env: dict[str, str] | None = None) -> Iterator[Process]:
    """``command`` (listening on ``port``) started, with its stderr in the file ``stderr``,
    once it answers HTTP at ``ready`` (any status); stopped with SIGTERM on leaving, unless it
    has ended already (the caller checks its return code and stderr after the block)."""
    with stderr.open("wb") as errors:
        started = subprocess.Popen(command, cwd=cwd, env=env if env is not None else environment(),
                                   stdout=subprocess.DEVNULL, stderr=errors)
    server = Process(started, f"http://127.0.0.1:{port}", stderr)
    try:
        _wait_until_answering(server.url + ready, server)
        yield server
    finally:
        if started.poll() is None:
            started.terminate()
            started.wait(timeout=30)


def _wait_until_answering(url: str, server: Process) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError as answer:  # an answer all the same: the server is up
            answer.close()
            return
        except OSError:
            assert server.process.poll() is None, f"the server exited: {server.errors()}"
            assert time.monotonic() < deadline, \
                f"the server did not answer within {START_TIMEOUT_S} s: {server.errors()}"
            time.sleep(0.2)


@contextmanager
def uvicorn_thread(app: ASGIApp) -> Iterator[str]:
    """``app`` under uvicorn on a free loopback port in a thread of this process; its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=free_port(),
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


SHUTDOWN_POLL_S = 0.05
"""How often a thread's server looks whether it is to shut down (``serve_forever``'s 0.5 s
default made each test that starts one wait up to half a second on leaving)."""


@contextmanager
def report_thread(directory: Path) -> Iterator[str]:
    """The report in ``directory`` served as `daylight report serve` serves it, on a free port
    in a thread of this process; its address (ending in ``/``)."""
    server = report_server(directory, port=0)
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def handler_thread(directory: Path, handler: type[http.server.SimpleHTTPRequestHandler]
                   ) -> Iterator[str]:
    """``directory`` served by ``handler`` (a hostile host's, for `report fetch`) on a free
    loopback port in a thread of this process; its address (ending in ``/``)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(handler, directory=str(directory)))
    thread = threading.Thread(target=server.serve_forever, args=(SHUTDOWN_POLL_S,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
