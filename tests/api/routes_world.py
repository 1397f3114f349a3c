"""A service over a SYNTHETIC world for the route tests: a home on the test's database (either
backend), its log, a review key, and real tokens of each role (``tests.api.conftest.token_for``)
to call it with, as the access guard in front of every route reads them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from daylight.api.app import DecisionApp, create_app
from daylight.api.guard import AccessConfig
from daylight.core.database import Database
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.gate import Gate
from tests.api.conftest import call_app, token_for, with_token


@dataclass(frozen=True)
class As:
    """Whom a token is issued to: a role, an identity, a customer's accounts."""

    role: str
    identity: str | None = None
    accounts: tuple[str, ...] = ()


ADMIN = As("admin")
REVIEWER = As("reviewer", "synthetic.reviewer@provider.example")
EMPLOYEE = As("employee", "synthetic.employee@provider.example")
COLLEAGUE = As("employee", "synthetic.colleague@provider.example")
SHOP = As("customer", accounts=("SYNTHETIC-shop",))
GATEWAY = As("gateway")
UNLIMITED = AccessConfig(rate_limit_per_s=0, decision_rate_limit_per_s=0)


def service_home(tmp_path: Path, database: Database, log: TransparencyLog, review_key: str,
                 **settings: Any) -> Home:
    """A home on the test's database and log (so that both backends are served)."""
    built = build_settings({"home": str(tmp_path / "home"), "review_key": review_key,
                            **{k: str(v) for k, v in settings.items()}}, {})
    (tmp_path / "home").mkdir(exist_ok=True)
    return Home(built, _database=database, _log=log)


def service(home: Home) -> DecisionApp:
    """The service of ``home``, with no rate limit (tests make many requests at once)."""
    database = home.database()
    return create_app(home, gate=Gate(database, default_catalog(), refresh_interval_s=None),
                      access=UNLIMITED)


class Client:
    """Requests to one app with one token (none: the anonymous public)."""

    def __init__(self, app: DecisionApp, who: As | None = None) -> None:
        self.app = app
        self.headers: dict[str, str] = {}
        if who is not None:
            self.headers = with_token(token_for(app.gate.database, who.role, identity=who.identity,
                                                accounts=who.accounts))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return call_app(self.app, "GET", path, headers={**self.headers,
                                                        **kwargs.pop("headers", {})}, **kwargs)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> httpx.Response:
        if body is not None:
            kwargs["json"] = body
        return call_app(self.app, "POST", path, headers={**self.headers,
                                                         **kwargs.pop("headers", {})}, **kwargs)
