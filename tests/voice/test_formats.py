"""Converters come in pairs, each with a round trip: subjects, sealed records (the tlog-proof
text: tests/log/test_tlog_proof.py); the canonical identity is idempotent and refuses what could
make a second spelling."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daylight.core.errors import InputError, VerificationError
from daylight.voice.identity import canonical_identity
from daylight.voice.objection import KINDS, Subject
from daylight.voice.privacy import SealedIdentity, VoiceKeys, generate_review_key, unb64, unseal


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
