"""What `daylight verify` still let through (issue 13, an outside probe): the files `SHA256SUMS`
does not list (`publication.json`, `log.vkey`, `log/`) and JSON with a key given twice. Each
changed byte, added file or doubled key is reported naming the file (and the key), and
verification fails; what the build writes still verifies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daylight.core.errors import VerificationError
from daylight.log.note import Signer
from daylight.report.formats import TABLES, UNLISTED, parse_sha256sums
from daylight.report.verify import verify_report
from tests.report.conftest import verify_problems


def _doubled(path: Path, key: str) -> None:
    """``path`` with ``key`` given twice in its first object that has it: first another value,
    then the one written (the one a parser that keeps the last key reads)."""
    text = path.read_text(encoding="utf-8")
    assert f'"{key}"' in text, key
    path.write_text(text.replace(f'"{key}"', f'"{key}": "other", "{key}"', 1), encoding="utf-8")


def test_publication_json_with_a_key_given_twice_is_refused_naming_file_and_key(
        copy: Path) -> None:
    """The last value won, silently: a reader whose parser keeps the first saw another period."""
    _doubled(copy / "publication.json", "period")
    with pytest.raises(VerificationError) as caught:
        verify_report(copy)
    assert caught.value.where == "publication.json"
    assert "the key `period` appears twice" in caught.value.message


@pytest.mark.parametrize(("name", "key"), [
    *((f"data/{t.name}.json", "row_id") for t in TABLES if t.name in ("organizations", "usage")),
    ("data/datapackage.json", "name"),
    ("pagefind/pagefind-entry.json", "version"),
    ("table/organizations.js", "rows"),
])
def test_every_json_verify_reads_with_a_key_given_twice_is_named(
        copy: Path, name: str, key: str) -> None:
    _doubled(copy / name, key)
    found = verify_problems(copy)
    assert f"{name}: " in found and f"the key `{key}` appears twice in one object" in found
    assert f"{name}: {name}" not in found  # the file named once


@pytest.mark.parametrize("change", [
    lambda text: text.replace("  ", "   "),  # other indentation: the same JSON
    lambda text: text.rstrip("\n"),
    lambda text: text + "\n",
    lambda text: text.replace("\n", "\r\n"),
], ids=["indent", "no-final-newline", "two-final-newlines", "crlf"])
def test_a_changed_byte_of_publication_json_that_keeps_its_json_is_named(
        copy: Path, change: object) -> None:
    """`publication.json` is not listed in SHA256SUMS: only its fields were compared, so a byte
    that did not change them passed. Its bytes are now the ones the build writes."""
    path = copy / "publication.json"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(change(text).encode())  # type: ignore[operator]
    assert json.loads(path.read_text()) == json.loads(text)
    found = verify_problems(copy)
    assert "publication.json: its fields say what the log says, but its bytes are not" in found


@pytest.mark.parametrize("change", [
    lambda key: key.rstrip(b"\n"),
    lambda key: key + b"\n",
    lambda key: key.rstrip(b"\n") + b"\r\n",
    lambda key: b" " + key,
], ids=["no-final-newline", "two-final-newlines", "crlf", "leading-space"])
@pytest.mark.parametrize("with_key", [False, True], ids=["published-key", "--key"])
def test_a_changed_byte_around_the_published_key_is_named(
        copy: Path, change: object, with_key: bool) -> None:
    """`log.vkey` was read stripped, so its final newline could be removed or doubled; with
    `--key` it was not read at all."""
    path = copy / "log.vkey"
    original = path.read_bytes()
    path.write_bytes(change(original))  # type: ignore[operator]
    found = verify_problems(copy, key=original.decode() if with_key else None)
    said = "is not the key given by --key" if with_key else "is not one key line"
    assert f"log.vkey: {said}" in found


def test_another_key_in_log_vkey_is_named_when_the_reader_brings_the_right_one(
        copy: Path) -> None:
    original = (copy / "log.vkey").read_text()
    other = Signer.generate("test.daylight.invalid/log").verifier()
    (copy / "log.vkey").write_text(other.vkey + "\n")
    assert "log.vkey: is not the key given by --key" in verify_problems(copy, key=original)


def test_a_removed_log_vkey_is_named_with_key_too(copy: Path) -> None:
    original = (copy / "log.vkey").read_text()
    (copy / "log.vkey").unlink()
    assert "log.vkey: cannot be read" in verify_problems(copy, key=original)


@pytest.mark.parametrize("added", [
    "log/index.html",  # a planted page, served beside the report
    "log/notes.txt",
    "log/tile/0/999",  # a full tile beyond the tree
    "log/tile/9/000",  # a level the tree does not have
    "log/tile/0/x",  # not a tile path
    "log/checkpoint.old",
])
def test_a_file_added_to_the_log_mirror_is_named(copy: Path, added: str) -> None:
    """Files under `log/` that are neither the checkpoint nor a tile of the mirror's tree were
    accepted: nothing checked them, yet a host serves them with the report."""
    (copy / added).parent.mkdir(parents=True, exist_ok=True)
    (copy / added).write_bytes(b"<p>planted</p>")
    found = verify_problems(copy)
    assert f"{added}: is neither listed in SHA256SUMS nor a tile of the log mirror" in found


def test_every_file_the_build_writes_is_listed_or_part_of_the_mirror(published: Path) -> None:
    """What the build writes still verifies, with no file left unchecked: each is listed in
    SHA256SUMS, is one of the unlisted files, or is under `log/` (checked as the mirror)."""
    listed = parse_sha256sums((published / "SHA256SUMS").read_text())
    files = {p.relative_to(published).as_posix() for p in published.rglob("*") if p.is_file()}
    assert files - set(listed) - set(UNLISTED) == {f for f in files if f.startswith("log/")}
    assert any(".p/" in f for f in files)  # older partial tiles, kept for earlier readers
    verify_report(published)
