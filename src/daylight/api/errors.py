"""The HTTP side of the one error shape: every error answer is ``DaylightError.to_json()``
with the error's status — bad input, unknown routes, oversized bodies and denials alike.

Errors added here (under ``DaylightError``):

    InputError
    ├── BodyTooLargeError     413   a request body over the service's limit
    ├── UnsupportedMediaTypeError
                              415   a body that is not declared ``application/json`` (a
                                    cross-site HTML form can post only other types)
    └── RangeNotSatisfiableError
                              416   a ``Range`` header outside a served file
    PolicyDeniedError         403   the gate denied the request (middleware only; the reasons
                                    are in ``evidence``)
    InternalError             500   an unexpected failure: the request was not decided (the
                                    body says nothing of the internals)
"""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response
from starlette.types import Scope, Send

from daylight.core.errors import DaylightError, InputError, shortened
from daylight.policy.decision import Decision


class BodyTooLargeError(InputError):
    """A request body larger than the service accepts."""

    status = 413
    code = "body_too_large"

    @classmethod
    def over(cls, limit: int, size: int | None = None) -> BodyTooLargeError:
        """The error for a body of ``size`` bytes (its Content-Length), or of unknown size that
        passed ``limit`` as it arrived: the limit said once."""
        found = "the body is" if size is None else f"the body is {size} bytes,"
        return cls(f"{found} over the limit of {limit} bytes", where="body")


class RangeNotSatisfiableError(InputError):
    """A ``Range`` header none of whose ranges starts inside the file served."""

    status = 416
    code = "range_not_satisfiable"


class UnsupportedMediaTypeError(InputError):
    """A request body whose Content-Type is not ``application/json``."""

    status = 415
    code = "unsupported_media_type"


def verify_json_content_type(scope: Scope) -> None:
    """UnsupportedMediaTypeError unless the request declares exactly one Content-Type,
    ``application/json`` (parameters allowed; a charset, if given, must be UTF-8). Browsers
    let any page post a form cross-site without asking, but only as form or plain-text types:
    requiring JSON keeps such posts out."""
    values = [bytes(v).decode("latin-1") for k, v in scope.get("headers", ())
              if bytes(k).lower() == b"content-type"]
    where = "header content-type"
    if len(values) != 1:
        raise UnsupportedMediaTypeError(
            "expected the header `content-type: application/json`" if not values else
            f"the header appears {len(values)} times: expected it once", where=where)
    media, *parameters = (part.strip().lower() for part in values[0].split(";"))
    charset = next((p.split("=", 1)[1].strip('" ') for p in parameters
                    if p.startswith("charset=")), "utf-8")
    if media != "application/json" or charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaTypeError(f"content type `{shortened(values[0], 80)}` is not "
                                        "accepted: expected `application/json`", where=where)


class PolicyDeniedError(DaylightError):
    """The policy gate denied the request; carries the decision's reasons and version."""

    status = 403
    exit_code = 7
    code = "policy_denied"

    @classmethod
    def from_decision(cls, account_id: str, operation: str, decision: Decision) -> PolicyDeniedError:
        first = decision.reasons[0].reason if decision.reasons else "denied"
        return cls(f"`{account_id}` may not call `{operation}`: {first}",
                   evidence={"reasons": [r.to_json() for r in decision.reasons],
                             "policy_version": decision.policy_version,
                             "errors": list(decision.errors)})


class InternalError(DaylightError):
    """An unexpected failure while deciding; the message never carries the internals."""

    status = 500
    code = "internal_error"

    def __init__(self) -> None:
        super().__init__("internal error: the request was not decided")


def error_body(error: DaylightError) -> bytes:
    """The error as JSON bytes. ASCII with escapes: messages may quote the caller's input, and a
    lone surrogate in it (valid in JSON text, not in UTF-8) must not turn an answer into a 500."""
    return json.dumps(error.to_json()).encode()


def error_response(error: DaylightError) -> Response:
    """The JSON error answer for ``error``."""
    return Response(error_body(error), status_code=error.status, media_type="application/json")


def plain_error_body(code: str, message: str) -> bytes:
    """The error shape for errors that are not DaylightErrors (the web framework's own)."""
    body: dict[str, Any] = {"error": {"code": code, "message": message}}
    return json.dumps(body).encode()


def plain_error(status: int, code: str, message: str) -> Response:
    """An error answer in the same shape for errors raised by the web framework itself."""
    return Response(plain_error_body(code, message), status_code=status,
                    media_type="application/json")


async def send_error(send: Send, error: DaylightError) -> None:
    """Send the JSON error answer from raw ASGI (the middleware's path)."""
    body = error_body(error)
    await send({"type": "http.response.start", "status": error.status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
