"""uvicorn's HTTP protocols, answering a request it cannot parse in the one JSON error shape,
and (httptools) writing each answer's head and first body part in one write.

uvicorn answers bytes that are not HTTP/1.1 (a bad request line, a malformed header, a bad
chunk size) itself, before any application sees them, with ``400`` and a plain-text line. These
subclasses change that answer: the same status and ``connection: close``, with the body
``{"error": {"code": "malformed_http", "message": ...}}``. ``daylight serve`` names them by
import string (``HTTP_PROTOCOL``), as it names the app, so each worker process loads them.

uvicorn writes the status line and headers of an answer when the app starts it, and the body
when the app sends it: two ``send`` system calls and two TCP segments for a decision, whose
cost on loopback (the kernel delivers the segment in the sender's time) was the largest single
item of a worker's CPU per request after Cedar (bench/policy/README.md). ``HttpToolsJsonErrors``
holds the head back until the first body part (or the end of the answer, or a close) and writes
them together; the bytes on the wire are the same.
"""

from __future__ import annotations

from typing import Any

import h11
from starlette.types import Message, Send
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from daylight.api.errors import plain_error_body
from daylight.api.headers import SECURITY_HEADERS

MALFORMED_HTTP = plain_error_body("malformed_http",
                                  "malformed HTTP request: expected HTTP/1.1 (RFC 9112)")


class HeldWrites:
    """A stand-in for a cycle's transport that keeps what is written until ``release``; a
    close releases first. Everything else is the transport's."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.chunks: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.chunks.append(data)

    def release(self) -> None:
        """Write what was kept, in one write (nothing if the transport is closing)."""
        chunks, self.chunks = self.chunks, []
        if chunks and not self.transport.is_closing():
            self.transport.write(b"".join(chunks))

    def close(self) -> None:
        self.release()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


def head_with_body(cycle: RequestResponseCycle) -> Send:
    """``cycle``'s ASGI ``send``, writing the answer's head together with its first body part
    (the head alone if the answer ends without one, as for HEAD; before a close)."""
    transport = cycle.transport
    send_now = RequestResponseCycle.send.__get__(cycle)
    held: HeldWrites | None = None

    async def send(message: Message) -> None:
        nonlocal held
        if held is None and not cycle.response_started and message["type"] == "http.response.start":
            held = HeldWrites(transport)
            cycle.transport = held  # type: ignore[assignment]
            try:
                await send_now(message)
            except BaseException:
                cycle.transport, held = transport, None
                raise
            return
        if held is not None:
            try:
                await send_now(message)
            finally:
                cycle.transport, kept, held = transport, held, None
                kept.release()
            return
        await send_now(message)

    return send


class HttpToolsJsonErrors(HttpToolsProtocol):
    """uvicorn's httptools protocol (the fast one) with the JSON answer to malformed HTTP and
    each answer's head written with its first body part."""

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        # an instance attribute: what run_asgi hands the app, and uses for its own answers
        cycle.send = head_with_body(cycle)  # type: ignore[method-assign,assignment]
        super()._start_asgi_task(cycle, app)

    def send_400_response(self, msg: str) -> None:
        """Answer 400 in the JSON error shape and close the connection."""
        head = [b"HTTP/1.1 400 Bad Request\r\n"]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        for name, value in SECURITY_HEADERS:
            head += [name, b": ", value, b"\r\n"]
        head += [b"content-type: application/json\r\n",
                 b"content-length: " + str(len(MALFORMED_HTTP)).encode() + b"\r\n",
                 b"connection: close\r\n\r\n", MALFORMED_HTTP]
        self.transport.write(b"".join(head))
        self.transport.close()


class H11JsonErrors(H11Protocol):
    """uvicorn's h11 protocol (pure Python) with the JSON answer to malformed HTTP."""

    def send_400_response(self, msg: str) -> None:
        """Answer 400 in the JSON error shape and close the connection (a request whose body
        turned out malformed gets no second answer from the app)."""
        if self.cycle is not None and not self.cycle.response_started:
            self.cycle.disconnected = True
        elif self.cycle is not None:
            self.transport.close()  # the app has begun its answer: only closing is left
            return
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(MALFORMED_HTTP)).encode()),
                   (b"connection", b"close"), *SECURITY_HEADERS]
        for event in (h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
                      h11.Data(data=MALFORMED_HTTP), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


HTTP_PROTOCOL = "daylight.api.protocol:HttpToolsJsonErrors"
