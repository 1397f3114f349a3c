"""Converters come in pairs, each with a round trip: tlog-proof text, subjects, sealed records;
the canonical identity is idempotent and refuses what could make a second spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daylight.core.errors import InputError, VerificationError
from daylight.voice.identity import canonical_identity
from daylight.voice.objection import KINDS, Subject
from daylight.voice.privacy import SealedIdentity, VoiceKeys, generate_review_key, unb64, unseal
from daylight.voice.receipt import TLOG_PROOF_HEADER, TlogProof

CHECKPOINT = "example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAA\n"


@given(st.one_of(st.none(), st.binary(max_size=300)), st.integers(0, 2**40),
       st.lists(st.binary(min_size=32, max_size=32), max_size=40))
def test_tlog_proof_text_round_trips(extra: bytes | None, index: int, hashes: list[bytes]) -> None:
    proof = TlogProof(extra, index, tuple(hashes), CHECKPOINT)
    text = proof.to_text()
    assert text.startswith(TLOG_PROOF_HEADER + "\n")
    assert TlogProof.from_text(text) == proof


@pytest.mark.parametrize("text, message", [
    ("c2sp.org/tlog-proof@v2\nindex 1\n\n" + CHECKPOINT, "expected"),
    ("c2sp.org/tlog-proof@v1\nindex 01\n\n" + CHECKPOINT, "decimal"),
    ("c2sp.org/tlog-proof@v1\nindex 1\nnot base64\n\n" + CHECKPOINT, "base64"),
    ("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n" + CHECKPOINT, "32 bytes"),
    ("c2sp.org/tlog-proof@v1\n1\n\n" + CHECKPOINT, "index"),
])
def test_malformed_tlog_proofs_are_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        TlogProof.from_text(text)


@given(st.sampled_from(KINDS), st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF,
                                                     blacklist_categories=("Cs", "Cc", "Cf",
                                                                           "Zs", "Zl", "Zp", "Co", "Cn")),
                                       min_size=1, max_size=50))
def test_subjects_round_trip(kind: str, ident: str) -> None:
    subject = Subject(kind, ident)
    assert Subject.from_text(subject.to_text()) == subject


@given(st.text(max_size=60))
def test_the_canonical_identity_is_idempotent_or_refused(text: str) -> None:
    try:
        form = canonical_identity(text)
    except InputError:
        return
    assert canonical_identity(form) == form
    assert form == form.strip() and not any(c.isspace() for c in form)


def test_sealed_records_round_trip_and_only_open_with_their_key() -> None:
    public, private = generate_review_key()
    keys = VoiceKeys(unb64(public, where="key"), b"t" * 32)
    record = SealedIdentity("obj-1", "a@provider.example", b"s" * 32, "SYNTHETIC statement")
    box = keys.seal(record)
    assert b"provider.example" not in box and len(box) > 48
    assert unseal(private, box) == record
    assert SealedIdentity.from_json(record.to_json()) == record
    with pytest.raises(VerificationError):
        unseal(generate_review_key()[1], box)
    with pytest.raises(VerificationError):
        unseal(private, box[:-1] + bytes([box[-1] ^ 1]))
