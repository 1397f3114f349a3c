"""Periods of decisions and audits: a day ``YYYY-MM-DD``, a month ``YYYY-MM`` or a quarter
``YYYY-Qn`` (UTC), written as the usage layer writes them so that the two line up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from daylight.core.errors import InputError

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True)
class Period:
    """UTC days ``[start, end)`` and the label they were given as."""

    label: str
    start: date
    end: date

    def days(self) -> list[str]:
        """Every day of the period as ``YYYY-MM-DD``."""
        return [(self.start + timedelta(days=i)).isoformat()
                for i in range((self.end - self.start).days)]


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str, *, where: str = "--period") -> Period:
    """Parse a day, month or quarter; InputError naming ``where`` otherwise."""
    try:
        if match := _DAY.fullmatch(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return Period(text, day, day + timedelta(days=1))
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            return Period(text, date(year, month, 1), _month_start(year, month + 1))
        if match := _QUARTER.fullmatch(text):
            year, quarter = int(match[1]), int(match[2])
            return Period(text, date(year, 3 * quarter - 2, 1), _month_start(year, 3 * quarter + 1))
    except ValueError as exc:
        raise InputError(f"period `{text}` is not a real date: {exc}", where=where) from exc
    raise InputError(f"period `{text}` must be a day `YYYY-MM-DD`, a month `YYYY-MM` or a quarter "
                     "`YYYY-Qn`", where=where)
