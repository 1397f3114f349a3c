"""The report's proof files: one C2SP ``tlog-proof`` (``log/tlog_proof.py``) per published row,
``proofs/ROW_ID.tlog-proof``, whose ``extra`` line carries the exact bytes of the row's
``report.row`` entry, so that a reader can hash it, check the proof against the checkpoint, and
compare the entry's row with the row in the data files. Written fast (a full-size report has a
million of them) and, where the platform can fork, in a second process.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from daylight.core.errors import StorageError
from daylight.log.tlog_proof import EXTENSION
from daylight.report.shares import ForkedShare, can_fork


def proof_path(directory: Path, row_id: str) -> Path:
    """Where the proof of ``row_id`` is published: ``proofs/ROW_ID.tlog-proof``."""
    return directory / f"{row_id}{EXTENSION}"


_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def write_proof_files(directory: Path, texts: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """Write one ``ROW_ID.tlog-proof`` per (row id, proof text) into ``directory``; return each
    file's hex SHA-256 by its path (a string: a million ``Path`` objects cost seconds), so that
    nobody has to read them back to list them."""
    prefix = os.path.join(str(directory), "")
    return {prefix + name: digest.hex() for name, digest in _written(directory, texts)}


def _written(directory: Path, texts: Iterable[tuple[str, bytes]]) -> Iterator[tuple[str, bytes]]:
    """Write each (row id, proof text) as ``ROW_ID.tlog-proof``; yield (file name, SHA-256).

    A file that already holds the same bytes (a re-build) is left alone: on the file systems
    reports are built on, creating or truncating a file costs 20 to 100 times as much as reading
    one. Files are opened relative to the directory's descriptor (no path resolution per file)
    and written with one system call each. The caller removes proofs of rows the report no
    longer has."""
    directory.mkdir(parents=True, exist_ok=True)
    present = set(os.listdir(directory))
    folder = os.open(directory, os.O_RDONLY)
    try:
        for row_id, data in texts:
            name = f"{row_id}{EXTENSION}"
            if name not in present or not _holds(folder, name, data):
                handle = os.open(name, _FLAGS, 0o644, dir_fd=folder)
                try:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(handle, view):]
                finally:
                    os.close(handle)
            yield name, hashlib.sha256(data).digest()
    finally:
        os.close(folder)


class ProofFileWriter:
    """Writes the proof files in a second process while the caller writes the rest of the
    report: creating a million small files is mostly the kernel's work, which then runs on the
    other core beside the caller's pages.

    The child is forked (``report.shares.ForkedShare``), so it reads the proofs' inputs
    (``row_ids`` and whatever ``texts`` closes over) from the caller's memory without copying
    them; it answers the raw SHA-256 of each file, in order (32 bytes a file). Where a fork is
    not available or not safe (``report.shares.can_fork``: another thread runs), ``result``
    writes them in this process. ``texts()`` MUST yield one proof text per row id, in order,
    and MUST NOT use a database connection (the child shares the caller's)."""

    def __init__(self, directory: Path, row_ids: Sequence[str],
                 texts: Callable[[], Iterable[bytes]]) -> None:
        self.directory = directory
        self.row_ids = row_ids
        self.texts = texts
        self._done: dict[str, str] | None = None
        self._child: ForkedShare[bytes] | None = None
        self._started = False

    def start(self) -> None:
        """Start writing (in a forked child where the platform can fork)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._started = True
        if not can_fork():
            return  # written by result(), in this process
        self._child = ForkedShare(self._digests, self.row_ids, failure=StorageError,
                                  what="could not write the proof files",
                                  where=str(self.directory))

    def _digests(self, row_ids: Sequence[str]) -> list[bytes]:
        return [b"".join(digest for _, digest in _written(
            self.directory, zip(row_ids, self.texts(), strict=True)))]

    def cancel(self) -> None:
        """Stop the child (the caller failed: the build is abandoned)."""
        if self._child is not None:
            self._child.close()
            self._child = None

    def result(self) -> dict[str, str]:
        """Wait for the files (or write them, without a child); return each one's hex SHA-256
        by its path. StorageError if writing failed (the files written are left for the next
        build to replace)."""
        if self._done is not None:
            return self._done
        assert self._started, "start() first"
        if self._child is None:
            try:
                self._done = write_proof_files(self.directory, zip(self.row_ids, self.texts(),
                                                                   strict=True))
            except (OSError, ValueError) as exc:  # as a child's failure reads
                raise StorageError(f"could not write the proof files: {type(exc).__name__}: "
                                   f"{exc}", where=str(self.directory)) from exc
            return self._done
        (digests,) = self._child.result()
        prefix = os.path.join(str(self.directory), "")
        self._done = {f"{prefix}{row_id}{EXTENSION}": digests[32 * i: 32 * i + 32].hex()
                      for i, row_id in enumerate(self.row_ids)}
        return self._done


def _holds(folder: int, name: str, data: bytes) -> bool:
    try:
        handle = os.open(name, os.O_RDONLY, dir_fd=folder)
    except OSError:
        return False
    try:
        return os.read(handle, len(data) + 1) == data
    finally:
        os.close(handle)
