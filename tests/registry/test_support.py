"""Support in time: a row a source's latest export still lists is in force until the staleness
horizon after that export, and says when it was last seen; a subsidiary's or predecessor's
awards count for the parent or successor from the link's date."""

from __future__ import annotations

from dataclasses import replace

import pytest

from daylight.core.errors import InputError
from daylight.registry.classification import Graph, held_through
from daylight.registry.organization import Organization, Relationship
from daylight.registry.support import SupportEdge, SupportVerdict, support_during

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


# -- subsidiaries and successors in time ------------------------------------------------------

ICE = Organization("us-agency:7012", "SYNTHETIC ICE", "immigration_enforcement")
PARENT = Organization("company:SYNTHETIC-parent", "SYNTHETIC Parent", "commercial", schema="Company")
CHILD = Organization("company:SYNTHETIC-child", "SYNTHETIC Child", "commercial", schema="Company")


def _award(rel_id: str, start: str, end: str, obligations: str = "") -> Relationship:
    return Relationship(rel_id, "supports", CHILD.id, ICE.id, start, end, 1000.0,
                        "SUPPORT- PROFESSIONAL", {"dates": "action_dates", "obligations": obligations})


def _edges(link: Relationship, *awards: Relationship) -> list[SupportEdge]:
    graph = Graph([ICE, PARENT, CHILD], [link, *awards])
    ((_, _, edges),) = graph.supports(PARENT.id)
    return edges


def test_a_subsidiarys_awards_count_for_the_parent_from_the_acquisition() -> None:
    link = Relationship("subsidiary:child>parent", "subsidiary_of", CHILD.id, PARENT.id,
                        start_date="2011-02-11")
    edges = _edges(link, _award("award:before", "2008-01-01", "2010-06-30"),
                   _award("award:across", "2010-01-01", "2012-12-31",
                          "2010-03:400.00;2011-05:600.00"),
                   _award("award:after", "2015-01-01", "2016-01-01"))
    held = {e.relationship_id: e for e in edges}
    assert set(held) == {"award:across", "award:after"}  # the one that ended before is not his
    across = held["award:across"]
    assert (across.start, across.end, across.via) == ("2011-02-11", "2012-12-31", CHILD.id)
    assert across.obligations == (("2011-05", 600.0),) and across.amount == 600.0
    assert "held through `subsidiary:child>parent` from 2011-02-11" in across.dates
    assert held["award:after"].start == "2015-01-01"
    # as of 2010 the parent did not yet hold the subsidiary's award
    assert not support_during(edges, "immigration_enforcement", "2010-06-01", window_days=0).supported
    assert support_during(edges, "immigration_enforcement", "2011-06-01").supported


def test_a_successor_inherits_from_when_it_succeeded_and_an_undated_link_at_any_time() -> None:
    renamed = Relationship("successor:parent>child", "successor_of", PARENT.id, CHILD.id,
                           start_date="2016-10-28")
    (edge,) = _edges(renamed, _award("award:running", "2015-01-01", "2018-12-31"))
    assert (edge.start, edge.end) == ("2016-10-28", "2018-12-31")
    undated = Relationship("subsidiary:child>parent", "subsidiary_of", CHILD.id, PARENT.id)
    (edge,) = _edges(undated, _award("award:old", "2008-01-01", "2009-01-01"))
    assert (edge.start, edge.end) == ("2008-01-01", "2009-01-01")  # the source gives no date


def test_a_divested_subsidiary_stops_counting_at_the_link_end() -> None:
    sold = Relationship("subsidiary:child>parent", "subsidiary_of", CHILD.id, PARENT.id,
                        start_date="2012-01-01", end_date="2014-06-30")
    ongoing = Relationship("supplies:child>ice", "supplies", CHILD.id, ICE.id,
                           start_date="2013-01-01", evidence={"ongoing_as_of": "2024-04-26",
                                                              "dates": "observed"})
    (edge,) = _edges(sold, ongoing)
    assert (edge.start, edge.end, edge.ongoing_as_of) == ("2013-01-01", "2014-06-30", "")
    assert held_through(replace(edge, start="2015-01-01"), sold) is None


@pytest.mark.parametrize(("start", "window_days"), [("0001-01-01", 365), ("2026-10-01", 10**6)])
def test_a_look_back_window_stops_at_the_first_day_python_knows(start: str,
                                                                window_days: int) -> None:
    """The report of a period in the year 1 (or a window longer than the calendar before it)
    looked back before 0001-01-01: an OverflowError traceback of `report build` (the probe
    of issue 14)."""
    verdict = SupportVerdict("immigration_enforcement", start, start, window_days, (), ())
    assert verdict.to_json()["weight"] == verdict.weight.to_json()
