"""C2SP ``tlog-proof`` (``c2sp.org/tlog-proof@v1``): one offline-verifiable proof per published row.

::

    c2sp.org/tlog-proof@v1
    extra <base64 of the row's log entry, canonical JSON>
    index <leaf index>
    <inclusion proof hashes, base64, one a line, from the leaf's sibling up>

    <the signed checkpoint, verbatim>

The ``extra`` line carries the exact bytes of the ``report.row`` entry, so that a reader can hash
it (RFC 6962 leaf hash), check the proof against the checkpoint, and compare the entry's row with
the row in the data files; like the spec says, nothing trusts the extra data before that check.
This module is a published format: it imports no database, store or builder.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from daylight.core.errors import InputError
from daylight.log.note import b64decode_canonical

HEADER = "c2sp.org/tlog-proof@v1"
EXTENSION = ".tlog-proof"
_INDEX = re.compile(r"index (0|[1-9][0-9]{0,19})")


@dataclass(frozen=True)
class TlogProof:
    """An entry index, its inclusion proof, the checkpoint it is proven against, and extra data."""

    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None

    def to_text(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + base64.b64encode(self.extra).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.hashes)
        return "\n".join(lines) + "\n\n" + self.checkpoint

    @classmethod
    def from_text(cls, text: str, *, where: str | None = None) -> TlogProof:
        """Parse strictly; InputError naming ``where`` and the line otherwise."""
        head, separator, checkpoint = text.partition("\n\n")
        if not separator or not checkpoint:
            raise InputError("a tlog-proof needs an empty line before its checkpoint", where=where)
        lines = head.split("\n")
        if lines[0] != HEADER:
            raise InputError(f"first line must be `{HEADER}`", where=where)
        position = 1
        extra = None
        if len(lines) > 1 and lines[1].startswith("extra "):
            extra = b64decode_canonical(lines[1][len("extra "):], "tlog-proof extra data")
            position = 2
        if len(lines) <= position or not (match := _INDEX.fullmatch(lines[position])):
            raise InputError("expected the line `index N` (decimal, no leading zeroes)",
                             where=f"{where}:{position + 1}" if where else None)
        hashes = []
        for number, line in enumerate(lines[position + 1:], start=position + 2):
            value = b64decode_canonical(line, f"tlog-proof hash on line {number}")
            if len(value) != 32:
                raise InputError(f"proof hash is {len(value)} bytes, expected 32",
                                 where=f"{where}:{number}" if where else None)
            hashes.append(value)
        return cls(int(match[1]), tuple(hashes), checkpoint, extra)


def proof_path(directory: Path, row_id: str) -> Path:
    """Where the proof of ``row_id`` is published: ``proofs/ROW_ID.tlog-proof``."""
    return directory / f"{row_id}{EXTENSION}"


def write_proofs(directory: Path, proofs: Iterable[tuple[str, TlogProof]]) -> dict[Path, str]:
    """Write one ``ROW_ID.tlog-proof`` per (row id, proof) into ``directory``; return each
    file's hex SHA-256 (see ``write_proof_files``)."""
    return write_proof_files(directory, ((r, p.to_text().encode()) for r, p in proofs))


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_proof_files(directory: Path, texts: Iterable[tuple[str, bytes]]) -> dict[Path, str]:
    """Write one ``ROW_ID.tlog-proof`` per (row id, proof text) into ``directory``; return each
    file's hex SHA-256, so that nobody has to read them back to list them.

    A file that already holds the same bytes (a re-build) is left alone: on the file systems
    reports are built on, creating or truncating a file costs 20 to 100 times as much as reading
    one. Files are opened relative to the directory's descriptor (no path resolution per file).
    The caller removes proofs of rows the report no longer has."""
    directory.mkdir(parents=True, exist_ok=True)
    present = set(os.listdir(directory))
    written: dict[Path, str] = {}
    folder = os.open(directory, os.O_RDONLY)
    try:
        for row_id, data in texts:
            name = f"{row_id}{EXTENSION}"
            if name in present and _holds(folder, name, data):
                written[directory / name] = hashlib.sha256(data).hexdigest()
                continue
            handle = os.open(name, _FLAGS, 0o644, dir_fd=folder)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(handle, view):]
            finally:
                os.close(handle)
            written[directory / name] = hashlib.sha256(data).hexdigest()
    finally:
        os.close(folder)
    return written


def _holds(folder: int, name: str, data: bytes) -> bool:
    try:
        handle = os.open(name, os.O_RDONLY, dir_fd=folder)
    except OSError:
        return False
    try:
        return os.read(handle, len(data) + 1) == data
    finally:
        os.close(handle)
