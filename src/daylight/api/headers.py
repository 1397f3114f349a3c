"""Security headers on every answer of Daylight's HTTP services.

The services answer JSON (and, for a witness, plain-text signature lines) to programs, never
pages to browsers; the headers say so, so that a browser that is pointed at them anyway neither
sniffs a type, frames, caches nor leaks a referrer:

    x-content-type-options: nosniff
    content-security-policy: default-src 'none'; frame-ancestors 'none'
    x-frame-options: DENY
    referrer-policy: no-referrer
    cache-control: no-store
    cross-origin-resource-policy: same-origin

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


def with_security_headers(send: Send) -> Send:
    """``send`` that adds ``SECURITY_HEADERS`` to each response start (replacing any the app
    set under those names)."""
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", ()) if bytes(k).lower() not in _NAMES]
            message = {**message, "headers": [*headers, *SECURITY_HEADERS]}
        await send(message)
    return sending
