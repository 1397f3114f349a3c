"""Keyset pages of a stored list: the rows after a known one, in a fixed order, at most so many.

A ``Window`` is what a caller asks a store for (the HTTP API's list routes make one from
``limit`` and ``cursor``); ``keyset_rows`` is the one query every store's paged list runs:

    SELECT columns FROM table WHERE filters AND (order, id) > (those of the row `after` names)
    ORDER BY order, id LIMIT n

so a page reads at most ``n`` rows through an index on ``(order, id)``, however long the list
is (the filters' rows aside).
Rows appended later sort after every row already read when ``order`` grows with each append
(a log index), so walking page by page neither skips nor repeats one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.database import Row, Transaction
from daylight.core.errors import InputError


@dataclass(frozen=True)
class Window:
    """The rows a caller asks for: those after the row whose id is ``after`` (None: from the
    first), at most ``limit`` of them (None: all)."""

    after: str | None = None
    limit: int | None = None


ALL = Window()


def keyset_rows(tx: Transaction, *, columns: str, table: str, id_column: str, order: str,
                window: Window, where: str = "", params: Sequence[Any] = ()) -> list[Row]:
    """The rows of ``table`` (filtered by the SQL condition ``where`` with ``params``) that sort
    after the row ``window.after`` names, by ``order`` then by the unique ``id_column``, at most
    ``window.limit`` of them. InputError naming ``cursor`` if no row of ``table`` has that id
    (the list's key; the HTTP API hands it out as the page's cursor)."""
    key = id_column if order == id_column else f"{order}, {id_column}"
    conditions = [where] if where else []
    values = list(params)
    if window.after is not None:
        row = tx.query_one(f"SELECT {key} FROM {table} WHERE {id_column} = ?", (window.after,))
        if row is None:
            raise InputError("the cursor names no item of this list: start again without it",
                             where="cursor")
        marks = ", ".join("?" for _ in row)
        conditions.append(f"({key}) > ({marks})")
        values.extend(row)
    sql = f"SELECT {columns} FROM {table}"
    if conditions:
        sql += " WHERE " + " AND ".join(f"({c})" for c in conditions)
    sql += f" ORDER BY {key}"
    if window.limit is not None:
        sql += " LIMIT ?"
        values.append(window.limit)
    return tx.query(sql, values)
