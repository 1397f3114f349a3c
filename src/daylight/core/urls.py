"""The one check of an http(s) address given by a user or a client: a witness's URL, a
correction's evidence, a published report's folder.

The standard library alone would follow ``file:`` and ``ftp:`` addresses, raise ValueError or
UnicodeError on a malformed one (a bad IPv6 literal, a port over 65535, a label over 63
characters), and print a password given in one.
"""

from __future__ import annotations

from urllib.parse import SplitResult, urlsplit

from daylight.core.errors import InputError


def http_url(value: str, *, where: str) -> SplitResult:
    """``value`` split, if it is an http(s) URL with a host and a usable port, without
    credentials, spaces or control characters; else InputError naming ``where``. The message
    quotes ``value`` unless it may hold credentials."""
    shown = f"`{value}`" if "@" not in value else "the URL given (with credentials: not shown)"
    try:
        parts = urlsplit(value)
        port, host = parts.port, parts.hostname
        if host:
            host.encode("idna")  # a label over 63 characters, an empty one
    except (ValueError, UnicodeError) as exc:
        raise InputError(f"{shown} is not an http(s) URL: {exc}", where=where) from exc
    if parts.scheme not in ("http", "https") or not host or port == 0:
        raise InputError(f"{shown} is not an http(s) URL with a host", where=where)
    if parts.username is not None or parts.password is not None:
        raise InputError(f"{shown}: an address here carries no credentials", where=where)
    if not value.isprintable() or any(c.isspace() for c in value):
        raise InputError(f"{shown} is not an http(s) URL: it has spaces or control characters",
                         where=where)
    return parts
