"""What keeps signers private: salted commitments (public), keyed tags (duplicate detection)
and sealed boxes (who signed, readable only with the review key).

- ``commitment = SHA-256("daylight/voice/v1" 0x00 KIND 0x00 SUBJECT 0x00 IDENTITY 0x00 SALT)``
  with a fresh 32-byte salt: the public record holds only this; the salt goes to the signer in
  their receipt and, sealed, to the review key holder. Without the salt nobody can test an
  identity against a commitment.
- ``tag = HMAC-SHA-256(tag key, KIND 0x00 SUBJECT 0x00 IDENTITY)``: the same identity on the same
  objection gives the same tag, so a second signature is refused. The tag key is a secret file
  in the home, not in the database: a dump of the database alone cannot be searched for an
  identity. Whoever holds the tag key *and* the database can test a guessed identity (as can
  anyone who may sign, by trying to sign twice); docs/voice.md says so.
- ``sealed = crypto_box_seal(review public key, {"identity", "salt", ...})`` (libsodium's
  sealed boxes, through PyNaCl): anonymous public-key encryption to the review key's holder
  (an ombudsperson). The provider's database holds only the public key's output.

PyNaCl (and libsodium behind it, ~20 ms) loads in the functions that seal and open, so that
commands which never touch a signature start without it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daylight.core.errors import ConfigError, ConflictError, InputError, VerificationError
from daylight.core.secret import write_secret
from daylight.log.note import b64encode_canonical

SALT_BYTES = 32
TAG_KEY_BYTES = 32
_DOMAIN = b"daylight/voice/v1"


def commitment(kind: str, subject: str, identity: str, salt: bytes) -> bytes:
    """The salted commitment to ``identity``'s signature on (``kind``, ``subject``)."""
    return hashlib.sha256(b"\x00".join([_DOMAIN, kind.encode(), subject.encode(),
                                        identity.encode(), salt])).digest()


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


def unb64(text: str, *, where: str, size: int | None = None) -> bytes:
    """Standard base64 (RFC 4648 §4), strictly; InputError naming ``where`` otherwise."""
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, AttributeError) as exc:
        raise InputError("expected standard base64", where=where) from exc
    if size is not None and len(data) != size:
        raise InputError(f"expected {size} bytes, got {len(data)}", where=where)
    return data


@dataclass(frozen=True)
class SealedIdentity:
    """What is sealed to the review key for one signature or refusal: whose it is, the salt of
    its public commitment and, for a refusal, its statement."""

    record_id: str  # the objection's id (a signature) or the refusal's id
    identity: str
    salt: bytes
    statement: str = ""

    def to_json(self) -> dict[str, str]:
        return {"record_id": self.record_id, "identity": self.identity,
                "salt": b64encode_canonical(self.salt), "statement": self.statement}

    @classmethod
    def from_json(cls, value: Any) -> SealedIdentity:
        """Read what ``to_json`` wrote; VerificationError if it is not that."""
        keys = {"record_id", "identity", "salt", "statement"}
        if not isinstance(value, dict) or set(value) != keys \
                or not all(isinstance(value[k], str) for k in keys):
            raise VerificationError("a sealed record does not hold an identity record")
        try:
            salt = unb64(value["salt"], where="sealed salt", size=SALT_BYTES)
        except InputError as exc:
            raise VerificationError(f"a sealed record's salt is damaged: {exc}") from exc
        return cls(value["record_id"], value["identity"], salt, value["statement"])


@dataclass(frozen=True)
class VoiceKeys:
    """The keys the voice flows need: the review key's public half and the tag key."""

    review_key: bytes  # X25519 public key, 32 bytes
    tag_key: bytes

    def tag(self, kind: str, subject: str, identity: str) -> str:
        message = b"\x00".join([kind.encode(), subject.encode(), identity.encode()])
        return hmac.new(self.tag_key, message, hashlib.sha256).hexdigest()

    def seal(self, record: SealedIdentity) -> bytes:
        """``record`` as JSON, sealed to the review key."""
        from nacl.public import PublicKey, SealedBox

        text = json.dumps(record.to_json(), sort_keys=True, ensure_ascii=False).encode()
        return SealedBox(PublicKey(self.review_key)).encrypt(text)


def parse_review_key(text: str | None) -> bytes:
    """The ``review_key`` setting: a base64 X25519 public key."""
    if not text:
        raise ConfigError("no review key: set `review_key` (DAYLIGHT_REVIEW_KEY) to the review "
                          "key holder's public key; `daylight objection keygen` makes a pair")
    try:
        return unb64(text.strip(), where="review_key", size=32)
    except InputError as exc:
        raise ConfigError(f"review_key is not a base64 X25519 public key: {exc.message}") from exc


def load_tag_key(path: Path, *, create: bool) -> bytes:
    """The tag key in the file ``path`` (hex, mode 0600), created if ``create`` and absent."""
    if create and not path.exists():
        with contextlib.suppress(ConflictError):  # another process made it first: read theirs
            write_secret(path, secrets.token_hex(TAG_KEY_BYTES) + "\n")
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except FileNotFoundError as exc:
        raise ConfigError(f"no voice tag key at `{path}`") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError("the voice tag key is unreadable or not hex", where=str(path)) from exc
    if len(key) != TAG_KEY_BYTES:
        raise ConfigError(f"the voice tag key must be {TAG_KEY_BYTES} bytes", where=str(path))
    return key


def generate_review_key() -> tuple[str, str]:
    """A new review key pair: (public, private), each base64."""
    from nacl.public import PrivateKey

    private = PrivateKey.generate()
    return b64encode_canonical(bytes(private.public_key)), b64encode_canonical(bytes(private))


def unseal(private_key: str, sealed: bytes) -> SealedIdentity:
    """Open a sealed record with the review key's private half (base64)."""
    from nacl.exceptions import CryptoError
    from nacl.public import PrivateKey, SealedBox

    key = PrivateKey(unb64(private_key.strip(), where="review private key", size=32))
    try:
        value = json.loads(SealedBox(key).decrypt(sealed))
    except (CryptoError, ValueError) as exc:
        raise VerificationError("a sealed record does not open with this key") from exc
    return SealedIdentity.from_json(value)
