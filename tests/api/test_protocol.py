"""`daylight serve`'s HTTP protocol writes each answer's head with its body, in one write: the
same bytes as before, in one segment, for single, pipelined and `Expect: 100-continue` requests
and for answers with no body."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.servers import daylight_command, free_port, serving


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[int, str]]:
    """A running `daylight serve` (one worker) and a gateway token for it."""
    home = tmp_path / "home"
    cli = Cli(home, None)
    cli("init", "--origin", "protocol.daylight.invalid/log")
    token = cli("token", "create", "--role", "gateway").stdout.splitlines()[-1]
    port = free_port()
    with serving(daylight_command(home, "serve", "--port", str(port)), port, tmp_path / "serve.stderr",
                 cwd=tmp_path) as server:
        yield port, token
    assert "Traceback" not in server.errors(), server.errors()


def _decision(token: str, extra: bytes = b"") -> bytes:
    body = json.dumps({"account_id": "SYNTHETIC-x", "operation": "face.search"}).encode()
    return (b"POST /v1/decisions HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + token.encode() + b"\r\n" + extra
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def _answers(data: bytes) -> list[tuple[bytes, bytes]]:
    """(head, body) of each answer in ``data``, by Content-Length."""
    found = []
    while data:
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        found.append((head, rest[:length]))
        data = rest[length:]
    return found


def test_an_answer_arrives_whole_in_one_segment(served: tuple[int, str]) -> None:
    port, token = served
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        for _ in range(3):  # on one kept-alive connection
            connection.sendall(_decision(token))
            first = connection.recv(65536)  # the first segment that arrives
            [(head, body)] = _answers(first)
            assert head.startswith(b"HTTP/1.1 200 ")
            assert b"x-content-type-options: nosniff" in head
            assert json.loads(body)["reasons"][0]["policy"] == "daylight:no-policy-version"


def test_pipelined_requests_get_every_answer_in_order(served: tuple[int, str]) -> None:
    port, token = served
    pipelined = (b"GET /v1/policy HTTP/1.1\r\nHost: t\r\n\r\n" + _decision(token)
                 + b"GET /nowhere HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(pipelined)
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    answers = _answers(data)
    assert [head.split(b"\r\n")[0] for head, _ in answers] == [
        b"HTTP/1.1 200 OK", b"HTTP/1.1 200 OK", b"HTTP/1.1 404 Not Found"]
    assert json.loads(answers[0][1]) == {"in_force": None}
    assert json.loads(answers[1][1])["allowed"] is False
    assert json.loads(answers[2][1])["error"]["code"] == "not_found"


def test_expect_100_continue_and_answers_without_a_body(served: tuple[int, str]) -> None:
    port, token = served
    request = _decision(token, b"Expect: 100-continue\r\n")
    head_of_request, _, body = request.partition(b"\r\n\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(head_of_request + b"\r\n\r\n")
        assert connection.recv(65536) == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(body)
        data = b""
        while not data.endswith(b"}"):
            data += connection.recv(65536)
        [(head, answer)] = _answers(data)
        assert head.startswith(b"HTTP/1.1 200 ") and json.loads(answer)["allowed"] is False
        # an answer with nothing after its head: the head still goes out (HEAD of a GET route)
        connection.sendall(b"HEAD /checkpoint HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 ") and data.endswith(b"\r\n\r\n")
