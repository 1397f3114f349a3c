"""`daylight serve` as a user runs it: a real process, uvicorn workers, a socket on loopback."""

from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.servers import daylight_command, environment, free_port, serving


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
    port = free_port()
    command = daylight_command(home, "--batch-interval-ms", "5", "serve", "--port", str(port),
                       "--workers", "2")
    with serving(command, port, tmp_path / "serve.stderr", cwd=tmp_path) as server:
        with urllib.request.urlopen(server.url + "/v1/policy", timeout=5) as response:
            in_force = json.loads(response.read())["in_force"]
        assert in_force["version"] == 1  # the workers read the home given by --home, not ./.daylight
        status, refused = _post(server.url + "/v1/decisions",
                                {"account_id": "SYNTHETIC-nobody", "operation": "face.search"})
        assert (status, refused["error"]["code"]) == (401, "unauthenticated")  # type: ignore[index]
        status, decision = _post(server.url + "/v1/decisions",
                                 {"account_id": "SYNTHETIC-nobody", "operation": "face.search"},
                                 gateway)
        assert (status, decision["allowed"], decision["policy_version"]) == (200, False, 1)
        assert decision["reasons"][0]["policy"] == "daylight:unknown-account"
        status, error = _post(server.url + "/v1/decisions", {"account_id": "x", "operation": "nope"},
                              gateway)
        assert status == 404 and "nope" in json.dumps(error)
    assert server.process.returncode == 0, server.errors()  # SIGTERM is a graceful stop, not 143
    assert not (tmp_path / ".daylight").exists()
    # it said where it serves, once, before any request
    assert server.errors().splitlines()[0] == (
        f"serving the API at http://127.0.0.1:{port} (2 workers; the routes at /openapi.json; "
        "Ctrl-C stops)")


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


@pytest.mark.parametrize("protocol", ["serve", "daylight.api.protocol:H11JsonErrors"])
def test_malformed_http_is_answered_in_the_json_error_shape(tmp_path: Path, protocol: str) -> None:
    home = tmp_path / "home"
    Cli(home, None)("init", "--origin", "serve.daylight.invalid/log")
    port = free_port()
    if protocol == "serve":
        command, env = daylight_command(home, "serve", "--port", str(port)), environment()
    else:  # the pure-Python protocol, for deployments that run uvicorn without httptools
        command = [sys.executable, "-m", "uvicorn", "--factory", "--http", protocol,
                   "--port", str(port), "--log-level", "warning", "daylight.api.app:app_from_environment"]
        env = environment(DAYLIGHT_HOME=str(home))
    with serving(command, port, tmp_path / "serve.stderr", cwd=tmp_path, env=env) as server:
        for payload in MALFORMED:
            answer = _raw(port, payload)
            head, _, body = answer.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 400 "), (payload, answer)
            assert b"content-type: application/json" in head.lower()
            assert b"x-content-type-options: nosniff" in head.lower()
            assert json.loads(body)["error"]["code"] == "malformed_http"
    assert "Traceback" not in server.errors(), server.errors()
    if protocol == "serve":
        assert server.process.returncode == 0, server.errors()
