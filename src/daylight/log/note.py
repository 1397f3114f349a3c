"""C2SP signed notes (signed-note), Ed25519 keys and C2SP tlog-cosignature/v1.

A note is UTF-8 text ending in a newline, a blank line, then one line per signature:
``— <key name> <base64(key hash || signature)>``. The key hash is the first four bytes of
SHA-256(key name || "\\n" || signature type || public key). Ed25519 note signatures have type
0x01 and sign the text itself; cosignature/v1 signatures have type 0x04 and sign
``"cosignature/v1\\ntime <unix seconds>\\n" + text`` with the timestamp carried in the signature.

Keys are written in the forms of golang.org/x/mod/sumdb/note:
verifier keys ``<name>+<hex key hash>+<base64(type || public key)>`` and signer keys
``PRIVATE+KEY+<name>+<hex key hash>+<base64(type || seed)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from daylight.core.errors import InputError, SignatureError, shortened

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100


def b64decode_canonical(text: str, what: str, *, where: str | None = None) -> bytes:
    """Strict standard base64: refuses anything but the one canonical encoding (no stray
    padding bits), so that no two texts of a note or checkpoint carry the same bytes;
    InputError naming ``what`` (and ``where``) otherwise."""
    try:
        value = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError(f"{what} is not standard base64: `{text}`", where=where) from exc
    if b64encode_canonical(value) != text:
        raise InputError(f"{what} is not canonical base64: `{text}`", where=where)
    return value


def b64encode_canonical(value: bytes) -> str:
    """Standard base64 (RFC 4648 §4, padded): the one text ``b64decode_canonical`` reads."""
    return base64.b64encode(value).decode()


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty and contain no whitespace or '+'."""
    return bool(name) and not any(c.isspace() or c == "+" for c in name)


