"""The ASGI middleware in front of a provider's own API: allowed requests reach it with the
decision; denied, unnamed or malformed ones get the standard error shape and never reach it."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from daylight.api.middleware import (
    PolicyGateMiddleware,
    header_account,
    header_context,
    route_operations,
)
from daylight.policy.gate import Gate
from tests.api.conftest import call_app


def _provider(gate: Gate, routes: dict[tuple[str, str], str] | None = None) -> tuple[Any, list[str]]:
    calls: list[str] = []

    async def search(request: Request) -> JSONResponse:
        calls.append(request.url.path)
        decision = request.scope["state"]["decision"]
        return JSONResponse({"matches": [], "policy_version": decision.policy_version})

    async def health(request: Request) -> JSONResponse:
        calls.append(request.url.path)
        return JSONResponse({"ok": True})

    api = Starlette(routes=[Route("/faces/search", search, methods=["POST"]),
                            Route("/health", health)])
    gated = PolicyGateMiddleware(
        api, gate, account=header_account("x-account"),
        operation=route_operations(routes or {("POST", "/faces/search"): "face.search"}),
        context=header_context("x-context"))
    return gated, calls


def test_an_allowed_request_reaches_the_api_with_its_decision(gate: Gate) -> None:
    app, calls = _provider(gate)
    response = call_app(app, "POST", "/faces/search", headers={"x-account": "SYNTHETIC-shop"})
    assert response.status_code == 200 and response.json() == {"matches": [], "policy_version": 1}
    assert calls == ["/faces/search"] and gate.recorder.pending == 1


def test_a_denied_request_gets_403_with_the_reasons_and_never_reaches_the_api(gate: Gate) -> None:
    app, calls = _provider(gate)
    response = call_app(app, "POST", "/faces/search", headers={"x-account": "SYNTHETIC-police"})
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "policy_denied"
    assert error["message"].startswith("`SYNTHETIC-police` may not call `face.search`: ")
    assert [r["policy"] for r in error["evidence"]["reasons"]] == [
        "employee-demands/no-face-recognition-for-law-enforcement",
        "rekognition-moratorium-2020/no-police-face-comparison-or-search"]
    assert error["evidence"]["policy_version"] == 1 and error["evidence"]["errors"] == []
    assert calls == []


def test_requests_that_cannot_be_decided_never_reach_the_api(gate: Gate) -> None:
    app, calls = _provider(gate)
    nobody = call_app(app, "POST", "/faces/search")
    assert nobody.status_code == 400 and nobody.json()["error"]["where"] == "account"
    bad = call_app(app, "POST", "/faces/search",
                   headers={"x-account": "SYNTHETIC-shop", "x-context": "{not json"})
    assert bad.status_code == 400 and bad.json()["error"]["where"] == "header x-context"
    typo = call_app(app, "POST", "/faces/search",
                    headers={"x-account": "SYNTHETIC-shop", "x-context": '{"purpse": "x"}'})
    assert typo.status_code == 400 and typo.json()["error"]["where"] == "context.purpse"
    stranger = call_app(app, "POST", "/faces/search", headers={"x-account": "SYNTHETIC-nobody"})
    assert stranger.status_code == 403
    assert stranger.json()["error"]["evidence"]["reasons"][0]["policy"] == "daylight:unknown-account"
    misconfigured, calls2 = _provider(gate, {("POST", "/faces/search"): "face.telepathy"})
    wrong = call_app(misconfigured, "POST", "/faces/search", headers={"x-account": "SYNTHETIC-shop"})
    assert wrong.status_code == 404 and wrong.json()["error"]["code"] == "not_found"
    assert calls == [] and calls2 == []


def test_routes_that_are_not_gated_pass_through(gate: Gate) -> None:
    app, calls = _provider(gate)
    response = call_app(app, "GET", "/health")
    assert response.status_code == 200 and calls == ["/health"]
    assert gate.recorder.pending == 0
