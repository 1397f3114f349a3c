"""docs/report.md documents every field of every published table."""

from __future__ import annotations

from pathlib import Path

from daylight.report.formats import TABLES

DOCS = Path(__file__).parents[2] / "docs" / "report.md"


def test_every_field_of_every_table_is_in_the_data_dictionary() -> None:
    text = DOCS.read_text()
    for table in TABLES:
        heading = f"### `data/{table.name}.csv` and `data/{table.name}.json`"
        assert heading in text, heading
        section = text.split(heading, 1)[1].split("\n### ", 1)[0]
        missing = [f.name for f in table.fields if f"| `{f.name}` |" not in section]
        assert missing == [], (table.name, missing)
