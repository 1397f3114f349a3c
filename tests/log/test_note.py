"""Signed-note rules beyond the published vectors."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from daylight.core.errors import InputError, SignatureError
from daylight.log.note import (
    CosignatureSigner,
    Note,
    NoteSignature,
    Signer,
    sign_note,
    verifier_from_vkey,
    verify_note,
)

SIGNER = Signer("example.com/n", b"n" * 32)


def test_a_bad_signature_by_a_known_key_rejects_the_note_even_beside_a_good_one() -> None:
    good = sign_note("hello\n", [SIGNER])
    (signature,) = good.signatures
    forged = NoteSignature(signature.name, signature.key_hash, bytes(64))
    for order in [(forged, signature), (signature, forged)]:
        with pytest.raises(SignatureError, match="invalid signature"):
            verify_note(Note("hello\n", order), [SIGNER.verifier()])
    duplicated = Note.from_text(good.to_text() + signature.to_line())
    assert verify_note(duplicated, [SIGNER.verifier()]) == [signature]


def test_unknown_signers_are_ignored_even_with_loose_base64() -> None:
    text = sign_note("hello\n", [SIGNER]).to_text() + "— witness.example/w AAAAAAB=\n"
    note = Note.from_text(text)
    assert note.to_text() == text  # the unknown line survives unchanged
    verify_note(note, [SIGNER.verifier()])


def test_a_known_signature_in_non_canonical_base64_is_refused() -> None:
    note = sign_note("hello\n", [SIGNER])
    line = note.signatures[0].to_line().strip()
    last = line[-2]  # the last base64 digit before '=' carries 2 unused bits
    loose = line[:-2] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(last) ^ 1] + "="
    assert base64.b64decode(loose.rsplit(" ", 1)[1]) == base64.b64decode(line.rsplit(" ", 1)[1])
    with pytest.raises(SignatureError):
        verify_note(Note.from_text("hello\n\n" + loose + "\n"), [SIGNER.verifier()])


def test_round_trips_of_keys_and_notes() -> None:
    assert Signer.from_skey(SIGNER.to_skey()).to_skey() == SIGNER.to_skey()
    assert verifier_from_vkey(SIGNER.verifier().vkey).vkey == SIGNER.verifier().vkey
    text = sign_note("a\nb\n", [SIGNER]).to_text()
    assert Note.from_text(text).to_text() == text


@pytest.mark.parametrize("bad", ["no newline", "x\n", "x\n\n", "x\n\n— \n", "a\r\n\n— k AAAAAAA=\n"])
def test_malformed_notes_are_input_errors(bad: str) -> None:
    with pytest.raises(InputError):
        Note.from_text(bad)


def test_cosignature_timestamps_must_fit_63_bits() -> None:
    witness = CosignatureSigner("witness.example", b"w" * 32)
    with pytest.raises(InputError):
        witness.cosign("x\n", 2**63)
    with pytest.raises(InputError):
        witness.cosign("x\n", -1)
    signature = witness.cosign("x\n", 2**63 - 1)
    assert witness.verifier().is_valid("x\n", signature)


_LONG = "!" * 60_000


@pytest.mark.parametrize("parse", [
    lambda: Note.from_text("text\n\n— " + _LONG + "\n"),
    lambda: Note.from_text("text\n\n— name " + _LONG + "\n"),
    lambda: verifier_from_vkey(_LONG),
    lambda: verifier_from_vkey(SIGNER.verifier().vkey.replace("+", "+" + _LONG, 1)),
], ids=["signature-line", "signature", "vkey", "vkey-hash"])
def test_input_of_any_length_is_quoted_as_a_short_prefix(parse: Any) -> None:
    """A signature line or key of 60,000 characters came back whole in the error."""
    with pytest.raises(InputError) as caught:
        parse()
    assert len(caught.value.message) < 600 and "characters)" in caught.value.message
