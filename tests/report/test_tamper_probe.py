"""`daylight verify` on a copy changed after it was fetched (the fetch probe): one byte of any
file, a file removed, a file added, or a field of `publication.json` the verifier did not read,
is reported naming the file, and verification fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daylight.core.errors import DaylightError, VerificationError
from daylight.log.checkpoint import Checkpoint
from daylight.log.tiles import entry_bundles_for_size, tiles_for_size
from daylight.report.formats import SHA256SUMS, UNLISTED, parse_sha256sums
from daylight.report.verify import verify_report


def _problems(directory: Path) -> str:
    with pytest.raises(DaylightError) as caught:  # a VerificationError, or one of the mirror's
        verify_report(directory)
    error = caught.value
    return error.diagnostics() if isinstance(error, VerificationError) else str(error)


def _read_files(directory: Path) -> list[str]:
    """What verify reads: the files SHA256SUMS lists, those it does not, and the tiles the
    checkpoint names (older partial tiles and later ones may lie beside them unread)."""
    size = Checkpoint.from_text((directory / "log" / "checkpoint").read_text()
                                .split("\n\n", 1)[0] + "\n").tree_size
    tiles = [f"log/{t.path}" for t in (*tiles_for_size(size), *entry_bundles_for_size(size))]
    listed = parse_sha256sums((directory / SHA256SUMS).read_text())
    return [*listed, *UNLISTED, "log/checkpoint", *tiles]


def test_one_byte_changed_anywhere_or_a_file_removed_is_named(copy: Path) -> None:
    """Every file verify reads, with one byte flipped at its start, middle and end, and then
    removed: each is a failure that names the file (the probe found a byte of
    `publication.json`'s origin passed)."""
    passed: list[str] = []
    for name in _read_files(copy):
        shown = name.removeprefix("log/")  # the mirror's errors name a tile inside the log
        path = copy / name
        original = path.read_bytes()
        ends = {0, len(original) // 2, len(original) - 1}  # log.vkey's final newline too
        for at in sorted(ends):
            changed = bytearray(original)
            changed[at] ^= 0x01
            path.write_bytes(changed)
            if shown not in _problems(copy):
                passed.append(f"{name} byte {at}")
        path.unlink()
        if shown not in _problems(copy):
            passed.append(f"{name} removed")
        path.write_bytes(original)
    assert passed == []


@pytest.mark.parametrize("added", ["extra.html", "data/extra.csv", "proofs/x.tlog-proof",
                                   "org/extra/index.html", ".hidden"])
def test_a_file_added_anywhere_but_the_log_is_named(copy: Path, added: str) -> None:
    (copy / added).parent.mkdir(parents=True, exist_ok=True)
    (copy / added).write_text("added")
    assert added in _problems(copy)


@pytest.mark.parametrize(("field", "value", "said"), [
    ("origin", "evil.example/log", 'origin: says `"evil.example/log"`, the log says'),
    ("proven_tree_size", 1, "proven_tree_size: says `1`, the log says"),
    ("note", "added", "`note`: a field a published report does not have"),
    ("published_log_index", "45", "published_log_index: expected an integer"),
    ("published_log_index", 1.5, "published_log_index: expected an integer"),
    ("published_log_index", True, "published_log_index: expected an integer"),
])
def test_a_changed_field_of_the_publication_pointer_is_named(
        copy: Path, field: str, value: object, said: str) -> None:
    """Only `period` and `published_log_index` were read, and the index through int(): a
    changed origin or proven tree size, an added field, `"45"` or 1.5 passed (the probe)."""
    pointer = json.loads((copy / "publication.json").read_text())
    if field == "published_log_index" and value == "45":
        value = str(pointer[field])
    pointer[field] = value
    (copy / "publication.json").write_text(json.dumps(pointer, indent=2) + "\n")
    found = _problems(copy)
    assert "publication.json: " in found and said in found


def test_a_malformed_line_of_sha256sums_is_named_once(copy: Path) -> None:
    """It was `SHA256SUMS: SHA256SUMS:3: expected ...` (the probe)."""
    sums = copy / SHA256SUMS
    lines = sums.read_text().splitlines(keepends=True)
    sums.write_text("".join([*lines[:2], "not a line\n", *lines[2:]]))
    found = _problems(copy)
    assert "SHA256SUMS:3: expected `<64 hex digits>  <relative path>`" in found
    assert "SHA256SUMS: SHA256SUMS" not in found
