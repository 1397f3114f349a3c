"""SQL persistence of the log: entries, stored tiles, checkpoints and the log's sizes.

Every method runs inside a transaction the caller holds, so that the service decides what
commits together. The schema is in ``migrations/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from daylight.core.database import Migration, Transaction, load_migrations
from daylight.core.errors import NotFoundError, StorageError
from daylight.log.tree import TileRows

LOG_LOCK = "daylight.log"


def log_migrations() -> list[Migration]:
    """The log's schema migrations."""
    return load_migrations("log", "daylight.log")


@dataclass(frozen=True)
class LogMeta:
    """The log's identity and how far it has got."""

    origin: str
    vkey: str
    sequenced_size: int
    integrated_size: int


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint as the log signed it."""

    tree_size: int
    root_hash: bytes
    note: str
    created_at: str


class LogStore:
    """Reads and writes the log's tables through the caller's transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def lock(self) -> None:
        """Serialise log writers until the transaction ends."""
        self.tx.lock(LOG_LOCK)

    def create(self, origin: str, vkey: str) -> None:
        self.tx.execute(
            "INSERT INTO log_meta (id, origin, vkey, sequenced_size, integrated_size) "
            "VALUES (1, ?, ?, 0, 0)",
            (origin, vkey),
        )

    def meta(self) -> LogMeta:
        row = self.tx.query_one(
            "SELECT origin, vkey, sequenced_size, integrated_size FROM log_meta WHERE id = 1"
        )
        if row is None:
            raise NotFoundError("no log in this database: run `daylight init` first")
        return LogMeta(str(row[0]), str(row[1]), int(row[2]), int(row[3]))

    def has_log(self) -> bool:
        return self.tx.query_one("SELECT 1 FROM log_meta WHERE id = 1") is not None

    def add_entries(self, first_index: int, entries: Sequence[bytes]) -> None:
        self.tx.insert_rows(
            "log_entry", ("idx", "data"), ((first_index + i, e) for i, e in enumerate(entries))
        )
        self.tx.execute(
            "UPDATE log_meta SET sequenced_size = ? WHERE id = 1",
            (first_index + len(entries),),
        )

    def entries(self, start: int, end: int) -> list[bytes]:
        rows = self.tx.query(
            "SELECT idx, data FROM log_entry WHERE idx >= ? AND idx < ? ORDER BY idx",
            (start, end),
        )
        if len(rows) != end - start or (rows and (rows[0][0] != start or rows[-1][0] != end - 1)):
            raise StorageError(
                f"entries {start}..{end - 1} are not all stored", where="log_entry"
            )
        return [bytes(r[1]) for r in rows]

    def entry(self, index: int) -> bytes:
        row = self.tx.query_one("SELECT data FROM log_entry WHERE idx = ?", (index,))
        if row is None:
            raise NotFoundError(f"no entry at index {index}")
        return bytes(row[0])

    def tile(self, level: int, index: int) -> TileRows | None:
        row = self.tx.query_one(
            "SELECT width, nodes FROM log_tile WHERE level = ? AND idx = ?", (level, index)
        )
        if row is None:
            return None
        return TileRows.from_blob(level, index, int(row[0]), bytes(row[1]))

    def put_tiles(self, tiles: Sequence[TileRows]) -> None:
        self.tx.executemany(
            "INSERT INTO log_tile (level, idx, width, nodes) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, nodes = excluded.nodes",
            [(t.level, t.index, t.width, t.to_blob()) for t in tiles],
        )

    def add_checkpoint(self, checkpoint: StoredCheckpoint) -> None:
        self.tx.execute(
            "INSERT INTO log_checkpoint (tree_size, root_hash, note, created_at) VALUES (?, ?, ?, ?)",
            (checkpoint.tree_size, checkpoint.root_hash, checkpoint.note, checkpoint.created_at),
        )
        self.tx.execute(
            "UPDATE log_meta SET integrated_size = ? WHERE id = 1", (checkpoint.tree_size,)
        )

    def checkpoint(self, tree_size: int | None = None) -> StoredCheckpoint:
        """The checkpoint at ``tree_size``, or the latest."""
        if tree_size is None:
            row = self.tx.query_one(
                "SELECT tree_size, root_hash, note, created_at FROM log_checkpoint "
                "ORDER BY tree_size DESC LIMIT 1"
            )
        else:
            row = self.tx.query_one(
                "SELECT tree_size, root_hash, note, created_at FROM log_checkpoint "
                "WHERE tree_size = ?",
                (tree_size,),
            )
        if row is None:
            raise NotFoundError(
                "no checkpoint" + ("" if tree_size is None else f" of size {tree_size}")
            )
        return StoredCheckpoint(int(row[0]), bytes(row[1]), str(row[2]), str(row[3]))

    def checkpoint_sizes(self) -> list[int]:
        return [int(r[0]) for r in
                self.tx.query("SELECT tree_size FROM log_checkpoint ORDER BY tree_size")]

    def checkpoints(self) -> list[StoredCheckpoint]:
        rows = self.tx.query(
            "SELECT tree_size, root_hash, note, created_at FROM log_checkpoint ORDER BY tree_size"
        )
        return [StoredCheckpoint(int(r[0]), bytes(r[1]), str(r[2]), str(r[3])) for r in rows]
