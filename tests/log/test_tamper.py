"""Tamper detection: changes to stored rows or to an exported mirror are caught by verify, with
the evidence; a log that shows two histories is caught by an auditor who kept a checkpoint."""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from daylight.core.database import Database, migrate
from daylight.core.errors import (
    InconsistencyError,
    ProofError,
    SignatureError,
    StorageError,
    VerificationError,
)
from daylight.home import all_migrations
from daylight.log.export import export_mirror
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.log.verifier import verify_mirror

SIZE = 70000 // 100  # three level-0 tiles, one partial; a partial level-1 tile


def fill(log: TransparencyLog, start: int, count: int) -> None:
    log.append_canonical([b'{"n":%d}' % i for i in range(start, start + count)])


@pytest.fixture
def filled(log: TransparencyLog) -> TransparencyLog:
    fill(log, 0, SIZE)
    return log


def export_and_verify(log: TransparencyLog, signer: Signer, directory: Path) -> None:
    export_mirror(log, directory)
    verify_mirror(directory, signer.verifier())


def test_an_untouched_log_verifies(filled: TransparencyLog, signer: Signer, tmp_path: Path) -> None:
    export_and_verify(filled, signer, tmp_path / "mirror")


# -- stored rows ----------------------------------------------------------------------------


def _tamper(database: Database, sql: str, params: tuple[object, ...]) -> None:
    with database.transaction() as tx:
        tx.execute(sql, params)


