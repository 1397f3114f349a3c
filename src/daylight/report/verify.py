"""Verify a published report directory as an outside auditor would, from its files alone.

This module reads only published formats (the tlog-tiles mirror, signed checkpoints, tlog-proof
files, the report's CSV, JSON, SQLite and HTML as ``daylight.report.formats`` defines them); it
never touches Daylight's database, services or the report builder. Checks:

1. ``log/``: the checkpoint is signed by the log's key (``--key``, or ``log.vkey`` beside the log),
   and by every witness given; every entry and tile of the mirror hashes to it; with ``--since``,
   the log is consistent with that earlier checkpoint; ``log.vkey`` is that key's line and one
   newline, byte for byte;
2. ``publication.json`` names a ``report.published`` entry of the mirror for the period, and no
   later one supersedes it; its checkpoint (the tree the rows are proven against) is the root of
   the mirror's tree at that size; its bytes are the ones the build writes for what the log says;
3. ``SHA256SUMS`` has the SHA-256 the entry logged; every file it lists has its SHA-256; no other
   file is in the directory (besides ``SHA256SUMS``, ``publication.json``, ``log.vkey``, and in
   ``log/`` the checkpoint and the tiles of its tree); the data files match the hashes the entry
   names directly; every JSON file is strict JSON (no key given twice);
4. every ``proofs/ROW_ID.tlog-proof``: its checkpoint is the logged one, signed by the log; its
   entry (the ``extra`` data) is a ``report.row`` entry of that row, included at its index;
5. every row of ``data/TABLE.json``, ``data/TABLE.csv``, ``report.db`` and every
   ``<tr data-row-id>`` of every HTML page says what its logged entry says, field by field, and
   no table lacks a proven row; so does every row of the table page's script, cell by cell
   (``daylight.report.row_checks``).

Problems are collected (file, row, field: what) and raised together as one VerificationError
whose evidence lists them, so that one changed byte is reported where it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from daylight.core.canonical import is_canonical_json_object, parse_json
from daylight.core.errors import DaylightError, InputError, VerificationError
from daylight.log import merkle
from daylight.log.checkpoint import Checkpoint, open_checkpoint
from daylight.log.note import (
    Verifier,
    b64decode_canonical,
    verifier_from_vkey,
    witness_verifiers,
)
from daylight.log.proof import verify_inclusion
from daylight.log.tiles import TILE_WIDTH, parse_tile_path
from daylight.log.tlog_proof import EXTENSION, HEADER, INDEX_LINE, TlogProof
from daylight.log.verifier import MirrorReader, verify_mirror
from daylight.report.formats import (
    DATA_DIR,
    LOG_DIR,
    PROOFS_DIR,
    PUBLICATION_FIELDS,
    PUBLICATION_FILE,
    PUBLISHED_ENTRY,
    ROW_ENTRY,
    SHA256SUMS,
    TABLES,
    TABLES_BY_NAME,
    UNLISTED,
    VKEY_FILE,
    Table,
    parse_sha256sums,
    publication_text,
    vkey_text,
)
from daylight.report.inclusion import ProvenTree
from daylight.report.row_checks import (
    Checker,
    ProvenRow,
    check_csv,
    check_json,
    check_pages,
    check_sqlite,
    check_table_script,
)

MAX_PROBLEMS_SHOWN = 50


@dataclass(frozen=True)
class ReportVerification:
    """What a successful verification established."""

    period: str
    origin: str
    tree_size: int
    proven_tree_size: int
    published_log_index: int
    key_source: str
    cosignatures_verified: int
    consistent_with: int | None
    rows: Mapping[str, int]
    files_checked: int
    pages_checked: int
    cosigned_by: tuple[str, ...] = ()
    cosignatures_not_checked: tuple[str, ...] = ()  # signers of log/checkpoint no key checked

    def to_json(self) -> dict[str, Any]:
        return {"verified": True, "period": self.period, "origin": self.origin,
                "tree_size": self.tree_size, "proven_tree_size": self.proven_tree_size,
                "published_log_index": self.published_log_index, "key_source": self.key_source,
                "cosignatures_verified": self.cosignatures_verified,
                "cosigned_by": list(self.cosigned_by),
                "cosignatures_not_checked": list(self.cosignatures_not_checked),
                "consistent_with": self.consistent_with, "rows": dict(self.rows),
                "files_checked": self.files_checked, "pages_checked": self.pages_checked}


def _entry_at(reader: MirrorReader, index: int) -> bytes:
    return reader.entries(index // TILE_WIDTH)[index % TILE_WIDTH]


def _parse_entry(data: bytes, where: str) -> dict[str, Any]:
    try:
        value = parse_json(data)
    except InputError as exc:
        raise VerificationError(f"entry is not JSON: {exc.message}", where=where) from exc
    if not isinstance(value, dict) or not isinstance(value.get("payload"), dict):
        raise VerificationError("entry is not a Daylight entry with a payload", where=where)
    return value


def _publication(checker: Checker, reader: MirrorReader
                 ) -> tuple[bytes, dict[str, Any], int, dict[str, Any]]:
    """``publication.json``'s bytes and JSON object, the index of the entry it points at, and
    that entry's payload."""
    text = checker.read(PUBLICATION_FILE)
    if text is None:
        raise VerificationError(f"no {PUBLICATION_FILE}: this is not a published report",
                                where=str(checker.directory))
    try:  # strict: of a key given twice, readers disagree on which counts
        pointer = parse_json(text, where=PUBLICATION_FILE)
    except InputError as exc:
        raise VerificationError(exc.message, where=PUBLICATION_FILE) from exc
    try:
        period, index = str(pointer["period"]), pointer["published_log_index"]
    except (KeyError, TypeError) as exc:
        raise VerificationError(f"expected `period` and `published_log_index`: {exc}",
                                where=PUBLICATION_FILE) from exc
    if type(index) is not int:  # not "45", 45.9 or true, which int() took
        raise VerificationError(f"published_log_index: expected an integer, not "
                                f"`{json.dumps(index)}`",
                                where=PUBLICATION_FILE)
    if not 0 <= index < reader.tree_size:
        raise VerificationError(f"published_log_index {index} is not in the log's tree of size "
                                f"{reader.tree_size}", where=PUBLICATION_FILE)
    entry = _parse_entry(_entry_at(reader, index), f"log entry {index}")
    payload = entry["payload"]
    if entry.get("type") != PUBLISHED_ENTRY or payload.get("period") != period:
        raise VerificationError(f"log entry {index} is not the `{PUBLISHED_ENTRY}` entry of "
                                f"period `{period}`", where=PUBLICATION_FILE,
                                evidence={"entry_type": str(entry.get("type")),
                                          "entry_period": str(payload.get("period"))})
    for later in range(index + 1, reader.tree_size):
        data = _entry_at(reader, later)
        if PUBLISHED_ENTRY.encode() not in data:
            continue
        other = _parse_entry(data, f"log entry {later}")
        if other.get("type") == PUBLISHED_ENTRY and other["payload"].get("period") == period:
            checker.fail(PUBLICATION_FILE, f"log entry {later} publishes period `{period}` again "
                                           f"after entry {index}: this report is superseded")
            break
    return text, pointer, index, payload


