"""The log as its readers fetch it over HTTP: the latest checkpoint (with its cosignatures),
C2SP tlog-tiles hash tiles and entry bundles, and ``c2sp.org/tlog-proof@v1`` receipts.

The same bytes ``log export`` writes as static files (``daylight.log.export``), served from the
database: a tile is served only if the tree of the latest checkpoint holds all of its hashes, so
what a path names never changes once it is served (full tiles are immutable; a partial tile of
width W is the same W hashes for ever). The receipt format is the report's
(``daylight.report.proofs``), which is why this flow sits above the log.
"""

from __future__ import annotations

from dataclasses import dataclass

from daylight.core.errors import InputError, NotFoundError
from daylight.log.cosignatures import cosigned_note
from daylight.log.service import TransparencyLog
from daylight.log.tiles import ENTRIES_LEVEL, TILE_WIDTH, encode_entry_bundle, level_size, parse_tile_path
from daylight.log.tlog_proof import TlogProof


@dataclass(frozen=True)
class MirrorFile:
    """A file of the log's tlog-tiles mirror: its bytes and whether it is a full tile."""

    data: bytes
    full: bool


def checkpoint_text(log: TransparencyLog) -> str:
    """The latest signed checkpoint with every cosignature collected for it."""
    return cosigned_note(log, log.checkpoint())


def read_tile(log: TransparencyLog, path: str) -> MirrorFile:
    """The hash tile or entry bundle at ``path`` (``tile/0/x001/234``, ``tile/entries/000.p/7``);
    InputError if it is not a tlog-tiles path, NotFoundError if the latest tree does not hold it."""
    tile = parse_tile_path(path)
    size = log.tree_size()
    level = 0 if tile.level == ENTRIES_LEVEL else tile.level
    start = tile.index * TILE_WIDTH
    if start + tile.width > level_size(size, level):
        raise NotFoundError(f"`{path}` is beyond the latest checkpoint (tree size {size})")
    if tile.level == ENTRIES_LEVEL:
        return MirrorFile(encode_entry_bundle(log.entries(start, start + tile.width)),
                          not tile.is_partial)
    (rows,) = log.tiles(tile.level, tile.index, tile.index + 1)
    hashes = rows.rows[0][: tile.width]
    return MirrorFile(b"".join(hashes), not tile.is_partial)


def tlog_proof(log: TransparencyLog, index: int, tree_size: int | None = None) -> str:
    """A ``c2sp.org/tlog-proof@v1`` text for the entry at ``index``: the entry as extra data,
    its inclusion proof, and the checkpoint (of ``tree_size``, default the latest) it is proven
    against — checkable offline with the log's key (``daylight verify`` reads the same format)."""
    if index < 0:
        raise InputError(f"`{index}` is not a leaf index", where="index")
    checkpoint = log.checkpoint(tree_size) if tree_size is not None else log.checkpoint()
    if index >= checkpoint.tree_size:
        raise NotFoundError(f"entry {index} is not in the tree of size {checkpoint.tree_size}")
    proof = log.inclusion_proof(index, checkpoint.tree_size)
    return TlogProof(index, proof.proof, cosigned_note(log, checkpoint), log.entry(index)).to_text()
