"""The central table's rows for its script: ``table/organizations.js``, a published format.

The file is ``window.daylightTable = `` + JSON + ``;`` and a newline: a script the table page loads
with ``<script src>``, which browsers allow on ``file://`` where they refuse ``fetch``. The JSON is

    {"fields": [...], "numeric": [...], "derived": [...], "values": [[text, ...] | null, ...],
     "entries": [href, ...], "rows": [[row_id, log_index, page, entry, cell, ...], ...]}

one cell per field: the field's text as the page shows it (``cell_text``), or for a
dictionary-coded column (``values[i]`` not null) the index of its text. A ``derived`` field (the
kinds and amount of support, computed from the published ``supports`` rows) is not a field of the
organisation's row. ``daylight verify`` reads the other cells against the row's log entry, as it
reads the HTML's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError

__all__ = ["TABLE_SCRIPT", "TableScript", "TableScriptRow", "from_script", "rows_of", "to_script"]

TABLE_SCRIPT = "table/organizations.js"
START = "window.daylightTable = "
END = ";\n"


@dataclass(frozen=True)
class TableScript:
    """The table as the script holds it (see the module's docstring)."""

    fields: list[str]
    numeric: list[bool]
    derived: list[bool]
    values: list[list[str] | None]
    entries: list[str]
    rows: list[list[Any]]

    def to_json(self) -> dict[str, Any]:
        """The JSON object, keys in the order above."""
        return {"fields": self.fields, "numeric": self.numeric, "derived": self.derived,
                "values": self.values, "entries": self.entries, "rows": self.rows}


def to_script(table: TableScript) -> str:
    """The script text of ``table``."""
    text = json.dumps(table.to_json(), ensure_ascii=False, separators=(",", ":"))
    # JSON, and a JavaScript expression in every browser: no raw line separators in strings.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return START + text + END


def from_script(text: str, *, where: str = TABLE_SCRIPT) -> TableScript:
    """The table in a script written by ``to_script``; InputError naming ``where`` otherwise."""
    if not (text.startswith(START) and text.endswith(END)):
        raise InputError(f"is not `{START}` + JSON + `{END.strip()}`", where=where)
    try:  # strict: of a key given twice, readers disagree on which counts
        table = parse_json(text[len(START) : -len(END)])
    except InputError as exc:
        raise InputError(f"its table is not JSON: {exc.message}", where=where) from exc
    keys = ("fields", "numeric", "derived", "values", "entries", "rows")
    if not isinstance(table, dict) or not all(isinstance(table.get(k), list) for k in keys):
        raise InputError(f"its table lacks one of {', '.join(f'`{k}`' for k in keys)}", where=where)
    return TableScript(*(table[k] for k in keys))


@dataclass(frozen=True)
class TableScriptRow:
    """One row of the table script: its ids, links and the text of each published field's cell."""

    row_id: str
    log_index: object
    page: str
    entry: str
    cells: dict[str, str]
    derived: dict[str, str]


def rows_of(table: TableScript, *, where: str = TABLE_SCRIPT) -> Iterator[TableScriptRow]:
    """The rows of a table read by ``from_script``, their cells decoded; InputError naming the row
    when one is not shaped as the module says."""
    fields, derived, values = table.fields, table.derived, table.values
    for number, row in enumerate(table.rows, start=1):
        try:
            row_id, log_index, page, entry, *coded = row
            texts = [str(v) if vs is None else str(vs[v])
                     for vs, v in zip(values, coded, strict=True)]
            cells = dict(zip(fields, texts, strict=True))
            yield TableScriptRow(
                str(row_id), log_index, str(page), str(table.entries[entry]),
                {f: t for f, t, d in zip(fields, texts, derived, strict=True) if not d},
                {f: cells[f] for f, d in zip(fields, derived, strict=True) if d})
        except (ValueError, TypeError, IndexError) as exc:
            raise InputError(f"row {number} is not [row_id, log_index, page, entry, cell...]: {exc}",
                             where=where) from exc
