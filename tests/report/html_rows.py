"""Read the published rows of a page the way a verifier does: every ``<tr data-row-id
data-log-index>`` and the text of its ``<td data-field>`` cells (stdlib ``html.parser``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class PageRow:
    row_id: str
    log_index: int
    cells: dict[str, str] = field(default_factory=dict)


class _RowParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[PageRow] = []
        self._row: PageRow | None = None
        self._field: str | None = None
        self._text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "tr" and values.get("data-row-id"):
            self._row = PageRow(str(values["data-row-id"]), int(values["data-log-index"] or -1))
            self.rows.append(self._row)
        elif tag == "td" and self._row is not None and values.get("data-field"):
            self._field = values["data-field"]
            self._text = []
        elif tag == "script" and not values.get("src") and values.get("type") != "application/json":
            self._in_script = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._field is not None:
            self._row.cells[self._field] = "".join(self._text)
            self._field = None
        elif tag == "tr":
            self._row = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._field is not None:
            self._text.append(data)
        if self._in_script:
            self.scripts.append(data)


def page_rows(html: str) -> list[PageRow]:
    """The published rows of a page, in order."""
    parser = _RowParser()
    parser.feed(html)
    parser.close()
    return parser.rows


def inline_scripts(html: str) -> list[str]:
    """The text of inline scripts that would run (not JSON data islands)."""
    parser = _RowParser()
    parser.feed(html)
    parser.close()
    return parser.scripts
