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
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path

from daylight.core.errors import ConfigError, DaylightError
from daylight.report.filter_index import stabilise
from daylight.report.formats import LOG_DIR, PROOFS_DIR

__all__ = ["NOT_PAGES", "SEARCH_DIR", "index_site", "unchanged_index"]

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
_PLAIN_NAME = re.compile(r"[A-Za-z0-9._-]+")  # no glob syntax; the report names nothing else


def _pages_glob(site: Path) -> str:
    """Pagefind's ``--glob`` for the HTML pages of ``site`` outside ``NOT_PAGES``."""
    parts = sorted(entry.name if entry.is_file() else f"{entry.name}/**/*.html"
                   for entry in site.iterdir()
                   if entry.name not in NOT_PAGES and _PLAIN_NAME.fullmatch(entry.name)
                   and (entry.is_dir() or entry.name.endswith(".html")))
    return "{" + ",".join(parts) + "}"


def index_site(site: Path) -> list[Path]:
    """Index the HTML pages under ``site`` (not in ``log/``, ``proofs/`` or ``pagefind/``) into
    ``site/pagefind/``; return the files written."""
    bundle = site / SEARCH_DIR
    shutil.rmtree(bundle, ignore_errors=True)
    command = [str(_executable()), "--site", str(site), "--output-subdir", SEARCH_DIR,
               "--glob", _pages_glob(site), "--force-language", "en", "--silent"]
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
