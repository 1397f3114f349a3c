"""What a demanding reader of a published report meets: every link leads to a file, the pages
and the data files say the same thing in the same words, and numbers that differ on purpose are
explained where they are shown."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    """Every ``href`` and ``src`` of a page, and its element ids (link targets)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def broken_links(site: Path) -> list[str]:
    """Each local link of each page whose target is not a file (a folder is not one: a static
    host answers 403 or 404 for it), or whose ``#fragment`` is not an id of its page."""
    pages = {}
    for path in sorted(site.rglob("*.html")):
        parser = _Links()
        parser.feed(path.read_text())
        pages[path.resolve()] = parser
    broken = []
    for page, parser in pages.items():
        for link in parser.links:
            parts = urlsplit(link)
            if parts.scheme:  # http(s), data: outside the report
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(site.resolve())}: {link}")
            elif parts.fragment and target in pages and parts.fragment not in pages[target].ids:
                broken.append(f"{page.relative_to(site.resolve())}: {link} (no such id)")
    return sorted(set(broken))


def test_every_link_of_every_page_leads_to_a_file_of_the_report(published: Path) -> None:
    assert len(list(published.rglob("*.html"))) > 5
    assert broken_links(published) == []


def test_the_crawler_finds_a_link_to_a_folder_or_a_missing_anchor(tmp_path: Path) -> None:
    (tmp_path / "proofs").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="proofs/">p</a> <a href="index.html#nope">n</a> <a href="#top">t</a>'
        '<h1 id="top">x</h1><a href="https://example.org/">e</a>')
    assert broken_links(tmp_path) == ["index.html: index.html#nope (no such id)",
                                      "index.html: proofs/"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_dictionary_page_says_what_the_data_package_says(published: Path) -> None:
    """One description per column: the page read from the same place as datapackage.json, with
    the column's type and unit, in the CSV's column order (evidence included)."""
    package = json.loads((published / "data" / "datapackage.json").read_text())
    page = (published / "dictionary.html").read_text()
    for resource in package["resources"]:
        if not resource["path"].endswith(".csv"):
            continue
        table = resource["path"].removeprefix("data/").removesuffix(".csv")
        section = page.split(f'id="h-{table}"', 1)[1].split("</section>", 1)[0]
        rows = re.findall(r"<tr><td><code>([^<]+)</code></td>(.*?)</tr>", section)
        assert [name for name, _ in rows] == [f["name"] for f in resource["schema"]["fields"]], table
        for (name, cells), field in zip(rows, resource["schema"]["fields"], strict=True):
            text = html.unescape(_text(cells))
            assert field["description"] in text, (table, name)
            assert field.get("unit", "") in text, (table, name)
