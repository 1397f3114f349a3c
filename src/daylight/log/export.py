"""Export the log as a static C2SP tlog-tiles mirror: ``checkpoint``, hash tiles and entry bundles.

Besides the tiles of the latest checkpoint, the export keeps the partial tiles of every earlier
checkpoint whose full tile does not exist yet (tlog-tiles: logs MUST serve partial tiles for the
tree sizes they produced checkpoints for), so a reader holding an older checkpoint can still read
its tree. The checkpoint carries every cosignature collected for it (``log publish``). Files
are written atomically (temporary file, then rename) and the checkpoint last, so a reader never
sees a checkpoint whose tiles are not there. An existing full tile or bundle is kept only if it
matches the log; anything else in its place is rewritten.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from daylight.core.errors import InputError
from daylight.log import merkle
from daylight.log.cosignatures import cosigned_note
from daylight.log.service import TransparencyLog
from daylight.log.store import StoredCheckpoint
from daylight.log.tiles import (
    ENTRIES_LEVEL,
    TILE_WIDTH,
    TileId,
    decode_entry_bundle,
    encode_entry_bundle,
    entry_bundles_for_size,
    tiles_for_size,
)
from daylight.log.tree import TileRows

Progress = Callable[[int, int], None]


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _wanted(log: TransparencyLog, size: int) -> list[TileId]:
    """Every tile of the latest tree, plus the older partial tiles still needed by earlier
    checkpoints (those on the current right edge, narrower than it)."""
    wanted = [*tiles_for_size(size), *entry_bundles_for_size(size)]
    edge = {(t.level, t.index): t.width for t in wanted if t.is_partial}
    older: set[TileId] = set()
    for earlier in log.checkpoint_sizes():
        for tile in (*tiles_for_size(earlier), *entry_bundles_for_size(earlier)):
            width = edge.get((tile.level, tile.index))
            if tile.is_partial and width is not None and tile.width < width:
                older.add(tile)
    return wanted + sorted(older)


def _bundle_matches(data: bytes | None, hashes: list[bytes]) -> bool:
    if data is None:
        return False
    try:
        entries = decode_entry_bundle(data)
    except InputError:
        return False
    return [merkle.leaf_hash(e) for e in entries] == hashes


def export_mirror(
    log: TransparencyLog, directory: Path, *, progress: Progress | None = None
) -> StoredCheckpoint:
    """Write the tiles, entry bundles and latest checkpoint of ``log`` under ``directory``."""
    return MirrorExporter(log, directory).export(progress=progress)


_FileState = tuple[int, int, int]


def _state(path: Path) -> _FileState | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_ino, found.st_size, found.st_mtime_ns


class MirrorExporter:
    """Exports ``log`` to ``directory``, as often as asked (a report build exports before and
    after it publishes). A full tile or bundle never changes in an append-only log, so one that
    this exporter wrote, or read and found matching the log, is not read from the log and
    hashed again on a later export while its file is unchanged (same inode, size and
    modification time); every other file is checked or written as ``export_mirror`` does. The
    mirror is byte for byte what a fresh ``export_mirror`` writes."""

    def __init__(self, log: TransparencyLog, directory: Path) -> None:
        self.log = log
        self.directory = directory
        self._checked: dict[Path, _FileState] = {}

    def export(self, *, progress: Progress | None = None) -> StoredCheckpoint:
        """Write the tiles, entry bundles and latest checkpoint of the log."""
        log, directory = self.log, self.directory
        checkpoint = log.checkpoint()
        wanted = _wanted(log, checkpoint.tree_size)
        stored: dict[tuple[int, int], TileRows] = {}

        def level0_or_level(tile: TileId) -> TileRows:
            level = 0 if tile.level == ENTRIES_LEVEL else tile.level
            if (level, tile.index) not in stored:
                stored.clear()  # tiles are visited in order: keep the cache small
                (stored[(level, tile.index)],) = log.tiles(level, tile.index, tile.index + 1)
            return stored[(level, tile.index)]

        for done, tile in enumerate(wanted, start=1):
            path = directory / tile.path
            if tile.is_partial or not self._is_unchanged(path):
                self._export(tile, path, level0_or_level(tile).rows[0][: tile.width])
            if progress:
                progress(done, len(wanted))
        _write_atomically(directory / "checkpoint", cosigned_note(log, checkpoint).encode())
        return checkpoint

    def _is_unchanged(self, path: Path) -> bool:
        known = self._checked.get(path)
        return known is not None and known == _state(path)

    def _export(self, tile: TileId, path: Path, hashes: list[bytes]) -> None:
        existing = _read(path) if not tile.is_partial else None
        if tile.level != ENTRIES_LEVEL:
            data = b"".join(hashes)
            if existing != data:
                _write_atomically(path, data)
        elif not _bundle_matches(existing, hashes):
            start = tile.index * TILE_WIDTH
            _write_atomically(path, encode_entry_bundle(self.log.entries(start, start + tile.width)))
        if not tile.is_partial:
            state = _state(path)
            if state is not None:
                self._checked[path] = state
