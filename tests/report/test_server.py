"""A report directory served on 127.0.0.1, as `daylight report serve` and `daylight demo --serve`
do: every file with the report's content security policy (``REPORT_CSP``, the one the service
sends with a published report's files)."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from daylight.core.errors import NotFoundError
from daylight.report.server import REPORT_CSP, report_server
from tests.servers import daylight_command, free_port, report_thread, serving


def test_the_report_is_served_on_loopback(published: Path) -> None:
    with report_thread(published) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html") as response:
            assert b"SYNTHETIC" in response.read()
        with urllib.request.urlopen(url + "data/organizations.csv") as response:
            assert response.headers["Content-Type"].startswith("text/csv")


def test_report_serve_sends_the_reports_csp_with_every_file(published: Path, tmp_path: Path) -> None:
    proof = next((published / "proofs").iterdir()).name
    port = free_port()
    command = daylight_command(tmp_path / "home", "report", "serve", str(published),
                               "--port", str(port))
    with serving(command, port, tmp_path / "serve.stderr", ready="/index.html") as server:
        for name in ["index.html", "organizations.html", "data/organizations.csv",
                     f"proofs/{proof}", "log/checkpoint", "static/"]:
            with urllib.request.urlopen(f"{server.url}/{name}") as response:
                assert response.headers["Content-Security-Policy"] == REPORT_CSP, name
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"{server.url}/nowhere.html")
        with missing.value as answer:
            assert answer.code == 404
            assert answer.headers["Content-Security-Policy"] == REPORT_CSP


def test_a_directory_without_a_report_is_not_served(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        report_server(tmp_path, port=0)


def test_the_server_queues_the_connections_of_a_parallel_fetch(published: Path) -> None:
    """With socketserver's backlog of 5, `report fetch`'s 8 connections at a time lost SYNs, each
    retried a second later: the demo's report took 78.7 s to fetch instead of 2.2 s."""
    server = report_server(published, port=0)
    try:
        assert server.request_queue_size >= 8 * 2
    finally:
        server.server_close()
