"""An independent verifier that nobody here wrote — tlog-scales (PyPI, Apache-2.0) — reads our
export: it checks the checkpoint signature, recomputes the root from the tiles, and checks
inclusion and consistency proofs it builds itself from our tiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from tlog_scales import backend, signing, tiles
from tlog_scales.reader import TilesReader

from daylight.log.export import export_mirror
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog


@pytest.mark.parametrize("size", [1, 255, 256, 257, 1000, 65537])
def test_tlog_scales_accepts_our_mirror(
    size: int, log: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    entries = [b'{"n":%d}' % i for i in range(size)]
    log.append_canonical(entries[: size // 3])
    old_size = log.tree_size()
    log.append_canonical(entries[size // 3 :])
    mirror = tmp_path / "mirror"
    export_mirror(log, mirror)

    reader = TilesReader(backend.make_backend(str(mirror)))
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


def test_tlog_scales_refuses_a_signature_by_another_key(
    log: TransparencyLog, tmp_path: Path
) -> None:
    log.append_canonical([b'{"n":1}'])
    export_mirror(log, tmp_path / "mirror")
    checkpoint = TilesReader(backend.make_backend(str(tmp_path / "mirror"))).get_checkpoint()
    impostor = Signer.generate(log.origin).verifier().vkey
    with pytest.raises(Exception, match="no signature matched vkey"):
        checkpoint.verify(signing.Vkey.from_string(impostor))
