"""Verify a tlog-tiles mirror as an outside auditor would.

This module reads only published formats (signed notes, checkpoints, tiles, entry bundles, RFC
6962 hashing and proofs); it never touches Daylight's database or services, so it sees only what
a third party could. Every check either passes or raises a ``VerificationError`` that names the
file and carries the evidence (the hashes that disagree, the checkpoints that conflict).

Checks, in order:

1. the checkpoint is signed by the expected key and names the expected origin; with witness
   keys, it carries valid cosignatures (tlog-cosignature/v1) by at least ``quorum`` of them;
2. every entry bundle decodes, holds canonical JSON objects (RFC 8785), and each entry's leaf hash
   is the hash at its position in the level-0 tiles;
3. every hash in a level-L tile (L >= 1) is the root of the corresponding full tile below it;
4. the tiles' tree has the checkpoint's root hash;
5. every older partial tile kept for readers of earlier checkpoints (``tile/L/N.p/W`` beside
   the tile the checkpoint uses) is a prefix of that tile: the same first W hashes, or entries;
6. with an earlier checkpoint the auditor kept: it is signed by the same key, it is not newer, and
   the mirror proves it consistent (RFC 9162 consistency proof built from the tiles and checked).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from daylight.core.canonical import is_canonical_json_object
from daylight.core.errors import (
    InconsistencyError,
    InputError,
    ProofError,
    VerificationError,
)
from daylight.log import merkle
from daylight.log.checkpoint import Checkpoint, open_checkpoint
from daylight.log.note import Verifier, b64encode_canonical, verify_cosignatures, verify_quorum
from daylight.log.proof import verify_consistency
from daylight.log.tiles import (
    ENTRIES_LEVEL,
    TILE_HEIGHT,
    TILE_WIDTH,
    TileId,
    decode_entry_bundle,
    level_size,
    parse_tile_path,
    split_hash_tile,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class MirrorReport:
    """What a successful verification established."""

    origin: str
    tree_size: int
    root_hash: bytes
    entries_checked: int
    consistent_with: int | None
    cosigned_by: tuple[str, ...] = ()
    other_signers: tuple[str, ...] = ()  # names on the checkpoint's lines not by the log's key


class MirrorReader:
    """Reads tiles of one tree size from a tlog-tiles directory, with a small cache."""

    def __init__(self, directory: Path, tree_size: int) -> None:
        self.directory = directory
        self.tree_size = tree_size
        self._cache: dict[tuple[int, int], list[bytes]] = {}

    def tile_id(self, level: int, index: int) -> TileId:
        count = level_size(self.tree_size, level) if level != ENTRIES_LEVEL else self.tree_size
        full, partial = divmod(count, TILE_WIDTH)
        if index < full:
            return TileId(level, index)
        if index == full and partial:
            return TileId(level, index, partial)
        raise VerificationError(f"tile {level}/{index} is beyond a tree of size {self.tree_size}")

    def read(self, tile: TileId) -> bytes:
        path = self.directory / tile.path
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise VerificationError(f"missing {tile.path}", where=str(self.directory)) from exc
        except OSError as exc:
            raise VerificationError(f"cannot read {tile.path}: {exc}") from exc

    def decoded(self, tile: TileId, decode: Callable[..., list[bytes]], what: str) -> list[bytes]:
        """The tile's items (``what``: hashes or entries); VerificationError if the tile does not
        decode or does not hold exactly its width of them."""
        try:
            items = decode(self.read(tile), where=tile.path)
        except InputError as exc:
            raise VerificationError(exc.message, where=tile.path) from exc
        if len(items) != tile.width:
            raise VerificationError(f"{tile.path} holds {len(items)} {what}, expected {tile.width}",
                                    where=tile.path)
        return items

    def hashes(self, level: int, index: int) -> list[bytes]:
        key = (level, index)
        if key not in self._cache:
            hashes = self.decoded(self.tile_id(level, index), split_hash_tile, "hashes")
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = hashes
        return self._cache[key]

    def entries(self, index: int) -> list[bytes]:
        return self.decoded(self.tile_id(ENTRIES_LEVEL, index), decode_entry_bundle, "entries")

    def node(self, level: int, index: int) -> bytes:
        """A merkle ``NodeSource``: perfect-subtree hashes from the tiles (hashing inside a tile)."""
        tile_level, k = divmod(level, TILE_HEIGHT)
        tile_index, position = divmod(index, TILE_WIDTH >> k)
        hashes = self.hashes(tile_level, tile_index)
        span = hashes[position << k : (position + 1) << k]
        if len(span) != 1 << k:
            raise VerificationError(f"tiles lack the node at level {level}, index {index}")
        return merkle.root_from_leaf_hashes(span)


def _check_level(reader: MirrorReader, level: int, expected: list[bytes]) -> list[bytes]:
    """Compare the tiles of ``level`` with the hashes the level below implies; return the roots
    of this level's full tiles (the level above's expected hashes)."""
    roots = []
    count = level_size(reader.tree_size, level)
    for index in range((count + TILE_WIDTH - 1) // TILE_WIDTH):
        hashes = reader.hashes(level, index)
        for offset, got in enumerate(hashes):
            position = index * TILE_WIDTH + offset
            want = expected[position]
            if got != want:
                tile = reader.tile_id(level, index)
                what = (
                    f"entry {position}" if level == 0
                    else f"tile {level - 1}/{position} below it"
                )
                raise ProofError(
                    f"{tile.path} hash {offset} does not match {what}",
                    where=tile.path,
                    evidence={"tile_hash": b64encode_canonical(got),
                              "expected_hash": b64encode_canonical(want), "position": position},
                )
        if len(hashes) == TILE_WIDTH:
            roots.append(merkle.root_from_leaf_hashes(hashes))
    return roots


def verify_mirror(
    directory: Path,
    verifier: Verifier,
    *,
    since: str | None = None,
    progress: Progress | None = None,
    witnesses: Sequence[Verifier] = (),
    quorum: int | None = None,
) -> MirrorReport:
    """Verify every entry and tile of the mirror in ``directory`` against its signed checkpoint,
    its cosignatures by ``quorum`` of ``witnesses`` (all of them if ``quorum`` is None), and its
    consistency with ``since`` (the text of an earlier signed checkpoint)."""
    needed = len(witnesses) if quorum is None else quorum
    if witnesses or quorum is not None:
        verify_quorum(needed, len(witnesses))
    checkpoint_path = directory / "checkpoint"
    try:
        text = checkpoint_path.read_bytes()
    except OSError as exc:
        raise VerificationError(f"cannot read the checkpoint: {exc}", where=str(checkpoint_path)) from exc
    try:
        signed = open_checkpoint(text, verifier)
        checkpoint = signed.checkpoint
        cosigned_by: tuple[str, ...] = ()
        if witnesses or quorum is not None:
            cosigned_by = tuple(verify_cosignatures(signed.note, witnesses, needed))
    except InputError as exc:
        raise VerificationError(f"checkpoint: {exc.message}", where=str(checkpoint_path)) from exc
    except VerificationError as exc:  # a bad or missing signature: the same error, with the file
        raise type(exc)(exc.message, where=str(checkpoint_path), evidence=exc.evidence) from exc
    reader = MirrorReader(directory, checkpoint.tree_size)

    # Level 0: entries against tiles, one bundle at a time.
    bundles = (checkpoint.tree_size + TILE_WIDTH - 1) // TILE_WIDTH
    upper: list[bytes] = []
    for index in range(bundles):
        entries = reader.entries(index)
        leaf_hashes = []
        for offset, entry in enumerate(entries):
            if not is_canonical_json_object(entry):
                position = index * TILE_WIDTH + offset
                raise VerificationError(
                    f"entry {position} is not a canonical JSON object",
                    where=reader.tile_id(ENTRIES_LEVEL, index).path,
                    evidence={"entry": entry[:200].decode("utf-8", "replace")},
                )
            leaf_hashes.append(merkle.leaf_hash(entry))
        hashes = reader.hashes(0, index)
        for offset, (got, want) in enumerate(zip(hashes, leaf_hashes, strict=True)):
            if got != want:
                position = index * TILE_WIDTH + offset
                raise ProofError(
                    f"entry {position} does not hash to its leaf in "
                    f"{reader.tile_id(0, index).path}",
                    where=reader.tile_id(ENTRIES_LEVEL, index).path,
                    evidence={"tile_hash": b64encode_canonical(got),
                              "entry_leaf_hash": b64encode_canonical(want)},
                )
        if len(hashes) == TILE_WIDTH:
            upper.append(merkle.root_from_leaf_hashes(hashes))
        if progress:
            progress(index + 1, bundles)

    # Levels 1 and up: each tile hash is the root of a full tile below.
    level = 1
    while level_size(checkpoint.tree_size, level) > 0:
        upper = _check_level(reader, level, upper)
        level += 1

    root = merkle.root_hash(reader, checkpoint.tree_size)
    if root != checkpoint.root_hash:
        raise ProofError(
            "the tiles do not have the checkpoint's root hash",
            where=str(checkpoint_path),
            evidence={"checkpoint_root": b64encode_canonical(checkpoint.root_hash),
                      "tiles_root": b64encode_canonical(root)},
        )

    _check_older_partials(reader)

    consistent_with = None
    if since is not None:
        consistent_with = _verify_since(reader, checkpoint, text.decode(), since, verifier)
    others = tuple(dict.fromkeys(s.name for s in signed.note.signatures
                                 if s.key_hash != verifier.key_hash))
    return MirrorReport(
        checkpoint.origin, checkpoint.tree_size, root, checkpoint.tree_size, consistent_with,
        cosigned_by, others,
    )


def _check_older_partials(reader: MirrorReader) -> None:
    """Check every partial tile and entry bundle in the mirror that the checkpoint does not
    use: a reader of an earlier checkpoint fetches it, so it must be a prefix of the tile at
    the same level and index that this checkpoint proves (tlog-tiles keeps them until the full
    tile exists). One that no earlier tree could have (as wide as the current tile or wider,
    or beyond this tree) is an error too."""
    root = reader.directory / "tile"
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(reader.directory).as_posix()
        if ".p/" not in relative or not path.is_file():
            continue
        try:
            older = parse_tile_path(relative)
        except InputError as exc:
            raise VerificationError(exc.message, where=relative) from exc
        try:
            current = reader.tile_id(older.level, older.index)
        except VerificationError as exc:
            raise VerificationError(f"{relative} is a partial tile beyond the checkpoint's tree",
                                    where=relative) from exc
        if current == older:
            continue  # the tile the checkpoint uses, checked above
        if older.width >= current.width:
            raise VerificationError(
                f"{relative} is wider than the tile {current.path} of the checkpoint's tree: "
                "no earlier tree had it", where=relative)
        if older.level == ENTRIES_LEVEL:
            want, got = reader.entries(older.index)[:older.width], _older_entries(reader, older)
        else:
            want, got = reader.hashes(older.level, older.index)[:older.width], _older_hashes(
                reader, older)
        for offset, (held, proven) in enumerate(zip(got, want, strict=True)):
            if held != proven:
                kind = "entry" if older.level == ENTRIES_LEVEL else "hash"
                raise ProofError(
                    f"{relative} {kind} {offset} differs from {current.path}, which the "
                    "checkpoint proves: readers of an earlier checkpoint are shown another log",
                    where=relative,
                    evidence={"older_partial": b64encode_canonical(held),
                              "checkpoint_tile": b64encode_canonical(proven),
                              "position": older.index * TILE_WIDTH + offset})


def _older_hashes(reader: MirrorReader, tile: TileId) -> list[bytes]:
    return reader.decoded(tile, split_hash_tile, "hashes")


def _older_entries(reader: MirrorReader, tile: TileId) -> list[bytes]:
    return reader.decoded(tile, decode_entry_bundle, "entries")


def _verify_since(
    reader: MirrorReader, checkpoint: Checkpoint, text: str, since: str, verifier: Verifier
) -> int:
    try:
        old = open_checkpoint(since, verifier).checkpoint
    except (InputError, VerificationError) as exc:
        raise VerificationError(f"the earlier checkpoint you kept: {exc.message}",
                                where="--since", evidence=exc.evidence) from exc
    evidence = {"earlier_checkpoint": since, "mirror_checkpoint": text}
    if old.tree_size > checkpoint.tree_size:
        raise InconsistencyError(
            f"the mirror's checkpoint (size {checkpoint.tree_size}) is older than the one you "
            f"kept (size {old.tree_size}): the log was rolled back or the mirror is stale",
            evidence=evidence,
        )
    if old.tree_size == 0:
        if old.root_hash != merkle.EMPTY_ROOT:
            raise InconsistencyError("earlier checkpoint of size 0 has a non-empty root",
                                     evidence=evidence)
        return 0
    old_root = merkle.root_hash(reader, old.tree_size)
    if old_root != old.root_hash:
        raise InconsistencyError(
            f"the log signed two different trees of size {old.tree_size}: a split view",
            evidence={**evidence, "mirror_root_at_that_size": b64encode_canonical(old_root)},
        )
    if old.tree_size < checkpoint.tree_size:
        proof = merkle.consistency_proof(reader, old.tree_size, checkpoint.tree_size)
        try:
            verify_consistency(
                old.tree_size, checkpoint.tree_size, old.root_hash, checkpoint.root_hash, proof
            )
        except ProofError as exc:
            raise InconsistencyError(
                f"no valid consistency proof from size {old.tree_size}: {exc.message}",
                evidence={**evidence, **exc.evidence},
            ) from exc
    return old.tree_size
