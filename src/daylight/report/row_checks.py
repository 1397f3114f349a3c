"""Whether a report's tables, database, pages and table script say what the log says: every
row of ``data/TABLE.json``, ``data/TABLE.csv``, ``report.db``, every ``<tr data-row-id>`` of every
HTML page (``daylight.report.page_rows``) and every row of ``table/organizations.js``
(``daylight.report.table_script``), field by field, against its proven entry; no table may lack
a proven row. Step 5 of ``daylight.report.verify``, which proves the rows first.

Problems are collected by a ``Checker`` (file, row, field: what), never raised one by one, so
that one changed byte is reported where it is.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError
from daylight.report.formats import (
    DATA_DIR,
    DATABASE_FILE,
    LOG_DIR,
    TABLES,
    Field,
    Table,
    cell_text,
    csv_converter,
    sqlite_converter,
)
from daylight.report.page_rows import page_rows
from daylight.report.shares import in_shares, processes_for
from daylight.report.table_script import TABLE_SCRIPT, from_script, rows_of


@dataclass(frozen=True)
class Problem:
    """Something in a published file that disagrees with the log: where, and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass(frozen=True)
class ProvenRow:
    table: Table
    log_index: int
    row: Mapping[str, Any]

    def value(self, name: str) -> Any:
        return self.log_index if name == "log_index" else self.row.get(name)


@dataclass
class Checker:
    directory: Path
    problems: list[Problem] = field(default_factory=list)

    def fail(self, where: str, what: str) -> None:
        self.problems.append(Problem(where, what))

    def read(self, relative: str) -> bytes | None:
        try:
            return (self.directory / relative).read_bytes()
        except OSError as exc:
            self.fail(relative, f"cannot be read: {exc.strerror}")
            return None


Columns = tuple[tuple[str, Callable[[Any], Any] | None], ...]
"""Each field of a table with the converter from a logged value to what a format holds (None:
the value itself), chosen once per table and format."""


def _columns(table: Table, converter: Callable[[Field], Callable[[Any], Any]] | None) -> Columns:
    return tuple((f.name, converter(f) if converter else None) for f in table.fields)


def _compare(checker: Checker, where: str, proven: ProvenRow, values: Mapping[str, Any],
             columns: Columns) -> None:
    row, log_index = proven.row, proven.log_index
    for name, convert in columns:
        if name not in values:
            checker.fail(where, f"field `{name}` is missing")
            continue
        value = log_index if name == "log_index" else row.get(name)
        want = value if convert is None else convert(value)
        if values[name] != want:
            checker.fail(f"{where}: {name}", f"says {json.dumps(values[name], ensure_ascii=False)}"
                                             f", the log entry {proven.log_index} says "
                                             f"{json.dumps(want, ensure_ascii=False)}")


def _rows_of(checker: Checker, table: Table, rows: Sequence[Mapping[str, Any]], relative: str,
             proven: Mapping[str, ProvenRow],
             converter: Callable[[Field], Callable[[Any], Any]] | None, line_offset: int) -> None:
    seen = set()
    columns = _columns(table, converter)
    for number, values in enumerate(rows, start=line_offset):
        rid = str(values.get("row_id"))
        match = proven.get(rid)
        if match is None or match.table is not table:
            checker.fail(f"{relative}:{number} (row {rid})", "has no proof file proving it in this table")
            continue
        seen.add(rid)
        _compare(checker, f"{relative}:{number} (row {rid})", match, values, columns)
    for rid, match in proven.items():
        if match.table is table and rid not in seen:
            checker.fail(relative, f"lacks row `{rid}` (log entry {match.log_index})")


def check_json(checker: Checker, table: Table, proven: Mapping[str, ProvenRow]) -> None:
    relative = f"{DATA_DIR}/{table.name}.json"
    data = checker.read(relative)
    if data is None:
        return
    try:  # strict: of a key given twice in a row, readers disagree on which counts
        rows = parse_json(data)
    except InputError as exc:
        checker.fail(relative, f"is not a JSON array of rows: {exc.message}")
        return
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        checker.fail(relative, "is not a JSON array of rows: not an array of objects")
        return
    _rows_of(checker, table, rows, relative, proven, None, 2)


def check_csv(checker: Checker, table: Table, proven: Mapping[str, ProvenRow]) -> None:
    relative = f"{DATA_DIR}/{table.name}.csv"
    data = checker.read(relative)
    if data is None:
        return
    try:
        reader = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        header = next(reader, [])
        lines = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        checker.fail(relative, f"is not UTF-8 CSV: {exc}")
        return
    if tuple(header) != table.field_names:
        checker.fail(f"{relative}:1", f"header is not {','.join(table.field_names)}")
        return
    rows = [dict(zip(header, line, strict=False)) for line in lines]
    _rows_of(checker, table, rows, relative, proven, csv_converter, 2)


