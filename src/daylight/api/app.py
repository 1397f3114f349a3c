"""The service: ``POST /v1/decisions`` answers exactly what ``daylight decide`` prints;
``GET /v1/policy`` names the policy version in force; the routers of ``daylight.api.routes``
expose every other flow (accounts, review, audits, declarations, objections, corrections,
reports, the log), and ``GET /openapi.json`` describes them all, the decision route included.

Every error answer has the one JSON shape (``DaylightError.to_json()``): malformed JSON, unknown
fields, oversized bodies (413, read no further than the limit), unknown routes and methods, and
unexpected failures (500, with no internals in the body). A background task flushes decision
records every ``flush_interval_s`` and, every ``refresh_interval_s``, refreshes the gate
(registry and policy changes) and digests ended days, off the request path; on shutdown it
flushes once more.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import ExitStack, asynccontextmanager, suppress
from functools import lru_cache
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from daylight.api.cors import Cors
from daylight.api.durable import DurableRecords, FlushTurn
from daylight.api.errors import (
    BodyTooLargeError,
    InternalError,
    error_body,
    error_response,
    plain_error,
    plain_error_body,
    verify_json_content_type,
)
from daylight.api.guard import DECISION_ROUTE, AccessConfig, AccessGuard
from daylight.api.headers import Header, SecuredHeaders, secured, with_security_headers
from daylight.api.routes import accounts, audits, corrections, declarations, log, objections, reports, review
from daylight.api.routes.resources import ERROR_RESPONSES
from daylight.api.schema import (
    DecisionAnswer,
    DecisionRequest,
    PolicyAnswer,
    bounded_receive,
    http_where,
    json_request,
    service_openapi,
    validation_error,
)
from daylight.api.worker import worker_tuning
from daylight.core.canonical import parse_json
from daylight.core.errors import ConfigError, DaylightError, InputError
from daylight.core.settings import SETTINGS_BY_NAME, build_settings
from daylight.flows.decide import digest_period, open_gate
from daylight.home import Home
from daylight.policy.decision import Decision
from daylight.policy.engine import DEFAULT_CACHE_ENTRIES
from daylight.policy.gate import Gate

MAX_BODY_BYTES = 16 * 1024
DECISIONS_PATH = "/v1/decisions"
OPENAPI_PATH = "/openapi.json"
ROUTERS = (accounts.router, review.router, audits.router, declarations.router,
           objections.router, corrections.router, reports.router, log.router)
_REQUEST_KEYS = {"account_id", "operation", "context"}
_ANSWER_BODIES = 4_096  # distinct decisions whose answer body is kept (cleared when full)
_log = logging.getLogger("daylight.api")


async def read_body(scope: Scope, receive: Receive, limit: int) -> bytes:
    """The request body; BodyTooLargeError as soon as it is known to exceed ``limit``."""
    for key, value in scope.get("headers", ()):
        if key == b"content-length" and value.isdigit() and int(value) > limit:
            raise BodyTooLargeError.over(limit, int(value))
    parts: list[bytes] = []  # joined at the end: one part (the usual case) is not copied
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise InputError("the client went away before sending the whole body", where="body")
        part = bytes(message.get("body", b""))
        parts.append(part)
        size += len(part)
        if size > limit:
            raise BodyTooLargeError.over(limit)
        if not message.get("more_body", False):
            return b"".join(parts)


def parse_decision_request(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(account id, operation, context) from a request body; InputError naming the field."""
    data = parse_json(body, where="body")
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with account_id, operation and context",
                         where="body")
    unknown = sorted(set(data) - _REQUEST_KEYS)
    if unknown:
        raise InputError(f"unknown field `{unknown[0]}`; expected {sorted(_REQUEST_KEYS)}",
                         where=unknown[0] or "body")
    for key in ("account_id", "operation"):
        if not isinstance(data.get(key), str):
            raise InputError(f"expected a string for `{key}`", where=key)
    context = data.get("context")
    if context is not None and not isinstance(context, dict):
        raise InputError("expected an object or null for `context`", where="context")
    return data["account_id"], data["operation"], context


