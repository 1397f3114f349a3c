"""A witness: co-signs a log's checkpoints only after checking each is consistent with the last
one it co-signed, so that a log cannot show different histories to different readers
(C2SP tlog-witness; signatures in C2SP tlog-cosignature/v1).

``WitnessService`` is the protocol's ``add-checkpoint`` over a database: the request body
(``AddCheckpoint``: ``old N``, up to 63 consistency-proof lines, a blank line, the signed
checkpoint), checked in the order the spec gives, answered with this witness's cosignature
line, and the new latest checkpoint persisted in the same transaction as the check (so two
concurrent requests cannot roll the witness back). Its refusals are errors whose ``status``
is the spec's::

    UnknownOriginError        404   the witness does not follow this origin
    UntrustedCheckpointError  403   no valid signature by the log's key
    OldSizeBeyondNewError     400   ``old`` is larger than the checkpoint's size
    OldSizeConflictError      409   ``old`` is not the size last cosigned (answered as
                                    ``text/x.tlog.size``: that size and a newline)
    ForkError                 409   the same size as last cosigned, another root
    InconsistentProofError    422   the proof does not lead from the cosigned checkpoint

A ``ForkError`` or an ``InconsistentProofError`` on a validly signed checkpoint is evidence
that the log showed two histories: the request is kept whole, with the checkpoint it failed
to extend (``witness_refusal``), before the answer.

``Witness`` is the same check in memory, for tests and embedding. What a reader runs is
``daylight.log.note.verify_cosignatures``: a note carries valid cosignatures by at least
``quorum`` of the witnesses it trusts.
"""

from __future__ import annotations

import base64
import binascii
import re
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from daylight.core.clock import Clock, utc_now, utc_text
from daylight.core.database import Database
from daylight.core.errors import (
    ConflictError,
    InconsistencyError,
    InputError,
    NotFoundError,
    ProofError,
    SignatureError,
    shortened,
)
from daylight.log.checkpoint import Checkpoint, open_checkpoint
from daylight.log.merkle import EMPTY_ROOT, HASH_SIZE
from daylight.log.note import CosignatureSigner, Note, NoteSignature, Verifier, verifier_from_vkey
from daylight.log.proof import verify_consistency
from daylight.log.witness_store import Refusal, WitnessStore

MAX_PROOF_LINES = 63
MAX_REQUEST_BYTES = 64 * 1024
SIZE_CONTENT_TYPE = "text/x.tlog.size"
_OLD_LINE = re.compile(r"old (0|[1-9][0-9]{0,19})")


class UnknownOriginError(NotFoundError):
    """A checkpoint of a log this witness does not follow."""

    code = "unknown_origin"


class UntrustedCheckpointError(SignatureError):
    """A checkpoint without a valid signature by the log's key."""

    status = 403
    code = "untrusted_checkpoint"


LOGS_ENV = "DAYLIGHT_WITNESS_LOGS"  # the logs followed, ORIGIN=VKEY lines: the command to the app


def parse_logs(values: list[str], where: str = "--log") -> dict[str, Verifier]:
    """``ORIGIN=VKEY`` pairs → origin → the log's verifier key; InputError naming the bad one."""
    logs: dict[str, Verifier] = {}
    for value in values:
        origin, equals, vkey = value.partition("=")
        if not equals or not origin:
            raise InputError(f"expected ORIGIN=VKEY, got `{value[:100]}`", where=where)
        try:
            logs[origin] = verifier_from_vkey(vkey)
        except InputError as exc:
            raise InputError(f"`{origin}`: {exc.message}", where=where) from exc
    if not logs:
        raise InputError("a witness needs at least one log to follow", where=where)
    return logs


class OldSizeBeyondNewError(InputError):
    """An add-checkpoint request whose old size is larger than its checkpoint's."""

    code = "old_size_beyond_new"


