"""The map by state: every state of the bundled us-atlas outlines, its fill and the colour key."""

from __future__ import annotations

from daylight.registry.geography import STATE_NAMES
from daylight.report import usmap


def test_every_state_and_dc_is_drawn_once_with_a_closed_path() -> None:
    shapes = usmap.state_shapes()
    codes = [s.code for s in shapes]
    assert len(codes) == len(set(codes)) == 51
    assert set(codes) <= set(STATE_NAMES) and "DC" in codes and "PR" not in codes
    for shape in shapes:
        assert shape.path.startswith("M") and shape.path.endswith("Z")
        xs = [float(p.split(",")[0]) for ring in shape.path[1:-1].split("ZM") for p in ring.split("L")]
        left, _, width, _ = usmap.VIEW_BOX
        assert left <= min(xs) and max(xs) <= left + width


def test_fills_grow_with_the_count_and_empty_states_stay_grey() -> None:
    drawn = {s.code: s for s in usmap.map_states({"CA": 100, "TX": 1, "NY": 50})}
    assert drawn["CA"].fill == usmap.COLOURS[-1]
    assert drawn["TX"].fill == usmap.COLOURS[0]
    assert drawn["NY"].fill == usmap.COLOURS[2]
    assert drawn["WY"].fill == usmap.EMPTY and drawn["WY"].count == 0


def test_the_colour_key_covers_the_counts_and_undrawn_places_are_listed() -> None:
    counts = {"CA": 100, "TX": 1, "NY": 50, "PR": 3}
    assert usmap.legend(counts) == [(usmap.COLOURS[0], "1–3"), (usmap.COLOURS[2], "50"),
                                    (usmap.COLOURS[-1], "100")]
    assert usmap.undrawn(counts) == [("PR", "Puerto Rico", 3)]
    assert usmap.legend({}) == []
