"""The witness over HTTP: C2SP tlog-witness ``POST /add-checkpoint`` (``daylight witness
serve``).

Answers, as the spec says: 200 with this witness's ``cosignature/v1`` line (``text/plain``);
409 with ``text/x.tlog.size`` (the size last cosigned and a newline) when the old size is not
it. Every other refusal has the spec's status (404 unknown origin, 403 bad signature, 400 old
size beyond the new one or a malformed body, 409 a fork, 422 a bad proof) and the one JSON
error shape. Bodies are read up to 64 KiB. Plain ASGI: one route, no framework.
"""

from __future__ import annotations

import asyncio
import logging
import os

from starlette.types import Receive, Scope, Send

from daylight.api.app import read_body
from daylight.api.errors import InternalError, error_body, plain_error_body
from daylight.api.headers import with_security_headers
from daylight.core.errors import ConfigError, DaylightError
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.log.note import Verifier
from daylight.log.witness import (
    LOGS_ENV,
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    OldSizeConflictError,
    WitnessService,
    parse_logs,
)

ADD_CHECKPOINT_PATH = "/add-checkpoint"
_log = logging.getLogger("daylight.witness")


class WitnessApp:
    """The ASGI app of one ``WitnessService``."""

    def __init__(self, service: WitnessService) -> None:
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        send = with_security_headers(send)
        if scope["path"] != ADD_CHECKPOINT_PATH:
            await _send(send, 404, "application/json", plain_error_body("not_found", "not found"))
        elif scope["method"] != "POST":
            await _send(send, 405, "application/json",
                        plain_error_body("method_not_allowed", "method not allowed"))
        else:
            await self._add_checkpoint(receive, scope, send)

    async def _add_checkpoint(self, receive: Receive, scope: Scope, send: Send) -> None:
        try:
            body = await read_body(scope, receive, MAX_REQUEST_BYTES)
            line = await asyncio.to_thread(self.service.add_checkpoint, body)
        except OldSizeConflictError as error:
            await _send(send, 409, SIZE_CONTENT_TYPE, f"{error.latest_size}\n".encode())
        except DaylightError as error:
            await _send(send, error.status, "application/json", error_body(error))
        except Exception:
            _log.exception("unexpected error")
            await _send(send, 500, "application/json", error_body(InternalError()))
        else:
            await _send(send, 200, "text/plain; charset=utf-8", line.encode())


async def _send(send: Send, status: int, content_type: str, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type.encode()),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def create_witness_app(home: Home, logs: dict[str, Verifier]) -> WitnessApp:
    """The witness of ``home`` (its key and database) following ``logs``."""
    return WitnessApp(WitnessService(home.witness_signer(), logs, home.witness_database()))


def app_from_environment() -> WitnessApp:
    """The app for ``DAYLIGHT_*`` settings and ``DAYLIGHT_WITNESS_LOGS`` (``ORIGIN=VKEY`` lines),
    as ``daylight witness serve`` passes them to uvicorn (``--factory``)."""
    raw = os.environ.get(LOGS_ENV, "")
    if not raw.strip():
        raise ConfigError("no logs to follow", where=LOGS_ENV)
    logs = parse_logs([line for line in raw.splitlines() if line.strip()], where=LOGS_ENV)
    return create_witness_app(Home(build_settings({}, os.environ)), logs)
