"""How the log keeps its Merkle tree: stored tiles holding every complete node.

A stored tile at level L and index N has a bottom row of up to 256 hashes of tree level 8L (the
tlog-tiles tile) and, above it, the rows of tree levels 8L+1 ... 8L+7 that those hashes complete.
Keeping all eight rows costs twice the bottom row and lets any proof read each node it needs
directly: a proof at 10^7 entries touches a handful of tiles and hashes only along the right edge.
Tiles on the right edge grow as entries are integrated; once full they never change.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from daylight.core.errors import StorageError
from daylight.log.merkle import HASH_SIZE, node_hash
from daylight.log.tiles import TILE_HEIGHT, TILE_WIDTH, level_size


@dataclass
class TileRows:
    """One stored tile: ``rows[k]`` holds the hashes of tree level 8·level + k."""

    level: int
    index: int
    rows: list[list[bytes]] = field(default_factory=lambda: [[] for _ in range(TILE_HEIGHT)])

    @property
    def width(self) -> int:
        return len(self.rows[0])

    @property
    def is_full(self) -> bool:
        return self.width == TILE_WIDTH

    def extend(self, hashes: Iterable[bytes]) -> None:
        """Add bottom-row hashes and every upper-row node they complete."""
        self.rows[0].extend(hashes)
        if self.width > TILE_WIDTH:
            raise ValueError("tile overflow")
        for k in range(1, TILE_HEIGHT):
            below, row = self.rows[k - 1], self.rows[k]
            for j in range(len(row), len(below) // 2):
                row.append(node_hash(below[2 * j], below[2 * j + 1]))

    def root(self) -> bytes:
        """The hash of the whole (full) tile: a node of tree level 8·(level + 1)."""
        top = self.rows[TILE_HEIGHT - 1]
        return node_hash(top[0], top[1])

    def to_blob(self) -> bytes:
        return b"".join(b"".join(row) for row in self.rows)

    def bottom_blob(self) -> bytes:
        """The tlog-tiles tile: the bottom row only."""
        return b"".join(self.rows[0])

    @classmethod
    def from_blob(cls, level: int, index: int, width: int, blob: bytes) -> TileRows:
        tile = cls(level, index)
        offset = 0
        for k in range(TILE_HEIGHT):
            count = width >> k
            end = offset + count * HASH_SIZE
            if end > len(blob):
                raise StorageError(
                    f"stored tile {level}/{index} is truncated", where=f"log_tile {level}/{index}"
                )
            tile.rows[k] = [blob[i : i + HASH_SIZE] for i in range(offset, end, HASH_SIZE)]
            offset = end
        if offset != len(blob):
            raise StorageError(
                f"stored tile {level}/{index} has {len(blob) - offset} stray bytes",
                where=f"log_tile {level}/{index}",
            )
        return tile

    def node(self, k: int, position: int) -> bytes | None:
        row = self.rows[k]
        return row[position] if position < len(row) else None


TileLoader = Callable[[int, int], "TileRows | None"]


class TileNodes:
    """A merkle ``NodeSource`` over stored tiles, with an LRU cache of tiles.

    Complete nodes never change, so a cached tile can only lack nodes, never hold wrong ones;
    a miss inside a cached partial tile reloads it.
    """

    def __init__(self, load: TileLoader, *, cache_tiles: int = 4096) -> None:
        self._load = load
        self._cache: OrderedDict[tuple[int, int], TileRows] = OrderedDict()
        self._cache_tiles = cache_tiles

    def remember(self, tile: TileRows) -> None:
        key = (tile.level, tile.index)
        self._cache[key] = tile
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_tiles:
            self._cache.popitem(last=False)

    def forget(self) -> None:
        """Drop every cached tile."""
        self._cache.clear()

    def tile(self, level: int, index: int, *, width: int | None = None) -> TileRows | None:
        """The tile at (level, index); with ``width``, reload a cached tile of another width
        (another process may have integrated since it was cached)."""
        key = (level, index)
        cached = self._cache.get(key)
        if cached is not None and (width is None or cached.width == width):
            self._cache.move_to_end(key)
            return cached
        loaded = self._load(level, index)
        if loaded is not None:
            self.remember(loaded)
        return loaded

    def node(self, level: int, index: int) -> bytes:
        tile_level, k = divmod(level, TILE_HEIGHT)
        tile_index, position = divmod(index, TILE_WIDTH >> k)
        tile = self.tile(tile_level, tile_index)
        found = tile.node(k, position) if tile is not None else None
        if found is None and tile is not None and not tile.is_full:
            self._cache.pop((tile_level, tile_index), None)
            tile = self.tile(tile_level, tile_index)
            found = tile.node(k, position) if tile is not None else None
        if found is None:
            raise StorageError(
                f"tree node at level {level}, index {index} is not stored",
                where=f"log_tile {tile_level}/{tile_index}",
            )
        return found


def integrate(
    nodes: TileNodes, old_size: int, leaf_hashes: Sequence[bytes]
) -> list[TileRows]:
    """Add ``leaf_hashes`` after the first ``old_size`` leaves; return every tile that changed.

    Reads only the right-edge tile of each level; new full tiles feed the level above.
    """
    changed: list[TileRows] = []
    new_nodes: Sequence[bytes] = leaf_hashes
    level = 0
    while new_nodes:
        start = level_size(old_size, level)
        index, offset = divmod(start, TILE_WIDTH)
        tile = nodes.tile(level, index, width=offset) if offset else None
        if tile is None:
            if offset:
                raise StorageError(
                    f"right-edge tile {level}/{index} is missing", where=f"log_tile {level}/{index}"
                )
            tile = TileRows(level, index)
        elif tile.width != offset:
            raise StorageError(
                f"right-edge tile {level}/{index} has width {tile.width}, expected {offset}",
                where=f"log_tile {level}/{index}",
            )
        else:
            tile = TileRows(level, index, [list(row) for row in tile.rows])
        completed: list[bytes] = []
        position = 0
        while position < len(new_nodes):
            take = TILE_WIDTH - tile.width
            tile.extend(new_nodes[position : position + take])
            position += take
            changed.append(tile)
            if tile.is_full:
                completed.append(tile.root())
                if position < len(new_nodes):
                    tile = TileRows(level, tile.index + 1)
        new_nodes = completed
        level += 1
    for tile in changed:
        nodes.remember(tile)
    return changed
