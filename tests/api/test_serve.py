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

import pytest

from tests.cli.conftest import Cli


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(url: str, body: dict[str, object], token: str | None = None) -> tuple[int, dict[str, object]]:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers)
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
    gateway = cli("token", "create", "--role", "gateway").stdout.splitlines()[-1]
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
        status, refused = _post(url + "/v1/decisions",
                                {"account_id": "SYNTHETIC-nobody", "operation": "face.search"})
        assert (status, refused["error"]["code"]) == (401, "unauthenticated")  # type: ignore[index]
        status, decision = _post(url + "/v1/decisions",
                                 {"account_id": "SYNTHETIC-nobody", "operation": "face.search"},
                                 gateway)
        assert (status, decision["allowed"], decision["policy_version"]) == (200, False, 1)
        assert decision["reasons"][0]["policy"] == "daylight:unknown-account"
        status, error = _post(url + "/v1/decisions", {"account_id": "x", "operation": "nope"},
                              gateway)
        assert status == 404 and "nope" in json.dumps(error)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert server.returncode == 0, stderr.read_text()  # SIGTERM is a graceful stop, not 143
    assert not (tmp_path / ".daylight").exists()


MALFORMED = [
    b"GARBAGE\r\n\r\n",
    b"POST /v1/decisions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
    b"GET /v1/policy HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
    b"GET /v1/policy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40,  # a TLS hello
]


def _raw(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        connection.sendall(payload)
        answer = b""
        while chunk := connection.recv(4096):
            answer += chunk
    return answer


def _wait_for(port: int, server: subprocess.Popen[bytes], stderr: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/policy", timeout=2):
                return
        except OSError:
            assert server.poll() is None, stderr.read_text()
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            time.sleep(0.2)


@pytest.mark.parametrize("protocol", ["serve", "daylight.api.protocol:H11JsonErrors"])
def test_malformed_http_is_answered_in_the_json_error_shape(tmp_path: Path, protocol: str) -> None:
    home = tmp_path / "home"
    Cli(home, None)("init", "--origin", "serve.daylight.invalid/log")
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DAYLIGHT_")}
    if protocol == "serve":
        command = [sys.executable, "-m", "daylight.cli.main", "--home", str(home), "serve",
                   "--port", str(port)]
    else:  # the pure-Python protocol, for deployments that run uvicorn without httptools
        environment["DAYLIGHT_HOME"] = str(home)
        command = [sys.executable, "-m", "uvicorn", "--factory", "--http", protocol,
                   "--port", str(port), "--log-level", "warning", "daylight.api.app:app_from_environment"]
    stderr = tmp_path / "serve.stderr"
    with stderr.open("wb") as errors:
        server = subprocess.Popen(command, cwd=tmp_path, env=environment,
                                  stdout=subprocess.DEVNULL, stderr=errors)
    try:
        _wait_for(port, server, stderr)
        for payload in MALFORMED:
            answer = _raw(port, payload)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 400 "), (payload, answer)
            assert b"content-type: application/json" in head.lower()
            assert b"x-content-type-options: nosniff" in head.lower()
            assert json.loads(body)["error"]["code"] == "malformed_http"
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in stderr.read_text(), stderr.read_text()
    if protocol == "serve":
        assert server.returncode == 0, stderr.read_text()
