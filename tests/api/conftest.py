"""In-process HTTP: requests go through httpx's ASGI transport to the app, no sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp

from daylight.core.database import Database
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
