"""Site search: the built pages indexed by Pagefind, at build time, into ``DIR/pagefind/``.

Pagefind (MIT; PyPI ``pagefind[extended]`` ships its binary, so nothing is fetched at build or
view time) reads the written HTML and writes a static, chunked index with its own WebAssembly
search and UI beside the pages. The browser fetches only the chunks a query needs, so searching
10,000 organisation pages costs a reader a few hundred kilobytes, not the whole site. It was chosen
over a hand-written index (a JSON list of names searched in JavaScript) because it indexes every
page's text — evidence, relationships, declared purposes — with stemming and ranking, and is the
tool the static-site field uses.

What is indexed is marked in the templates: each page's ``<main data-pagefind-body>``, without the
central table (``data-pagefind-ignore``: its rows are the organisation pages, indexed one by one)
and without the usage tables of the organisation pages (numbers, not words).

Filters (``data-pagefind-filter`` on the organisation pages: sector, state, capability, service,
supports) let a reader narrow the results. Reproducible: Pagefind 1.5 names its index files by
content hash and writes the same bytes for the same pages, except its filter index, which it writes
in a random order; ``daylight.report.filter_index`` rewrites that in sorted order (checked by
``tests/report/test_search.py``, building twice). The folder is removed
before indexing, so no file of an earlier index is left behind (the build removes an earlier
build's pages before, as Pagefind indexes every page it finds), and the language is fixed
(``--force-language en``) so that the index does not depend on detection.

Pagefind reads a *search copy* of each page, not the page: the element marked
``data-pagefind-body`` without the elements marked ``data-pagefind-ignore``, in the page's own
head. That is all the text Pagefind indexes of a page that has the marks (it also reads
filters, metadata and the title outside them: a page with any of those in a part the copy would
leave out is copied whole), so the index it writes is the same file for file
(``tests/report/test_search.py`` compares them), but it parses a third of the bytes: for
10,000 organisation pages, 56 MB instead of 187 MB, and about 7 s of its CPU instead of 11
(measured for the change, CHANGELOG; no bench script records it). The build writes each copy
beside its page while the page's text is in hand (``write_page``), into a scratch folder
(memory-backed where there is room, ``scratch``), and puts them in one order before Pagefind
reads them (it numbers pages in the order their folder lists them). The copies
are cut by hand (``search_copy``) because an HTML parser in Python would cost more than Pagefind
saves; they are only cut where the marks are plainly tags of the build's own well-formed pages,
and a page that cannot be cut so is copied whole, which Pagefind indexes as it would the page.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from daylight.core.errors import ConfigError, DaylightError
from daylight.report.filter_index import stabilise
from daylight.report.formats import LOG_DIR, PROOFS_DIR

__all__ = ["NOT_PAGES", "SEARCH_DIR", "index_site", "scratch", "search_copy", "unchanged_index",
           "write_page"]

SEARCH_DIR = "pagefind"
TIMEOUT_S = 600


def _executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ConfigError("site search needs the `pagefind[extended]` package (pip install "
                          "'pagefind[extended]')") from exc
    found = get_executable()
    if found is None:
        raise ConfigError("the `pagefind` package is installed but its binary is not: install "
                          "'pagefind[extended]' (it ships the binary for this platform)")
    return Path(found)


# Folders of a report that hold no page of it: an HTML file in one (left there, or planted)
# would otherwise be indexed, and the build's removal of stale pages does not look into them
NOT_PAGES = frozenset({LOG_DIR, PROOFS_DIR, SEARCH_DIR})
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]+")  # the report names nothing else
_AFTER_NAME = frozenset(" \t\n\r\f/>=")  # what may follow a tag's or an attribute's name


def _pages(site: Path) -> Iterator[Path]:
    """The HTML pages of ``site`` outside ``NOT_PAGES`` (a link is no page the build wrote)."""
    for entry in sorted(site.iterdir()):
        if entry.name in NOT_PAGES or not _PLAIN_NAME.fullmatch(entry.name) or entry.is_symlink():
            continue
        if entry.is_dir():
            yield from sorted(p for p in entry.rglob("*.html") if p.is_file() and not p.is_symlink())
        elif entry.is_file() and entry.name.endswith(".html"):
            yield entry


def _in_a_tag(html: str, at: int) -> int:
    """Where the tag holding position ``at`` of ``html`` starts, or -1 if ``at`` is in text
    (where a ``<`` is escaped, so the last raw ``<`` before it was closed by a ``>``)."""
    start = html.rfind("<", 0, at)
    return start if start > html.rfind(">", 0, at) else -1


def _marked(html: str, mark: str, start: int, end: int) -> tuple[int, str] | None:
    """The first element between ``start`` and ``end`` whose tag holds the attribute ``mark``:
    where its tag starts and its name."""
    at = html.find(mark, start, end)
    while at != -1:
        tag_start = _in_a_tag(html, at)
        # an attribute, not words in a quoted value (a value's own quotes are escaped)
        if tag_start != -1 and html.count('"', tag_start, at) % 2 == 0 \
                and html[at + len(mark)] in _AFTER_NAME:
            return tag_start, html[tag_start + 1:at].split(None, 1)[0].lower()
        at = html.find(mark, at + 1, end)
    return None


def _element_end(html: str, name: str, start: int) -> int:
    """Where the element ``name`` whose tag starts at ``start`` ends, counting elements of the
    same name nested in it; ValueError if it does not."""
    opening, closing = f"<{name}", f"</{name}>"
    depth, at = 1, html.index(">", start) + 1
    while depth:
        close = html.index(closing, at)
        nested = html.find(opening, at, close)
        while nested != -1 and html[nested + len(opening)] not in _AFTER_NAME:
            nested = html.find(opening, nested + 1, close)
        if nested == -1:
            depth, at = depth - 1, close + len(closing)
        else:
            depth, at = depth + 1, html.index(">", nested) + 1
    return at


# What Pagefind reads of a page beyond the marked body's text (measured with Pagefind 1.5):
# filters, metadata and sort keys wherever they are, in ignored elements too; the first <h1>,
# as the title, wherever it is; images in ignored elements; a second marked body
_READ_OUTSIDE_THE_TEXT = ("data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort",
                          "data-pagefind-body", "<h1", "<img")


def _read_outside_the_text(html: str, start: int, end: int) -> bool:
    """Whether ``html[start:end]``, a part the search copy leaves out, holds something Pagefind
    reads (or words that look like it: then the page is indexed whole, which is never wrong)."""
    return any(html.find(mark, start, end) != -1 for mark in _READ_OUTSIDE_THE_TEXT)


def search_copy(html: str) -> str:
    """What Pagefind indexes of the page ``html``: its head, and the body element marked
    ``data-pagefind-body`` without the elements in it marked ``data-pagefind-ignore``; the
    page itself if it has no such body, cannot be cut, or leaves out a part that Pagefind reads
    (a filter, a title, ...: see ``_READ_OUTSIDE_THE_TEXT`` and the module's docstring)."""
    body = _marked(html, " data-pagefind-body", 0, len(html))
    head_end = html.find("<body")
    if body is None or head_end == -1 or head_end > body[0]:
        return html
    try:
        end = _element_end(html, body[1], body[0])
        left_out = [(head_end, body[0]), (end, len(html))]
        parts, at = [html[:head_end], "<body>"], body[0]
        while (ignored := _marked(html, " data-pagefind-ignore", at, end)) is not None:
            parts.append(html[at:ignored[0]])
            at = _element_end(html, ignored[1], ignored[0])
            left_out.append((ignored[0], at))
    except ValueError:
        return html
    if any(_read_outside_the_text(html, start, stop) for start, stop in left_out):
        return html
    parts += [html[at:end], "</body></html>"]
    return "".join(parts)


def write_page(site: Path, relative: str, html: str, copies: Path | None) -> Path:
    """Write the page ``html`` at ``relative`` in ``site``, and its search copy at the same
    place in ``copies`` (a ``scratch`` folder); return the page's path. The build writes the
    copies so, while each page's text is in hand, rather than read the pages back."""
    path = site / relative
    _write_text(path, html)
    if copies is not None:
        _write_text(copies / relative, search_copy(html))
    return path


def _write_text(path: Path, text: str) -> None:
    try:  # the folder is there but for the first file in it: no mkdir call for the other 9,999
        path.write_text(text, encoding="utf-8")
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _copy_pages(site: Path, copies: Path) -> None:
    for page in _pages(site):
        copy = copies / page.relative_to(site)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(search_copy(page.read_text(encoding="utf-8")), encoding="utf-8")


MEMORY_DIR = "/dev/shm"
MIN_MEMORY_FREE_BYTES = 1 << 30
"""Free space ``MEMORY_DIR`` must have to hold the copies: 10,000 pages' take 56 MB, and a
container's default ``/dev/shm`` of 64 MiB would fill up and fail the build."""


def scratch(memory: str = MEMORY_DIR) -> tempfile.TemporaryDirectory[str]:
    """A new folder for the pages' search copies, removed when the context ends (also on an
    error): in ``memory`` where the machine has it with room to spare, so that thousands of
    files written and removed on every build stay off the disk (on ext4 without a journal, a
    folder of them removed slows every file created in the next minutes); else in the system's
    temporary folder."""
    roomy = os.path.isdir(memory) and os.access(memory, os.W_OK) \
        and shutil.disk_usage(memory).free >= MIN_MEMORY_FREE_BYTES
    return tempfile.TemporaryDirectory(prefix="daylight-search-", dir=memory if roomy else None)


def _in_order(copies: Path, ordered: Path) -> None:
    """Move the files of ``copies`` into ``ordered``, in the order of their paths. Pagefind
    numbers pages in the order their folder lists them, which on a memory-backed folder is the
    order they were made in: the organisation pages' copies are written by several processes
    at once, so without this the same pages could give another index."""
    for relative in sorted(p.relative_to(copies).as_posix() for p in copies.rglob("*") if p.is_file()):
        (ordered / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(copies / relative, ordered / relative)  # a rename on one file system


def index_site(site: Path, copies: Path | None = None) -> list[Path]:
    """Index the HTML pages under ``site`` (not in ``log/``, ``proofs/`` or ``pagefind/``) into
    ``site/pagefind/`` from their search copies in ``copies``, as ``write_page`` wrote them
    (else from copies of the pages ``site`` holds now); return the files written. ``copies``
    is emptied."""
    bundle = site / SEARCH_DIR
    shutil.rmtree(bundle, ignore_errors=True)
    with scratch() as made:
        if copies is None:
            copies = Path(made) / "copies"
            try:
                _copy_pages(site, copies)
            except (OSError, UnicodeDecodeError) as exc:
                raise DaylightError(f"could not read the pages to index: {exc}",
                                    where=str(site)) from exc
        ordered = Path(made) / "pages"
        _in_order(copies, ordered)
        command = [str(_executable()), "--site", str(ordered), "--output-path",
                   str(bundle.resolve()), "--force-language", "en", "--silent"]
        return _run(command, site, bundle)


def _run(command: list[str], site: Path, bundle: Path) -> list[Path]:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise DaylightError(f"pagefind could not index the site: {exc}", where=str(site)) from exc
    if done.returncode != 0 or not (bundle / "pagefind.js").is_file():
        detail = " ".join((done.stderr or done.stdout).split())[:500]
        raise DaylightError(f"pagefind could not index the site (exit {done.returncode}): {detail}",
                            where=str(site))
    stabilise(bundle)
    return sorted(p for p in bundle.rglob("*") if p.is_file())


def unchanged_index(site: Path, pages: Iterable[str], listed: Mapping[str, str]
                    ) -> dict[str, str] | None:
    """The index an earlier build left in ``site/pagefind/``, when indexing again would write
    the same files: ``listed`` (that build's ``SHA256SUMS`` as it was logged: relative path →
    hex SHA-256) names exactly these ``pages`` (the absolute path of every HTML page now in
    ``site``) with the bytes they hold now, and exactly the index's files with theirs; Pagefind
    writes the same bytes for the same pages (see above). Absolute path → hex SHA-256 of each
    page and index file, or None: index again. A re-build of an unchanged period skips
    Pagefind, most of its time."""
    root, prefix = str(site), SEARCH_DIR + "/"
    files: dict[str, str] = {}
    for page in pages:
        files[os.path.relpath(page, root).replace(os.sep, "/")] = page
    if set(files) != {p for p in listed if p.endswith(".html") and not p.startswith(prefix)}:
        return None
    bundle = {}
    for folder, _, names in os.walk(site / SEARCH_DIR):
        for name in names:
            absolute = os.path.join(folder, name)
            bundle[os.path.relpath(absolute, root).replace(os.sep, "/")] = absolute
    if not bundle or set(bundle) != {p for p in listed if p.startswith(prefix)}:
        return None
    files.update(bundle)
    hashes = {}
    for relative, absolute in files.items():
        if os.path.islink(absolute):  # written by no build: index again, which replaces it
            return None
        with open(absolute, "rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if digest != listed[relative]:
            return None
        hashes[absolute] = digest
    return hashes
