"""``PolicyGateMiddleware``: an ASGI middleware a provider puts in front of its own API, so that
every call of a gated operation is decided (and recorded) before the API sees it.

How to read the account, the operation and the context from a request is configuration: three
functions of the ASGI scope. ``operation`` returning None means "not a gated route" (health
checks, static files); for a gated route, a missing account, a malformed context or an unknown
operation is an error answer and a denial is a 403 — in every such case the wrapped API is
never called. An allowed request goes on with the decision in ``scope["state"]["decision"]``.

HTTP requests and WebSocket connections are both gated (a WebSocket has the method
``WEBSOCKET`` for ``route_operations``); a refused WebSocket is answered with the same JSON
error if the server supports the denial-response extension, else closed before it is accepted
(the server answers 403). Only other scope types (lifespan) pass through untouched. A header
the gate reads that appears more than once is refused: the API behind might read the other one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from daylight.api.errors import InternalError, PolicyDeniedError, error_body, send_error
from daylight.core.canonical import parse_json
from daylight.core.errors import DaylightError, InputError
from daylight.policy.gate import Gate

ScopeReader = Callable[[Scope], Any]
WEBSOCKET_METHOD = "WEBSOCKET"
_GATED_SCOPES = ("http", "websocket")
_log = logging.getLogger("daylight.api")


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    values = [value for key, value in scope.get("headers", ()) if bytes(key).lower() == wanted]
    if len(values) > 1:
        raise InputError(f"the header `{name}` appears {len(values)} times: expected it once",
                         where=f"header {name}")
    return bytes(values[0]).decode("latin-1") if values else None


def header_account(name: str = "x-daylight-account") -> Callable[[Scope], str | None]:
    """Read the account id from a request header (InputError if it appears more than once)."""
    return lambda scope: _header(scope, name)


def header_context(name: str = "x-daylight-context") -> Callable[[Scope], Mapping[str, Any] | None]:
    """Read the request context from a header holding a JSON object (absent: none)."""
    def read(scope: Scope) -> Mapping[str, Any] | None:
        text = _header(scope, name)
        if text is None:
            return None
        value = parse_json(text, where=f"header {name}")
        if not isinstance(value, dict):
            raise InputError("expected a JSON object", where=f"header {name}")
        return value
    return read


def _route_path(path: str) -> str:
    return path.rstrip("/") or "/"


def _method(scope: Scope) -> str:
    return WEBSOCKET_METHOD if scope["type"] == "websocket" else str(scope.get("method", ""))


def route_operations(routes: Mapping[tuple[str, str], str]) -> Callable[[Scope], str | None]:
    """Map (HTTP method or ``WEBSOCKET``, path) to a catalog operation; other routes are not
    gated. Paths match exactly except for trailing slashes (``/faces/search/`` is
    ``/faces/search``), which many routers treat as the same route."""
    table = {(method.upper(), _route_path(path)): op for (method, path), op in routes.items()}
    return lambda scope: table.get((_method(scope), _route_path(str(scope.get("path", "")))))


class PolicyGateMiddleware:
    """Decide each gated request with ``gate`` before the wrapped app sees it."""

    def __init__(self, app: ASGIApp, gate: Gate, *, account: Callable[[Scope], str | None],
                 operation: Callable[[Scope], str | None],
                 context: Callable[[Scope], Mapping[str, Any] | None] | None = None) -> None:
        self.app = app
        self.gate = gate
        self.account = account
        self.operation = operation
        self.context = context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in _GATED_SCOPES:
            await self.app(scope, receive, send)
            return
        try:
            operation = self.operation(scope)
            if operation is None:
                decision = None
            else:
                account = self.account(scope)
                if not account:
                    raise InputError("the request names no account, so it cannot be decided",
                                     where="account")
                context = self.context(scope) if self.context is not None else None
                decision = self.gate.decide(account, operation, context)
                if not decision.allowed:
                    raise PolicyDeniedError.from_decision(account, operation, decision)
        except DaylightError as error:
            await _refuse(scope, receive, send, error)
            return
        except Exception:  # a reader or the gate failed: the request is not decided, not passed
            _log.exception("unexpected error in the policy gate middleware")
            await _refuse(scope, receive, send, InternalError())
            return
        if decision is not None:
            scope.setdefault("state", {})["decision"] = decision
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, error: DaylightError) -> None:
    """Answer ``error`` in the one JSON shape; a WebSocket is refused before it is accepted."""
    if scope["type"] == "http":
        await send_error(send, error)
        return
    await receive()  # the websocket.connect message
    if "websocket.http.response" in scope.get("extensions", {}):
        body = error_body(error)
        await send({"type": "websocket.http.response.start", "status": error.status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "websocket.http.response.body", "body": body})
    else:
        await send({"type": "websocket.close", "code": 1008})
