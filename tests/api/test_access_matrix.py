"""Every route of the service × every role (and the anonymous caller): refused with 401 or
403, or let through, exactly as ``ROUTE_ROLES`` says. The routes come from the app itself, so a
new route is walked (and must have a row) as soon as it exists; docs/api.md's access table is
``ROUTE_ROLES``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter
from starlette.responses import Response

from daylight.access.token import Role
from daylight.api.access import ROUTE_ROLES, access_table
from daylight.api.app import DecisionApp, create_app
from daylight.api.guard import AccessConfig
from daylight.core.settings import build_settings
from daylight.flows.tokens import create_token
from daylight.home import Home
from tests.api.conftest import call_app, with_token
from tests.cli.conftest import Cli
from tests.policy.conftest import WORLD, add_registry_accounts

ROOT = Path(__file__).parents[2]
_PARAMETER = re.compile(r"\{[^}]+\}")
ANONYMOUS = "anonymous"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DecisionApp, dict[str, str]]]:
    """The service of a SYNTHETIC home, unlimited in rate, and a token of every role."""
    home_path = tmp_path_factory.mktemp("matrix") / "home"
    Cli(home_path, None)("init", "--origin", "matrix.daylight.invalid/log")
    home = Home(build_settings({"home": str(home_path)}, {}))
    add_registry_accounts(home.database(), WORLD)
    extra = {Role.CUSTOMER: {"accounts": ["SYNTHETIC-shop"]},
             Role.EMPLOYEE: {"identity": "synthetic.employee@provider.example"},
             Role.REVIEWER: {"identity": "synthetic.reviewer@provider.example"}}
    tokens = {str(role): create_token(home.database(), role, **extra.get(role, {})).secret  # type: ignore[arg-type]
              for role in Role}
    try:
        yield create_app(home, access=AccessConfig(rate_limit_per_s=0,
                                                   decision_rate_limit_per_s=0)), tokens
    finally:
        home.close()


def test_every_route_of_the_app_has_exactly_one_row(service: tuple[DecisionApp, dict[str, str]]) -> None:
    app, _ = service
    routes = app.routes()
    assert ("POST", "/v1/decisions") in routes and ("GET", "/v1/policy") in routes
    assert [r for r in routes if r not in ROUTE_ROLES] == [], "routes without an access rule"
    assert [r for r in ROUTE_ROLES if r not in routes] == [], "rules for routes that do not exist"


def _expected(method: str, template: str, caller: str) -> tuple[int, str] | None:
    """(status, code) of the guard's refusal, or None where the caller is let through."""
    roles = ROUTE_ROLES.get((method, template))
    if roles is None:
        return 403, "forbidden"  # deny by default, even an admin
    role = Role.PUBLIC if caller == ANONYMOUS else Role(caller)
    if role in roles or role == Role.ADMIN:
        return None
    return (401, "unauthenticated") if caller == ANONYMOUS else (403, "forbidden")


def test_every_route_and_caller_is_answered_as_the_table_says(
        service: tuple[DecisionApp, dict[str, str]]) -> None:
    app, tokens = service
    wrong = []
    walked = 0
    for method, template in app.routes():
        path = _PARAMETER.sub("0", template)
        for caller in [ANONYMOUS, *(str(r) for r in Role)]:
            headers = {"content-type": "application/json"}
            if caller != ANONYMOUS:
                headers = with_token(tokens[caller], headers)
            body = b"{}" if method in ("POST", "PUT", "PATCH", "DELETE") else None
            response = call_app(app, method, path, content=body, headers=headers)
            error = response.json().get("error", {}) if _is_json(response) else {}
            got = (response.status_code, error.get("code") if isinstance(error, dict) else None)
            refused = got in ((401, "unauthenticated"), (403, "forbidden"), (429, "rate_limited"))
            expected = _expected(method, template, caller)
            walked += 1
            if (expected is None and refused) or (expected is not None and got != expected):
                wrong.append(f"{method} {template} as {caller}: expected "
                             f"{expected or 'not refused'}, got {got}")
            if got == (401, "unauthenticated"):
                assert response.headers["www-authenticate"].startswith("Bearer")
    assert wrong == []
    assert walked == len(app.routes()) * (len(Role) + 1) >= 14


def _is_json(response: object) -> bool:
    return str(getattr(response, "headers", {}).get("content-type", "")).startswith("application/json")


def test_a_route_without_a_row_is_refused_to_everyone(
        service: tuple[DecisionApp, dict[str, str]]) -> None:
    _, tokens = service
    app, _ = service
    extra = create_app(gate=app.gate)

    async def unlisted() -> Response:
        return Response(b"{}", media_type="application/json")

    extra.api.add_api_route("/v1/unlisted", unlisted, methods=["GET"])
    for headers in ({}, with_token(tokens["admin"])):
        response = call_app(extra, "GET", "/v1/unlisted", headers=headers)
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "forbidden", "message": "`GET /v1/unlisted` has no access rule: refused to everyone"}


def test_the_access_table_in_the_docs_is_route_roles() -> None:
    docs = (ROOT / "docs" / "api.md").read_text()
    section = docs.split("<!-- access-table: begin -->\n", 1)[1].split("<!-- access-table: end -->", 1)[0]
    assert section == access_table(), (
        "docs/api.md's access table differs from ROUTE_ROLES; paste this between the markers:\n"
        + access_table())


def test_routes_of_included_routers_are_matched_by_their_template(
        service: tuple[DecisionApp, dict[str, str]]) -> None:
    """FastAPI keeps an included router as one entry holding it: its routes are still found,
    with their prefixes, and still refused without a row."""
    app, tokens = service
    extra = create_app(gate=app.gate)
    inner, outer = APIRouter(prefix="/inner"), APIRouter(prefix="/v1/outer")

    @inner.get("/{item}/{rest:path}")
    async def nested(item: str, rest: str) -> Response:
        return Response(b"{}", media_type="application/json")

    outer.include_router(inner)
    extra.api.include_router(outer)
    assert ("GET", "/v1/outer/inner/{item}/{rest:path}") in extra.routes()
    scope = {"type": "http", "method": "GET", "path": "/v1/outer/inner/a/b/c"}
    assert extra.route_of(scope) == ("GET", "/v1/outer/inner/{item}/{rest:path}")
    assert extra.route_of({**scope, "method": "POST"}) is None  # the app answers 405
    refused = call_app(extra, "GET", "/v1/outer/inner/a/b", headers=with_token(tokens["admin"]))
    assert refused.status_code == 403 and "has no access rule" in refused.json()["error"]["message"]
