"""C2SP tlog-checkpoint: the signed statement of a log's size and root hash.

Body::

    <origin>\\n
    <tree size, decimal>\\n
    <root hash, standard base64>\\n
    [extension lines]\\n...

signed as a C2SP signed note by the log's key.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from daylight.core.errors import InputError, shortened
from daylight.log.merkle import HASH_SIZE
from daylight.log.note import Note, Signer, Verifier, b64decode_canonical, sign_note, verify_note

_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's origin, tree size and root hash, plus any extension lines."""

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def to_text(self) -> str:
        root = base64.b64encode(self.root_hash).decode()
        lines = [self.origin, str(self.tree_size), root, *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        if not text.endswith("\n"):
            raise InputError("checkpoint body must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise InputError("checkpoint needs origin, tree size and root hash lines")
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise InputError("checkpoint origin line is empty")
        if not _SIZE.fullmatch(size_text) or int(size_text) >= 1 << 64:
            # a uint64 has at most 20 digits: more are quoted as a prefix and a length
            raise InputError(f"checkpoint tree size is not a decimal uint64: "
                             f"`{shortened(size_text, 40)}`")
        root = b64decode_canonical(root_text, "checkpoint root hash")
        if len(root) != HASH_SIZE:
            raise InputError(f"checkpoint root hash is {len(root)} bytes, expected {HASH_SIZE}")
        if any(not line for line in extensions):
            raise InputError("checkpoint has an empty extension line")
        return cls(origin, int(size_text), root, tuple(extensions))


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint with the signed note that carries it."""

    checkpoint: Checkpoint
    note: Note

    def to_text(self) -> str:
        return self.note.to_text()


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> SignedCheckpoint:
    """Sign ``checkpoint`` with the log's key."""
    return SignedCheckpoint(checkpoint, sign_note(checkpoint.to_text(), [signer]))


def open_checkpoint(
    text: str | bytes,
    verifier: Verifier,
    *,
    origin: str | None = None,
    cosigners: Sequence[Verifier] = (),
) -> SignedCheckpoint:
    """Parse a signed checkpoint and verify it: the log's signature, the origin (which must be the
    verifier key's name unless given), and any required cosignatures. Raises SignatureError or
    InputError."""
    note = Note.from_text(text)
    verify_note(note, [verifier, *cosigners])
    checkpoint = Checkpoint.from_text(note.text)
    expected = origin if origin is not None else verifier.name
    if checkpoint.origin != expected:
        raise InputError(
            f"checkpoint origin `{checkpoint.origin}` is not the expected `{expected}`"
        )
    return SignedCheckpoint(checkpoint, note)
