"""Published reports as the HTTP service offers them: each period's latest publication (from
the report layer's table) and, read-only, the files of its published directory.

The service serves report directories found under one directory (the ``serve_reports_dir``
setting): a child directory is a period's report if its ``publication.json`` names that period
and the index of the period's latest ``report.published`` entry, so a stale copy of an earlier
build is never served as the report. A file is served only from inside that directory: no
absolute path, no ``..``, no hidden file, no symbolic link out of it.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.database import Database
from daylight.core.errors import InputError, NotFoundError
from daylight.core.keyset import ALL, Window
from daylight.report.formats import PUBLICATION_FILE
from daylight.report.store import Publication, ReportStore

MAX_PATH_CHARS = 1024


@dataclass(frozen=True)
class PublishedReport:
    """A period's latest publication and the directory its files are served from (None if
    the service holds no copy of them)."""

    publication: Publication
    directory: Path | None

    def to_json(self) -> dict[str, Any]:
        p = self.publication
        return {"period": p.period, "period_start": p.period_start, "period_end": p.period_end,
                "published_log_index": p.log_index, "proven_tree_size": p.proven_tree_size,
                "sha256sums_sha256": p.sha256sums, "published_at": p.published_at,
                "files": self.directory is not None}


def _pointer(directory: Path) -> tuple[str, int] | None:
    """(period, published log index) of a report directory's ``publication.json``."""
    try:  # read as verify reads it: a key given twice is no pointer (not its last value)
        data = parse_json((directory / PUBLICATION_FILE).read_bytes())
    except (OSError, InputError):
        return None
    if not isinstance(data, dict):
        return None
    period, index = data.get("period"), data.get("published_log_index")
    if not isinstance(period, str) or not isinstance(index, int) or isinstance(index, bool):
        return None
    return period, index


PointerKey = tuple[int, int, int]  # a publication.json's inode, mtime_ns and size
Pointed = tuple[PointerKey, tuple[str, int] | None, Path]
_POINTERS: dict[str, dict[str, Pointed]] = {}
"""What this process last read of each child's ``publication.json`` (its key, what it points
at, the child's path), by reports directory and child name."""

SETTLED_NS = 2_000_000_000
"""A ``publication.json`` modified less than this long ago is read on every scan: a file's
mtime has the kernel's coarse clock (a few milliseconds), so two writes of the same size in one
tick keep its key; once the file is older, a new write changes its mtime."""


def _directories(reports_dir: Path) -> dict[tuple[str, int], Path]:
    """The report directories under ``reports_dir`` by (period, published log index): one scan
    of ``reports_dir`` and one ``stat`` per child; a ``publication.json`` is read again only
    when its key changed since the last scan or it is not yet ``SETTLED_NS`` old (publishing
    rewrites it in place). A service asks on every request for a report's file."""
    try:
        with os.scandir(reports_dir) as scan:
            children = sorted(e.name for e in scan if not e.name.startswith(".") and e.is_dir())
    except OSError:
        return {}
    base = os.fspath(reports_dir)
    known = _POINTERS.get(base, {})
    settled = time.time_ns() - SETTLED_NS
    seen: dict[str, Pointed] = {}
    found: dict[tuple[str, int], Path] = {}
    for name in children:
        try:  # paths as strings: a Path per child costs more than its stat
            status = os.stat(os.path.join(base, name, PUBLICATION_FILE))
        except OSError:
            continue
        key = (status.st_ino, status.st_mtime_ns, status.st_size)
        last = known.get(name)
        if last is None or last[0] != key or status.st_mtime_ns > settled:
            child = reports_dir / name
            last = (key, _pointer(child), child)
        seen[name] = last
        pointer = last[1]
        if pointer is not None and pointer not in found:
            found[pointer] = last[2]
    _POINTERS[base] = seen  # only the children there now: no growth
    return found


def list_published(database: Database, reports_dir: Path,
                   window: Window = ALL) -> list[PublishedReport]:
    """Each published period's latest publication (those of ``window``, keyed by period;
    default: all), oldest period first."""
    with database.transaction(write=False) as tx:
        publications = ReportStore(tx).latest_publications(window)
    directories = _directories(reports_dir) if publications else {}
    return [PublishedReport(p, directories.get((p.period, p.log_index))) for p in publications]


def published_report(database: Database, reports_dir: Path, period: str) -> PublishedReport:
    """The latest publication of ``period``; NotFoundError if it was never published."""
    with database.transaction(write=False) as tx:
        publication = ReportStore(tx).latest_publication(period)
    if publication is None:
        raise NotFoundError(f"no published report of `{period}`", where="period")
    return PublishedReport(publication, _directories(reports_dir).get(
        (publication.period, publication.log_index)))


def report_file(database: Database, reports_dir: Path, period: str, path: str) -> Path:
    """The file at ``path`` inside ``period``'s published report directory; InputError for a
    path that could leave it, NotFoundError if there is no such file."""
    parts = path.split("/")
    if (not path or len(path) > MAX_PATH_CHARS or path.startswith("/") or "\\" in path
            or "\x00" in path or any(not p or p.startswith(".") for p in parts)):
        raise InputError("expected a relative path of names, none empty or starting with `.`",
                         where="path")
    report = published_report(database, reports_dir, period)
    if report.directory is None:
        raise NotFoundError(f"the files of the report of `{period}` are not served here")
    root = report.directory.resolve()
    try:  # OSError: a name over the filesystem's limit (ENAMETOOLONG) is no such file either
        file = (root / path).resolve()
        if not file.is_relative_to(root) or not file.is_file():
            raise NotFoundError(f"no file `{path}` in the report of `{period}`")
    except (OSError, RuntimeError) as exc:
        raise NotFoundError(f"no file `{path}` in the report of `{period}`") from exc
    return file
