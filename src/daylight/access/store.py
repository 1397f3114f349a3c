"""``AccessStore``: the access layer's one table (``access_token``), read and written through
the caller's transaction. Nothing else runs SQL on it; the layers above use the flow
``daylight.flows.tokens``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from daylight.access.token import Role, Token
from daylight.core.clock import parse_utc_text, utc_text
from daylight.core.database import Migration, Transaction, load_migrations


def access_migrations() -> list[Migration]:
    """The access layer's schema migrations."""
    return load_migrations("access", "daylight.access")


_COLUMNS = "token_id, role, accounts, identity, created_at, expires_at, revoked_at"


def _token(row: Sequence[Any]) -> Token:
    return Token(str(row[0]), Role(row[1]), tuple(json.loads(row[2])), row[3],
                 parse_utc_text(row[4]), parse_utc_text(row[5]) if row[5] else None,
                 parse_utc_text(row[6]) if row[6] else None)


class AccessStore:
    """Reads and writes API tokens in ``tx``."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def add(self, token: Token, secret_sha256: str) -> None:
        """Store ``token`` under the hash of its secret."""
        self.tx.execute(
            f"INSERT INTO access_token (secret_sha256, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (secret_sha256, token.token_id, str(token.role), json.dumps(list(token.accounts)),
             token.identity, utc_text(token.created_at),
             utc_text(token.expires_at) if token.expires_at else None,
             utc_text(token.revoked_at) if token.revoked_at else None))

    def by_secret_sha256(self, digest: str) -> Token | None:
        """The token whose secret hashes to ``digest`` (revoked and expired ones too)."""
        row = self.tx.query_one(f"SELECT {_COLUMNS} FROM access_token WHERE secret_sha256 = ?",
                                (digest,))
        return _token(row) if row else None

    def token(self, token_id: str) -> Token | None:
        row = self.tx.query_one(f"SELECT {_COLUMNS} FROM access_token WHERE token_id = ?",
                                (token_id,))
        return _token(row) if row else None

    def tokens(self) -> list[Token]:
        """Every token, oldest first."""
        rows = self.tx.query(f"SELECT {_COLUMNS} FROM access_token ORDER BY created_at, token_id")
        return [_token(r) for r in rows]

    def revoke(self, token_id: str, at: datetime) -> bool:
        """Mark ``token_id`` revoked at ``at`` unless it already is; True if it changed."""
        before = self.token(token_id)
        if before is None or before.revoked_at is not None:
            return False
        self.tx.execute("UPDATE access_token SET revoked_at = ? WHERE token_id = ? "
                        "AND revoked_at IS NULL", (utc_text(at), token_id))
        return True