def key_hash(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte key id of signed-note: SHA-256(name || 0x0A || alg || key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()[:4]


@dataclass(frozen=True)
class NoteSignature:
    """One signature line of a note. ``encoded`` keeps the base64 as written, so that lines by
    keys we do not know survive a round trip unchanged."""

    name: str
    key_hash: bytes
    signature: bytes
    encoded: str | None = field(default=None, compare=False)

    @property
    def is_canonical(self) -> bool:
        return self.encoded is None or self.encoded == self._canonical()

    def _canonical(self) -> str:
        return base64.b64encode(self.key_hash + self.signature).decode()

    def to_line(self) -> str:
        return f"{SIGNATURE_PREFIX}{self.name} {self.encoded or self._canonical()}\n"

    @classmethod
    def from_line(cls, line: str) -> NoteSignature:
        if not line.startswith(SIGNATURE_PREFIX):
            raise InputError(f"signature line does not start with an em dash: `{shortened(line)}`")
        parts = line[len(SIGNATURE_PREFIX):].split(" ")
        if len(parts) != 2 or not is_valid_key_name(parts[0]):
            raise InputError(f"malformed signature line: `{shortened(line)}`")
        # Lenient here: signatures by unknown keys must be ignored, not judged; signatures by
        # the keys a reader checks must also be canonical (see verify_note).
        try:
            blob = base64.b64decode(parts[1], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError(f"signature is not base64: `{shortened(line)}`") from exc
        if len(blob) < 5:
            raise InputError(f"signature too short: `{shortened(line)}`")
        return cls(parts[0], blob[:4], blob[4:], parts[1])


@dataclass(frozen=True)
class Note:
    """A signed note: its text and its signature lines, in order."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def to_text(self) -> str:
        return self.text + "\n" + "".join(s.to_line() for s in self.signatures)

    @classmethod
    def from_text(cls, note: str | bytes) -> Note:
        if isinstance(note, bytes):
            try:
                note = note.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InputError("note is not UTF-8") from exc
        if "\r" in note or any(ord(c) < 0x20 and c != "\n" for c in note):
            raise InputError("note contains control characters")
        split = note.rfind("\n\n")
        if split < 0 or not note.endswith("\n"):
            raise InputError("note has no signature block (text, blank line, signatures)")
        text, block = note[: split + 1], note[split + 2:]
        lines = block[:-1].split("\n") if block else []
        if not lines:
            raise InputError("note has no signatures")
        if len(lines) > MAX_SIGNATURES:
            raise InputError(f"note has more than {MAX_SIGNATURES} signatures")
        return cls(text, tuple(NoteSignature.from_line(line) for line in lines))


def _check_key(name: str, key: bytes, what: str) -> None:
    """InputError unless ``name`` is a valid key name and ``key`` 32 bytes (an Ed25519 ``what``)."""
    if not is_valid_key_name(name):
        raise InputError(f"invalid key name `{name}`")
    if len(key) != 32:
        raise InputError(f"ed25519 {what} must be 32 bytes, got {len(key)}")


class Verifier:
    """Verifies one key's Ed25519 note signatures (type 0x01)."""

    alg = ALG_ED25519

    def __init__(self, name: str, public_key: bytes) -> None:
        _check_key(name, public_key, "public key")
        self.name = name
        self.public_key = public_key
        self.key_hash = key_hash(name, self.alg, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    @property
    def vkey(self) -> str:
        """The verifier key line ``name+hash+base64``."""
        blob = base64.b64encode(bytes([self.alg]) + self.public_key).decode()
        return f"{self.name}+{self.key_hash.hex()}+{blob}"

    def matches(self, signature: NoteSignature) -> bool:
        return signature.name == self.name and signature.key_hash == self.key_hash

    def is_valid(self, text: str, signature: NoteSignature) -> bool:
        """True if ``signature`` is this key's valid signature over ``text``."""
        if not self.matches(signature) or len(signature.signature) != 64:
            return False
        try:
            self._key.verify(signature.signature, text.encode())
        except InvalidSignature:
            return False
        return True


class CosignatureVerifier(Verifier):
    """Verifies a witness's tlog-cosignature/v1 signatures (type 0x04)."""

    alg = ALG_COSIGNATURE_V1

    @staticmethod
    def timestamp(signature: NoteSignature) -> int:
        """The Unix time the witness asserts it saw the checkpoint."""
        return int(struct.unpack(">Q", signature.signature[:8])[0])

    def is_valid(self, text: str, signature: NoteSignature) -> bool:
        if not self.matches(signature) or len(signature.signature) != 72:
            return False
        timestamp = self.timestamp(signature)
        if timestamp >= 2**63:  # tlog-cosignature: MUST NOT exceed 2^63 - 1
            return False
        message = cosigned_message(text, timestamp)
        try:
            self._key.verify(signature.signature[8:], message)
        except InvalidSignature:
            return False
        return True


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, a time line, then the checkpoint text."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode()


def verifier_from_vkey(vkey: str) -> Verifier:
    """Parse a verifier key ``name+hash+base64(type || key)`` (Ed25519 or cosignature/v1)."""
    vkey = vkey.strip()
    parts = vkey.split("+", 2)  # base64 may itself contain '+'
    if len(parts) != 3:
        raise InputError(f"verifier key must be name+hash+key: `{shortened(vkey)}`")
    name, hash_hex, blob_b64 = parts
    blob = b64decode_canonical(blob_b64, "verifier key")
    if not blob:
        raise InputError(f"empty verifier key: `{shortened(vkey)}`")
    alg, public_key = blob[0], blob[1:]
    verifier: Verifier
    if alg == ALG_ED25519:
        verifier = Verifier(name, public_key)
    elif alg == ALG_COSIGNATURE_V1:
        verifier = CosignatureVerifier(name, public_key)
    else:
        raise InputError(f"unsupported verifier key type 0x{alg:02x}: `{shortened(vkey)}`")
    if hash_hex != verifier.key_hash.hex():
        raise InputError(f"verifier key hash `{shortened(hash_hex, 64)}` does not match the key: "
                         f"`{shortened(vkey)}`")
    return verifier


class Signer:
    """Signs notes with one Ed25519 key (type 0x01)."""

    alg = ALG_ED25519

    def __init__(self, name: str, seed: bytes) -> None:
        _check_key(name, seed, "seed")
        self.name = name
        self._seed = seed
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes_raw()
        self.key_hash = key_hash(name, self.alg, self.public_key)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A new random key."""
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_skey(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hash+base64(type || seed)``; errors never echo the key."""
        parts = skey.strip().split("+", 4)  # base64 may itself contain '+'
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise InputError("signer key must be PRIVATE+KEY+name+hash+key")
        name, hash_hex, blob_b64 = parts[2:]
        try:
            blob = base64.b64decode(blob_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise InputError("signer key is not standard base64") from exc
        if not blob or blob[0] != cls.alg:
            raise InputError("signer key is not an ed25519 key")
        signer = cls(name, blob[1:])
        if hash_hex != signer.key_hash.hex():
            raise InputError("signer key hash does not match the key")
        return signer

    def to_skey(self) -> str:
        blob = base64.b64encode(bytes([self.alg]) + self._seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_hash.hex()}+{blob}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public_key)

    def sign(self, text: str) -> NoteSignature:
        return NoteSignature(self.name, self.key_hash, self._key.sign(text.encode()))

    def __repr__(self) -> str:
        return f"Signer({self.name!r}, key_hash={self.key_hash.hex()})"


class CosignatureSigner(Signer):
    """Signs checkpoints as a witness, with tlog-cosignature/v1 (type 0x04)."""

    alg = ALG_COSIGNATURE_V1

    def verifier(self) -> CosignatureVerifier:
        return CosignatureVerifier(self.name, self.public_key)

    def cosign(self, text: str, timestamp: int) -> NoteSignature:
        if not 0 <= timestamp < 2**63:
            raise InputError(f"cosignature timestamp {timestamp} is outside 0..2^63-1")
        signature = self._key.sign(cosigned_message(text, timestamp))
        return NoteSignature(self.name, self.key_hash, struct.pack(">Q", timestamp) + signature)

    def sign(self, text: str) -> NoteSignature:
        raise InputError("a cosignature needs a timestamp: use cosign()")


def sign_note(text: str, signers: Sequence[Signer]) -> Note:
    """A note of ``text`` signed by each signer in order."""
    if not text.endswith("\n"):
        raise InputError("note text must end with a newline")
    return Note(text, tuple(s.sign(text) for s in signers))


def verify_note(note: Note, verifiers: Iterable[Verifier]) -> list[NoteSignature]:
    """The signatures in ``note`` made by ``verifiers``; SignatureError if a verifier has no
    signature, or if any signature by one of them fails (a known key's bad signature rejects the
    whole note, as signed-note advises). Signatures by unknown keys are ignored."""
    verified: list[NoteSignature] = []
    for verifier in verifiers:
        candidates = list(dict.fromkeys(s for s in note.signatures if verifier.matches(s)))
        if not candidates:
            raise SignatureError(
                f"no signature by `{verifier.name}` (key hash {verifier.key_hash.hex()})",
                evidence={"note": note.to_text()},
            )
        for candidate in candidates:
            if not candidate.is_canonical or not verifier.is_valid(note.text, candidate):
                raise SignatureError(
                    f"invalid signature by `{verifier.name}`",
                    evidence={"note": note.to_text(), "signature_line": candidate.to_line().strip()},
                )
        verified.append(candidates[0])
    return verified


def witness_verifiers(vkeys: Sequence[str]) -> list[Verifier]:
    """The witness keys given as ``--witness VKEY`` (the output of ``daylight witness key``);
    InputError naming the one that does not parse, or one given twice (it would count twice
    toward a quorum)."""
    verifiers: list[Verifier] = []
    for vkey in vkeys:
        try:
            verifier = verifier_from_vkey(vkey)
        except InputError as exc:
            raise InputError(exc.message, where="--witness") from exc
        if any(v.key_hash == verifier.key_hash and v.name == verifier.name for v in verifiers):
            raise InputError(f"the witness key `{verifier.name}` is given twice", where="--witness")
        verifiers.append(verifier)
    return verifiers


def verify_quorum(quorum: int, witnesses: int) -> None:
    """InputError unless 1 <= ``quorum`` <= ``witnesses``: another quorum could never fail, or
    never pass."""
    if not 1 <= quorum <= witnesses:
        raise InputError(f"a quorum of {quorum} needs 1 to {witnesses} witness keys "
                         f"({witnesses} given)", where="--quorum")


def verify_cosignatures(note: Note, witnesses: Sequence[Verifier], quorum: int) -> list[str]:
    """The names of the ``witnesses`` whose valid cosignature ``note`` carries; SignatureError
    (with the note) if fewer than ``quorum``. Cosignatures by other keys are ignored; a quorum
    outside 1..len(witnesses) is an InputError (``verify_quorum``)."""
    verify_quorum(quorum, len(witnesses))
    cosigned = [w.name for w in witnesses
                if any(w.is_valid(note.text, s) for s in note.signatures if w.matches(s))]
    if len(cosigned) < quorum:
        raise SignatureError(
            f"cosigned by {len(cosigned)} of the {len(witnesses)} witnesses given; "
            f"{quorum} required", evidence={"note": note.to_text(), "cosigned_by": cosigned})
    return cosigned
