"""The data dictionary: what every published column means, for the dictionary page.

Read from the published formats (``daylight.report.formats``): the same tables, columns, order,
descriptions, types and units as ``data/datapackage.json``, so that the page and the Data Package
cannot say two different things about one column.
"""

from __future__ import annotations

from dataclasses import dataclass

from daylight.report.formats import TABLES

# Tables the data writer publishes as data/TABLE.csv|json and in report.db (all of them).
DATA_FILES = tuple(table.name for table in TABLES)


@dataclass(frozen=True)
class Column:
    """One column of a data file: what it means, its type and its unit (if it counts something)."""

    name: str
    description: str
    kind: str
    unit: str | None = None


def data_dictionary() -> dict[str, list[Column]]:
    """Every published table and its columns, in the data files' column order."""
    return {table.name: [Column(f.name, f.description, f.kind, f.unit) for f in table.fields]
            for table in TABLES}
