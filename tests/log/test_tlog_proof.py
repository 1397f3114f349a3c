"""The C2SP tlog-proof text (``c2sp.org/tlog-proof@v1``), the one format the report's proof
files, the signers' receipts and the log's HTTP route write: a round trip, the fast writer's
text equal to the dataclass's, and every malformed text refused naming its line and what was
expected."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daylight.core.errors import InputError
from daylight.log.tlog_proof import HEADER, TlogProof, tlog_proof_text

CHECKPOINT = "example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log AAAA\n"
HASH = base64.b64encode(bytes(32)).decode()


@given(index=st.integers(0, 2**63), hashes=st.lists(st.binary(min_size=32, max_size=32),
                                                    max_size=40),
       extra=st.one_of(st.none(), st.binary(max_size=300)))
def test_tlog_proofs_round_trip(index: int, hashes: list[bytes], extra: bytes | None) -> None:
    proof = TlogProof(index, tuple(hashes), CHECKPOINT, extra)
    text = proof.to_text()
    assert text.startswith(HEADER + "\n")
    assert TlogProof.from_text(text) == proof
    assert text == tlog_proof_text(
        index, [base64.b64encode(h).decode() for h in hashes], CHECKPOINT,
        None if extra is None else base64.b64encode(extra).decode())


def test_the_text_is_the_one_the_spec_draws() -> None:
    proof = TlogProof(5, (bytes(32),), CHECKPOINT, b"{}")
    assert proof.to_text() == f"{HEADER}\nextra e30=\nindex 5\n{HASH}\n\n{CHECKPOINT}"
    assert TlogProof(0, (), CHECKPOINT).to_text() == f"{HEADER}\nindex 0\n\n{CHECKPOINT}"


@pytest.mark.parametrize("text, where, message", [
    ("c2sp.org/tlog-proof@v2\nindex 1\n\n" + CHECKPOINT, "p:1", "expected the first line"),
    ("c2sp.org/tlog-proof@v1\nindex 01\n\n" + CHECKPOINT, "p:2", "no leading zeroes"),
    ("c2sp.org/tlog-proof@v1\n1\n\n" + CHECKPOINT, "p:2", "`index N`"),
    ("c2sp.org/tlog-proof@v1\nextra e30=\n\n" + CHECKPOINT, "p:3", "`index N`"),
    ("c2sp.org/tlog-proof@v1\nextra e30\nindex 1\n\n" + CHECKPOINT, "p:2",
     "the extra data is not standard base64"),
    (f"c2sp.org/tlog-proof@v1\nindex 1\n{HASH}\nnot base64\n\n" + CHECKPOINT, "p:4",
     "the proof hash is not standard base64"),
    ("c2sp.org/tlog-proof@v1\nindex 1\nAAB=\n\n" + CHECKPOINT, "p:3", "not canonical base64"),
    ("c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n" + CHECKPOINT, "p:3", "3 bytes, expected 32 bytes"),
    ("c2sp.org/tlog-proof@v1\nindex 1\n", "p", "an empty line and a checkpoint"),
    ("c2sp.org/tlog-proof@v1\nindex 1\n\n", "p", "an empty line and a checkpoint"),
])
def test_malformed_tlog_proofs_are_refused_naming_the_line(text: str, where: str,
                                                           message: str) -> None:
    with pytest.raises(InputError, match=message) as refused:
        TlogProof.from_text(text, where="p")
    assert refused.value.where == where
