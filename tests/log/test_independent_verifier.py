"""An independent verifier that nobody here wrote — tlog-scales (PyPI, Apache-2.0) — reads our
export: it checks the checkpoint signature, recomputes the root from the tiles, and checks
inclusion and consistency proofs it builds itself from our tiles."""

from __future__ import annotations

from pathlib import Path

import pytest
from tlog_scales import backend, signing
from tlog_scales.reader import TilesReader

from daylight.log.export import export_mirror
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from tests.log.tlog_scales_check import check_read_back, grow_in_two_steps


@pytest.mark.parametrize("size", [1, 255, 256, 257, 1000, 65537])
def test_tlog_scales_accepts_our_mirror(
    size: int, log: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    entries, old_size = grow_in_two_steps(log, size)
    mirror = tmp_path / "mirror"
    export_mirror(log, mirror)
    check_read_back(TilesReader(backend.make_backend(str(mirror))), log, signer, entries, old_size)


def test_tlog_scales_refuses_a_signature_by_another_key(
    log: TransparencyLog, tmp_path: Path
) -> None:
    log.append_canonical([b'{"n":1}'])
    export_mirror(log, tmp_path / "mirror")
    checkpoint = TilesReader(backend.make_backend(str(tmp_path / "mirror"))).get_checkpoint()
    impostor = Signer.generate(log.origin).verifier().vkey
    with pytest.raises(Exception, match="no signature matched vkey"):
        checkpoint.verify(signing.Vkey.from_string(impostor))
