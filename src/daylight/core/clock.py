"""The one clock: where Daylight reads the time, it calls a ``Clock`` it was given.

A ``Clock`` is a function returning an aware UTC ``datetime``. Production code passes
``utc_now`` (the default everywhere); tests pass ``fixed_clock(...)`` instead of patching
anything.

``utc_text`` is the one way an instant is written where it is published or compared: log entry
times, policy versions' times, registry rows (RFC 3339 in UTC with a ``Z``, microseconds only when
non-zero). Bookkeeping columns that were always written with ``datetime.isoformat()``
(``+00:00``: ``aggregated_at``, ``digested_at``, ``audited_at``, a checkpoint's ``created_at``)
keep that form, so that rows already stored and rows written now read the same. The decision
recorder and the witness count in epoch seconds (``time.time``-like clocks), for speed and for
the cosignature format.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from daylight.core.errors import InputError

Clock = Callable[[], datetime]
"""Returns the current instant, timezone-aware, in UTC."""


def utc_now() -> datetime:
    """The system clock, in UTC."""
    return datetime.now(UTC)


def fixed_clock(at: datetime) -> Clock:
    """A clock that always says ``at`` (which must carry a time zone): for tests and replays."""
    if at.tzinfo is None:
        raise InputError("a fixed clock needs a time zone")
    return lambda: at


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z`` (``2026-10-01T00:00:00Z``)."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_utc_text(text: str) -> datetime:
    """The instant written by ``utc_text`` (or any RFC 3339 time with a zone)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
