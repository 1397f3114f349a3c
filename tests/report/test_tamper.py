"""Any changed byte of a published report — a table cell, a page, a proof, an entry, the
checkpoint — is reported as what and where (file, row, field), and verification fails."""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.core.clock import fixed_clock
from daylight.core.errors import VerificationError
from daylight.log.note import CosignatureSigner, Signer, verifier_from_vkey
from daylight.log.witness import Witness
from daylight.report.verify import verify_report
from tests.report.conftest import verify_problems


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_the_published_report_verifies_untouched(published: Path) -> None:
    result = verify_report(published)
    assert result.rows["organizations"] == 2 and result.pages_checked >= 9  # the site's pages


def first_usage_row(directory: Path) -> dict[str, object]:
    rows: list[dict[str, object]] = json.loads((directory / "data" / "usage.json").read_text())
    return next(r for r in rows if r["calls"] == 12)


def test_a_changed_csv_cell_is_named_by_file_row_and_field(copy: Path) -> None:
    row = first_usage_row(copy)
    replace_in(copy / "data" / "usage.csv", ",12,false,", ",120,false,")
    found = verify_problems(copy)
    assert "data/usage.csv:" in found and f"(row {row['row_id']}): calls: says \"120\"" in found
    assert "data/usage.csv: changed" in found


def test_a_changed_json_value_is_named(copy: Path) -> None:
    replace_in(copy / "data" / "organizations.json", "Gainesville Police Department",
               "Gainesville Fire Department")
    found = verify_problems(copy)
    assert "data/organizations.json:" in found and ": organization_name: says" in found


def test_a_removed_json_row_is_missed(copy: Path) -> None:
    path = copy / "data" / "usage.json"
    rows = json.loads(path.read_text())
    path.write_text(json.dumps(rows[1:]))
    assert f"data/usage.json: lacks row `{rows[0]['row_id']}`" in verify_problems(copy)


def test_a_changed_sqlite_value_is_named(copy: Path) -> None:
    with sqlite3.connect(copy / "report.db") as connection:
        connection.execute("UPDATE usage SET calls = 999 WHERE calls = 12")
    found = verify_problems(copy)
    assert "report.db: usage:" in found and ": calls: says 999" in found


def test_a_changed_html_cell_is_named(copy: Path) -> None:
    replace_in(copy / "organizations.html", '<td data-field="denied" class="n">30</td>',
               '<td data-field="denied" class="n">0</td>')
    found = verify_problems(copy)
    assert "organizations.html:" in found and ": denied: says \"0\", the log entry" in found


def test_a_changed_proof_hash_fails_its_inclusion_proof(copy: Path) -> None:
    proof = sorted((copy / "proofs").iterdir())[0]
    lines = proof.read_text().split("\n")
    hash_line = next(i for i, line in enumerate(lines) if line.startswith("index ")) + 1
    lines[hash_line] = ("A" if lines[hash_line][0] != "A" else "B") + lines[hash_line][1:]
    proof.write_text("\n".join(lines))
    assert f"proofs/{proof.name}" in verify_problems(copy)


def test_a_changed_entry_in_a_proof_fails_its_inclusion_proof(copy: Path) -> None:
    proof = sorted((copy / "proofs").iterdir())[0]
    lines = proof.read_text().split("\n")
    lines[1] = "extra " + base64.b64encode(
        b'{"payload":{"row":{},"table":"usage"},"time":"2026-12-02T12:00:00Z",'
        b'"type":"report.row"}').decode()
    proof.write_text("\n".join(lines))
    found = verify_problems(copy)
    assert f"proofs/{proof.name}: entry" in found and "different root" in found


def test_a_changed_checkpoint_is_refused(copy: Path) -> None:
    path = copy / "log" / "checkpoint"
    text = path.read_text().split("\n")
    text[1] = str(int(text[1]) + 1)
    path.write_text("\n".join(text))
    with pytest.raises(VerificationError, match="the log mirror: invalid signature") as caught:
        verify_report(copy)
    assert caught.value.where == "log/checkpoint"


