"""Serve a published report directory over HTTP on this machine (the standard library's static
file server: the report is static files and needs nothing else), and ``REPORT_CSP``, the
content security policy the report's pages need: this server sends it with every file, as
``daylight serve`` does with a published report's files."""

from __future__ import annotations

import base64
import hashlib
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from daylight.core.errors import ConfigError, NotFoundError

# The one rule Cytoscape.js (static/vendor) writes into the page, as a <style> element: the
# policy allows it by its SHA-256 rather than allowing every inline style.
CYTOSCAPE_STYLE = ".__________cytoscape_container { position: relative; }"
_CYTOSCAPE_STYLE_SHA256 = base64.b64encode(hashlib.sha256(CYTOSCAPE_STYLE.encode()).digest()).decode()

# What the pages need and nothing more: their own scripts (and Pagefind's WebAssembly), their
# own styles (with Cytoscape's rule, and the style attributes of table columns and legend
# swatches), their own images and data (the table's JSON); no other origin, no plugin, no
# <base>, no form posts, no framing.
REPORT_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
              f"style-src 'self' 'sha256-{_CYTOSCAPE_STYLE_SHA256}'; "
              "style-src-attr 'unsafe-inline'; img-src 'self' data:; object-src 'none'; "
              "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static files under ``REPORT_CSP``, without a log line per request on stderr."""

    extensions_map = {  # noqa: RUF012 (the base class declares it an instance variable)
        **SimpleHTTPRequestHandler.extensions_map, ".tlog-proof": "text/plain",
        ".db": "application/vnd.sqlite3", ".csv": "text/csv; charset=utf-8",
        ".json": "application/json"}

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", REPORT_CSP)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


class _ReportServer(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops the connections of a reader fetching many files
    # at once (`report fetch`'s 8); each dropped SYN waits a second to be sent again
    request_queue_size = 128


def report_server(directory: Path, *, host: str = "127.0.0.1",
                  port: int = 8000) -> ThreadingHTTPServer:
    """A server for ``directory`` bound to ``host:port`` (0: any free port); the caller runs
    ``serve_forever()`` and ``server_close()``."""
    if not (directory / "index.html").is_file():
        raise NotFoundError(f"no report at `{directory}` (no index.html)")
    try:
        return _ReportServer((host, port), partial(_QuietHandler, directory=str(directory)))
    except OSError as exc:
        raise ConfigError(f"cannot serve on {host}:{port}: {exc.strerror}", where="--port") from exc


def url_of(server: ThreadingHTTPServer) -> str:
    """The address a browser opens."""
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"


def serve_until_interrupted(server: ThreadingHTTPServer) -> None:
    """Serve until Ctrl-C, then release the port."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
