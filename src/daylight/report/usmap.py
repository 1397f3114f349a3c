"""The map by state: the Census state outlines of ``us-atlas`` drawn as SVG at build time.

The outlines are ``us-atlas`` 3.0.1 ``states-albers-10m.json`` (ISC licence; derived from the US
Census Bureau's cartographic boundary files, public domain), bundled beside this module, already
projected to Albers USA (a 975 × 610 frame, which the Aleutians overhang to the left). Decoding
TopoJSON (delta-encoded quantised arcs) to SVG path strings is a few lines, so it is done here
rather than with a JavaScript library: the map is then part of the HTML (readable without
JavaScript, printable) and every state is a link with a title that filters the central table.
Only states and DC are drawn; territories are listed beside the map by the page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from daylight.registry.geography import STATE_NAMES

# The atlas's frame is 975 × 610, but the Aleutians reach x = -58: the drawing's box includes them.
VIEW_BOX = (-60, 0, 1035, 610)
# Sequential blues (ColorBrewer "Blues", the darker five of 7 classes): the lightest stays apart
# from the grey of a state with none.
COLOURS = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
EMPTY = "#f2f2f2"


@dataclass(frozen=True)
class StateShape:
    """One state's outline: its two-letter code, name and SVG path data."""

    code: str
    name: str
    path: str


@lru_cache(maxsize=1)
def state_shapes() -> tuple[StateShape, ...]:
    """Every state (and DC) of the bundled atlas, in the atlas's order."""
    text = resources.files("daylight.report").joinpath("geo/states-albers-10m.json").read_text()
    topology = json.loads(text)
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)

    def ring(indexes: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc if not points else arc[1:])
        # Whole units of a 975-unit frame are finer than any screen draws it; drop repeats.
        text: list[str] = []
        for x, y in points:
            point = f"{x:.0f},{y:.0f}"
            if not text or text[-1] != point:
                text.append(point)
        return "M" + "L".join(text) + "Z"

    codes = {name: code for code, name in STATE_NAMES.items()}
    shapes = []
    for geometry in topology["objects"]["states"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        path = "".join(ring(r) for polygon in polygons for r in polygon)
        name = geometry["properties"]["name"]
        shapes.append(StateShape(codes[name], name, path))
    return tuple(shapes)


@dataclass(frozen=True)
class MapState:
    """A state as the page draws it: shape, count and fill."""

    code: str
    name: str
    path: str
    count: int
    fill: str


def map_states(counts: Mapping[str, int]) -> list[MapState]:
    """The drawn states with their fill: five equal-width classes of the largest count."""
    top = max(counts.values(), default=0)
    drawn = []
    for shape in state_shapes():
        count = counts.get(shape.code, 0)
        if count == 0 or top == 0:
            fill = EMPTY
        else:
            fill = COLOURS[min(len(COLOURS) - 1, (count * len(COLOURS) - 1) // top)]
        drawn.append(MapState(shape.code, shape.name, shape.path, count, fill))
    return drawn


def undrawn(counts: Mapping[str, int]) -> list[tuple[str, str, int]]:
    """Places with a count that the map does not draw (territories, unknown codes)."""
    drawn = {shape.code for shape in state_shapes()}
    return [(code, STATE_NAMES.get(code, code), n) for code, n in sorted(counts.items())
            if code not in drawn and n]


def legend(counts: Mapping[str, int]) -> list[tuple[str, str]]:
    """(fill, range label) for each colour class in use, lightest first."""
    top = max(counts.values(), default=0)
    if top == 0:
        return []
    classes: dict[str, list[int]] = {}
    for count in sorted(n for n in counts.values() if n):
        fill = COLOURS[min(len(COLOURS) - 1, (count * len(COLOURS) - 1) // top)]
        classes.setdefault(fill, []).append(count)
    return [(fill, f"{ns[0]:,}" if ns[0] == ns[-1] else f"{ns[0]:,}–{ns[-1]:,}")
            for fill in COLOURS if (ns := classes.get(fill))]