def _background_round(gate: Gate, home: Home | None, digest: bool, refresh: bool,
                      turn: FlushTurn | None = None) -> None:
    """Flush (in ``turn`` among the workers); then, if it is time, refresh the gate and digest
    ended days. Each step runs even if an earlier one failed (a failing flush must not keep the
    engine stale); the first failure is raised afterwards."""
    turn = turn or FlushTurn(gate.database)
    steps: list[Callable[[], object]] = [lambda: turn.flush(gate)]
    if refresh:
        steps.append(gate.refresh)
        if digest and home is not None:
            steps.append(lambda: digest_period(gate.database, home.log(writable=True), None))
    failures: list[Exception] = []
    for step in steps:
        try:
            step()
        except Exception as error:
            failures.append(error)
    if failures:
        raise failures[0]


def create_app(home: Home | None = None, *, gate: Gate | None = None,
               max_body_bytes: int = MAX_BODY_BYTES, flush_interval_s: float = 0.25,
               refresh_interval_s: float = 1.0,
               digest: bool = True, cache_entries: int = DEFAULT_CACHE_ENTRIES,
               durable: bool = True, access: AccessConfig | None = None,
               tune_worker: bool = False) -> DecisionApp:
    """The decision service for ``home`` (or for an explicit ``gate``); ``cache_entries`` bounds
    the decision cache of the gate it builds (0: every decision goes through Cedar). With
    ``durable`` (the default) a decision is answered only once its record is committed (group
    commit, ``DurableRecords``); without, records are flushed every ``flush_interval_s`` and a
    crash loses those of the last interval. Every request passes the access guard
    (``daylight.api.guard``), configured by ``access`` (default: the home's settings, or the
    settings' defaults without a home); tokens are read from the gate's database. With
    ``tune_worker`` (a ``daylight serve`` worker process) the process is set up for a short
    latency tail while the service runs (``daylight.api.worker``)."""
    if access is None:
        access = AccessConfig.from_settings(home.settings) if home is not None else AccessConfig()
    if gate is None:
        if home is None:
            raise ConfigError("create_app needs a home or a gate")
        gate = open_gate(home.database(), cache_entries=cache_entries,
                         support_window_days=home.settings.support_window_days,
                         support_staleness_days=home.settings.snapshot_staleness_days)
    the_gate = gate
    turn = FlushTurn(the_gate.database)
    records = DurableRecords(the_gate, turn) if durable else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def loop() -> None:
            # small, frequent flushes: each holds the GIL (and so the event loop) only briefly
            last_refresh = asyncio.get_running_loop().time()
            while True:
                await asyncio.sleep(flush_interval_s)
                now = asyncio.get_running_loop().time()
                refresh = now - last_refresh >= refresh_interval_s
                last_refresh = now if refresh else last_refresh
                try:
                    await asyncio.to_thread(_background_round, the_gate, home, digest, refresh,
                                            turn)
                except DaylightError as error:  # keep serving under the engine it has
                    _log.warning("background refresh failed: %s", error)
                except Exception:  # never let one bad round end flushing and refreshing
                    _log.exception("background round failed")

        task = asyncio.create_task(loop())
        if records is not None:
            records.start()
        tuning = ExitStack()
        if tune_worker:  # start-up is done: what exists now lives as long as the worker
            tuning.enter_context(worker_tuning())
        try:
            yield
        finally:
            tuning.close()
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            if records is not None:
                await records.stop()
            await asyncio.to_thread(turn.flush, the_gate)

    app = FastAPI(title="Daylight service", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None, openapi_url=OPENAPI_PATH,
                  description="Decisions, the registry, voice, audits, reports and the "
                              "transparency log (docs/api.md).")
    app.state.gate = the_gate
    app.state.home = home

    @app.exception_handler(DaylightError)
    async def daylight_error(request: Request, error: DaylightError) -> Response:
        return error_response(http_where(error))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> Response:
        return error_response(validation_error(error))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if isinstance(error.__context__, BodyTooLargeError):  # FastAPI wraps body-read errors
            return error_response(error.__context__)
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return plain_error(error.status_code, code, str(error.detail).lower())

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        _log.exception("unexpected error")
        return error_response(InternalError())

    @app.post(DECISIONS_PATH, summary="Decide a request", responses=ERROR_RESPONSES)
    async def decide_for_the_schema(body: DecisionRequest) -> DecisionAnswer:
        """Answered in plain ASGI by ``DecisionApp`` (the hot path); this route only puts it
        in the OpenAPI document."""
        raise InternalError()  # pragma: no cover - never routed here

    @app.get("/v1/policy", summary="The policy version in force", response_class=Response,
             responses={200: {"model": PolicyAnswer}, **ERROR_RESPONSES})
    async def policy() -> Response:
        """The policy version in force (null if none)."""
        version = the_gate.version
        body = {"in_force": version.to_json() if version else None}
        return Response(json.dumps(body).encode(), media_type="application/json")

    for router in ROUTERS:
        app.include_router(router, dependencies=[Depends(json_request)])
    app.openapi = lambda: service_openapi(app)  # type: ignore[method-assign]
    return DecisionApp(app, the_gate, max_body_bytes, records, access)


