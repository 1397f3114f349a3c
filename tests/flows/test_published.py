"""Finding the published report directories under the service's reports directory
(``flows/published.py``): a child is found by its ``publication.json``, and the file is read
again only when it changed (its inode, mtime or size) or is too new to trust its mtime. The
publications are SYNTHETIC."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from daylight.core.database import Database, migrate
from daylight.core.errors import NotFoundError
from daylight.flows.published import list_published, report_file
from daylight.home import all_migrations
from daylight.report.formats import PUBLICATION_FILE
from daylight.report.store import Publication, ReportStore

AN_HOUR_AGO_NS = time.time_ns() - 3600 * 10**9


@pytest.fixture
def published(tmp_path: Path) -> Iterator[Database]:
    """SQLite with two publications of October (log indices 3, then 7) and one of November."""
    database = Database(f"sqlite:///{tmp_path / 'daylight.db'}")
    migrate(database, all_migrations())
    with database.transaction() as tx:
        store = ReportStore(tx)
        for index, period in [(3, "2026-10"), (7, "2026-10"), (9, "2026-11")]:
            store.add_publication(Publication(index, period, f"{period}-01", f"{period}-28", index,
                                              "ab" * 32, "2026-12-01T00:00:00Z"))
    yield database
    database.close()


def _publish(directory: Path, period: str, index: int, mtime_ns: int | None = AN_HOUR_AGO_NS) -> None:
    """A report directory whose pointer names ``period`` and ``index`` (written in place)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "index.html").write_text(f"SYNTHETIC {directory.name}\n")
    pointer = directory / PUBLICATION_FILE
    pointer.write_text(json.dumps({"period": period, "published_log_index": index}))
    if mtime_ns is not None:
        os.utime(pointer, ns=(mtime_ns, mtime_ns))


def _served(database: Database, reports: Path) -> dict[str, str | None]:
    return {r.publication.period: r.directory.name if r.directory else None
            for r in list_published(database, reports)}


def test_directories_follow_their_pointers_as_they_change(published: Database,
                                                          tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    assert _served(published, reports) == {"2026-10": None, "2026-11": None}  # no directory yet
    _publish(reports / "october", "2026-10", 3)  # an earlier publication: not served
    _publish(reports / "november", "2026-11", 9)
    (reports / ".hidden").mkdir()
    (reports / "stray").mkdir()  # no publication.json
    assert _served(published, reports) == {"2026-10": None, "2026-11": "november"}
    _publish(reports / "october", "2026-10", 7, AN_HOUR_AGO_NS + 1)  # re-published in place
    assert _served(published, reports) == {"2026-10": "october", "2026-11": "november"}
    assert report_file(published, reports, "2026-10", "index.html").read_text() == \
        "SYNTHETIC october\n"
    shutil.rmtree(reports / "november")
    _publish(reports / "november-copy", "2026-11", 9)
    assert _served(published, reports) == {"2026-10": "october", "2026-11": "november-copy"}


def test_a_pointer_is_read_again_only_when_its_stat_changed(published: Database,
                                                           tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _publish(reports / "october", "2026-10", 3)
    assert _served(published, reports)["2026-10"] is None
    # The same size, inode and mtime: what was read stands (the file is not read again) ...
    pointer = reports / "october" / PUBLICATION_FILE
    pointer.write_text(json.dumps({"period": "2026-10", "published_log_index": 7}))
    os.utime(pointer, ns=(AN_HOUR_AGO_NS, AN_HOUR_AGO_NS))
    assert _served(published, reports)["2026-10"] is None
    # ... another mtime, and it is read again.
    os.utime(pointer, ns=(AN_HOUR_AGO_NS + 1, AN_HOUR_AGO_NS + 1))
    assert _served(published, reports)["2026-10"] == "october"


def test_a_pointer_written_just_now_is_read_on_every_scan(published: Database,
                                                          tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    _publish(reports / "october", "2026-10", 3, mtime_ns=None)
    assert _served(published, reports)["2026-10"] is None
    # Rewritten in place within the mtime clock's tick, the same size: still noticed.
    pointer = reports / "october" / PUBLICATION_FILE
    before = os.stat(pointer)
    pointer.write_text(json.dumps({"period": "2026-10", "published_log_index": 7}))
    os.utime(pointer, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert _served(published, reports)["2026-10"] == "october"


@pytest.mark.parametrize("path", ["ﷺ" * 300, "1" * 300, f"org/{'a' * 256}.html"],
                         ids=["300-characters-of-3-bytes", "300-digits", "a-256-byte-name"])
def test_a_name_longer_than_the_filesystem_allows_is_not_found(published: Database,
                                                               tmp_path: Path, path: str) -> None:
    """A path under MAX_PATH_CHARS whose one name is over 255 bytes: the filesystem refuses
    it (ENAMETOOLONG), which is no such file, not a server error (the probe of issue 14)."""
    reports = tmp_path / "reports"
    _publish(reports / "october", "2026-10", 7)
    with pytest.raises(NotFoundError, match="no file"):
        report_file(published, reports, "2026-10", path)


def test_a_pointer_with_a_key_given_twice_points_nowhere(published: Database,
                                                         tmp_path: Path) -> None:
    """``verify`` refuses such a ``publication.json``; the server read its last value and
    served the directory as the publication that value names."""
    reports = tmp_path / "reports"
    _publish(reports / "november", "2026-11", 9)
    pointer = reports / "november" / PUBLICATION_FILE
    pointer.write_text('{"period": "2026-11", "published_log_index": 3, "published_log_index": 9}')
    os.utime(pointer, ns=(AN_HOUR_AGO_NS + 5, AN_HOUR_AGO_NS + 5))
    assert _served(published, reports) == {"2026-10": None, "2026-11": None}
