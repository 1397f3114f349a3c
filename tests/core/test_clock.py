"""The one clock: a fixed clock for tests, and instants written one way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daylight.core.clock import fixed_clock, parse_utc_text, utc_now, utc_text
from daylight.core.errors import InputError


def test_a_fixed_clock_always_says_the_same_and_needs_a_zone() -> None:
    at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    clock = fixed_clock(at)
    assert clock() == clock() == at
    with pytest.raises(InputError, match="time zone"):
        fixed_clock(datetime(2026, 11, 3))


def test_the_system_clock_is_aware_utc() -> None:
    assert utc_now().utcoffset() == timedelta(0)


def test_instants_are_written_in_utc_with_a_z() -> None:
    assert utc_text(datetime(2026, 10, 1, tzinfo=UTC)) == "2026-10-01T00:00:00Z"
    two_hours_east = timezone(timedelta(hours=2))
    assert utc_text(datetime(2026, 10, 1, 2, tzinfo=two_hours_east)) == "2026-10-01T00:00:00Z"
    assert utc_text(datetime(2026, 10, 1, 0, 0, 0, 5, tzinfo=UTC)) == "2026-10-01T00:00:00.000005Z"


@given(st.datetimes(timezones=st.just(UTC)))
def test_utc_text_round_trips(moment: datetime) -> None:
    assert parse_utc_text(utc_text(moment)) == moment


def test_every_form_stored_before_reads_as_the_same_instant() -> None:
    """Bookkeeping columns written before they used ``utc_text`` hold ``isoformat()`` or, from a
    witness, six microsecond digits; the reader takes all of them."""
    moment = datetime(2026, 11, 3, 9, 30, 1, 250000, tzinfo=UTC)
    forms = ["2026-11-03T09:30:01.250000+00:00", "2026-11-03T09:30:01.250000Z", utc_text(moment)]
    assert {parse_utc_text(form) for form in forms} == {moment}
