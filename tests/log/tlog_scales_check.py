"""The reading an independent verifier (tlog-scales, which nobody here wrote) makes of our log,
from a mirror on disk or over HTTP alike."""

from __future__ import annotations

from tlog_scales import signing, tiles
from tlog_scales.reader import TilesReader

from daylight.log.note import Signer
from daylight.log.service import TransparencyLog


def grow_in_two_steps(log: TransparencyLog, size: int) -> tuple[list[bytes], int]:
    """``size`` entries appended in two steps: the entries and the size after the first step."""
    entries = [b'{"n":%d}' % i for i in range(size)]
    log.append_canonical(entries[: size // 3])
    old_size = log.tree_size()
    log.append_canonical(entries[size // 3 :])
    return entries, old_size


def check_read_back(reader: TilesReader, log: TransparencyLog, signer: Signer,
                    entries: list[bytes], old_size: int) -> None:
    """The checkpoint verifies under the log's key, the root matches the tiles, first, middle and
    last entries are the ones appended with their inclusion proofs, and the log is consistent
    with its size after the first step."""
    size = len(entries)
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
