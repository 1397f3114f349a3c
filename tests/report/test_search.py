"""Site search (Pagefind): the built pages are indexed at build time, reproducibly, into
``pagefind/`` beside them; a rebuild leaves nothing of the earlier index behind. (The browser
test that finds an organisation page by search is in ``browser/test_pages.py``.)"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import pytest

from daylight.core.errors import DaylightError
from daylight.report.filter_index import SIGNATURE, CborValue, decode, encode, read_index
from daylight.report.search import SEARCH_DIR, index_site
from daylight.report.site import page_name, render_site
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


def test_the_filter_index_is_written_in_sorted_order_so_every_build_gives_the_same_bytes(
    tmp_path: Path,
) -> None:
    # Pagefind 1.5.2 alone writes its filter index in a random order (a hash map seeded per
    # process): filter_index.stabilise sorts it. Each index_site is a new Pagefind process.
    report = synthetic_report(organizations=30)
    render_site(report, tmp_path)
    bundle = tmp_path / SEARCH_DIR
    first = _digests(bundle)
    for _ in range(3):
        index_site(tmp_path)
        assert _digests(bundle) == first
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    meta = _array(read_index(bundle / f"pagefind.{entry['languages']['en']['hash']}.pf_meta"))
    filters = {str(n): str(h) for n, h in map(_array, _array(meta[3]))}
    assert list(filters) == ["capability", "sector", "service", "state", "supports"]
    for name, short in filters.items():
        filter_name, values = _array(read_index(bundle / "filter" / f"{short}.pf_filter"))
        names = [str(_array(v)[0]) for v in _array(values)]
        assert filter_name == name and names == sorted(names)
    pages = [_page_url(bundle, str(_array(page)[0])) for page in _array(meta[1])]
    state = {str(_array(v)[0]): _array(_array(v)[1])
             for v in _array(_array(read_index(bundle / "filter" / f"{filters['state']}.pf_filter"))[1])}
    assert sorted(pages[int(str(i))] for i in state["TX"]) == sorted(
        f"/org/{page_name(o.organization_id)}" for o in report.organizations if o.state == "TX")


def _array(value: CborValue) -> list[CborValue]:
    assert isinstance(value, list)
    return value


def _page_url(bundle: Path, page_hash: str) -> str:
    fragment = gzip.decompress((bundle / "fragment" / f"{page_hash}.pf_fragment").read_bytes())
    return str(json.loads(fragment.removeprefix(SIGNATURE))["url"])


def test_cbor_round_trips_and_an_unknown_index_format_is_an_error(tmp_path: Path) -> None:
    value: CborValue = ["state", [["CA", [0, 23, 24, 255, 256, 65536, 2**32]], ["TX", []]], "é"]
    assert decode(encode(value)) == value
    assert encode(23) == b"\x17" and encode(24) == b"\x18\x18" and encode(256) == b"\x19\x01\x00"
    odd = tmp_path / "odd.pf_filter"
    odd.write_bytes(gzip.compress(SIGNATURE + b"\x18\x05"))  # 5 in two bytes: not Pagefind's
    with pytest.raises(DaylightError, match="does not re-encode"):
        read_index(odd)
    odd.write_bytes(gzip.compress(b"something else"))
    with pytest.raises(DaylightError, match="signature"):
        read_index(odd)
