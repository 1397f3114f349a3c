"""A page's published rows read by the plain-markup reader are exactly what ``HTMLParser`` reads,
for the report's own pages and for pages made of any mix of markup, plain or not."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.report.page_rows import _plain_rows, _RowParser, _Rows, page_rows


def by_html_parser(page: str) -> list[object]:
    rows = _Rows()
    _RowParser(rows).feed(page)
    return list(rows.rows)


PIECES = [
    '<tr data-row-id="use-1" data-log-index="7">', '<TR DATA-ROW-ID="org-2">', "<tr>",
    '<tr data-row-id="">', '<tr data-row-id>', '<td data-field="calls">', '<td data-field="a&amp;b">',
    '<th data-field="name" scope="row">', "<td>", "</td>", "</TD >", "</th>", "</tr>", "</tbody>",
    "</table>", "<table>", "<thead>", '<a href="x?a=1&amp;b=2">', "</a>", "<wbr>", "<br/>",
    "<code>", "</code>", "<script></script>", '<script src="a.js" defer></script>',
    "<script>if (a < b) {}</script>", "<style>td{}</style>", "<!-- <tr data-row-id=\"c\"> -->",
    "<!DOCTYPE html>", "<td data-field=calls>", "<td data-field='calls'>", "<td\ndata-field=\"x\">",
    "12", " 3 ", "\n", "a &amp; b", "&lt;", "&#x27;", "&amp", "a < b", ">", "x;y", "\u2014",
    "<p class=\"n\" hidden>", "</p>", "<td data-field=\"calls\"/>",
]


@settings(max_examples=600)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_any_mix_of_markup_gives_what_html_parser_gives(pieces: list[str]) -> None:
    page = "".join(pieces)
    assert page_rows(page) == by_html_parser(page)


PLAIN = [p for p in PIECES if "<!--" not in p and "=calls" not in p and "='" not in p
         and "a < b" not in p and "{" not in p]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(PLAIN), max_size=40))
def test_plain_markup_is_read_by_the_plain_reader_as_html_parser_reads_it(pieces: list[str]) -> None:
    page = "".join(pieces)
    assert _plain_rows(page) == by_html_parser(page)


def test_plain_markup_is_read_without_html_parser() -> None:
    page = ('<!DOCTYPE html>\n<table><tbody>\n<tr data-row-id="use-1" data-log-index="7">'
            '<td data-field="operation"><a href="#"><code>face.search</code></a></td>\n'
            '<td data-field="calls" class="n">12</td><td>proof</td></tr></tbody></table>'
            '<script src="t.js" defer></script>')
    assert _plain_rows(page) == [(3, "use-1", "7", {"operation": "face.search", "calls": "12"})]
    assert _plain_rows(page) == by_html_parser(page)
    assert _plain_rows(page + "<!-- a comment -->") is None  # read by HTMLParser instead
