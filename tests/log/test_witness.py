"""Witnesses co-sign only consistent checkpoints, which defeats a split view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from daylight.core.clock import fixed_clock
from daylight.core.errors import InconsistencyError, NotFoundError, SignatureError
from daylight.log.checkpoint import open_checkpoint
from daylight.log.note import CosignatureSigner, Signer
from daylight.log.service import TransparencyLog
from daylight.log.witness import Witness

WITNESS_KEY = CosignatureSigner("witness.daylight.invalid", b"w" * 32)


def append(log: TransparencyLog, start: int, count: int) -> str:
    log.append_canonical([b'{"n":%d}' % i for i in range(start, start + count)])
    return log.checkpoint().note


def test_cosigns_a_growing_log_and_readers_can_require_it(
    log: TransparencyLog, signer: Signer
) -> None:
    witness = Witness(WITNESS_KEY, {log.origin: log.verifier},
                      clock=fixed_clock(datetime.fromtimestamp(1_767_139_200, UTC)))
    first = witness.cosign(append(log, 0, 10))
    second_text = append(log, 10, 90)
    proof = log.consistency_proof(10, 100).proof
    second = witness.cosign(second_text, proof)
    signed = open_checkpoint(second, signer.verifier(), cosigners=[WITNESS_KEY.verifier()])
    assert signed.checkpoint.tree_size == 100
    assert len(signed.note.signatures) == 2
    assert witness.signature_in(first).signature[:8] == (1_767_139_200).to_bytes(8, "big")
    with pytest.raises(SignatureError):
        open_checkpoint(second_text, signer.verifier(), cosigners=[WITNESS_KEY.verifier()])


def test_refuses_a_fork_a_rollback_and_unknown_logs(log: TransparencyLog, signer: Signer) -> None:
    witness = Witness(WITNESS_KEY, {log.origin: log.verifier})
    append(log, 0, 10)
    witness.cosign(append(log, 10, 10))
    fork = open_checkpoint(log.checkpoint().note, signer.verifier()).checkpoint
    from daylight.log.checkpoint import Checkpoint, sign_checkpoint

    forged = sign_checkpoint(Checkpoint(fork.origin, 25, b"\x07" * 32), signer).to_text()
    with pytest.raises(InconsistencyError, match="not proved consistent"):
        witness.cosign(forged, log.consistency_proof(10, 20).proof)
    with pytest.raises(InconsistencyError, match="older than"):
        witness.cosign(log.checkpoint(10).note)
    other = Signer.generate("elsewhere.invalid/log")
    with pytest.raises(NotFoundError):
        witness.cosign(sign_checkpoint(Checkpoint(other.name, 1, b"\x00" * 32), other).to_text())


def test_size_zero_needs_the_empty_root_and_no_proof(log: TransparencyLog, signer: Signer) -> None:
    from daylight.log.checkpoint import Checkpoint, sign_checkpoint

    witness = Witness(WITNESS_KEY, {log.origin: log.verifier})
    bogus = sign_checkpoint(Checkpoint(log.origin, 0, b"\x01" * 32), signer).to_text()
    with pytest.raises(InconsistencyError, match="empty tree's root"):
        witness.cosign(bogus)
    with pytest.raises(InconsistencyError, match="from size 0 must be empty"):
        witness.cosign(append(log, 0, 3), [b"\x00" * 32])
    witness.cosign(log.checkpoint().note)
