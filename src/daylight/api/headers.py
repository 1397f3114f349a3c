"""Security headers on every answer of Daylight's HTTP services.

The services answer JSON (and, for a witness, plain-text signature lines) to programs, never
pages to browsers; the headers say so, so that a browser that is pointed at them anyway neither
sniffs a type, frames, caches nor leaks a referrer:

    x-content-type-options: nosniff
    content-security-policy: default-src 'none'; frame-ancestors 'none'
    x-frame-options: DENY
    referrer-policy: no-referrer
    cache-control: no-store       (unless the answer sets its own: immutable log tiles)
    cross-origin-resource-policy: same-origin

An answer may set its own ``content-security-policy``: the files of a published report are
pages for browsers, served with the report's own policy (``daylight.report.server.REPORT_CSP``:
their scripts and styles, nothing from elsewhere), which ``default-src 'none'`` would break.

No CORS headers are sent unless the ``serve_cors_origins`` setting names origins
(``daylight.api.cors``): otherwise a cross-origin page cannot read an answer.
"""

from __future__ import annotations

from starlette.types import Message, Send

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
_NAMES = frozenset(name for name, _ in SECURITY_HEADERS)
_OWN = frozenset({b"cache-control", b"content-security-policy"})  # an answer may set these

Header = tuple[bytes, bytes]


class SecuredHeaders(list[Header]):
    """An answer's headers that already end with ``SECURITY_HEADERS`` (made by ``secured``):
    ``with_security_headers`` sends them as they are, rather than rebuilding them per answer.
    A middleware that copies the list into a plain one (as Starlette's does to add CORS
    headers) gets the usual treatment: the result is the same."""


def secured(*headers: Header) -> SecuredHeaders:
    """``headers`` followed by ``SECURITY_HEADERS``: what ``with_security_headers`` makes of
    ``headers`` when none of them has a name of ``SECURITY_HEADERS`` (ValueError if one has)."""
    if any(name.lower() in _NAMES for name, _ in headers):
        raise ValueError("secured() takes no security header: with_security_headers decides those")
    return SecuredHeaders((*headers, *SECURITY_HEADERS))


def with_security_headers(send: Send) -> Send:
    """``send`` that adds ``SECURITY_HEADERS`` to each response start (replacing any the app
    set under those names, except ``cache-control`` and ``content-security-policy``: the log's
    tiles say they are immutable, a report's pages carry the report's policy). Headers made by
    ``secured`` already have them, and are sent as they are."""
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and type(message.get("headers")) is not SecuredHeaders:
            given = list(message.get("headers", ()))
            own = {bytes(k).lower() for k, _ in given} & _OWN
            headers = [(k, v) for k, v in given
                       if bytes(k).lower() not in _NAMES or bytes(k).lower() in own]
            added = [(k, v) for k, v in SECURITY_HEADERS if k not in own]
            message = {**message, "headers": [*headers, *added]}
        await send(message)
    return sending
