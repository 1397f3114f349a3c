"""Pagination of every list route: ``limit`` (default and maximum from the settings
``serve_page_limit`` and ``serve_page_limit_max``) and an opaque ``cursor``.

A page is ``{"items": [...], "next_cursor": str | null, "next": str | null}``: ``next`` is the
link to the following page (the same path and query with the new cursor), null on the last one.
A cursor is the key of the last item of the page, URL-safe base64 of its UTF-8: the next page
starts after that item, so items appended meanwhile are neither skipped nor repeated. It is
opaque to callers: only a cursor the service handed out is accepted (400 naming ``cursor``).

A page is one keyset query (``daylight.core.keyset``): a route passes ``PageRequest.window``
(the cursor's key and one item more than ``limit``, to learn whether another page follows) to
its flow, which reads only those rows, and renders them with ``PageRequest.page``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from itertools import islice
from typing import Generic, TypeVar
from urllib.parse import urlencode

from pydantic import BaseModel
from starlette.requests import Request

from daylight.core.errors import InputError
from daylight.core.keyset import Window

T = TypeVar("T")
M = TypeVar("M")
MAX_CURSOR_CHARS = 1024


class Page(BaseModel, Generic[M]):
    """One page of a list: its items, and the cursor and link of the next page (null: last)."""

    items: list[M]
    next_cursor: str | None
    next: str | None


@dataclass(frozen=True)
class PageRequest:
    """A validated ``limit`` and the key the page starts after (None: the first page)."""

    limit: int
    after: str | None
    request: Request

    @property
    def window(self) -> Window:
        """What a flow is asked to read for this page: the items after ``after``, one more
        than ``limit`` (so that the page knows whether another follows)."""
        return Window(self.after, self.limit + 1)

    def page(self, items: Iterable[T], key: Callable[[T], str],
             render: Callable[[T], M]) -> Page[M]:
        """The page made of ``items``, which start after ``after`` (in list order): at most
        ``limit`` of them, and the next cursor if more follow. A generator is closed once the
        page is taken (it may hold a transaction open)."""
        source = iter(items)
        try:
            taken = list(islice(source, self.limit + 1))
        finally:
            if isinstance(source, Generator):
                source.close()
        more = len(taken) > self.limit
        taken = taken[: self.limit]
        cursor = encode_cursor(key(taken[-1])) if more and taken else None
        link = None
        if cursor is not None:
            query = [(k, v) for k, v in self.request.query_params.multi_items() if k != "cursor"]
            link = f"{self.request.url.path}?{urlencode([*query, ('cursor', cursor)])}"
        return Page[M](items=[render(item) for item in taken], next_cursor=cursor, next=link)


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The key a cursor holds; InputError naming ``cursor`` if it is not one we made."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InputError(f"a cursor has at most {MAX_CURSOR_CHARS} characters", where="cursor")
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise InputError("not a cursor this service handed out", where="cursor") from exc
    if not key or encode_cursor(key) != cursor:
        raise InputError("not a cursor this service handed out", where="cursor")
    return key


def page_request(request: Request, limit: int | None, cursor: str | None, default: int,
                 maximum: int) -> PageRequest:
    """Check ``limit`` (1 to ``maximum``; None: ``default``) and ``cursor``."""
    if limit is None:
        limit = default
    if not 1 <= limit <= maximum:
        raise InputError(f"`{limit}` is not from 1 to {maximum}: the most a page holds is "
                         f"{maximum}", where="limit")
    return PageRequest(limit, decode_cursor(cursor) if cursor is not None else None, request)
