"""The one clock: where Daylight reads the time, it calls a ``Clock`` it was given.

A ``Clock`` is a function returning an aware UTC ``datetime``. Production code passes
``utc_now`` (the default everywhere); tests pass ``fixed_clock(...)`` instead of patching
anything.

``utc_text`` is the one way an instant is written: log entry times, policy versions' times,
registry and voice rows, and the bookkeeping columns (``aggregated_at``, ``digested_at``,
``audited_at``, ``ingested_at``, a report's ``published_at``, a checkpoint's ``created_at``, a
cosignature's or a witness refusal's ``received_at``): RFC 3339 in UTC with a ``Z``,
microseconds only when non-zero. Rows written before bookkeeping columns used it hold
``datetime.isoformat()`` (``+00:00``) or, from a witness, six microsecond digits;
``parse_utc_text`` reads every form, and the one reader that orders by such a column as text
(a witness's refusals) sees the forms agree to the second. None of them feeds a log entry or a
digest.

Two exceptions, both because their text feeds a digest and must stay byte for byte what it
was: the decision recorder counts in epoch seconds and writes a denial's ``decided_at`` with
always six microsecond digits (the decision digest sorts denials by it as text), and usage
event times are written from epoch microseconds by ``usage.aggregate.format_time`` (the same
form as ``utc_text``). The witness's cosignature timestamps are epoch seconds, as the
tlog-cosignature format says.
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