def _check_pointer(checker: Checker, text: bytes, pointer: Mapping[str, Any], origin: str,
                   proven_size: int) -> None:
    """``publication.json``'s other fields say what the log says: its origin and the tree size
    the rows are proven at; it has no field the build does not write; and its bytes (``text``)
    are the ones the build writes for them, as it is not listed in ``SHA256SUMS``."""
    for name in sorted(set(pointer) - set(PUBLICATION_FIELDS)):
        checker.fail(PUBLICATION_FILE, f"`{name}`: a field a published report does not have")
    for name, logged in (("origin", origin), ("proven_tree_size", proven_size)):
        if pointer.get(name) != logged or type(pointer.get(name)) is not type(logged):
            checker.fail(PUBLICATION_FILE, f"{name}: says `{json.dumps(pointer.get(name))}`, "
                                           f"the log says `{json.dumps(logged)}`")
    if not any(p.where == PUBLICATION_FILE for p in checker.problems) \
            and text != publication_text(pointer).encode():
        checker.fail(PUBLICATION_FILE, "its fields say what the log says, but its bytes are not "
                                       "the ones a build writes (JSON indented by two spaces, "
                                       "fields in the order "
                                       f"{', '.join(PUBLICATION_FIELDS)}, one final newline)")


_CHUNK = 1 << 16
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)