def check_sqlite(checker: Checker, proven: Mapping[str, ProvenRow]) -> None:
    path = checker.directory / DATABASE_FILE
    if not path.is_file():
        checker.fail(DATABASE_FILE, "is missing")
        return
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as exc:
        checker.fail(DATABASE_FILE, f"cannot be opened: {exc}")
        return
    try:
        for table in TABLES:
            try:
                cursor = connection.execute(
                    f"SELECT {', '.join(table.field_names)} FROM {table.name} ORDER BY rowid")
                rows = [dict(zip(table.field_names, r, strict=True)) for r in cursor]
            except sqlite3.Error as exc:
                checker.fail(f"{DATABASE_FILE}: {table.name}", f"cannot be read: {exc}")
                continue
            _rows_of(checker, table, rows, f"{DATABASE_FILE}: {table.name}", proven,
                     sqlite_converter, 1)
        try:
            found = connection.execute("SELECT count(*) FROM organizations_fts").fetchone()
            if found is None or int(found[0]) != sum(1 for p in proven.values()
                                                     if p.table.name == "organizations"):
                checker.fail(f"{DATABASE_FILE}: organizations_fts",
                             "the full-text index does not cover every organisation")
        except sqlite3.Error as exc:
            checker.fail(f"{DATABASE_FILE}: organizations_fts", f"cannot be read: {exc}")
    finally:
        connection.close()


def check_pages(checker: Checker, proven: Mapping[str, ProvenRow], files: Sequence[str]) -> int:
    """Every row of every HTML page (outside ``log/``) says what its entry says, cell by cell.
    The pages are parsed in as many processes as there are cores (``report.shares``)."""
    pages = [f for f in files if f.endswith(".html") and f.split("/")[0] != LOG_DIR]
    fields = {t.name: {f.name: f for f in t.fields} for t in TABLES}

    def check(share: Sequence[str]) -> list[Problem]:
        found = Checker(checker.directory)
        for relative in share:
            _check_page(found, relative, proven, fields)
        return found.problems

    checker.problems.extend(in_shares(check, pages, processes_for(len(pages))))
    return len(pages)


def _check_page(checker: Checker, relative: str, proven: Mapping[str, ProvenRow],
                fields: Mapping[str, Mapping[str, Field]]) -> None:
    data = checker.read(relative)
    if data is None:
        return
    try:
        rows = page_rows(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        checker.fail(relative, f"is not UTF-8: {exc}")
        return
    for line, rid, log_index, cells in rows:
        where = f"{relative}:{line} (row {rid})"
        match = proven.get(rid)
        if match is None:
            checker.fail(where, "has no proof file proving it")
            continue
        if log_index != str(match.log_index):
            checker.fail(f"{where}: data-log-index",
                         f"says {log_index}, the row's proof says {match.log_index}")
        known = fields[match.table.name]
        for name, text in cells.items():
            _compare_cell(checker, f"{where}: {name}", match, known.get(name), name, text)


def check_table_script(checker: Checker, proven: Mapping[str, ProvenRow]) -> None:
    """The central table's rows for its script (what readers with JavaScript see) say what
    their entries say, cell by cell, as the HTML's rows must."""
    path = checker.directory / TABLE_SCRIPT
    if not path.is_file():
        return
    try:
        rows = list(rows_of(from_script(path.read_text(encoding="utf-8"))))
    except InputError as exc:  # its where names the file (and the row)
        checker.fail(exc.where or TABLE_SCRIPT, exc.message)
        return
    except UnicodeDecodeError as exc:
        checker.fail(TABLE_SCRIPT, f"is not UTF-8: {exc}")
        return
    for number, row in enumerate(rows, start=1):
        where = f"{TABLE_SCRIPT}: row {number} (row {row.row_id})"
        match = proven.get(row.row_id)
        if match is None:
            checker.fail(where, "has no proof file proving it")
            continue
        if str(row.log_index) != str(match.log_index):
            checker.fail(f"{where}: log_index",
                         f"says {row.log_index}, the row's proof says {match.log_index}")
        for name, text in row.cells.items():
            field = match.table.field(name) if name in match.table.field_names else None
            _compare_cell(checker, f"{where}: {name}", match, field, name, " ".join(text.split()))


def _compare_cell(checker: Checker, where: str, match: ProvenRow, field: Field | None, name: str,
                  text: str) -> None:
    """A cell's text (its whitespace collapsed) against the text of its field's logged value."""
    if field is None:
        checker.fail(where, f"is not a field of `{match.table.name}`")
        return
    want = " ".join(cell_text(field, match.value(name)).split())
    if text != want:
        checker.fail(where, f"says {json.dumps(text, ensure_ascii=False)}, the log entry "
                            f"{match.log_index} says {json.dumps(want, ensure_ascii=False)}")
