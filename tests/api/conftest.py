"""In-process HTTP: requests go through httpx's ASGI transport to the app, no sockets."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from daylight.api.app import DecisionApp
from daylight.core.database import Database
from daylight.flows.tokens import create_token
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog, default_catalog
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack
from daylight.policy.versions import publish
from tests.policy.conftest import NOW, WORLD, add_registry_accounts

Call = Callable[..., httpx.Response]


def call_app(app: ASGIApp, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to ``app`` through the ASGI transport."""
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://daylight.test") as client:
            return await client.request(method, path, **kwargs)
    return asyncio.run(go())


_TOKENS: weakref.WeakKeyDictionary[Database, dict[tuple[str, str | None, tuple[str, ...]], str]] = \
    weakref.WeakKeyDictionary()
_IDENTITIES = {"reviewer": "synthetic.reviewer@provider.example",
               "employee": "synthetic.employee@provider.example"}


def token_for(database: Database, role: str = "gateway", *, identity: str | None = None,
              accounts: tuple[str, ...] = ()) -> str:
    """A token of ``role`` in ``database``, made once per database, role, identity and
    accounts (a reviewer or employee token without an identity is issued to a SYNTHETIC one)."""
    identity = identity or _IDENTITIES.get(role)
    tokens = _TOKENS.setdefault(database, {})
    key = (role, identity, accounts)
    if key not in tokens:
        tokens[key] = create_token(database, role, identity=identity, accounts=accounts).secret
    return tokens[key]


def with_token(secret: str, headers: Any = None) -> Any:
    """``headers`` (a dict or a list of pairs) plus ``Authorization: Bearer secret``."""
    if isinstance(headers, list):
        return [*headers, ("authorization", f"Bearer {secret}")]
    return {**(headers or {}), "authorization": f"Bearer {secret}"}


def call_gateway(app: DecisionApp, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """One request to ``app`` with a gateway token of its gate's database."""
    kwargs["headers"] = with_token(token_for(app.gate.database), kwargs.get("headers"))
    return call_app(app, method, path, **kwargs)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture
def gate(database: Database, log: TransparencyLog, catalog: Catalog) -> Gate:
    """A gate over the SYNTHETIC world with the employee demands and the moratorium published."""
    add_registry_accounts(database, WORLD)
    publish(database, log, [load_pack("employee-demands"), load_pack("rekognition-moratorium-2020")],
            catalog, NOW)
    return Gate(database, catalog, refresh_interval_s=None)
