"""The ASGI middleware in front of a provider's own API: allowed requests reach it with the
decision; denied, unnamed or malformed ones get the standard error shape and never reach it."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

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


def _streaming_provider(gate: Gate) -> tuple[Any, list[str]]:
    """A provider API with a gated WebSocket route (live video face search)."""
    calls: list[str] = []

    async def stream(websocket: WebSocket) -> None:
        calls.append("stream")
        await websocket.accept()
        await websocket.send_json({"faces": ["match"]})
        await websocket.close()

    api = Starlette(routes=[WebSocketRoute("/faces/stream", stream)])
    gated = PolicyGateMiddleware(
        api, gate, account=header_account("x-account"),
        operation=route_operations({("WEBSOCKET", "/faces/stream"): "video.stream_analysis"}))
    return gated, calls


def _connect(app: Any, account: str, *, denial_extension: bool) -> list[dict[str, Any]]:
    """Open a WebSocket to ``/faces/stream`` in raw ASGI; the messages the app sent."""
    sent: list[dict[str, Any]] = []
    incoming: list[dict[str, Any]] = [{"type": "websocket.connect"}]

    async def receive() -> dict[str, Any]:
        if incoming:
            return incoming.pop(0)
        return {"type": "websocket.disconnect", "code": 1000}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": "/faces/stream",
             "raw_path": b"/faces/stream", "query_string": b"", "root_path": "",
             "headers": [(b"x-account", account.encode())], "subprotocols": [],
             "extensions": {"websocket.http.response": {}} if denial_extension else {}}
    asyncio.run(app(scope, receive, send))
    return sent


def test_websockets_are_gated_too(gate: Gate) -> None:
    app, calls = _streaming_provider(gate)
    refused = _connect(app, "SYNTHETIC-police", denial_extension=True)
    assert [m["type"] for m in refused] == ["websocket.http.response.start",
                                            "websocket.http.response.body"]
    assert refused[0]["status"] == 403
    assert json.loads(refused[1]["body"])["error"]["code"] == "policy_denied"
    closed = _connect(app, "SYNTHETIC-police", denial_extension=False)
    assert closed == [{"type": "websocket.close", "code": 1008}]
    assert calls == []
    accepted = _connect(app, "SYNTHETIC-shop", denial_extension=True)
    assert accepted[0]["type"] == "websocket.accept" and calls == ["stream"]


def test_a_header_given_twice_is_refused(gate: Gate) -> None:
    app, calls = _provider(gate)
    response = call_app(app, "POST", "/faces/search",
                        headers=[("x-account", "SYNTHETIC-shop"), ("x-account", "SYNTHETIC-police")])
    assert response.status_code == 400
    assert response.json()["error"]["where"] == "header x-account"
    context = call_app(app, "POST", "/faces/search", headers=[
        ("x-account", "SYNTHETIC-shop"), ("x-context", "{}"), ("X-Context", '{"purpose": "x"}')])
    assert context.status_code == 400 and calls == []


def test_hostile_contexts_and_failing_readers_never_reach_the_api(gate: Gate) -> None:
    app, calls = _provider(gate)
    digits = call_app(app, "POST", "/faces/search", headers={
        "x-account": "SYNTHETIC-shop", "x-context": '{"hours_since_start": ' + "1" * 5000 + "}"})
    assert digits.status_code == 400 and digits.json()["error"]["where"] == "header x-context"
    twice = call_app(app, "POST", "/faces/search", headers={
        "x-account": "SYNTHETIC-shop", "x-context": '{"purpose": "a", "purpose": "b"}'})
    assert twice.status_code == 400

    def broken(scope: Any) -> str:
        raise KeyError("secret internals")

    api = Starlette(routes=[Route("/faces/search", lambda r: JSONResponse({}), methods=["POST"])])
    failing = PolicyGateMiddleware(api, gate, account=broken,
                                   operation=route_operations({("POST", "/faces/search"): "face.search"}))
    response = call_app(failing, "POST", "/faces/search")
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error",
                                         "message": "internal error: the request was not decided"}}
    assert calls == []


def test_a_trailing_slash_does_not_slip_past_the_table(gate: Gate) -> None:
    calls: list[str] = []

    async def search(request: Request) -> JSONResponse:
        calls.append(request.url.path)
        return JSONResponse({"matches": []})

    api = Starlette(routes=[Route("/faces/search/", search, methods=["POST"])])
    app = PolicyGateMiddleware(api, gate, account=header_account("x-account"),
                               operation=route_operations({("POST", "/faces/search"): "face.search"}))
    response = call_app(app, "POST", "/faces/search/", headers={"x-account": "SYNTHETIC-police"})
    assert response.status_code == 403 and calls == []