def test_a_changed_tile_byte_is_refused(copy: Path) -> None:
    tiles = [p for p in (copy / "log" / "tile" / "0").rglob("*") if p.is_file()]
    tile = max(tiles, key=lambda p: p.stat().st_size)  # the latest tree's (older partials stay)
    data = bytearray(tile.read_bytes())
    data[5] ^= 1
    tile.write_bytes(bytes(data))
    with pytest.raises(VerificationError, match="the log mirror") as caught:
        verify_report(copy)
    assert "tile/0/" in str(caught.value) and str(caught.value.where).startswith("log/tile/")


def test_a_rewritten_sha256sums_does_not_hide_a_change(copy: Path) -> None:
    package = copy / "data" / "datapackage.json"
    replace_in(package, "CC-BY-4.0", "CC0-1.0")
    sums = copy / "SHA256SUMS"
    lines = [f"{hashlib.sha256(package.read_bytes()).hexdigest()}  data/datapackage.json"
             if line.endswith("  data/datapackage.json") else line
             for line in sums.read_text().splitlines()]
    sums.write_text("\n".join(lines) + "\n")
    found = verify_problems(copy)
    assert "SHA256SUMS: its SHA-256 is not the one the `report.published` entry logged" in found
    assert "data/datapackage.json: the `report.published` entry logged another SHA-256" in found


def test_a_file_added_after_publication_is_reported(copy: Path) -> None:
    (copy / "data" / "extra.csv").write_text("row_id\n")
    assert "data/extra.csv: is not listed in SHA256SUMS" in verify_problems(copy)


def test_a_publication_pointer_to_another_entry_is_refused(copy: Path) -> None:
    path = copy / "publication.json"
    pointer = json.loads(path.read_text())
    pointer["published_log_index"] -= 1
    path.write_text(json.dumps(pointer))
    with pytest.raises(VerificationError, match=r"is not the `report\.published` entry"):
        verify_report(copy)


def test_another_key_is_refused_and_the_published_key_is_named(copy: Path) -> None:
    other = Signer.generate("test.daylight.invalid/log").verifier().vkey
    with pytest.raises(VerificationError, match="signature"):
        verify_report(copy, key=other)
    assert verify_report(copy, key=(copy / "log.vkey").read_text()).key_source == "--key"



def test_header_cells_and_nested_markup_are_not_mistaken_for_rows(copy: Path) -> None:
    row = first_usage_row(copy)
    page = copy / "extra.html"
    page.write_text(
        f'<table><tr data-row-id="{row["row_id"]}" data-log-index="{row["log_index"]}">'
        f'<td data-field="operation"><a href="#"><code>face.search</code></a></td>'
        f'<td data-field="calls">12</td><td>proof</td></tr></table>'
        '<table><thead><tr><th data-field="calls">Calls</th></tr></thead></table>')
    found = verify_problems(copy)
    assert "extra.html: is not listed in SHA256SUMS" in found
    assert "extra.html:1" not in found  # its row agrees with the log, its header is no row


def test_witness_cosignatures_are_checked_when_asked_for(copy: Path) -> None:
    log_key = verifier_from_vkey((copy / "log.vkey").read_text().strip())
    witness_key = CosignatureSigner("witness.daylight.invalid", b"w" * 32)
    witness = Witness(witness_key, {log_key.name: log_key},
                      clock=fixed_clock(datetime.fromtimestamp(1_767_139_200, UTC)))
    checkpoint = copy / "log" / "checkpoint"
    checkpoint.write_text(witness.cosign(checkpoint.read_text()))
    result = verify_report(copy, witnesses=[witness_key.verifier().vkey])
    assert result.cosignatures_verified == 1
    assert verify_report(copy).cosignatures_verified == 0  # present, not asked for
    stranger = CosignatureSigner("other-witness.daylight.invalid", b"o" * 32)
    with pytest.raises(VerificationError, match="cosigned by 0 of the 1 witnesses given"):
        verify_report(copy, witnesses=[stranger.verifier().vkey])
    both = [witness_key.verifier().vkey, stranger.verifier().vkey]
    assert verify_report(copy, witnesses=both, quorum=1).cosigned_by == ("witness.daylight.invalid",)
    with pytest.raises(VerificationError, match="cosigned by 1 of the 2 witnesses given; 2 required"):
        verify_report(copy, witnesses=both, quorum=2)


