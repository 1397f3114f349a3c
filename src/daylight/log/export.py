"""Export the log as a static C2SP tlog-tiles mirror: ``checkpoint``, hash tiles and entry bundles.

Files are written atomically (temporary file, then rename) and the checkpoint last, so a reader
of the directory never sees a checkpoint whose tiles are not yet there. Full tiles never change;
they are skipped when an earlier export already wrote them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from daylight.log.service import TransparencyLog
from daylight.log.store import StoredCheckpoint
from daylight.log.tiles import (
    TILE_WIDTH,
    TileId,
    encode_entry_bundle,
    entry_bundles_for_size,
    tiles_for_size,
)

Progress = Callable[[int, int], None]


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


def export_mirror(
    log: TransparencyLog, directory: Path, *, progress: Progress | None = None
) -> StoredCheckpoint:
    """Write the tiles, entry bundles and latest checkpoint of ``log`` under ``directory``."""
    checkpoint = log.checkpoint()
    size = checkpoint.tree_size
    hash_tiles = list(tiles_for_size(size))
    bundles = list(entry_bundles_for_size(size))
    total, done = len(hash_tiles) + len(bundles), 0

    def skip(tile: TileId, path: Path) -> bool:
        return not tile.is_partial and path.is_file() and path.stat().st_size > 0

    for tile in hash_tiles:
        path = directory / tile.path
        if not skip(tile, path):
            (stored,) = log.tiles(tile.level, tile.index, tile.index + 1)
            _write_atomically(path, b"".join(stored.rows[0][: tile.width]))
        done += 1
        if progress:
            progress(done, total)
    for bundle in bundles:
        path = directory / bundle.path
        if not skip(bundle, path):
            start = bundle.index * TILE_WIDTH
            _write_atomically(path, encode_entry_bundle(log.entries(start, start + bundle.width)))
        done += 1
        if progress:
            progress(done, total)
    _write_atomically(directory / "checkpoint", checkpoint.note.encode())
    return checkpoint
