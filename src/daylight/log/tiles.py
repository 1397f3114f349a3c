"""The C2SP tlog-tiles layout: tile paths, which tiles a tree of a given size has, and the
entry bundle encoding.

A tile at level L holds up to 256 consecutive hashes of tree level 8L; a full tile is
``tile/<L>/<N>``, the right-edge partial tile of width W is ``tile/<L>/<N>.p/<W>``. Entry bundles
``tile/entries/<N>[.p/<W>]`` hold the same entries as level-0 tile N, each as a big-endian
uint16 length and the entry bytes. N is written in three-digit groups, all but the last
prefixed with ``x``: 1234067 is ``x001/x234/067``.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from daylight.core.errors import InputError

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
ENTRIES_LEVEL = -1
MAX_ENTRY_BYTES = 0xFFFF


@dataclass(frozen=True, order=True)
class TileId:
    """Level (``ENTRIES_LEVEL`` for entry bundles), index and width (256 when full)."""

    level: int
    index: int
    width: int = TILE_WIDTH

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    @property
    def path(self) -> str:
        level = "entries" if self.level == ENTRIES_LEVEL else str(self.level)
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{encode_index(self.index)}{suffix}"


def encode_index(index: int) -> str:
    """N as path elements: ``x001/x234/067``."""
    if index < 0:
        raise ValueError("tile index must not be negative")
    groups = []
    while True:
        groups.append(f"{index % 1000:03d}")
        index //= 1000
        if index == 0:
            break
    groups.reverse()
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


_PATH = re.compile(r"tile/(entries|0|[1-9][0-9]*)/((?:x[0-9]{3}/)*)([0-9]{3})(?:\.p/([1-9][0-9]*))?")


def parse_tile_path(path: str) -> TileId:
    """The tile a path names; InputError if it is not a tlog-tiles path."""
    match = _PATH.fullmatch(path)
    if not match:
        raise InputError(f"not a tlog-tiles path: `{path}`")
    level = ENTRIES_LEVEL if match[1] == "entries" else int(match[1])
    digits = "".join(g[1:] for g in match[2].split("/") if g) + match[3]
    width = int(match[4]) if match[4] else TILE_WIDTH
    if (match[4] and width >= TILE_WIDTH) or match[2].startswith("x000"):
        raise InputError(f"not a canonical tlog-tiles path: `{path}`")
    return TileId(level, int(digits), width)


def level_size(tree_size: int, level: int) -> int:
    """How many complete hashes of tree level 8·``level`` a tree of ``tree_size`` has."""
    return tree_size >> (TILE_HEIGHT * level)


def tiles_for_size(tree_size: int) -> Iterator[TileId]:
    """Every hash tile (full, then the right-edge partial) of a tree of ``tree_size`` leaves."""
    level = 0
    while (count := level_size(tree_size, level)) > 0:
        full, partial = divmod(count, TILE_WIDTH)
        for index in range(full):
            yield TileId(level, index)
        if partial:
            yield TileId(level, full, partial)
        level += 1


def entry_bundles_for_size(tree_size: int) -> Iterator[TileId]:
    """Every entry bundle of a tree of ``tree_size`` leaves."""
    full, partial = divmod(tree_size, TILE_WIDTH)
    for index in range(full):
        yield TileId(ENTRIES_LEVEL, index)
    if partial:
        yield TileId(ENTRIES_LEVEL, full, partial)


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries as uint16 big-endian length + bytes, concatenated."""
    parts = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_BYTES:
            raise InputError(f"entry of {len(entry)} bytes does not fit an entry bundle")
        parts.append(struct.pack(">H", len(entry)))
        parts.append(entry)
    return b"".join(parts)


def decode_entry_bundle(data: bytes, *, where: str | None = None) -> list[bytes]:
    """The entries of an entry bundle; InputError if it is truncated."""
    entries = []
    offset = 0
    while offset < len(data):
        if offset + 2 > len(data):
            raise InputError(f"entry bundle truncated at byte {offset}", where=where)
        (length,) = struct.unpack_from(">H", data, offset)
        offset += 2
        if offset + length > len(data):
            raise InputError(f"entry bundle truncated at byte {offset}", where=where)
        entries.append(data[offset : offset + length])
        offset += length
    return entries


def split_hash_tile(data: bytes, *, where: str | None = None) -> list[bytes]:
    """The 32-byte hashes of a hash tile."""
    if len(data) % 32:
        raise InputError(f"hash tile is {len(data)} bytes, not a multiple of 32", where=where)
    return [data[i : i + 32] for i in range(0, len(data), 32)]
