"""Writing the proof files: in a second process (``ProofFileWriter``) or in this one
(``write_proof_files``, and the writer while another thread runs), the same files and the same
hashes; a failure in the child is an error here, as in this process; a re-build leaves files
that hold the same bytes alone."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from daylight.core.errors import StorageError
from daylight.log.tlog_proof import EXTENSION
from daylight.report.proofs import ProofFileWriter, write_proof_files

ROWS = [(f"use-{n:020x}", f"c2sp.org/tlog-proof@v1\nindex {n}\n\nSYNTHETIC {n}\n".encode())
        for n in range(300)]


def texts() -> Iterator[bytes]:
    return (text for _, text in ROWS)


@pytest.fixture(params=["forked", "another thread runs"])
def writer_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The writer as it runs alone (a forked child) and beside another thread (a progress
    display's: no fork, the files written in this process)."""
    if request.param == "forked":
        # as if alone: other tests of the session may have left a server's thread running
        monkeypatch.setattr("daylight.report.proofs.can_fork", lambda: True)
        yield request.param
        return
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        yield request.param
    finally:
        stop.set()
        other.join()


def test_no_child_is_forked_while_another_thread_runs(tmp_path: Path, writer_mode: str) -> None:
    def texts_noting_the_process() -> Iterator[bytes]:
        (tmp_path / "pid").write_text(str(os.getpid()))
        return texts()

    writer = ProofFileWriter(tmp_path / "proofs", [r for r, _ in ROWS], texts_noting_the_process)
    writer.start()
    writer.result()
    written_here = int((tmp_path / "pid").read_text()) == os.getpid()
    assert written_here == (writer_mode == "another thread runs")


def test_the_writer_writes_the_files_and_hashes_that_this_process_would(
        tmp_path: Path, writer_mode: str) -> None:
    writer = ProofFileWriter(tmp_path / "child", [r for r, _ in ROWS], texts)
    writer.start()
    found = writer.result()
    expected = write_proof_files(tmp_path / "here", ROWS)
    assert len(found) == len(ROWS)
    for row_id, text in ROWS:
        path = tmp_path / "child" / f"{row_id}{EXTENSION}"
        assert path.read_bytes() == text
        assert found[str(path)] == hashlib.sha256(text).hexdigest()
        assert expected[str(tmp_path / "here" / path.name)] == found[str(path)]


def test_a_failure_in_the_writer_is_an_error_naming_the_folder(tmp_path: Path, writer_mode: str) -> None:
    def failing() -> Iterator[bytes]:
        yield ROWS[0][1]
        raise ValueError("SYNTHETIC failure")

    writer = ProofFileWriter(tmp_path / "proofs", [r for r, _ in ROWS], failing)
    writer.start()
    with pytest.raises(StorageError, match="SYNTHETIC failure") as caught:
        writer.result()
    assert caught.value.where == str(tmp_path / "proofs")


def test_fewer_proofs_than_rows_is_an_error(tmp_path: Path, writer_mode: str) -> None:
    writer = ProofFileWriter(tmp_path / "proofs", [r for r, _ in ROWS] + ["use-extra"], texts)
    writer.start()
    with pytest.raises(StorageError, match="could not write the proof files"):
        writer.result()


def test_files_that_hold_the_same_bytes_are_left_alone(tmp_path: Path, writer_mode: str) -> None:
    write_proof_files(tmp_path, ROWS)
    same, changed = tmp_path / f"{ROWS[0][0]}{EXTENSION}", tmp_path / f"{ROWS[1][0]}{EXTENSION}"
    changed.write_bytes(b"tampered")
    os.utime(same, (1, 1))
    writer = ProofFileWriter(tmp_path, [r for r, _ in ROWS], texts)
    writer.start()
    writer.result()
    assert same.stat().st_mtime == 1  # not written again
    assert changed.read_bytes() == ROWS[1][1]
