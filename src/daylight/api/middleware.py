"""``PolicyGateMiddleware``: an ASGI middleware a provider puts in front of its own API, so that
every call of a gated operation is decided (and recorded) before the API sees it.

How to read the account, the operation and the context from a request is configuration: three
functions of the ASGI scope. ``operation`` returning None means "not a gated route" (health
checks, static files); for a gated route, a missing account, a malformed context or an unknown
operation is an error answer and a denial is a 403 — in every such case the wrapped API is
never called. An allowed request goes on with the decision in ``scope["state"]["decision"]``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from daylight.api.errors import PolicyDeniedError, send_error
from daylight.core.errors import DaylightError, InputError
from daylight.policy.gate import Gate

ScopeReader = Callable[[Scope], Any]


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in scope.get("headers", ()):
        if key == wanted:
            return bytes(value).decode("latin-1")
    return None


def header_account(name: str = "x-daylight-account") -> Callable[[Scope], str | None]:
    """Read the account id from a request header."""
    return lambda scope: _header(scope, name)


def header_context(name: str = "x-daylight-context") -> Callable[[Scope], Mapping[str, Any] | None]:
    """Read the request context from a header holding a JSON object (absent: none)."""
    def read(scope: Scope) -> Mapping[str, Any] | None:
        text = _header(scope, name)
        if text is None:
            return None
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"invalid JSON: {exc.msg}", where=f"header {name}") from exc
        if not isinstance(value, dict):
            raise InputError("expected a JSON object", where=f"header {name}")
        return value
    return read


def route_operations(routes: Mapping[tuple[str, str], str]) -> Callable[[Scope], str | None]:
    """Map (HTTP method, exact path) to a catalog operation; other routes are not gated."""
    table = {(method.upper(), path): op for (method, path), op in routes.items()}
    return lambda scope: table.get((scope.get("method", ""), scope.get("path", "")))


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
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            operation = self.operation(scope)
        except DaylightError as error:
            await send_error(send, error)
            return
        if operation is None:
            await self.app(scope, receive, send)
            return
        try:
            account = self.account(scope)
            if not account:
                raise InputError("the request names no account, so it cannot be decided",
                                 where="account")
            context = self.context(scope) if self.context is not None else None
            decision = self.gate.decide(account, operation, context)
        except DaylightError as error:
            await send_error(send, error)
            return
        if not decision.allowed:
            await send_error(send, PolicyDeniedError.from_decision(account, operation, decision))
            return
        scope.setdefault("state", {})["decision"] = decision
        await self.app(scope, receive, send)