class DecisionApp:
    """The decision service as one ASGI app: ``POST /v1/decisions`` is answered here, in plain ASGI (the
    hot path: no routing, request objects or dependency injection per decision); every other
    request, and the lifespan, go to the FastAPI app ``api``. Every request passes, in order,
    the security headers, CORS (only if origins are configured) and the access guard; the
    answers to ``POST /v1/decisions`` (the guard's refusals too) are all made with theirs
    (``secured``), so that route skips the layer that would add them."""

    def __init__(self, api: FastAPI, gate: Gate, max_body_bytes: int,
                 records: DurableRecords | None = None,
                 access: AccessConfig | None = None) -> None:
        self.api = api
        self.gate = gate
        self.max_body_bytes = max_body_bytes
        self.records = records
        self.access = access or AccessConfig()
        self._routes: list[tuple[str, str, re.Pattern[str]]] = []
        self._routes_version = -1
        self._bodies: dict[int, tuple[Decision, bytes]] = {}  # id(decision) → it, its body
        self.guard = AccessGuard(self._dispatch, self.route_of, gate.database, self.access)
        self._entry: ASGIApp = self.guard
        if self.access.cors_origins:
            self._entry = Cors(self.guard, self.access.cors_origins)

    def route_of(self, scope: Scope) -> tuple[str, str] | None:
        """(method, path template) of the route ``scope`` matches fully (path and method), or
        None: the key of ``ROUTE_ROLES``. Matched in the router's order, as it routes."""
        method = str(scope.get("method", ""))
        path = scope["path"]
        if path == DECISIONS_PATH:
            return DECISION_ROUTE if method == "POST" else None
        wanted = "GET" if method == "HEAD" else method
        for route_method, template, pattern in self._route_table():
            if route_method == wanted and pattern.match(path):
                return method, template
        return None

    def routes(self) -> list[tuple[str, str]]:
        """Every (method, path template) the service answers: the rows ``ROUTE_ROLES`` must
        have (``HEAD`` goes with ``GET``)."""
        found = {DECISION_ROUTE, *((m, t) for m, t, _ in self._route_table())}
        return sorted(found, key=lambda key: (key[1], key[0]))

    def _route_table(self) -> list[tuple[str, str, re.Pattern[str]]]:
        """(method, template, compiled path) of every route, built again when routes are added."""
        version = len(self.api.router.routes)
        if self._routes_version != version:
            self._routes = [(method, template, compile_path(template)[0])
                            for method, template in route_templates(self.api.router.routes)]
            self._routes_version = version
        return self._routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not (scope["path"] == DECISIONS_PATH
                                            and scope["method"] == "POST"):
            send = with_security_headers(send)  # a decision's answers are all made secured
        await self._entry(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.api(scope, receive, send)
        elif scope["path"] != DECISIONS_PATH:
            await self.api(scope, bounded_receive(receive), send)
        elif scope["method"] != "POST":
            await _send(send, 405, plain_error_body("method_not_allowed", "method not allowed"))
        else:
            await self._decide(scope, receive, send)

    async def _decide(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Decide ``{"account_id", "operation", "context"?}``; the answer is the decision."""
        try:
            verify_json_content_type(scope)
            account_id, operation, context = parse_decision_request(
                await read_body(scope, receive, self.max_body_bytes))
            decision = self.gate.decide(account_id, operation, context)
            if self.records is not None:
                await self.records.wait()  # answered only once recorded durably
        except DaylightError as error:
            await _send(send, error.status, error_body(error))
            return
        except Exception:
            _log.exception("unexpected error")
            await _send(send, 500, error_body(InternalError()))
            return
        await _send(send, 200, self._answer_body(decision))

    def _answer_body(self, decision: Decision) -> bytes:
        """The answer's JSON for ``decision``, encoded once per distinct decision (the engine
        hands out one Decision object per distinct Cedar answer; the object is kept with its
        body, so its id is not reused while the body is)."""
        kept = self._bodies.get(id(decision))
        if kept is not None and kept[0] is decision:
            return kept[1]
        body = json.dumps(decision.to_json()).encode()
        if len(self._bodies) >= _ANSWER_BODIES:
            self._bodies.clear()
        self._bodies[id(decision)] = (decision, body)
        return body


def route_templates(routes: Sequence[BaseRoute], prefix: str = "") -> list[tuple[str, str]]:
    """(method, path template) of each route, in routing order: routers included by FastAPI
    (kept as one entry holding the router) are walked with their prefix; a mount is its prefix
    and ``/{path:path}``, for ``GET``; ``HEAD`` goes with ``GET``."""
    found: list[tuple[str, str]] = []
    for route in routes:
        nested = getattr(route, "original_router", None)
        if nested is not None:
            context = getattr(route, "include_context", None)
            found += route_templates(nested.routes, prefix + str(getattr(context, "prefix", "")))
        elif isinstance(route, Mount):
            found.append(("GET", prefix + route.path + "/{path:path}"))
        elif isinstance(route, Route):
            found += [(method, prefix + route.path) for method in sorted(route.methods or {"GET"})
                      if method != "HEAD"]
    return found


@lru_cache(maxsize=1024)
def _json_headers(length: int) -> tuple[Header, ...]:
    """The headers of a JSON answer of ``length`` bytes, security headers included: built once
    per length (answers of one decision, or one error, have one length)."""
    return tuple(secured((b"content-type", b"application/json"),
                         (b"content-length", str(length).encode())))


async def _send(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,  # a list of its own: a
                "headers": SecuredHeaders(_json_headers(len(body)))})  # middleware may add to it
    await send({"type": "http.response.body", "body": body})


CACHE_ENV = SETTINGS_BY_NAME["serve_decision_cache_entries"].env


def app_from_environment() -> DecisionApp:
    """The app for ``DAYLIGHT_*`` settings (``uvicorn --factory``, one per worker process);
    ``daylight serve --decision-cache-entries`` reaches the workers as ``CACHE_ENV``."""
    settings = build_settings({}, os.environ)
    return create_app(Home(settings), cache_entries=settings.serve_decision_cache_entries,
                      durable=settings.serve_decision_records == "durable", tune_worker=True)
