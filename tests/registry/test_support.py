"""Snapshot rows in time: a row a source's latest export still lists is in force until the
staleness horizon after that export, and says when it was last seen."""

from __future__ import annotations

import pytest

from daylight.core.errors import InputError
from daylight.registry.support import SupportEdge, support_during

FLOCK_ROW = SupportEdge("supplies:SYNTHETIC-vendor>SYNTHETIC-police", "law_enforcement",
                        "SYNTHETIC-police", "surveillance_and_biometrics", "technology",
                        ongoing_as_of="2024-04-26", dates="observed")


def test_a_snapshot_row_is_in_force_until_the_horizon_and_says_when_it_was_seen() -> None:
    verdict = support_during([FLOCK_ROW], "law_enforcement", "2026-12-01")
    assert verdict.supported
    ((_, why),) = verdict.kept
    assert "last seen in export of 2024-04-26" in why and "in force up to 2027-04-26" in why


@pytest.mark.parametrize(("day", "staleness_days", "supported"), [
    ("2027-04-26", 1095, True),    # the horizon's last day
    ("2027-04-27", 1095, False),   # the day after
    ("2026-12-01", 365, False),    # a shorter horizon drops it sooner
    ("2025-04-26", 365, True),
    ("2024-01-01", 0, True),       # before the export: observed then, never "not yet"
])
def test_the_staleness_horizon_decides(day: str, staleness_days: int, supported: bool) -> None:
    verdict = support_during([FLOCK_ROW], "law_enforcement", day, staleness_days=staleness_days)
    assert verdict.supported is supported
    if not supported:
        ((_, why),) = verdict.dropped
        assert why.startswith("stale: last seen in export of 2024-04-26")


def test_a_period_that_begins_within_the_horizon_keeps_the_row() -> None:
    assert support_during([FLOCK_ROW], "law_enforcement", "2027-01-01", "2027-12-31").supported
    assert not support_during([FLOCK_ROW], "law_enforcement", "2027-05-01", "2027-12-31").supported


def test_a_negative_horizon_is_refused() -> None:
    with pytest.raises(InputError, match="snapshot_staleness_days"):
        support_during([FLOCK_ROW], "law_enforcement", "2026-12-01", staleness_days=-1)
