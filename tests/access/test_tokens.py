"""API tokens: created with a secret shown once and stored only as its SHA-256, listed without
it, revoked once; bad input is a one-line error and writes nothing. Both backends."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from daylight.access.token import Role, is_well_formed
from daylight.core.clock import fixed_clock
from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.flows.tokens import create_token, find_token, list_tokens, revoke_token
from tests.cli.conftest import Cli
from tests.policy.conftest import WORLD, add_registry_accounts

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _rows(database: Database) -> list[tuple[object, ...]]:
    with database.transaction(write=False) as tx:
        return [tuple(r) for r in tx.query("SELECT * FROM access_token")]


def test_the_secret_is_stored_only_as_its_sha256(database: Database) -> None:
    created = create_token(database, "gateway", clock=fixed_clock(NOW))
    assert is_well_formed(created.secret) and len(created.secret) == len("daylight_") + 43
    rows = _rows(database)
    assert len(rows) == 1
    assert created.secret not in repr(rows) and created.secret not in repr(created)
    assert hashlib.sha256(created.secret.encode()).hexdigest() in [str(v) for v in rows[0]]
    assert created.secret not in json.dumps(created.to_json())
    found = find_token(database, created.secret)
    assert found == created.token and found.role == Role.GATEWAY
    assert find_token(database, created.secret[:-1] + ("A" if created.secret[-1] != "A" else "B")) is None
    assert find_token(database, "not a token") is None


def test_customer_tokens_name_registry_accounts(database: Database) -> None:
    add_registry_accounts(database, WORLD)
    created = create_token(database, "customer", accounts=["SYNTHETIC-shop", "SYNTHETIC-shop"])
    assert created.token.accounts == ("SYNTHETIC-shop",)
    with pytest.raises(NotFoundError, match="no account `SYNTHETIC-ghost` in the registry"):
        create_token(database, "customer", accounts=["SYNTHETIC-shop", "SYNTHETIC-ghost"])
    assert len(_rows(database)) == 1  # nothing written by the refused one


@pytest.mark.parametrize(("role", "kwargs", "where", "message"), [
    ("root", {}, "--role", "unknown role `root`: expected one of admin, reviewer"),
    ("gateway", {"accounts": ["SYNTHETIC-shop"]}, "--account", "for customer tokens only"),
    ("customer", {}, "--account", "needs at least one --account"),
    ("customer", {"accounts": ["=cmd|x"]}, "--account", "is not an id"),
    ("employee", {}, "--identity", "a token with role `employee` needs --identity"),
    ("reviewer", {"identity": "just-a-name"}, "--identity", "is not a work address"),
    ("gateway", {"identity": "a@provider.example"}, "--identity", "not `gateway`"),
    ("employee", {"identity": "a\u200bb@provider.example"}, "--identity", "invisible"),
    ("gateway", {"expires": "2026-11-30"}, "--expires", "is in the past"),
    ("gateway", {"expires": "2026-12-01T11:00:00Z"}, "--expires", "is in the past"),
    ("gateway", {"expires": "tomorrow"}, "--expires", "is not a date"),
    ("gateway", {"expires": "2027-01-01T00:00:00"}, "--expires", "with a zone"),
])
def test_bad_input_is_refused_and_nothing_is_written(database: Database, role: str,
                                                     kwargs: dict[str, object], where: str,
                                                     message: str) -> None:
    with pytest.raises(InputError, match=message) as refused:
        create_token(database, role, clock=fixed_clock(NOW), **kwargs)  # type: ignore[arg-type]
    assert refused.value.where == where
    assert _rows(database) == []


def test_expiry_and_revocation(database: Database) -> None:
    created = create_token(database, "employee", identity="SYNTHETIC.Employee@Provider.example",
                           expires="2026-12-31", clock=fixed_clock(NOW))
    token = created.token
    assert token.identity == "synthetic.employee@provider.example"  # the canonical form
    assert token.expires_at == datetime(2026, 12, 31, tzinfo=UTC)
    assert token.is_active(NOW) and not token.is_active(datetime(2026, 12, 31, tzinfo=UTC))
    later = fixed_clock(NOW + timedelta(days=1))
    revoked = revoke_token(database, token.token_id, clock=later)
    assert revoked.revoked_at == NOW + timedelta(days=1) and not revoked.is_active(NOW)
    with pytest.raises(ConflictError, match="already revoked at 2026-12-02T12:00:00Z"):
        revoke_token(database, token.token_id, clock=fixed_clock(NOW + timedelta(days=2)))
    assert find_token(database, created.secret) == revoked  # the first revocation stands
    with pytest.raises(NotFoundError, match="no token `tok-nothing`"):
        revoke_token(database, "tok-nothing")
    listing = list_tokens(database, clock=later).to_json()
    assert [t["status"] for t in listing] == ["revoked"]


def test_the_commands(initialised: Cli) -> None:
    cli = initialised
    created = cli("token", "create", "--role", "gateway", "--expires", "2099-01-01")
    *record, secret = created.stdout.splitlines()
    assert created.stdout.endswith(secret + "\n") and is_well_formed(secret)
    (shown,) = [json.loads(line) for line in record]
    assert shown["role"] == "gateway" and shown["expires_at"] == "2099-01-01T00:00:00Z"
    listed = cli("token", "list", "--json").stdout
    assert secret not in listed and secret not in cli("token", "list").stdout
    assert [json.loads(line)["status"] for line in listed.splitlines()] == ["active"]
    revoked = cli.json("token", "revoke", shown["token_id"])
    assert revoked["revoked_at"] is not None
    again = cli("token", "revoke", shown["token_id"], ok=False)
    assert again.exit_code == 4 and "already revoked" in again.stderr
    unknown = cli("token", "revoke", "tok-0000", ok=False)
    assert unknown.exit_code == 3 and "error: ID: no token `tok-0000`" in unknown.stderr
    bad = cli("token", "create", "--role", "gateway", "--account", "SYNTHETIC-shop", ok=False)
    assert bad.exit_code == 2 and bad.stdout == ""
    assert bad.stderr.strip() == ("error: --account: --account is for customer tokens only, "
                                  "not `gateway`")
