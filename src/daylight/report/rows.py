"""Published rows as HTML: the contract with ``daylight verify``, written in one place.

Every published row is ``<tr data-row-id="ROW_ID" data-log-index="N">``; each of its data cells is
``<td data-field="FIELD">`` holding the field's text exactly as the CSV writes it (``cell_text``),
escaped, with a ``<wbr>`` (which adds no text) after each ``;`` so long lists wrap; the last cell
links to the row's proof file and to the log's entry bundle that holds its entry.

The big tables (the central table, and a million usage rows across the organisation pages) are
built here with plain string formatting rather than Jinja2 macros: a macro call per cell costs
about 10 µs, which is most of a 10^6-row build; this costs about one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from operator import attrgetter
from typing import Any

import markupsafe

from daylight.log.tiles import ENTRIES_LEVEL, TILE_WIDTH, TileId


def cell_text(value: object) -> str:
    """A field's text as the CSV writes it: tuples ``;``-joined, booleans ``true``/``false``,
    None empty, numbers as Python writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(cell_text(v) for v in value)
    if value is None:
        return ""
    return str(value)


def _escaped(text: str) -> str:
    # The <wbr> goes between escaped pieces: escaping first would put it inside `&lt;`.
    return ";<wbr>".join(escape(piece) for piece in text.split(";")) if ";" in text else escape(text)


def cell_html(value: object) -> markupsafe.Markup:
    """``cell_text`` escaped for HTML, with a line-break opportunity after each ``;``."""
    return markupsafe.Markup(_escaped(cell_text(value)))


@lru_cache(maxsize=4096)
def _bundle_href(index: int, tree_size: int) -> str:
    full = tree_size // TILE_WIDTH
    width = tree_size % TILE_WIDTH if index == full else TILE_WIDTH
    return "log/" + TileId(ENTRIES_LEVEL, index, width or TILE_WIDTH).path


def entry_href(log_index: int, tree_size: int) -> str:
    """The entry bundle of the log mirror that holds entry ``log_index``."""
    return _bundle_href(log_index // TILE_WIDTH, tree_size)


@dataclass(frozen=True)
class Column:
    """A data cell: the field it shows, whether it is a number (right-aligned), and optionally the
    page its text links to (relative to the site's root).

    ``derived``: a cell computed for reading from other published rows (for example the kinds and
    amounts of an organisation's support relationships, from ``supports``), not a field of the
    row: it is written ``<td data-derived="NAME">``, which ``daylight verify`` does not read as the
    row's field (the rows it is computed from are published and proven themselves)."""

    field: str
    numeric: bool = False
    href: Callable[[Any], str] | None = None
    derived: Callable[[Any], object] | None = None


def rows_html(
    rows: Iterable[Any], columns: Sequence[Column], *, root: str, tree_size: int
) -> markupsafe.Markup:
    """The ``<tr>`` elements of published rows (with a proof cell last), as safe markup."""
    getter = attrgetter("row_id", "log_index", *(c.field for c in columns if c.derived is None))
    numeric = ' class="n"'
    opening = [f'<td data-{"field" if c.derived is None else "derived"}="{c.field}"'
               f'{numeric if c.numeric else ""}>' for c in columns]
    plain_ints = [c.numeric and c.href is None for c in columns]
    derived = any(c.derived is not None for c in columns)
    # Most cells repeat (services, operations, booleans): escape each distinct value once.
    memo: dict[tuple[type, object], str] = {}
    parts = []
    for row in rows:
        row_id, log_index, *values = getter(row)
        if derived:
            given = iter(values)
            values = [next(given) if c.derived is None else c.derived(row) for c in columns]
        row_id = escape(row_id)
        cells = [f'<tr data-row-id="{row_id}" data-log-index="{int(log_index)}">']
        for column, start, plain_int, value in zip(columns, opening, plain_ints, values, strict=True):
            if plain_int and type(value) is int:
                cells.append(f"{start}{value}</td>")
                continue
            key = (type(value), value)  # True and 1 are equal keys; their cells are not
            text = memo.get(key)
            if text is None:
                text = memo[key] = _escaped(cell_text(value))
            if column.href is not None:
                text = f'<a href="{root}{escape(column.href(row))}">{text}</a>'
            cells.append(f"{start}{text}</td>")
        cells.append(
            f'<td><a href="{root}proofs/{row_id}.tlog-proof">proof</a> '
            f'<a href="{root}{entry_href(log_index, tree_size)}">#{int(log_index)}</a></td></tr>\n'
        )
        parts.append("".join(cells))
    return markupsafe.Markup("".join(parts))
