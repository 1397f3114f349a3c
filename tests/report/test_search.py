"""Site search (Pagefind): the built pages are indexed at build time, reproducibly, into
``pagefind/`` beside them; a rebuild leaves nothing of the earlier index behind. (The browser
test that finds an organisation page by search is in ``browser/test_pages.py``.)"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from daylight.report.search import SEARCH_DIR, index_site
from daylight.report.site import render_site
from tests.report.factory import synthetic_report


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_page_is_indexed_and_indexing_again_writes_the_same_files(tmp_path: Path) -> None:
    report = synthetic_report(organizations=12)
    written = render_site(report, tmp_path)
    bundle = tmp_path / SEARCH_DIR
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    pages = list(tmp_path.rglob("*.html"))
    assert len(list((tmp_path / "org").glob("*.html"))) == 12
    assert entry["languages"]["en"]["page_count"] == len(pages) > 12 + 9
    assert {p for p in written if SEARCH_DIR in p.parts} == {p for p in bundle.rglob("*") if p.is_file()}
    assert not list(bundle.rglob("*.css.map")) and (bundle / "pagefind-ui.js").is_file()
    before = _digests(bundle)

    (bundle / "fragment" / "stale.pf_fragment").write_bytes(b"from an earlier build")
    again = index_site(tmp_path)
    assert _digests(bundle) == before
    assert sorted(again) == sorted(p for p in written if SEARCH_DIR in p.parts)
