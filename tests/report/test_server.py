"""A report directory served on 127.0.0.1, as `daylight report serve` and `daylight demo --serve`
do."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from daylight.core.errors import NotFoundError
from daylight.report.server import report_server
from tests.servers import report_thread


def test_the_report_is_served_on_loopback(published: Path) -> None:
    with report_thread(published) as url:
        assert url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(url + "index.html") as response:
            assert b"SYNTHETIC" in response.read()
        with urllib.request.urlopen(url + "data/organizations.csv") as response:
            assert response.headers["Content-Type"].startswith("text/csv")


def test_a_directory_without_a_report_is_not_served(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        report_server(tmp_path, port=0)
