"""`daylight serve` as a user runs it: a real process, uvicorn workers, a socket on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.cli.conftest import Cli


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(url: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(),
                                     headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_two_workers_serve_decisions_from_the_home_given_on_the_command_line(
        tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    cli = Cli(home, None)
    cli("init", "--origin", "serve.daylight.invalid/log")
    cli("policy", "publish", "employee-demands")
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DAYLIGHT_")}
    stderr = tmp_path / "serve.stderr"
    with stderr.open("wb") as errors:
        server = subprocess.Popen(
            [sys.executable, "-m", "daylight.cli.main", "--home", str(home),
             "--batch-interval-ms", "5", "serve", "--port", str(port), "--workers", "2"],
            cwd=tmp_path, env=environment, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/v1/policy", timeout=2) as response:
                    in_force = json.loads(response.read())["in_force"]
                    break
            except OSError:
                assert server.poll() is None, stderr.read_text()
                assert time.monotonic() < deadline, "the server did not start within 60 s"
                time.sleep(0.2)
        assert in_force["version"] == 1  # the workers read the home given by --home, not ./.daylight
        status, decision = _post(url + "/v1/decisions",
                                 {"account_id": "SYNTHETIC-nobody", "operation": "face.search"})
        assert (status, decision["allowed"], decision["policy_version"]) == (200, False, 1)
        assert decision["reasons"][0]["policy"] == "daylight:unknown-account"
        status, error = _post(url + "/v1/decisions", {"account_id": "x", "operation": "nope"})
        assert status == 404 and "nope" in json.dumps(error)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (tmp_path / ".daylight").exists()
