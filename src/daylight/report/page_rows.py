"""The published rows of an HTML page, as ``daylight verify`` reads them (``report.rows`` writes
them): every ``<tr data-row-id data-log-index>`` with the text of its ``<td data-field>`` cells
(cells of any other row, such as a header, are not rows of the report).

The reading is defined by Python's ``html.parser`` (``HTMLParser``, character references
converted). Parsing ten thousand pages with it was more than half of verifying a report, so a
page written in the plain markup the report uses — tags with double-quoted attributes, text
without ``<``, a doctype, scripts without content — is read by a regular expression that gives
the same tags, attributes, text and line numbers; any other page (a comment, a ``<`` in text,
an unquoted attribute, a script with content, ...) is read by ``HTMLParser`` itself.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

PageRow = tuple[int, str, str | None, dict[str, str]]
"""A row: its line, its row id, its ``data-log-index`` (None without one), its cells by field."""

_ROW_END = frozenset({"tr", "table", "tbody", "thead"})


class _Rows:
    """What the tags and text of a page mean for its rows: the one definition, fed by either
    reader."""

    def __init__(self) -> None:
        self.rows: list[PageRow] = []
        self._row: dict[str, str] | None = None
        self._field: str | None = None
        self._text: list[str] = []

    def start(self, tag: str, attrs: list[tuple[str, str | None]], line: int) -> None:
        if tag == "tr":
            self._row, self._field = None, None
            values = dict(attrs)
            if "data-row-id" in values:
                self._row = {}
                self.rows.append((line, values["data-row-id"] or "", values.get("data-log-index"),
                                  self._row))
        elif (tag == "td" or tag == "th") and self._row is not None:
            self._field = dict(attrs).get("data-field")
            self._text = []

    def end(self, tag: str) -> None:
        if (tag == "td" or tag == "th") and self._row is not None and self._field is not None:
            self._row[self._field] = " ".join("".join(self._text).split())
            self._field = None
        elif tag in _ROW_END:
            self._row, self._field = None, None

    def data(self, text: str) -> None:
        if self._field is not None:
            self._text.append(text)

    @property
    def is_collecting(self) -> bool:
        """True inside a cell of a row, where text counts."""
        return self._field is not None


class _RowParser(HTMLParser):
    def __init__(self, rows: _Rows) -> None:
        super().__init__(convert_charrefs=True)
        self._rows = rows

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._rows.start(tag, attrs, self.getpos()[0])

    def handle_endtag(self, tag: str) -> None:
        self._rows.end(tag)

    def handle_data(self, data: str) -> None:
        self._rows.data(data)


# The plain markup: text without `<`, then a start tag with double-quoted (or no) attribute
# values, an end tag, or a doctype; HTMLParser reads each of these the same way (names
# lowercased, values unescaped).
_PIECE = re.compile(
    r'(?P<text>[^<]*)<(?:(?P<name>[a-zA-Z][a-zA-Z0-9]*)(?P<attrs>(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*'
    r'(?:="[^"]*")?)*)\s*(?P<close>/?)>'
    r'|/(?P<end>[a-zA-Z][a-zA-Z0-9]*)\s*>'
    r'|![dD][oO][cC][tT][yY][pP][eE][^<>]*>)')
_ATTR = re.compile(r'\s+([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?')
_RAW_TEXT = frozenset({"script", "style"})  # HTMLParser reads their content as text
_CELLS = frozenset({"tr", "td", "th"})  # the only start tags that mean anything for rows


def _plain_rows(page: str) -> list[PageRow] | None:
    """The rows of a page in the plain markup; None if the page has anything else."""
    rows = _Rows()
    position, line, counted = 0, 1, 0
    raw_text: str | None = None  # a script or style just opened: only its end tag may follow
    for piece in _PIECE.finditer(page):
        if piece.start() != position:  # a `<` that begins none of the plain markup
            return None
        position = piece.end()
        text, name, end = piece["text"], piece["name"], piece["end"]
        if raw_text is not None and (text or end is None or end.lower() != raw_text):
            return None
        raw_text = None
        if text and rows.is_collecting:
            rows.data(unescape(text) if "&" in text else text)
        if name:
            name = name.lower()
            if name in _CELLS:
                start = position - len(piece.group()) + len(text)
                line += page.count("\n", counted, start)
                counted = start
                rows.start(name, _attributes(piece["attrs"]) if piece["attrs"] else [], line)
            if piece["close"]:
                rows.end(name)
            elif name in _RAW_TEXT:
                raw_text = name
        elif end:
            rows.end(end.lower())
    rest = page[position:]
    if "<" in rest or (rest and raw_text is not None):
        return None
    return rows.rows


def _attributes(text: str) -> list[tuple[str, str | None]]:
    """Names lowercased; a value unquoted and unescaped; None for an attribute without one."""
    found: list[tuple[str, str | None]] = []
    for match in _ATTR.finditer(text):
        value = match[2]
        if value is not None and "&" in value:
            value = unescape(value)
        found.append((match[1].lower(), value))
    return found


def page_rows(page: str) -> list[PageRow]:
    """The published rows of ``page``, in order, as ``HTMLParser`` reads them."""
    plain = _plain_rows(page)
    if plain is not None:
        return plain
    rows = _Rows()
    _RowParser(rows).feed(page)
    return rows.rows
