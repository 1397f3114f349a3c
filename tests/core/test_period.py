from datetime import date

import pytest

from daylight.core.errors import InputError
from daylight.core.period import parse_period


def test_months_quarters_and_days_are_half_open_utc_day_ranges() -> None:
    february = parse_period("2026-02")
    assert (february.kind, february.days()[-1]) == ("month", "2026-02-28")
    assert parse_period("2024-02").days()[-1] == "2024-02-29"
    assert len(parse_period("2024-Q1").days()) == 91
    assert parse_period("2026-12").end == date(2027, 1, 1)
    assert parse_period("2026-Q4").end == date(2027, 1, 1)
    day = parse_period("2026-11-03")
    assert (day.kind, day.days()) == ("day", ["2026-11-03"])
    assert day.contains(date(2026, 11, 3)) and not day.contains(date(2026, 11, 4))
    year = parse_period("2024")
    assert (year.kind, year.start, year.end, len(year.days())) == (
        "year", date(2024, 1, 1), date(2025, 1, 1), 366)


@pytest.mark.parametrize(("label", "following"), [
    ("2026-10", "2026-11"), ("2026-12", "2027-01"), ("2026-Q4", "2027-Q1"), ("2026-Q2", "2026-Q3"),
    ("2026", "2027"), ("2026-02-28", "2026-03-01")])
def test_the_following_period_starts_where_one_ends(label: str, following: str) -> None:
    period = parse_period(label)
    assert period.following() == parse_period(following)
    assert period.following().start == period.end


@pytest.mark.parametrize("bad", ["2026-13", "2026-Q5", "26-11", "2026-02-30", "November",
                                 "2026-11 ", "2026-1", "", "202", "20261"])
def test_anything_else_is_refused_naming_where(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_period(bad, where="digest period")
    assert caught.value.where == "digest period"
