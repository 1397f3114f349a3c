"""An independent reader — tlog-scales (PyPI, Apache-2.0), which nobody here wrote — reads the
log from the service's HTTP routes (in process): the checkpoint, hash tiles and entry bundles,
full and partial, at several levels; it checks the signature, recomputes the root and checks
the proofs it builds itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from tlog_scales import signing, tiles
from tlog_scales.reader import TilesReader

from daylight.core.database import Database
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from tests.api.routes_world import Client, service, service_home


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
    entries = [b'{"n":%d}' % i for i in range(size)]
    log.append_canonical(entries[: size // 3])
    old_size = log.tree_size()
    log.append_canonical(entries[size // 3:])
    fetched = ServiceBackend(Client(service(service_home(tmp_path, database, log, ""))))
    reader = TilesReader(fetched)
    checkpoint = reader.get_checkpoint()
    checkpoint.verify(signing.Vkey.from_string(signer.verifier().vkey))
    assert (checkpoint.origin, checkpoint.size) == (signer.name, size)
    assert reader.calculate_root_hash() == checkpoint.root_hash
    for index in sorted({0, size // 2, size - 1}):
        entry = reader.get_entry(index)
        assert entry == entries[index]
        reader.get_inclusion_proof(index, size).check(tiles.leaf_hash(entry), checkpoint.root_hash)
    if old_size:
        old_root = log.checkpoint(old_size).root_hash
        reader.get_consistency_proof(old_size, size).check(old_root, checkpoint.root_hash)
    assert any(url.startswith("/tile/entries/") for url in fetched.fetched)