def test_a_changed_cell_of_the_table_script_is_named(copy: Path) -> None:
    # What readers with JavaScript see is checked against the log like the HTML's rows.
    path = copy / "table" / "organizations.js"
    replace_in(path, "Gainesville Police Department", "Gainesville Fire Department")
    found = verify_problems(copy)
    assert "table/organizations.js: row " in found and ": organization_name: says \"Gainesville Fire" in found


def test_two_proof_files_swapped_are_each_named(copy: Path) -> None:
    # each holds a valid proof, of another row: the tree check refuses both, the RFC check names them
    first, second = sorted((copy / "proofs").iterdir())[:2]
    one, other = first.read_bytes(), second.read_bytes()
    first.write_bytes(other)
    second.write_bytes(one)
    found = verify_problems(copy)
    for path in (first, second):
        assert f"proofs/{path.name}: entry " in found
        assert f"is not the `report.row` entry of row `{path.name.split('.')[0]}`" in found


def test_a_proof_whose_checkpoint_signature_differs_is_named_alone(copy: Path) -> None:
    # the proofs share one checkpoint text, verified once; a different one is verified on its own
    proofs = sorted((copy / "proofs").iterdir())
    text = proofs[0].read_text()
    signature = text.rstrip("\n").rsplit(" ", 1)[1]
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    proofs[0].write_text(text.replace(signature, flipped))
    found = verify_problems(copy)
    assert f"proofs/{proofs[0].name}:" in found and "signature" in found
    assert not any(f"proofs/{p.name}" in found for p in proofs[1:])


def test_a_proof_file_that_is_not_text_or_not_a_file_is_named(copy: Path) -> None:
    proofs = sorted((copy / "proofs").iterdir())
    proofs[0].write_bytes(b"\xff" + proofs[0].read_bytes())
    proofs[1].unlink()
    proofs[1].mkdir()  # a folder where the proof file was
    found = verify_problems(copy)
    assert f"proofs/{proofs[0].name}: 'utf-8' codec can't decode" in found
    assert f"proofs/{proofs[1].name}: cannot be read: Is a directory" in found


@pytest.mark.parametrize("name", ["publication.json", "data/usage.json", "table/organizations.js"])
def test_json_nested_too_deep_to_read_is_named_not_a_traceback(copy: Path, name: str) -> None:
    """A published JSON file replaced by 100,000 `[`: Python's parser gives up with a
    RecursionError, which must be a problem of that file (the probe of issue 14)."""
    path = copy / name
    if name.endswith(".js"):  # the table script: its prefix and suffix kept, its JSON not
        text = path.read_text(encoding="utf-8")
        start, end = text.index("{"), text.rindex("}") + 1
        path.write_text(text[:start] + "[" * 100_000 + text[end:], encoding="utf-8")
    else:
        path.write_text("[" * 100_000, encoding="utf-8")
    assert name in verify_problems(copy)


def test_a_symbolic_link_that_loops_is_no_file_as_a_dangling_one_is_not(copy: Path) -> None:
    """Following it fails with ELOOP, which `daylight verify` printed as a traceback (the
    probe of issue 14); like a dangling link it holds no published bytes."""
    (copy / "data" / "loop").symlink_to(copy / "data" / "loop")
    (copy / "dangling").symlink_to(copy / "nowhere")
    assert verify_report(copy).rows["organizations"] == 2
