"""A service over a SYNTHETIC world for the route tests: a home on the test's database (either
backend), its log, a review key, and the caller a request is made as.

Until tokens are checked by the access middleware, a test sets the caller the way that
middleware does (``scope["state"]["caller"]``) with ``as_caller``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from daylight.api.access import ANONYMOUS, Caller, Role
from daylight.api.app import DecisionApp, create_app
from daylight.core.database import Database
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.gate import Gate
from tests.api.conftest import call_app

ADMIN = Caller(Role.ADMIN, "admin-token")
REVIEWER = Caller(Role.REVIEWER, "reviewer@provider.example")
EMPLOYEE = Caller(Role.EMPLOYEE, "employee@provider.example")
SHOP = Caller(Role.CUSTOMER, "customer-token", frozenset({"SYNTHETIC-shop"}))
GATEWAY = Caller(Role.GATEWAY, "gateway-token")


def as_caller(app: ASGIApp, caller: Caller) -> ASGIApp:
    """``app`` with every request made by ``caller`` (what the access middleware sets)."""
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and caller is not ANONYMOUS:
            scope = {**scope, "state": {**scope.get("state", {}), "caller": caller}}
        await app(scope, receive, send)
    return wrapped


def service_home(tmp_path: Path, database: Database, log: TransparencyLog, review_key: str,
                 **settings: Any) -> Home:
    """A home on the test's database and log (so that both backends are served)."""
    built = build_settings({"home": str(tmp_path / "home"), "review_key": review_key,
                            **{k: str(v) for k, v in settings.items()}}, {})
    (tmp_path / "home").mkdir(exist_ok=True)
    return Home(built, _database=database, _log=log)


def service(home: Home) -> DecisionApp:
    database = home.database()
    return create_app(home, gate=Gate(database, default_catalog(), refresh_interval_s=None))


class Client:
    """Requests to one app as one caller."""

    def __init__(self, app: ASGIApp, caller: Caller = ANONYMOUS) -> None:
        self.app = as_caller(app, caller)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return call_app(self.app, "GET", path, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        if body is not None:
            kwargs["json"] = body
        return call_app(self.app, "POST", path, **kwargs)
