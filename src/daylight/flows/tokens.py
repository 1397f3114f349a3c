"""Tokens: the API tokens of the HTTP service — create one (its secret shown once), list them
(never a secret), revoke one, and find the token a request's secret belongs to.

Token events are kept in the access layer's own table, not appended to the transparency log:
the log holds the facts the report depends on, and no row of the report depends on who holds
an API token. Publishing them would tell the world which customer accounts use the API and,
worse, when an employee or reviewer was given a token — timing that could help tie sealed
objection signatures to people. The table keeps every token ever made, with its creation,
expiry and revocation times (rows are never deleted), for the provider's own audit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from daylight.access.store import AccessStore
from daylight.access.token import (
    Role,
    Token,
    is_well_formed,
    new_secret,
    new_token_id,
    secret_sha256,
)
from daylight.core.clock import Clock, utc_now, utc_text
from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.core.identifier import verify_account_id
from daylight.registry.store import RegistryStore
from daylight.voice.identity import canonical_identity, identity_domain

MAX_ACCOUNTS = 1000
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_IDENTIFIED = {Role.ADMIN, Role.REVIEWER, Role.EMPLOYEE}
_IDENTITY_REQUIRED = {Role.REVIEWER, Role.EMPLOYEE}


@dataclass(frozen=True)
class CreatedToken:
    """A new token and its secret. ``to_json`` never carries the secret: the command prints
    the secret on a line of its own, once."""

    token: Token
    secret: str

    def to_json(self) -> dict[str, Any]:
        return self.token.to_json()

    def __repr__(self) -> str:  # never the secret, whatever prints this value
        return f"CreatedToken(token={self.token!r}, secret='***')"


@dataclass(frozen=True)
class TokenListing:
    """Every token with its status at ``now``, oldest first."""

    tokens: tuple[Token, ...]
    now: datetime

    def to_json(self) -> list[dict[str, Any]]:
        return [token.to_json(self.now) for token in self.tokens]


def parse_role(text: str) -> Role:
    """The role named ``text``; InputError naming the roles there are."""
    try:
        return Role(text)
    except ValueError:
        raise InputError(f"unknown role `{text}`: expected one of "
                         f"{', '.join(r.value for r in Role)}", where="--role") from None


def parse_expiry(text: str, now: datetime) -> datetime:
    """``2027-01-31`` (the token stops working at 00:00 UTC that day) or an RFC 3339 time with
    a zone; InputError if it is neither, or not after ``now``."""
    try:
        if _DATE.fullmatch(text):
            moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InputError(f"`{text}` is not a date (YYYY-MM-DD) or a time with a zone "
                         "(2027-01-31T12:00:00Z)", where="--expires")
    moment = moment.astimezone(UTC)
    if moment <= now:
        raise InputError(f"expiry `{text}` is in the past (now is {utc_text(now)})",
                         where="--expires")
    return moment


def create_token(database: Database, role: str, *, accounts: Sequence[str] = (),
                 identity: str | None = None, expires: str | None = None,
                 clock: Clock = utc_now) -> CreatedToken:
    """A new token for ``role``: a ``customer`` token names the registry accounts it may see
    (at least one); a ``reviewer`` or ``employee`` token names the staff member it is issued to
    (``identity``; a reviewer by work address), which an ``admin`` token may too. Nothing is
    stored if any check fails."""
    now = clock()
    the_role = parse_role(role)
    if accounts and the_role != Role.CUSTOMER:
        raise InputError(f"--account is for customer tokens only, not `{the_role}`",
                         where="--account")
    if the_role == Role.CUSTOMER and not accounts:
        raise InputError("a customer token needs at least one --account", where="--account")
    if len(accounts) > MAX_ACCOUNTS:
        raise InputError(f"at most {MAX_ACCOUNTS} accounts per token", where="--account")
    account_ids = tuple(dict.fromkeys(verify_account_id(a, where="--account") for a in accounts))
    if identity is not None and the_role not in _IDENTIFIED:
        raise InputError(f"--identity is for admin, reviewer and employee tokens, not "
                         f"`{the_role}`", where="--identity")
    if identity is None and the_role in _IDENTITY_REQUIRED:
        raise InputError(f"a token with role `{the_role}` needs --identity (who it is issued to)",
                         where="--identity")
    canonical = canonical_identity(identity, where="--identity") if identity is not None else None
    if canonical is not None and the_role == Role.REVIEWER:
        identity_domain(canonical, where="--identity")
    expires_at = parse_expiry(expires, now) if expires is not None else None
    secret = new_secret()
    token = Token(new_token_id(), the_role, account_ids, canonical, now, expires_at, None)
    with database.transaction() as tx:
        registry = RegistryStore(tx)
        for account_id in account_ids:
            if registry.account(account_id) is None:
                raise NotFoundError(f"no account `{account_id}` in the registry",
                                    where="--account")
        AccessStore(tx).add(token, secret_sha256(secret))
    return CreatedToken(token, secret)


def list_tokens(database: Database, *, clock: Clock = utc_now) -> TokenListing:
    """Every token (never a secret), with its status now."""
    with database.transaction(write=False) as tx:
        tokens = AccessStore(tx).tokens()
    return TokenListing(tuple(tokens), clock())


def revoke_token(database: Database, token_id: str, *, clock: Clock = utc_now) -> Token:
    """Revoke ``token_id`` now; NotFoundError if there is none, ConflictError if it already is
    revoked (its revocation time is never changed)."""
    now = clock()
    with database.transaction() as tx:
        store = AccessStore(tx)
        token = store.token(token_id)
        if token is None:
            raise NotFoundError(f"no token `{token_id}`", where="ID")
        if token.revoked_at is not None:
            raise ConflictError(f"token `{token_id}` was already revoked at "
                                f"{utc_text(token.revoked_at)}", where="ID")
        store.revoke(token_id, now)
        revoked = store.token(token_id)
    assert revoked is not None
    return revoked


def find_token(database: Database, secret: str) -> Token | None:
    """The token ``secret`` belongs to (revoked or expired ones too: the caller checks), or
    None for a malformed or unknown secret. The secret is only hashed, never kept."""
    if not is_well_formed(secret):
        return None
    with database.transaction(write=False) as tx:
        return AccessStore(tx).by_secret_sha256(secret_sha256(secret))
