"""A report directory served on 127.0.0.1, as `daylight report serve` and `daylight demo --serve`
do."""

from __future__ import annotations

import threading
import urllib.request
from pathlib import Path

import pytest

from daylight.core.errors import NotFoundError
from daylight.report.server import report_server, url_of


def test_the_report_is_served_on_loopback(published: Path) -> None:
    server = report_server(published, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = url_of(server)
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html") as response:
            assert b"SYNTHETIC" in response.read()
        with urllib.request.urlopen(url + "data/organizations.csv") as response:
            assert response.headers["Content-Type"].startswith("text/csv")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_directory_without_a_report_is_not_served(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        report_server(tmp_path, port=0)
