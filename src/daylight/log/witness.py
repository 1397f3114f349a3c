"""A witness: co-signs a log's checkpoints only after checking each is consistent with the last
one it co-signed, so that a log cannot show different histories to different readers
(C2SP tlog-witness semantics; signatures in C2SP tlog-cosignature/v1).

The witness keeps, per log origin, the latest checkpoint it co-signed. Callers persist that state
(``state`` / ``from_state``) wherever the witness runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from daylight.core.errors import InconsistencyError, NotFoundError, ProofError
from daylight.log.checkpoint import Checkpoint, open_checkpoint
from daylight.log.merkle import EMPTY_ROOT
from daylight.log.note import CosignatureSigner, Note, NoteSignature, Verifier
from daylight.log.proof import verify_consistency


def _unix_now() -> int:
    return int(datetime.now(UTC).timestamp())


@dataclass
class Witness:
    """Co-signs checkpoints of the logs it knows, after checking consistency."""

    signer: CosignatureSigner
    logs: dict[str, Verifier]
    latest: dict[str, Checkpoint] = field(default_factory=dict)
    clock: Callable[[], int] = _unix_now
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def cosign(self, checkpoint_text: str, consistency_proof: Sequence[bytes] = ()) -> str:
        """Return the checkpoint with this witness's cosignature added, or raise.

        The checkpoint must be signed by its log; ``consistency_proof`` must prove it extends the
        last checkpoint this witness co-signed for that log (empty for the first, or the same
        size). Check and update happen under one lock, so concurrent calls cannot roll back.
        """
        note = Note.from_text(checkpoint_text)
        origin = note.text.split("\n", 1)[0]
        verifier = self.logs.get(origin)
        if verifier is None:
            raise NotFoundError(f"this witness does not follow the log `{origin}`")
        checkpoint = open_checkpoint(checkpoint_text, verifier).checkpoint
        evidence = {"offered": checkpoint.to_text()}
        if checkpoint.tree_size == 0 and checkpoint.root_hash != EMPTY_ROOT:
            raise InconsistencyError("a checkpoint of size 0 must have the empty tree's root",
                                     evidence=evidence)
        with self._lock:
            previous = self.latest.get(origin)
            old_size = previous.tree_size if previous is not None else 0
            if previous is not None:
                evidence["cosigned"] = previous.to_text()
                if checkpoint.tree_size < previous.tree_size:
                    raise InconsistencyError(
                        f"checkpoint of size {checkpoint.tree_size} is older than the size "
                        f"{previous.tree_size} already co-signed",
                        evidence=evidence,
                    )
            if old_size == 0:
                if consistency_proof:
                    raise InconsistencyError(
                        "a consistency proof from size 0 must be empty", evidence=evidence
                    )
            else:
                assert previous is not None
                try:
                    verify_consistency(old_size, checkpoint.tree_size, previous.root_hash,
                                       checkpoint.root_hash, consistency_proof)
                except ProofError as exc:
                    raise InconsistencyError(
                        f"checkpoint is not proved consistent with the co-signed size "
                        f"{old_size}: {exc.message}",
                        evidence=evidence,
                    ) from exc
            signature = self.signer.cosign(note.text, self.clock())
            self.latest[origin] = checkpoint
        others = tuple(s for s in note.signatures if s.key_hash != self.signer.key_hash)
        return Note(note.text, (*others, signature)).to_text()

    def signature_in(self, checkpoint_text: str) -> NoteSignature:
        """This witness's cosignature in a co-signed checkpoint (raises if absent or invalid)."""
        note = Note.from_text(checkpoint_text)
        verifier = self.signer.verifier()
        for signature in note.signatures:
            if verifier.is_valid(note.text, signature):
                return signature
        raise NotFoundError(f"no valid cosignature by `{self.signer.name}`")
