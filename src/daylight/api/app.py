"""The decision service: ``POST /v1/decisions`` answers exactly what ``daylight decide`` prints;
``GET /v1/policy`` names the policy version in force.

Every error answer has the one JSON shape (``DaylightError.to_json()``): malformed JSON, unknown
fields, oversized bodies (413, read no further than the limit), unknown routes and methods, and
unexpected failures (500, with no internals in the body). A background task refreshes the gate
(registry and policy changes), flushes decision records and digests ended days, off the request
path; on shutdown it flushes once more.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import Response

from daylight.api.errors import BodyTooLargeError, error_response, plain_error
from daylight.core.errors import ConfigError, DaylightError, InputError
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.policy.catalog import default_catalog
from daylight.policy.digest import digest_ended_days
from daylight.policy.gate import Gate

MAX_BODY_BYTES = 16 * 1024
_REQUEST_KEYS = {"account_id", "operation", "context"}
_log = logging.getLogger("daylight.api")


async def read_body(request: Request, limit: int) -> bytes:
    """The request body; BodyTooLargeError as soon as it is known to exceed ``limit``."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(f"the body is {int(declared)} bytes; at most {limit} are accepted")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLargeError(f"the body is over {limit} bytes; at most {limit} are accepted")
    return bytes(body)


def parse_decision_request(body: bytes) -> tuple[str, str, dict[str, Any] | None]:
    """(account id, operation, context) from a request body; InputError naming the field."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"the body is not JSON: {exc}", where="body") from exc
    if not isinstance(data, dict):
        raise InputError("expected a JSON object with account_id, operation and context",
                         where="body")
    unknown = sorted(set(data) - _REQUEST_KEYS)
    if unknown:
        raise InputError(f"unknown field `{unknown[0]}`; expected {sorted(_REQUEST_KEYS)}",
                         where=unknown[0])
    for key in ("account_id", "operation"):
        if not isinstance(data.get(key), str):
            raise InputError(f"expected a string for `{key}`", where=key)
    context = data.get("context")
    if context is not None and not isinstance(context, dict):
        raise InputError("expected an object or null for `context`", where="context")
    return data["account_id"], data["operation"], context


def _background_round(gate: Gate, home: Home | None, digest: bool) -> None:
    gate.refresh()
    gate.flush()
    if digest and home is not None:
        digest_ended_days(gate.database, home.log(writable=True), datetime.now(UTC))


def create_app(home: Home | None = None, *, gate: Gate | None = None,
               max_body_bytes: int = MAX_BODY_BYTES, background_interval_s: float = 1.0,
               digest: bool = True) -> FastAPI:
    """The decision service for ``home`` (or for an explicit ``gate``)."""
    if gate is None:
        if home is None:
            raise ConfigError("create_app needs a home or a gate")
        gate = Gate(home.database(), default_catalog(), refresh_interval_s=None)
    the_gate = gate

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async def loop() -> None:
            while True:
                await asyncio.sleep(background_interval_s)
                try:
                    await asyncio.to_thread(_background_round, the_gate, home, digest)
                except DaylightError as error:  # keep serving under the engine it has
                    _log.warning("background refresh failed: %s", error)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await asyncio.to_thread(the_gate.flush)

    app = FastAPI(title="Daylight decision service", version="1", lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.gate = the_gate

    @app.exception_handler(DaylightError)
    async def daylight_error(request: Request, error: DaylightError) -> Response:
        return error_response(error)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return plain_error(error.status_code, code, str(error.detail).lower())

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        _log.exception("unexpected error")
        return plain_error(500, "internal_error", "internal error: the request was not decided")

    @app.post("/v1/decisions")
    async def decisions(request: Request) -> Response:
        """Decide ``{"account_id", "operation", "context"?}``; the answer is the decision."""
        account_id, operation, context = parse_decision_request(
            await read_body(request, max_body_bytes))
        decision = the_gate.decide(account_id, operation, context)
        return Response(json.dumps(decision.to_json()).encode(), media_type="application/json")

    @app.get("/v1/policy")
    async def policy() -> Response:
        """The policy version in force (null if none)."""
        version = the_gate.version
        body = {"in_force": version.to_json() if version else None}
        return Response(json.dumps(body).encode(), media_type="application/json")

    return app


def app_from_environment() -> FastAPI:
    """The app for ``DAYLIGHT_*`` settings (``uvicorn --factory``, one per worker process)."""
    return create_app(Home(build_settings({}, os.environ)))
