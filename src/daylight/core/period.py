"""Reporting periods: a day (``2026-11-03``), a month (``2026-11``), a quarter (``2026-Q4``) or a
year (``2026``), in UTC days. One definition for usage aggregates, decision digests and audits,
so they line up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from daylight.core.errors import InputError

PeriodKind = Literal["day", "month", "quarter", "year"]

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"(\d{4})")


@dataclass(frozen=True)
class Period:
    """A half-open range of UTC days ``[start, end)`` with its label."""

    kind: PeriodKind
    label: str
    start: date
    end: date

    def days(self) -> list[str]:
        """Every day of the period as ``YYYY-MM-DD`` (the names of its day partitions)."""
        count = (self.end - self.start).days
        return [(self.start + timedelta(days=i)).isoformat() for i in range(count)]

    def contains(self, day: date) -> bool:
        """True if ``day`` falls within the period."""
        return self.start <= day < self.end

    def following(self) -> Period:
        """The period of the same kind that starts where this one ends."""
        end = self.end
        label = {"day": end.isoformat(), "month": f"{end.year:04d}-{end.month:02d}",
                 "quarter": f"{end.year:04d}-Q{(end.month - 1) // 3 + 1}",
                 "year": f"{end.year:04d}"}[self.kind]
        return parse_period(label)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def parse_period(text: str, *, where: str = "--period") -> Period:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; InputError naming ``where``
    otherwise."""
    try:
        if match := _DAY.fullmatch(text):
            day = date(int(match[1]), int(match[2]), int(match[3]))
            return Period("day", day.isoformat(), day, day + timedelta(days=1))
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            start = date(year, month, 1)
            return Period("month", text, start, _month_start(year, month + 1))
        if match := _QUARTER.fullmatch(text):
            year, quarter = int(match[1]), int(match[2])
            start = date(year, 3 * quarter - 2, 1)
            return Period("quarter", text, start, _month_start(year, 3 * quarter + 1))
        if match := _YEAR.fullmatch(text):
            year = int(match[1])
            return Period("year", text, date(year, 1, 1), date(year + 1, 1, 1))
    except ValueError as exc:
        raise InputError(f"period `{text}` is not a real date: {exc}", where=where) from exc
    raise InputError(
        f"period `{text}` must be a day `YYYY-MM-DD`, a month `YYYY-MM`, a quarter `YYYY-Qn` "
        "or a year `YYYY`",
        where=where,
    )
