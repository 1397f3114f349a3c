"""CORS for the service, only when ``serve_cors_origins`` names origins: Starlette's
``CORSMiddleware`` (the field's implementation of the Fetch standard's CORS protocol), with
its refusals of a preflight answered in the one JSON error shape instead of plain text.

Bearer tokens are sent explicitly, never as cookies, so credentials are not allowed
(``Access-Control-Allow-Credentials`` is never sent); the headers a page may send are
``Authorization`` and ``Content-Type``.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from daylight.api.errors import plain_error_body

CORS_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
CORS_HEADERS = ("authorization", "content-type")
PREFLIGHT_MAX_AGE_S = 600


class Cors(CORSMiddleware):
    """``CORSMiddleware`` for ``origins`` (``*``: any), refusing preflights in JSON."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        super().__init__(app, allow_origins=list(origins), allow_methods=list(CORS_METHODS),
                         allow_headers=list(CORS_HEADERS), max_age=PREFLIGHT_MAX_AGE_S)

    def preflight_response(self, request_headers: Headers) -> Response:
        """Starlette's answer; a refusal (400) in the one JSON error shape."""
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        reasons = bytes(response.body).decode().removeprefix("Disallowed CORS ")
        headers = {k: v for k, v in response.headers.items()
                   if k.lower() not in ("content-type", "content-length")}
        return Response(plain_error_body("cors_refused", f"cross-origin request refused: {reasons} "
                                         "not allowed"), status_code=400, headers=headers,
                        media_type="application/json")
