"""The service's HTTP contract beside the routes: the decision route's request and answer as
OpenAPI models (it is answered in plain ASGI, outside the router), request checks shared by every
flow route, and FastAPI's validation errors in the one error shape (400 naming the field).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict
from starlette.types import Message, Receive

from daylight.api.errors import BodyTooLargeError, verify_json_content_type
from daylight.core.errors import DaylightError, InputError

MAX_FLOW_BODY_BYTES = 256 * 1024


class DecisionRequest(BaseModel):
    """May ``account_id`` call ``operation`` now, in this context?"""

    model_config = ConfigDict(extra="forbid")

    account_id: str
    operation: str
    context: dict[str, Any] | None = None


class DecisionReason(BaseModel):
    policy: str
    reason: str


class DecisionAnswer(BaseModel):
    """Allow or deny, the policies that decided and why, and the policy version."""

    allowed: bool
    reasons: list[DecisionReason]
    policy_version: int | None
    errors: list[str]


class PolicyAnswer(BaseModel):
    """The policy version in force (null if none)."""

    in_force: dict[str, Any] | None


def bounded_receive(receive: Receive, limit: int = MAX_FLOW_BODY_BYTES) -> Receive:
    """``receive`` that raises BodyTooLargeError (413) as soon as the body passes ``limit``
    bytes: a chunked body, which has no Content-Length for ``json_request`` to check, is bounded
    too, and is never read whole."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLargeError.over(limit)
        return message

    return bounded


def json_request(request: Request) -> None:
    """Every request with a body must declare it ``application/json`` (415: a cross-site form
    cannot) and, by its Content-Length, be at most ``MAX_FLOW_BODY_BYTES`` (413)."""
    if request.method in ("GET", "HEAD"):
        return
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_FLOW_BODY_BYTES:
        raise BodyTooLargeError.over(MAX_FLOW_BODY_BYTES, int(length))
    has_body = (length is not None and length != "0") or "transfer-encoding" in request.headers
    if has_body or request.headers.get("content-type") is not None:
        verify_json_content_type(request.scope)


def validation_error(error: RequestValidationError) -> InputError:
    """The first problem FastAPI found, as an InputError naming the field (``limit``,
    ``organization_id``, ``context.purpose``) or ``body``."""
    problems = error.errors()
    if not problems:
        return InputError("the request is not valid", where="body")
    first = problems[0]
    location = [str(part) for part in first.get("loc", ())]
    where = ".".join(location[1:]) or (location[0] if location else "body")
    message = str(first.get("msg", "invalid")).strip()
    message = message[:1].lower() + message[1:]
    if first.get("type") == "extra_forbidden":
        message = f"unknown field `{location[-1] if location else ''}`"
    return InputError(message, where=where)


def service_openapi(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI document, made once: FastAPI's, less the 422 answers it adds to every
    route with parameters (this service answers bad input 400 in the one error shape)."""
    if app.openapi_schema is None:
        document = get_openapi(title=app.title, version=app.version,
                               description=app.description, routes=app.routes)
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = document.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        app.openapi_schema = document
    return app.openapi_schema


# The flows name their inputs as the command line spells them; over HTTP the same input is a
# body field, a query parameter or the token.
_FIELDS = {"--by": "header authorization", "--account": "account_id", "--from": "effective",
           "--sector": "sectors", "--limit": "top", "NAME": "name"}


def http_where(error: DaylightError) -> DaylightError:
    """``error`` with a command-line ``where`` (``--decision``) renamed to the field that
    carried the input over HTTP (``decision``); the identity flags name the token."""
    where = error.where
    if where is not None and (where in _FIELDS or where.startswith("--")):
        error.where = _FIELDS.get(where) or where[2:].replace("-", "_")
    return error
