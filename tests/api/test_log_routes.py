"""An independent reader — tlog-scales (PyPI, Apache-2.0), which nobody here wrote — reads the
log from the service's HTTP routes (in process): the checkpoint, hash tiles and entry bundles,
full and partial, at several levels; it checks the signature, recomputes the root and checks
the proofs it builds itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from tlog_scales.reader import TilesReader

from daylight.core.database import Database
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from tests.api.routes_world import Client, service, service_home
from tests.log.tlog_scales_check import check_read_back, grow_in_two_steps


class ServiceBackend:
    """tlog-scales' backend seam: a path of the mirror, fetched from the service."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.fetched: list[str] = []

    def get(self, *path: str) -> bytes | None:
        url = "/" + "/".join(path)
        response = self.client.get(url)
        self.fetched.append(url)
        if response.status_code == 404:
            return None
        assert response.status_code == 200, (url, response.text)
        return response.content


@pytest.mark.parametrize("size", [1, 257, 1000])
def test_tlog_scales_reads_the_log_over_http(size: int, tmp_path: Path, database: Database,
                                             log: TransparencyLog, signer: Signer) -> None:
    entries, old_size = grow_in_two_steps(log, size)
    fetched = ServiceBackend(Client(service(service_home(tmp_path, database, log, ""))))
    check_read_back(TilesReader(fetched), log, signer, entries, old_size)
    assert any(url.startswith("/tile/entries/") for url in fetched.fetched)