def test_a_changed_entry_row_is_detected(
    database: Database, filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    _tamper(database, "UPDATE log_entry SET data = ? WHERE idx = ?", (b'{"n":9999}', 300))
    with pytest.raises(ProofError, match="entry 300 does not hash to its leaf") as raised:
        export_and_verify(TransparencyLog(database), signer, tmp_path / "mirror")
    assert set(raised.value.evidence) == {"tile_hash", "entry_leaf_hash"}


def test_a_changed_stored_leaf_hash_is_detected(
    database: Database, filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    with database.transaction() as tx:
        (blob,) = tx.query_one("SELECT nodes FROM log_tile WHERE level = 0 AND idx = 1") or ()
        blob = bytes(blob)
        tx.execute("UPDATE log_tile SET nodes = ? WHERE level = 0 AND idx = 1",
                   (blob[:40] + bytes([blob[40] ^ 1]) + blob[41:],))
    with pytest.raises(ProofError, match="entry 257 does not hash to its leaf"):
        export_and_verify(TransparencyLog(database), signer, tmp_path / "mirror")


def test_a_changed_upper_tile_is_detected(
    database: Database, filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    with database.transaction() as tx:
        (blob,) = tx.query_one("SELECT nodes FROM log_tile WHERE level = 1 AND idx = 0") or ()
        blob = bytes(blob)
        tx.execute("UPDATE log_tile SET nodes = ? WHERE level = 1 AND idx = 0",
                   (bytes([blob[0] ^ 0x80]) + blob[1:],))
    with pytest.raises(ProofError, match=r"tile/1/000\.p/2 hash 0 does not match tile 0/0"):
        export_and_verify(TransparencyLog(database), signer, tmp_path / "mirror")


def test_a_changed_checkpoint_row_is_detected(
    database: Database, filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    note = filled.checkpoint().note
    forged = note.replace(f"\n{SIZE}\n", f"\n{SIZE - 1}\n")
    _tamper(database, "UPDATE log_checkpoint SET note = ? WHERE tree_size = ?", (forged, SIZE))
    with pytest.raises(SignatureError, match="invalid signature"):
        export_and_verify(TransparencyLog(database), signer, tmp_path / "mirror")


def test_a_deleted_entry_row_stops_the_export(
    database: Database, filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    _tamper(database, "DELETE FROM log_entry WHERE idx = ?", (5,))
    with pytest.raises(StorageError, match="not all stored"):
        export_and_verify(TransparencyLog(database), signer, tmp_path / "mirror")


# -- exported files -------------------------------------------------------------------------


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


MIRROR_TAMPERS: dict[str, tuple[Callable[[Path], None], type[VerificationError], str]] = {
    "flipped leaf hash": (lambda m: flip_byte(m / "tile/0/001", 64),
                          ProofError, "entry 258 does not hash"),
    "flipped entry byte": (lambda m: flip_byte(m / "tile/entries/000", 3),
                           VerificationError, "entry 0"),
    "truncated tile": (lambda m: (m / "tile/0/001").write_bytes((m / "tile/0/001").read_bytes()[:-32]),
                       VerificationError, "holds 255 hashes, expected 256"),
    "missing partial tile": (lambda m: (m / "tile/0/002.p/188").unlink(),
                             VerificationError, r"missing tile/0/002\.p/188"),
    "flipped upper tile": (lambda m: flip_byte(m / "tile/1/000.p/2", 0),
                           ProofError, "does not match tile 0/0"),
    "swapped entries": (lambda m: (m / "tile/entries/000").write_bytes(
        b"".join(reversed([(m / "tile/entries/000").read_bytes()[i:i + 2 + 7]
                           for i in range(0, 10 * 9, 9)])) + (m / "tile/entries/000").read_bytes()[90:]),
        ProofError, "entry 0 does not hash"),
    "checkpoint size changed": (lambda m: (m / "checkpoint").write_text(
        (m / "checkpoint").read_text().replace(f"\n{SIZE}\n", f"\n{SIZE + 1}\n")),
        SignatureError, "invalid signature"),
    "checkpoint signature flipped": (lambda m: (m / "checkpoint").write_text(
        (m / "checkpoint").read_text()[:-10] + ("A" if (m / "checkpoint").read_text()[-10] != "A" else "B")
        + (m / "checkpoint").read_text()[-9:]),
        VerificationError, "signature"),
    "checkpoint by another key": (lambda m: (m / "checkpoint").write_text(
        Signer.generate("test.daylight.invalid/log").sign("x\n").to_line()),
        VerificationError, "checkpoint"),
}


@pytest.mark.parametrize("name", sorted(MIRROR_TAMPERS))
def test_a_tampered_mirror_is_refused(
    name: str, filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    export_and_verify(filled, signer, mirror)
    tamper, error, message = MIRROR_TAMPERS[name]
    tamper(mirror)
    with pytest.raises(error, match=message):
        verify_mirror(mirror, signer.verifier())


# -- split views and rollbacks --------------------------------------------------------------


def test_a_split_view_is_caught_by_an_auditor_who_kept_a_checkpoint(
    filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    """The same key signs two different histories; each verifies alone, not against the other."""
    fork_db = Database(f"sqlite:///{tmp_path / 'fork.db'}")
    migrate(fork_db, all_migrations())
    fork = TransparencyLog.create(fork_db, signer)
    fill(fork, 0, SIZE - 1)
    fork.append_canonical([b'{"n":"a different last entry"}'])
    kept_from_fork = fork.checkpoint().note
    fill(filled, SIZE, 10)
    mirror = tmp_path / "mirror"
    export_and_verify(filled, signer, mirror)
    with pytest.raises(InconsistencyError, match="two different trees of size") as raised:
        verify_mirror(mirror, signer.verifier(), since=kept_from_fork)
    assert raised.value.evidence["earlier_checkpoint"] == kept_from_fork
    fork_db.close()


def test_a_rolled_back_mirror_is_caught(
    filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    old_mirror = tmp_path / "old"
    export_and_verify(filled, signer, old_mirror)
    fill(filled, SIZE, 5)
    newer = filled.checkpoint().note
    with pytest.raises(InconsistencyError, match="rolled back or the mirror is stale"):
        verify_mirror(old_mirror, signer.verifier(), since=newer)
    fresh = tmp_path / "fresh"
    shutil.copytree(old_mirror, fresh)
    export_mirror(filled, fresh)
    assert verify_mirror(fresh, signer.verifier(), since=newer).consistent_with == SIZE + 5


def test_export_keeps_the_partial_tiles_of_earlier_checkpoints(
    log: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    """tlog-tiles: a reader holding the checkpoint of size 300 can still read its tree from a
    mirror exported at size 400."""
    from tlog_scales import backend
    from tlog_scales.reader import TilesReader

    fill(log, 0, 300)
    old = log.checkpoint()
    fill(log, 300, 100)
    mirror = tmp_path / "mirror"
    export_and_verify(log, signer, mirror)
    assert (mirror / "tile/0/001.p/44").stat().st_size == 44 * 32
    assert (mirror / "tile/entries/001.p/44").is_file()
    assert (mirror / "tile/0/001.p/144").is_file()
    reader = TilesReader(backend.make_backend(str(mirror)))
    reader.set_size(300)
    assert reader.calculate_root_hash() == old.root_hash
    fill(log, 400, 112)  # tile 0/001 is now full: its partials are no longer needed
    export_mirror(log, mirror)
    assert (mirror / "tile/0/001").stat().st_size == 256 * 32


def test_re_export_repairs_a_damaged_full_tile_and_bundle(
    filled: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    export_and_verify(filled, signer, mirror)
    flip_byte(mirror / "tile/0/001", 7)
    flip_byte(mirror / "tile/entries/000", 5)
    with pytest.raises(VerificationError):
        verify_mirror(mirror, signer.verifier())
    export_and_verify(filled, signer, mirror)


# -- older partial tiles (the outside probe: flipping bits in tile/1/000.p/3 passed) ---------


@pytest.fixture
def grown_mirror(log: TransparencyLog, tmp_path: Path) -> tuple[Path, str]:
    """A mirror exported at sizes 3 x 256 + 3, then 5 x 256 + 10: it keeps the older partial tiles
    ``tile/1/000.p/3``, ``tile/0/003.p/3`` is superseded by a full tile, and so on. Returns the
    mirror and the checkpoint text of the earlier export (what a reader of it kept)."""
    directory = tmp_path / "mirror"
    fill(log, 0, 3 * 256 + 3)
    export_mirror(log, directory)
    earlier = (directory / "checkpoint").read_text()
    fill(log, 3 * 256 + 3, 2 * 256 + 7)
    export_mirror(log, directory)
    return directory, earlier


def test_the_older_partial_tiles_of_a_grown_mirror_verify(
        grown_mirror: tuple[Path, str], signer: Signer) -> None:
    directory, earlier = grown_mirror
    assert (directory / "tile/1/000.p/3").is_file() and (directory / "tile/1/000.p/5").is_file()
    verify_mirror(directory, signer.verifier(), since=earlier)


@pytest.mark.parametrize("since", [False, True])
@pytest.mark.parametrize(("path", "offset", "kind"), [
    ("tile/1/000.p/3", 40, "hash 1"),
    ("tile/0/003.p/3", 0, "hash 0"),
    ("tile/entries/003.p/3", 3, "entry 0"),
])
def test_a_flipped_bit_in_an_older_partial_tile_is_detected(
        grown_mirror: tuple[Path, str], signer: Signer, path: str, offset: int, kind: str,
        since: bool) -> None:
    directory, earlier = grown_mirror
    tile = directory / path
    if not tile.is_file():
        pytest.fail(f"the export no longer keeps {path}: the test needs another older tile")
    data = bytearray(tile.read_bytes())
    data[offset] ^= 0x01
    tile.write_bytes(bytes(data))
    with pytest.raises(ProofError, match=f"{kind} differs from") as raised:
        verify_mirror(directory, signer.verifier(), since=earlier if since else None)
    assert raised.value.where == path
    assert set(raised.value.evidence) == {"older_partial", "checkpoint_tile", "position"}


def test_a_partial_tile_no_earlier_tree_had_is_refused(
        grown_mirror: tuple[Path, str], signer: Signer) -> None:
    directory, _ = grown_mirror
    (directory / "tile/1/000.p/7").write_bytes(b"\0" * 32 * 7)
    with pytest.raises(VerificationError, match="wider than the tile") as raised:
        verify_mirror(directory, signer.verifier())
    assert raised.value.where == "tile/1/000.p/7"


def test_a_bad_signature_names_the_checkpoint_file(
        filled: TransparencyLog, signer: Signer, tmp_path: Path) -> None:
    directory = tmp_path / "mirror"
    export_mirror(filled, directory)
    # Flip a bit of the signature itself, not of its base64 text: a flipped character may no
    # longer be base64, which is a malformed note rather than a bad signature.
    body, _, line = (directory / "checkpoint").read_text().rstrip("\n").rpartition("\n")
    dash, name, encoded = line.split(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 0x01
    tampered = f"{dash} {name} {base64.b64encode(bytes(raw)).decode()}"
    (directory / "checkpoint").write_text(f"{body}\n{tampered}\n")
    with pytest.raises(SignatureError) as raised:
        verify_mirror(directory, signer.verifier())
    assert raised.value.where == str(directory / "checkpoint")
    with pytest.raises(SignatureError) as raised:
        verify_mirror(directory, Signer.generate("other.example/log").verifier())
    assert raised.value.where == str(directory / "checkpoint")
