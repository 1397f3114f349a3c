"""The transparency log: sequence entries durably, integrate them into the tree, sign checkpoints,
and answer entry and proof queries. The one orchestration place of the log.

An append happens in two transactions, as in Tessera:

1. *sequence*: the entries get consecutive indices and are committed (durable) together;
2. *integrate*: every sequenced entry not yet in the tree is hashed into the stored tiles and a new
   checkpoint is signed and committed.

``append`` MUST NOT return before both have committed. A crash between the two leaves sequenced
entries that the next integration (by any process) picks up; nothing acknowledged is ever lost.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

from daylight.core.canonical import is_canonical_json_object
from daylight.core.clock import Clock, utc_now, utc_text
from daylight.core.database import Database, Transaction
from daylight.core.errors import (
    ConfigError,
    ConflictError,
    DaylightError,
    EntryTooLargeError,
    InputError,
    NotFoundError,
    StorageError,
)
from daylight.log import merkle
from daylight.log.checkpoint import Checkpoint, sign_checkpoint
from daylight.log.entry import LogEntry, encode_entry
from daylight.log.note import Signer, Verifier, verifier_from_vkey
from daylight.log.store import LogMeta, LogStore, StoredCheckpoint
from daylight.log.tiles import MAX_ENTRY_BYTES
from daylight.log.tree import TileNodes, TileRows, integrate


@dataclass(frozen=True)
class AppendResult:
    """Where an append landed: ``count`` entries from ``first_index``, in a tree of ``tree_size``."""

    first_index: int
    count: int
    tree_size: int


def _proof_json(answer: InclusionAnswer | ConsistencyAnswer) -> dict[str, Any]:
    """Every field in order: sizes as numbers, hashes in base64."""
    shown: dict[str, Any] = {}
    for name in (f.name for f in fields(answer)):
        value = getattr(answer, name)
        if isinstance(value, bytes):
            value = base64.b64encode(value).decode()
        elif isinstance(value, tuple):
            value = [base64.b64encode(h).decode() for h in value]
        shown[name] = value
    return shown


@dataclass(frozen=True)
class InclusionAnswer:
    """An inclusion proof with the hashes it connects."""

    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    root_hash: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        """What ``daylight log prove inclusion`` prints (hashes in base64)."""
        return _proof_json(self)


@dataclass(frozen=True)
class ConsistencyAnswer:
    """A consistency proof with the roots it connects."""

    old_size: int
    new_size: int
    old_root: bytes
    new_root: bytes
    proof: tuple[bytes, ...]

    def to_json(self) -> dict[str, Any]:
        """What ``daylight log prove consistency`` prints (hashes in base64)."""
        return _proof_json(self)


class TransparencyLog:
    """An append-only RFC 6962 log stored in a Daylight database."""

    def __init__(self, database: Database, signer: Signer | None = None, *,
                 clock: Clock = utc_now, integrate_max_entries: int = 65536) -> None:
        self.database = database
        self._signer = signer
        self._clock = clock
        self._integrate_max = integrate_max_entries
        # The store of the transaction this thread has open, if any. Thread-local so that no
        # thread ever runs a query on another thread's cursor (the database lock guards only
        # the thread that opened the transaction).
        self._local = threading.local()
        self._nodes = TileNodes(self._load_tile)
        with self._open(write=False) as store:
            meta = store.meta()
        self.origin = meta.origin
        self.verifier: Verifier = verifier_from_vkey(meta.vkey)
        if signer is not None and signer.verifier().vkey != meta.vkey:
            raise ConfigError(
                "the signing key does not belong to this log",
                evidence={"log_vkey": meta.vkey, "key_vkey": signer.verifier().vkey},
            )

    @classmethod
    def create(cls, database: Database, signer: Signer, *, clock: Clock = utc_now,
               integrate_max_entries: int = 65536) -> TransparencyLog:
        """Create the log in ``database`` with origin ``signer.name`` and an empty checkpoint."""
        with database.transaction() as tx:
            store = LogStore(tx)
            store.lock()
            if store.has_log():
                raise ConflictError("this database already holds a log")
            store.create(signer.name, signer.verifier().vkey)
            checkpoint = Checkpoint(signer.name, 0, merkle.EMPTY_ROOT)
            signed = sign_checkpoint(checkpoint, signer)
            store.add_checkpoint(
                StoredCheckpoint(0, merkle.EMPTY_ROOT, signed.to_text(), utc_text(clock()))
            )
        return cls(database, signer, clock=clock, integrate_max_entries=integrate_max_entries)

    @contextmanager
    def _open(self, *, write: bool) -> Iterator[LogStore]:
        with self.database.transaction(write=write) as tx:
            store = LogStore(tx)
            if write:
                store.lock()
            self._local.store = store
            try:
                yield store
            finally:
                self._local.store = None

    def _load_tile(self, level: int, index: int) -> TileRows | None:
        store: LogStore | None = getattr(self._local, "store", None)
        if store is None:
            with self._open(write=False) as opened:
                return opened.tile(level, index)
        return store.tile(level, index)

    # -- writing ------------------------------------------------------------------------------

    def append(self, entries: Sequence[dict[str, Any]]) -> AppendResult:
        """Append JSON objects as canonical JSON entries; all or none."""
        encoded = [encode_entry(e, where=f"entry {i + 1}") for i, e in enumerate(entries)]
        return self.append_canonical(encoded)

    def append_entries(self, entries: Sequence[LogEntry]) -> AppendResult:
        """Append typed Daylight entries; all or none."""
        return self.append_canonical([e.encode() for e in entries])

    def append_canonical(self, entries: Sequence[bytes]) -> AppendResult:
        """Append entries that are already canonical JSON object bytes; all or none.

        Returns once they are durable and covered by a signed checkpoint. If they were sequenced
        but could not be integrated, the StorageError says so and carries their indices: they
        are durable, and the next integration covers them (do not append them again).
        """
        first_index = self.sequence(entries)
        try:
            checkpoint = self.integrate(known=(first_index, entries))
        except DaylightError as exc:
            raise StorageError(
                f"entries {first_index}..{first_index + len(entries) - 1} are durable but not yet "
                f"covered by a checkpoint ({exc}); the next append or `daylight log integrate` "
                "covers them: do not append them again",
                evidence={"first_index": first_index, "count": len(entries)},
            ) from exc
        tree_size = checkpoint.tree_size if checkpoint else self.tree_size()
        return AppendResult(first_index, len(entries), tree_size)

    def sequence(self, entries: Sequence[bytes]) -> int:
        """Give ``entries`` consecutive indices and commit them; return the first index."""
        with self.database.transaction() as tx:
            return self.sequence_in(tx, entries)

    def sequence_in(self, tx: Transaction, entries: Sequence[bytes]) -> int:
        """Sequence ``entries`` inside the caller's transaction, so that they become durable
        together with the caller's own writes (or not at all). Call ``integrate()`` after the
        commit to cover them with a checkpoint; until then they are durable but unproven.

        Every entry MUST be the canonical JSON (RFC 8785) of an object of at most 65,535 bytes:
        anything else is refused, since it would make the log unverifiable forever.
        """
        self._require_signer()
        for i, entry in enumerate(entries):
            if len(entry) > MAX_ENTRY_BYTES:
                raise EntryTooLargeError(
                    f"entry is {len(entry)} bytes, more than {MAX_ENTRY_BYTES}",
                    where=f"entry {i + 1}",
                )
            if not is_canonical_json_object(entry):
                raise InputError("entry is not the canonical JSON (RFC 8785) of an object",
                                 where=f"entry {i + 1}")
        store = LogStore(tx)
        store.lock()
        first_index = store.meta().sequenced_size
        if entries:
            store.add_entries(first_index, entries)
        return first_index

    def integrate(
        self, *, known: tuple[int, Sequence[bytes]] | None = None
    ) -> StoredCheckpoint | None:
        """Hash every sequenced entry not yet in the tree into it, signing a new checkpoint for
        each batch of at most ``integrate_max_entries``; return the last checkpoint, or None if
        there was nothing to integrate.

        ``known`` passes entries this process just sequenced, to save reading them back.
        """
        latest = None
        while (checkpoint := self._integrate_batch(known)) is not None:
            latest = checkpoint
        return latest

    def _integrate_batch(
        self, known: tuple[int, Sequence[bytes]] | None
    ) -> StoredCheckpoint | None:
        signer = self._require_signer()
        with self._open(write=True) as store:
            meta = store.meta()
            old_size = meta.integrated_size
            new_size = min(meta.sequenced_size, old_size + self._integrate_max)
            if new_size == old_size:
                return None
            entries: Sequence[bytes]
            if known is not None and known[0] <= old_size and new_size <= known[0] + len(known[1]):
                entries = known[1][old_size - known[0] : new_size - known[0]]
            else:
                entries = store.entries(old_size, new_size)
            leaf_hashes = [merkle.leaf_hash(e) for e in entries]
            try:
                changed = integrate(self._nodes, old_size, leaf_hashes)
                store.put_tiles(changed)
                root = merkle.root_hash(self._nodes, new_size)
                signed = sign_checkpoint(Checkpoint(self.origin, new_size, root), signer)
                stored = StoredCheckpoint(
                    new_size, root, signed.to_text(), utc_text(self._clock())
                )
                store.add_checkpoint(stored)
            except BaseException:
                self._nodes.forget()  # the cache may hold tiles this transaction never committed
                raise
        return stored

    @property
    def is_writable(self) -> bool:
        """True if the log was opened with its signing key."""
        return self._signer is not None

    def _require_signer(self) -> Signer:
        if self._signer is None:
            raise ConfigError("this log was opened without its signing key")
        return self._signer

    # -- reading ------------------------------------------------------------------------------

    def meta(self) -> LogMeta:
        with self._open(write=False) as store:
            return store.meta()

    def tree_size(self) -> int:
        """The size of the latest signed checkpoint."""
        return self.meta().integrated_size

    def checkpoint(self, tree_size: int | None = None) -> StoredCheckpoint:
        """The signed checkpoint at ``tree_size``, or the latest."""
        with self._open(write=False) as store:
            return store.checkpoint(tree_size)

    def checkpoints(self) -> list[StoredCheckpoint]:
        with self._open(write=False) as store:
            return store.checkpoints()

    def checkpoint_sizes(self) -> list[int]:
        """The tree size of every checkpoint the log has signed, ascending."""
        with self._open(write=False) as store:
            return store.checkpoint_sizes()

    def entry(self, index: int) -> bytes:
        """The entry at ``index``, if a signed checkpoint covers it."""
        with self._open(write=False) as store:
            meta = store.meta()
            if index < 0 or index >= meta.sequenced_size:  # and before SQL: may exceed a BIGINT
                raise NotFoundError(f"no entry at index {index}")
            if index >= meta.integrated_size:
                raise NotFoundError(
                    f"entry {index} is sequenced but not yet covered by a checkpoint: "
                    "run `daylight log integrate`"
                )
            return store.entry(index)

    def entries(self, start: int, end: int) -> list[bytes]:
        with self._open(write=False) as store:
            return store.entries(start, end)

    def tiles(self, level: int, start: int, end: int) -> list[TileRows]:
        """Stored tiles of ``level`` with index in [start, end), read in one transaction."""
        with self._open(write=False) as store:
            tiles = []
            for index in range(start, end):
                tile = store.tile(level, index)
                if tile is None:
                    raise NotFoundError(f"no stored tile {level}/{index}")
                tiles.append(tile)
            return tiles

    def inclusion_proof(self, leaf_index: int, tree_size: int | None = None) -> InclusionAnswer:
        """Prove the entry at ``leaf_index`` is in the tree of ``tree_size`` (default: latest)."""
        with self._open(write=False) as store:
            latest = store.meta().integrated_size
            size = latest if tree_size is None else tree_size
            if not 0 <= size <= latest:
                raise NotFoundError(f"tree size {size} is beyond the latest checkpoint ({latest})")
            if not 0 <= leaf_index < size:
                raise NotFoundError(f"leaf index {leaf_index} is not in a tree of size {size}")
            proof = merkle.inclusion_proof(self._nodes, leaf_index, size)
            return InclusionAnswer(
                leaf_index,
                size,
                self._nodes.node(0, leaf_index),
                merkle.root_hash(self._nodes, size),
                tuple(proof),
            )

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyAnswer:
        """Prove the tree of ``old_size`` is a prefix of the tree of ``new_size``."""
        with self._open(write=False) as store:
            latest = store.meta().integrated_size
            size = latest if new_size is None else new_size
            if not 0 <= size <= latest:
                raise NotFoundError(f"tree size {size} is beyond the latest checkpoint ({latest})")
            if old_size < 1 or (new_size is not None and old_size > new_size):
                raise InputError(  # no tree ever has this proof: the request is wrong
                    f"no consistency proof from size {old_size} to size {size} "
                    "(need 1 <= old <= new)", where="old_size")
            if old_size > size:  # the log may grow to it
                raise NotFoundError(f"tree size {old_size} is beyond the latest checkpoint "
                                    f"({latest})")
            proof = merkle.consistency_proof(self._nodes, old_size, size)
            return ConsistencyAnswer(
                old_size,
                size,
                merkle.root_hash(self._nodes, old_size),
                merkle.root_hash(self._nodes, size),
                tuple(proof),
            )
