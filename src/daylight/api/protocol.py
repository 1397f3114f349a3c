"""uvicorn's HTTP protocols, answering a request it cannot parse in the one JSON error shape.

uvicorn answers bytes that are not HTTP/1.1 (a bad request line, a malformed header, a bad
chunk size) itself, before any application sees them, with ``400`` and a plain-text line. These
subclasses change only that answer: the same status and ``connection: close``, with the body
``{"error": {"code": "malformed_http", "message": ...}}``. ``daylight serve`` names them by
import string (``HTTP_PROTOCOL``), as it names the app, so each worker process loads them.
"""

from __future__ import annotations

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from daylight.api.errors import plain_error_body
from daylight.api.headers import SECURITY_HEADERS

MALFORMED_HTTP = plain_error_body("malformed_http",
                                  "malformed HTTP request: expected HTTP/1.1 (RFC 9112)")


class HttpToolsJsonErrors(HttpToolsProtocol):
    """uvicorn's httptools protocol (the fast one) with the JSON answer to malformed HTTP."""

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