class OldSizeConflictError(ConflictError):
    """The old size is not the size this witness last cosigned; ``latest_size`` is."""

    code = "old_size_mismatch"

    def __init__(self, message: str, *, latest_size: int, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.latest_size = latest_size


class ForkError(InconsistencyError):
    """A checkpoint of the size last cosigned with another root hash: a split view."""

    status = 409
    code = "fork"


class InconsistentProofError(InconsistencyError):
    """A consistency proof that does not lead from the cosigned checkpoint to the offered one."""

    code = "inconsistent_proof"


@dataclass(frozen=True)
class AddCheckpoint:
    """A C2SP tlog-witness ``add-checkpoint`` request."""

    old_size: int
    consistency_proof: tuple[bytes, ...]
    checkpoint: str

    def to_body(self) -> bytes:
        proof = "".join(base64.b64encode(h).decode() + "\n" for h in self.consistency_proof)
        return f"old {self.old_size}\n{proof}\n{self.checkpoint}".encode()

    @classmethod
    def from_body(cls, body: bytes) -> AddCheckpoint:
        """Parse a request body; InputError (400) naming the line for anything malformed."""
        if len(body) > MAX_REQUEST_BYTES:
            raise InputError(f"the request is {len(body)} bytes; at most {MAX_REQUEST_BYTES}",
                             where="body")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 at byte {exc.start}", where="body") from exc
        head, blank, checkpoint = text.partition("\n\n")
        if not blank:
            raise InputError("expected an old size line, proof lines, a blank line and a "
                             "checkpoint", where="body")
        old_line, *proof_lines = head.split("\n")
        match = _OLD_LINE.fullmatch(old_line)
        if match is None or int(match[1]) >= 1 << 64:
            raise InputError(f"expected `old <size>` (decimal, no leading zeros), got "
                             f"`{old_line[:80]}`", where="body:1")
        if len(proof_lines) > MAX_PROOF_LINES:
            raise InputError(f"{len(proof_lines)} consistency proof lines; at most "
                             f"{MAX_PROOF_LINES}", where="body")
        proof = []
        for number, line in enumerate(proof_lines, start=2):
            try:
                value = base64.b64decode(line, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise InputError("a proof line is not base64", where=f"body:{number}") from exc
            if len(value) != HASH_SIZE or base64.b64encode(value).decode() != line:
                raise InputError(f"a proof line must be one {HASH_SIZE}-byte hash in base64",
                                 where=f"body:{number}")
            proof.append(value)
        return cls(int(match[1]), tuple(proof), checkpoint)


def check_extension(previous: Checkpoint | None, old_size: int, offered: Checkpoint,
                    consistency_proof: Sequence[bytes]) -> None:
    """Raise unless ``offered`` extends ``previous`` (the checkpoint last cosigned, None if
    none) by ``consistency_proof`` from ``old_size``: the checks of tlog-witness, in its order."""
    evidence: dict[str, object] = {"offered": offered.to_text()}
    if previous is not None:
        evidence["cosigned"] = previous.to_text()
    if old_size > offered.tree_size:
        raise OldSizeBeyondNewError(
            f"old size {old_size} is larger than the checkpoint's size {offered.tree_size}")
    latest_size = previous.tree_size if previous is not None else 0
    if old_size != latest_size:
        raise OldSizeConflictError(
            f"old size {old_size} is not the size last cosigned, {latest_size}",
            latest_size=latest_size)
    if offered.tree_size == 0 and offered.root_hash != EMPTY_ROOT:
        raise InconsistentProofError("a checkpoint of size 0 must have the empty tree's root",
                                     evidence=evidence)
    if old_size == 0:
        if consistency_proof:
            raise InconsistentProofError("a consistency proof from size 0 must be empty",
                                         evidence=evidence)
        return
    assert previous is not None
    if old_size == offered.tree_size:
        if offered.root_hash != previous.root_hash:
            raise ForkError(f"another root hash for the size {old_size} already cosigned: "
                            "the log shows two histories", evidence=evidence)
        return
    try:
        verify_consistency(old_size, offered.tree_size, previous.root_hash, offered.root_hash,
                           consistency_proof)
    except ProofError as exc:
        raise InconsistentProofError(
            f"the checkpoint is not proved consistent with the size {old_size} already "
            f"cosigned: {exc.message}", evidence={**evidence, **exc.evidence}) from exc


@dataclass
class WitnessService:
    """``add-checkpoint`` for the logs in ``logs`` (origin → the log's verifier key), with the
    latest cosigned checkpoint per origin and the refusals kept in ``database``."""

    signer: CosignatureSigner
    logs: dict[str, Verifier]
    database: Database
    clock: Clock = utc_now

    def add_checkpoint(self, body: bytes) -> str:
        """This witness's cosignature line for the checkpoint in ``body``, persisted as the
        latest for its origin before it is returned; or one of the refusals above."""
        request = AddCheckpoint.from_body(body)
        note = Note.from_text(request.checkpoint)
        origin = note.text.split("\n", 1)[0]
        verifier = self.logs.get(origin)
        if verifier is None:
            raise UnknownOriginError(f"this witness does not follow the log `{shortened(origin, 100)}`",
                                     where="checkpoint")
        try:
            offered = open_checkpoint(request.checkpoint, verifier, origin=origin).checkpoint
        except SignatureError as exc:
            raise UntrustedCheckpointError(f"no valid signature by the log's key: {exc.message}",
                                           where="checkpoint", evidence=exc.evidence) from exc
        refused: InconsistencyError | None = None
        with self.database.transaction() as tx:
            store = WitnessStore(tx)
            store.lock(origin)
            latest = store.latest(origin)
            previous = None if latest is None else Checkpoint.from_text(Note.from_text(latest).text)
            try:
                check_extension(previous, request.old_size, offered, request.consistency_proof)
            except (ForkError, InconsistentProofError) as error:
                refused = error
            else:
                signature = self.signer.cosign(note.text, _unix_seconds(self.clock()))
                cosigned = Note(note.text, (*note.signatures, signature)).to_text()
                store.save_latest(origin, offered.tree_size, offered.root_hash, cosigned,
                                  utc_text(self.clock()))
        if refused is not None:
            with self.database.transaction() as tx:
                WitnessStore(tx).add_refusal(Refusal(
                    uuid.uuid4().hex, origin, utc_text(self.clock()), refused.status, refused.message,
                    body.decode("utf-8"), latest or ""))
            raise refused
        return signature.to_line()

    def refusals(self, origin: str | None = None) -> list[Refusal]:
        """The evidence kept of every fork refused (for ``origin``)."""
        with self.database.transaction(write=False) as tx:
            return WitnessStore(tx).refusals(origin)

    def latest(self, origin: str) -> str | None:
        """The latest checkpoint cosigned for ``origin``, with the cosignature."""
        with self.database.transaction(write=False) as tx:
            return WitnessStore(tx).latest(origin)


def _unix_seconds(moment: datetime) -> int:
    """A cosignature's timestamp: whole seconds since the epoch (tlog-cosignature)."""
    return int(moment.timestamp())


@dataclass
class Witness:
    """Co-signs checkpoints of the logs it knows, after checking consistency."""

    signer: CosignatureSigner
    logs: dict[str, Verifier]
    latest: dict[str, Checkpoint] = field(default_factory=dict)
    clock: Clock = utc_now
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
        with self._lock:
            previous = self.latest.get(origin)
            if previous is not None and checkpoint.tree_size < previous.tree_size:
                raise InconsistencyError(
                    f"checkpoint of size {checkpoint.tree_size} is older than the size "
                    f"{previous.tree_size} already co-signed",
                    evidence={"offered": checkpoint.to_text(), "cosigned": previous.to_text()})
            old_size = previous.tree_size if previous is not None else 0
            check_extension(previous, old_size, checkpoint, consistency_proof)
            signature = self.signer.cosign(note.text, _unix_seconds(self.clock()))
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
