"""API tokens: the roles they carry, the secret a caller sends, and the record kept of it.

A token's secret is ``daylight_`` followed by 43 characters of URL-safe base64: 32 bytes
(256 bits) from ``secrets``. Only its SHA-256 is stored. A fast, unsalted hash is right here,
unlike for passwords: a password is guessable, so its hash must be slow and salted to make
guessing expensive; a 256-bit random secret cannot be guessed at any speed, so a slow hash
would protect nothing and cost every request milliseconds, and an unsalted hash lets the
service find a token by its hash in one indexed lookup (no id sent beside the secret, no
per-row comparison). This is how GitHub, PyPI and others store API tokens. Lookups are by the
hash of what the caller sent, so no comparison of secrets happens whose timing could leak one.

A token MUST NOT be printed, logged or stored anywhere but once, to its creator.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from daylight.core.clock import utc_text

SECRET_PREFIX = "daylight_"
SECRET_BYTES = 32
_SECRET = re.compile(r"daylight_[A-Za-z0-9_-]{43}")


class Role(StrEnum):
    """The roles a token can carry (docs/api.md, "Access")."""

    ADMIN = "admin"
    REVIEWER = "reviewer"  # review queue, declarations, objections' resolution, corrections
    EMPLOYEE = "employee"  # file and sign objections, record refusals, read what employees may
    CUSTOMER = "customer"  # its own accounts and declarations only
    GATEWAY = "gateway"  # decisions only
    PUBLIC = "public"  # published artefacts and the log only; also the anonymous caller


def new_secret() -> str:
    """A fresh token secret (256 random bits)."""
    return SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def new_token_id() -> str:
    """A fresh token id (``tok-`` and 16 hex digits): what lists and revocation name."""
    return f"tok-{secrets.token_hex(8)}"


def is_well_formed(secret: str) -> bool:
    """True if ``secret`` has the shape of a token secret (it may still be unknown)."""
    return _SECRET.fullmatch(secret) is not None


def secret_sha256(secret: str) -> str:
    """The stored form of a secret: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Token:
    """What is kept of a token (never its secret).

    ``accounts`` are the customer accounts a ``customer`` token may see; ``identity`` is the
    staff member a ``reviewer`` or ``employee`` token (or, optionally, an ``admin`` one) was
    issued to, in canonical form: the identity the voice layer commits to."""

    token_id: str
    role: Role
    accounts: tuple[str, ...]
    identity: str | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    def is_active(self, now: datetime) -> bool:
        """Neither revoked nor expired at ``now``."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def status(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "active" if self.is_active(now) else "expired"

    def to_json(self, now: datetime | None = None) -> dict[str, Any]:
        """The token's record (never its secret); with ``now``, its status then."""
        body: dict[str, Any] = {
            "token_id": self.token_id, "role": str(self.role), "accounts": list(self.accounts),
            "identity": self.identity, "created_at": utc_text(self.created_at),
            "expires_at": utc_text(self.expires_at) if self.expires_at else None,
            "revoked_at": utc_text(self.revoked_at) if self.revoked_at else None}
        if now is not None:
            body["status"] = self.status(now)
        return body
