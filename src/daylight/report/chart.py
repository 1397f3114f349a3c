"""The report's charts: Vega-Lite specifications rendered to SVG at build time.

The front page's charts are Vega-Lite specs (the grammar of the field, readable as JSON by anyone
who wants to redraw them) rendered to static SVG by ``vl-convert`` (Vega's own renderer, embedded:
no browser, no network, no JavaScript at view time), so they print and read without scripts.

One chart per organisation page would be 10,000 renders of ~50 ms each for a large report, so the
small per-organisation sparkline is drawn here by hand (a row of bars, a few lines of arithmetic),
which costs microseconds; its numbers are also in a table beside it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from html import escape
from typing import Any

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
PALETTE = ["#1f5fa8", "#b8420f", "#2d7d46", "#6a3d9a", "#8c6d1f", "#444444"]


def _config() -> dict[str, Any]:
    return {
        "font": FONT,
        "background": "white",
        "range": {"category": PALETTE},
        "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#222", "titleColor": "#222"},
        "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#222", "orient": "bottom",
                   "direction": "vertical", "labelLimit": 0},
        "title": {"fontSize": 14, "anchor": "start", "color": "#222"},
        "view": {"stroke": None},
    }


def render_svg(spec: Mapping[str, Any]) -> str:
    """The SVG of one Vega-Lite spec (rendered by vl-convert, imported here: it is heavy)."""
    import vl_convert

    svg = vl_convert.vegalite_to_svg(dict(spec))
    # The drawing is described by the page's caption and data table; hide its inner marks from
    # assistive technology so that a screen reader meets one described image, not hundreds of paths.
    return re.sub(r"^<svg ", '<svg aria-hidden="true" focusable="false" ', svg, count=1)


MAX_TICKS = 14  # labelled days on a time axis; more overlap at the chart's width


def _day_ticks(days: Sequence[str]) -> dict[str, Any]:
    """A UTC time axis labelled "Nov 02" at the Mondays among the given days (ISO dates; all of
    them if none is a Monday), at most ``MAX_TICKS`` evenly picked: where weekly points are,
    rather than wherever Vega's automatic ticks fall (every fourth day). A week cut short at the
    period's start is left unlabelled: its label would overlap the next Monday's."""
    ordered = sorted(set(days))
    mondays = [d for d in ordered if date.fromisoformat(d).weekday() == 0] or ordered
    step = -(-len(mondays) // MAX_TICKS) if mondays else 1
    values = [int(datetime.fromisoformat(d).replace(tzinfo=UTC).timestamp() * 1000)
              for d in mondays[::step]]
    return {"values": values, "labelExpr": "utcFormat(datum.value, '%b %d')", "labelAngle": 0,
            "labelFlush": False}


def usage_over_time_spec(points: Sequence[tuple[str, str, int]], *, title: str,
                         x_title: str = "day (UTC)", y_title: str = "calls per day",
                         series_title: str = "capability") -> dict[str, Any]:
    """Calls over time by series (a capability, a group), as a line chart: points are (day,
    series, calls); the time axis is UTC, labelled at the points' days."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": 640,
        "height": 240,
        "config": _config(),
        "data": {"values": [{"day": d, "capability": c, "calls": n} for d, c, n in points]},
        "mark": {"type": "line", "strokeWidth": 2},
        "encoding": {
            "x": {"field": "day", "type": "temporal", "title": x_title, "scale": {"type": "utc"},
                  "axis": _day_ticks([d for d, _, _ in points])},
            "y": {"field": "calls", "type": "quantitative", "title": y_title},
            "color": {"field": "capability", "type": "nominal", "title": series_title},
            "strokeDash": {"field": "capability", "type": "nominal", "title": series_title},
        },
    }


def counts_bar_spec(rows: Sequence[tuple[str, str, int]], *, y_title: str, title: str) -> dict[str, Any]:
    """Organisations by a category (service or capability) and group, as grouped horizontal bars:
    rows are (category, group, count)."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": title,
        "width": 420,
        "config": _config(),
        "data": {"values": [{"category": c, "group": g, "count": n} for c, g, n in rows]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "category", "type": "nominal", "title": y_title},
            "yOffset": {"field": "group", "type": "nominal"},
            "x": {"field": "count", "type": "quantitative", "title": "organisations"},
            "color": {"field": "group", "type": "nominal", "title": "who"},
        },
    }


def sparkline(values: Sequence[tuple[str, int]], *, width: int = 480, height: int = 80) -> str:
    """A row of bars, one per (label, value), as a small SVG with a title per bar."""
    if not values:
        return ""
    top = max(v for _, v in values) or 1
    step = width / len(values)
    bars = []
    for i, (label, value) in enumerate(values):
        h = round(value / top * (height - 2), 1)
        bars.append(
            f'<rect x="{i * step:.1f}" y="{height - h:.1f}" width="{max(step - 1, 1):.1f}" '
            f'height="{h}" fill="#1f5fa8"><title>{escape(label)}: {value}</title></rect>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-hidden="true" focusable="false">'
        + "".join(bars)
        + "</svg>"
    )


def by_day(points: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """Sum values that share a label, in label order."""
    totals: dict[str, int] = {}
    for label, value in points:
        totals[label] = totals.get(label, 0) + value
    return sorted(totals.items())