def _chunks(path: str, dir_fd: int | None = None) -> Iterator[bytes]:
    """A file's bytes in chunks, read with plain system calls (relative to ``dir_fd`` if
    given): Python's file objects cost about 12 µs a file, and a report has a million files."""
    handle = os.open(path, _READ_FLAGS, dir_fd=dir_fd)
    try:
        while chunk := os.read(handle, _CHUNK):
            yield chunk
    finally:
        os.close(handle)


def _files(base: str, prefix: str = "") -> Iterator[str]:
    """The files under ``base`` (symbolic links to files too; no linked folder is entered), as
    paths relative to it: strings, as a report holds a million files."""
    with os.scandir(os.path.join(base, prefix)) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                yield from _files(base, f"{prefix}{entry.name}/")
            elif _is_file(entry):
                yield prefix + entry.name


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a file or links to one; a link that loops (ELOOP) is no file, as
    a dangling one is not."""
    try:
        return entry.is_file()
    except OSError:
        return False


def _check_files(checker: Checker, payload: Mapping[str, Any], files: Sequence[str]) -> int:
    sums = checker.read(SHA256SUMS)
    if sums is None:
        return 0
    if hashlib.sha256(sums).hexdigest() != payload.get("sha256sums"):
        checker.fail(SHA256SUMS, "its SHA-256 is not the one the `report.published` entry logged")
    try:
        listed = parse_sha256sums(sums.decode("utf-8"))
    except InputError as exc:  # its where names the line
        checker.fail(exc.where or SHA256SUMS, exc.message)
        return 0
    except UnicodeDecodeError as exc:
        checker.fail(SHA256SUMS, f"not UTF-8 at byte {exc.start}")
        return 0
    for relative, digest in sorted(payload.get("files", {}).items()):
        if listed.get(relative) != digest:
            checker.fail(relative, "the `report.published` entry logged another SHA-256 for it")
    base = str(checker.directory)
    for relative, digest in listed.items():
        try:
            hashed = hashlib.sha256()
            for chunk in _chunks(os.path.join(base, relative)):
                hashed.update(chunk)
            found = hashed.hexdigest()
        except OSError as exc:
            checker.fail(relative, f"cannot be read: {exc.strerror}")
            continue
        if found != digest:
            checker.fail(relative, "changed: its SHA-256 is not the one SHA256SUMS lists")
    for relative in files:
        if relative.split("/")[0] != LOG_DIR and relative not in UNLISTED \
                and relative not in listed:
            checker.fail(relative, "is not listed in SHA256SUMS (added after publication)")
    return len(listed)


def _check_other_json(checker: Checker, files: Sequence[str]) -> None:
    """Every other JSON file of the report (``data/datapackage.json``, Pagefind's entry) is
    strict JSON: its bytes are checked by their hash, but of a key given twice, readers
    disagree on which counts, so the one the log vouches for may not be the one read."""
    tables = {f"{DATA_DIR}/{t.name}.json" for t in TABLES}  # parsed with their rows
    for relative in files:
        if relative.endswith(".json") and relative not in tables \
                and relative != PUBLICATION_FILE and relative.split("/")[0] != LOG_DIR:
            data = checker.read(relative)  # None: it named the file
            try:
                if data is not None:
                    parse_json(data)
            except InputError as exc:
                checker.fail(relative, exc.message)


def _check_log_files(checker: Checker, reader: MirrorReader, files: Sequence[str]) -> None:
    """Every file under ``log/`` is the checkpoint or a tile of the mirror's tree, which the
    mirror verifier checked (the tile the checkpoint uses, or an older partial one kept for
    readers of an earlier checkpoint). Anything else there is checked by nothing, yet a host
    serves it beside the report (a page planted in ``log/`` would be read as the report's)."""
    for relative in files:
        top, _, inner = relative.partition("/")
        if top == LOG_DIR and inner != "checkpoint" and not _is_mirror_tile(reader, inner):
            checker.fail(relative, f"is neither listed in {SHA256SUMS} nor a tile of the log "
                                   f"mirror of size {reader.tree_size} (added after publication)")


def _is_mirror_tile(reader: MirrorReader, path: str) -> bool:
    try:
        tile = parse_tile_path(path)
        current = reader.tile_id(tile.level, tile.index)
    except (InputError, VerificationError):  # not a tile path; a tile beyond the tree
        return False
    return tile == current or tile.width < current.width


@dataclass(frozen=True)
class _Claim:
    """What one proof file claims, kept small (a million are held) until the tree is built:
    the SHA-256 of its hash lines' text stands for them."""

    relative: str
    index: int
    leaf_hash: bytes
    path_sha256: bytes
    table: Table
    row: Mapping[str, Any]


def _check_proofs(checker: Checker, verifier: Verifier, reader: MirrorReader, proven_size: int,
                  root_hash: bytes) -> dict[str, ProvenRow]:
    """Every ``proofs/ROW_ID.tlog-proof``: its checkpoint is the one the report is proven
    against, and it is exactly the inclusion proof of its row's ``report.row`` entry, checked
    against the tree computed once from the mirror (``report.inclusion``). A proof file that is
    not is verified on its own as RFC 9162 says, so that the problem says what is wrong."""
    claims: dict[str, _Claim] = {}
    doubtful: list[tuple[str, str, str]] = []
    checkpoints: dict[str, Checkpoint | str] = {}  # each distinct text is verified once
    folder = checker.directory / PROOFS_DIR
    names = sorted(n for n in os.listdir(folder) if n.endswith(EXTENSION)
                   and not n.startswith(".")) if folder.is_dir() else []
    folder_fd = os.open(folder, os.O_RDONLY) if names else -1
    try:
        for name in names:
            relative, row_id = f"{PROOFS_DIR}/{name}", name[: -len(EXTENSION)]
            try:
                text = b"".join(_chunks(name, folder_fd)).decode("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                checker.fail(relative, f"cannot be read: {exc.strerror}"
                             if isinstance(exc, OSError) else str(exc))
                continue
            claim = _claim_of(text, relative, row_id, lambda t: _opened(t, verifier, checkpoints),
                              proven_size, root_hash)
            if claim is None:
                doubtful.append((row_id, relative, text))
            else:
                claims[row_id] = claim
    finally:
        if folder_fd >= 0:
            os.close(folder_fd)
    proven: dict[str, ProvenRow] = {}
    if claims:
        tree = ProvenTree(reader, min(c.index for c in claims.values()), proven_size)
        for row_id, claim in claims.items():
            if tree.root == root_hash and tree.is_proof_of(claim.index, claim.leaf_hash,
                                                           claim.path_sha256):
                proven[row_id] = ProvenRow(claim.table, claim.index, claim.row)
            else:
                doubtful.append((row_id, claim.relative, ""))
    for row_id, relative, text in sorted(doubtful):
        if not text:
            text = (checker.directory / relative).read_text(encoding="utf-8")
        known = _verified_alone(checker, relative, text, row_id,
                                lambda t: _opened(t, verifier, checkpoints), proven_size, root_hash)
        if known is not None:
            proven[row_id] = known
    return dict(sorted(proven.items()))


def _claim_of(text: str, relative: str, row_id: str, opened: Callable[[str], Checkpoint | str],
              proven_size: int, root_hash: bytes) -> _Claim | None:
    """What a proof file in the usual form claims (header, extra, index, hashes, a checkpoint
    that is the report's): its hash lines are kept as text, compared with the tree's canonical
    base64 later. None for anything else, which ``_verified_alone`` judges."""
    head, separator, checkpoint_text = text.partition("\n\n")
    lines = head.split("\n")
    if not separator or len(lines) < 3 or lines[0] != HEADER \
            or not lines[1].startswith("extra ") or not (match := INDEX_LINE.fullmatch(lines[2])):
        return None
    checkpoint = opened(checkpoint_text)
    if isinstance(checkpoint, str) or (checkpoint.tree_size, checkpoint.root_hash) != (
            proven_size, root_hash):
        return None
    try:
        extra = b64decode_canonical(lines[1][len("extra "):], "tlog-proof extra data")
    except InputError:
        return None
    found = _row_entry(extra, row_id)
    if found is None:
        return None
    return _Claim(relative, int(match[1]), merkle.leaf_hash(extra),
                  hashlib.sha256("\n".join(lines[3:]).encode()).digest(), *found)


def _opened(text: str, verifier: Verifier, seen: dict[str, Checkpoint | str]) -> Checkpoint | str:
    """The checkpoint a proof carries, its signature verified; or what is wrong with it. Each
    distinct text is opened once (``seen``): the proofs of a report share one checkpoint."""
    if text not in seen:
        try:
            seen[text] = open_checkpoint(text, verifier).checkpoint
        except DaylightError as exc:
            seen[text] = exc.message
    return seen[text]


def _row_entry(extra: bytes | None, row_id: str) -> tuple[Table, dict[str, Any]] | None:
    """The table and row of ``extra`` if it is the ``report.row`` entry of ``row_id``; whether
    those bytes are the log's entry (hence canonical JSON) the tree decides."""
    try:
        entry = orjson.loads(extra) if extra is not None else None
    except orjson.JSONDecodeError:
        return None
    if not isinstance(entry, dict) or entry.get("type") != ROW_ENTRY:
        return None
    payload = entry.get("payload")
    if not isinstance(payload, dict):
        return None
    table, row = TABLES_BY_NAME.get(str(payload.get("table"))), payload.get("row")
    if table is None or not isinstance(row, dict) or row.get("row_id") != row_id:
        return None
    return table, row


def _verified_alone(checker: Checker, relative: str, text: str, row_id: str,
                    opened: Callable[[str], Checkpoint | str], proven_size: int,
                    root_hash: bytes) -> ProvenRow | None:
    """A proof file that is not its row's proof in the tree, verified on its own, so that the
    problem names what is wrong: its form, its checkpoint, its entry, its proof or its row."""
    try:
        proof = TlogProof.from_text(text, where=relative)
    except InputError as exc:  # the parser's ``where`` is the file and its line
        checker.fail(exc.where or relative, exc.message)
        return None
    checkpoint = opened(proof.checkpoint)
    if isinstance(checkpoint, str):
        checker.fail(relative, checkpoint)
        return None
    if (checkpoint.tree_size, checkpoint.root_hash) != (proven_size, root_hash):
        checker.fail(relative, f"its checkpoint (size {checkpoint.tree_size}) is not the one "
                               f"the report is proven against (size {proven_size})")
        return None
    if proof.extra is None or not is_canonical_json_object(proof.extra):
        checker.fail(relative, "its extra data is not the row's canonical JSON log entry")
        return None
    try:
        verify_inclusion(proof.index, proven_size, merkle.leaf_hash(proof.extra),
                         proof.inclusion_proof, root_hash)
    except VerificationError as exc:
        checker.fail(relative, f"entry {proof.index}: {exc.message}")
        return None
    found = _row_entry(proof.extra, row_id)
    if found is None:
        checker.fail(relative, f"entry {proof.index} is not the `{ROW_ENTRY}` entry of "
                               f"row `{row_id}`")
        return None
    return ProvenRow(found[0], proof.index, found[1])


def verify_report(directory: Path, *, key: str | None = None, since: str | None = None,
                  witnesses: Sequence[str] = (), quorum: int | None = None) -> ReportVerification:
    """Verify the report in ``directory``; raise VerificationError listing every problem.

    ``key`` is the log's verifier key (vkey text); without it the ``log.vkey`` published beside
    the log is used (and the result says so). ``since`` is an earlier checkpoint the reader kept;
    ``witnesses`` are cosignature vkeys of which ``quorum`` (all if None) must have cosigned the
    published ``log/checkpoint`` (checked by the mirror verifier, as ``log verify`` does)."""
    checker = Checker(directory)
    key_source = "--key"
    published = checker.read(VKEY_FILE)  # a published file, checked with --key too
    if key is None:
        if published is None:
            raise VerificationError(f"no --key given and no {VKEY_FILE} published beside the log",
                                    where=str(directory))
        key, key_source = published.decode("utf-8", "replace"), f"{VKEY_FILE} published beside the log"
    try:
        verifier = verifier_from_vkey(key.strip())
    except InputError as exc:
        raise VerificationError(f"not a verifier key: {exc.message}",
                                where="--key" if key_source == "--key" else VKEY_FILE) from exc
    _check_vkey(checker, published, verifier, key_source)
    witness_keys = witness_verifiers([w.strip() for w in witnesses])  # InputError: --witness
    try:
        mirror = verify_mirror(directory / LOG_DIR, verifier, since=since,
                               witnesses=witness_keys, quorum=quorum)
    except VerificationError as exc:
        where = exc.where or "checkpoint"
        if where.startswith(str(directory)):
            where = Path(where).relative_to(directory).as_posix()
        elif not where.startswith("--since"):
            where = f"{LOG_DIR}/{where}"
        raise type(exc)(f"the log mirror: {exc.message}", where=where,
                        evidence=exc.evidence) from exc
    reader = MirrorReader(directory / LOG_DIR, mirror.tree_size)
    text, pointer, index, payload = _publication(checker, reader)
    period = str(pointer["period"])
    logged = payload.get("checkpoint", {})
    proven_size = int(logged.get("tree_size", -1))
    if not 1 <= proven_size <= mirror.tree_size:
        raise VerificationError(f"the publication's checkpoint size {proven_size} is not in the "
                                f"log's tree of size {mirror.tree_size}", where=f"log entry {index}")
    _check_pointer(checker, text, pointer, mirror.origin, proven_size)
    root_hash = merkle.root_hash(reader, proven_size)
    if logged.get("root_hash") != _b64(root_hash):
        checker.fail(f"log entry {index}", "its checkpoint root is not the log's root at that size")
    files = sorted(_files(str(directory)))
    files_checked = _check_files(checker, payload, files)
    _check_log_files(checker, reader, files)
    _check_other_json(checker, files)
    proven = _check_proofs(checker, verifier, reader, proven_size, root_hash)
    for table in TABLES:
        check_json(checker, table, proven)
        check_csv(checker, table, proven)
    check_sqlite(checker, proven)
    pages = check_pages(checker, proven, files)
    check_table_script(checker, proven)
    rows = {t.name: sum(1 for p in proven.values() if p.table is t) for t in TABLES}
    for table in TABLES:
        logged_count = payload.get("rows", {}).get(table.name)
        if logged_count is not None and logged_count != rows[table.name]:
            checker.fail(f"{PROOFS_DIR}/", f"{rows[table.name]} proven `{table.name}` rows, the "
                                           f"publication logged {logged_count}")
    if checker.problems:
        # what changed where (file, row, field) first; whole-file hash mismatches after
        ordered = sorted(checker.problems, key=lambda p: "(row " not in p.where)
        shown = ordered[:MAX_PROBLEMS_SHOWN]
        more = len(checker.problems) - len(shown)
        raise VerificationError(
            f"{len(checker.problems)} problem{'s' if len(checker.problems) != 1 else ''} in the "
            f"report: {shown[0]}", where=str(directory),
            evidence={"problems": "\n".join(str(p) for p in shown)
                      + (f"\n... and {more} more" if more else "")})
    return ReportVerification(period, mirror.origin, mirror.tree_size, proven_size, index,
                              key_source, len(mirror.cosigned_by), mirror.consistent_with, rows,
                              files_checked, pages, mirror.cosigned_by,
                              tuple(n for n in mirror.other_signers if n not in mirror.cosigned_by))


def _check_vkey(checker: Checker, published: bytes | None, verifier: Verifier,
                key_source: str) -> None:
    """``log.vkey`` is exactly the line the build writes for the key the checkpoint was checked
    with (it is not listed in ``SHA256SUMS``): a byte changed around the key is reported too."""
    if published is None or published == vkey_text(verifier.vkey).encode():
        return
    if key_source == "--key":
        checker.fail(VKEY_FILE, "is not the key given by --key (the key the checkpoint is signed "
                                "with) and one newline, as a build writes it")
    else:
        checker.fail(VKEY_FILE, "is not one key line `name+hash+key` and one newline, as a build "
                                "writes it")


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()
