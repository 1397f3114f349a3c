"""Site search (Pagefind): the built pages are indexed at build time, reproducibly, into
``pagefind/`` beside them; a rebuild leaves nothing of the earlier index behind. (The browser
test that finds an organisation page by search is in ``browser/test_pages.py``.)"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from daylight.core.errors import DaylightError
from daylight.report.filter_index import SIGNATURE, CborValue, decode, encode, read_index
from daylight.report.search import SEARCH_DIR, index_site, search_copy
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


def test_pagefind_indexes_the_search_copy_of_a_page_as_it_indexes_the_page(tmp_path: Path) -> None:
    """The copies (body without the ignored parts) are a third of the pages' bytes at full size;
    Pagefind must write the same index from them as from the pages, file for file. (Pagefind
    numbers pages in the order the folder lists them, so both folders are written in one order.)"""
    from daylight.report.filter_index import stabilise
    from daylight.report.search import _executable

    site = tmp_path / "site"
    render_site(synthetic_report(organizations=30), site, index=False)
    pages = sorted(p for p in site.rglob("*.html") if "static" not in p.parts)
    indexes = {}
    for kind, text in (("pages", Path.read_text), ("copies", lambda p: search_copy(p.read_text()))):
        folder = tmp_path / kind
        for page in pages:
            (folder / page.relative_to(site)).parent.mkdir(parents=True, exist_ok=True)
            (folder / page.relative_to(site)).write_text(text(page))
        subprocess.run([str(_executable()), "--site", str(folder), "--output-path",
                        str(tmp_path / f"{kind}-index"), "--force-language", "en", "--silent"],
                       check=True)
        stabilise(tmp_path / f"{kind}-index")
        indexes[kind] = _digests(tmp_path / f"{kind}-index")
    assert indexes["copies"] == indexes["pages"]
    assert len(indexes["pages"]) > 30
    page = (site / "organizations.html").read_text()
    assert len(search_copy(page)) < len(page) / 2  # the map and the central table are left out


@pytest.mark.parametrize("page, copy", [
    # nested elements of the ignored element's own name are skipped with it
    ('<html><head><title>t</title></head><body><nav>n</nav><main data-pagefind-body><p>a</p>'
     '<div data-pagefind-ignore><div><div>x</div></div>y</div><p>b</p></main><footer>f</footer>'
     '</body></html>',
     '<html><head><title>t</title></head><body><main data-pagefind-body><p>a</p><p>b</p></main>'
     '</body></html>'),
    # the marks' words in text or in a quoted value are not marks
    ('<html><head></head><body><main data-pagefind-body><p>see data-pagefind-ignore here</p>'
     '<p title="a data-pagefind-ignore b">c</p><section data-pagefind-ignore="all"><section>'
     '</section></section></main></body></html>',
     '<html><head></head><body><main data-pagefind-body><p>see data-pagefind-ignore here</p>'
     '<p title="a data-pagefind-ignore b">c</p></main></body></html>'),
])
def test_a_search_copy_keeps_the_marked_body_without_what_is_ignored(page: str, copy: str) -> None:
    assert search_copy(page) == copy


@pytest.mark.parametrize("page", [
    "<html><head></head><body><main><p>no marks</p></main></body></html>",
    "<html><head></head><body><main data-pagefind-body><p>never closed</p></body></html>",
    "<html><head></head><body><main data-pagefind-body><div data-pagefind-ignore><div></div>"
    "</main></body></html>",
])
def test_a_page_that_cannot_be_cut_plainly_is_indexed_whole(page: str) -> None:
    assert search_copy(page) == page


_HEAD = '<html lang="en"><head><title>t</title></head><body>'
_TEXT = '<main data-pagefind-body><h1>A</h1><p>b</p></main>'
# A part a copy would leave out, that Pagefind 1.5 reads all the same: the page with it, and
# the page without it (what a copy cut by the marks alone would hold)
READ_OUTSIDE_THE_TEXT = {
    "a filter in an ignored element": (
        '<main data-pagefind-body><h1>A</h1><p>b</p><section data-pagefind-ignore><span '
        'data-pagefind-filter="sector:police"></span></section></main>', _TEXT),
    "metadata outside the body": (
        '<nav><span data-pagefind-meta="owner:z"></span></nav>' + _TEXT, _TEXT),
    "the title outside the body": (
        '<header><h1>Outer</h1></header><main data-pagefind-body><p>b</p></main>',
        '<main data-pagefind-body><p>b</p></main>'),
    "the title in an ignored element": (
        '<main data-pagefind-body><div data-pagefind-ignore><h1>Inner</h1></div><p>b</p></main>',
        '<main data-pagefind-body><p>b</p></main>'),
    "an image in an ignored element": (
        '<main data-pagefind-body><h1>A</h1><div data-pagefind-ignore><img src="x.png" '
        'alt="logo"></div><p>b</p></main>', _TEXT),
    "a second marked body": (_TEXT + '<aside data-pagefind-body><p>grape</p></aside>', _TEXT),
}


@pytest.mark.parametrize("case", sorted(READ_OUTSIDE_THE_TEXT))
def test_a_page_whose_left_out_parts_pagefind_reads_is_indexed_whole(case: str, tmp_path: Path
                                                                       ) -> None:
    """Pagefind reads filters, metadata, the title and so on outside the marked text: a copy
    without them would give another index, so the page is indexed whole."""
    from daylight.report.filter_index import stabilise
    from daylight.report.search import _executable

    page, cut = (_HEAD + body + "</body></html>" for body in READ_OUTSIDE_THE_TEXT[case])
    assert search_copy(page) == page
    indexes = {}
    for kind, text in (("page", page), ("cut", cut)):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "a.html").write_text(text)
        subprocess.run([str(_executable()), "--site", str(tmp_path / kind), "--output-path",
                        str(tmp_path / f"{kind}-index"), "--force-language", "en", "--silent"],
                       check=True)
        stabilise(tmp_path / f"{kind}-index")
        indexes[kind] = _digests(tmp_path / f"{kind}-index")
    assert indexes["page"] != indexes["cut"]  # what the copy would have left out counts


def test_the_index_does_not_depend_on_the_order_the_copies_were_written_in(tmp_path: Path) -> None:
    """The organisation pages' copies are written by several processes at once; Pagefind numbers
    pages in the order their folder lists them (on memory-backed folders, the order they were
    made in), so the copies are put in one order before it reads them."""
    from daylight.report.search import scratch, write_page

    site = tmp_path / "site"
    render_site(synthetic_report(organizations=20), site, index=False)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))
    indexes = []
    for order in (pages, pages[::-1]):
        with scratch() as copies:  # where the build writes them (memory-backed here)
            for relative in order:
                write_page(tmp_path / "again", relative, (site / relative).read_text(),
                           Path(copies))
            index_site(site, Path(copies))
        indexes.append(_digests(site / SEARCH_DIR))
    assert indexes[0] == indexes[1]


def test_the_scratch_folder_is_in_memory_only_with_room_and_is_removed_also_on_an_error(
        tmp_path: Path) -> None:
    """Without a memory-backed folder (or without room in it: a container's /dev/shm is 64 MiB),
    the copies go to the system's temporary folder; the folder goes when the build does."""
    import tempfile

    from daylight.report.search import MIN_MEMORY_FREE_BYTES, scratch

    with scratch(str(tmp_path / "no-such-folder")) as made:
        assert Path(made).parent == Path(tempfile.gettempdir())
    assert not Path(made).exists()
    roomy = shutil.disk_usage(tmp_path).free >= MIN_MEMORY_FREE_BYTES
    with pytest.raises(RuntimeError), scratch(str(tmp_path)) as made:
        assert Path(made).parent == (tmp_path if roomy else Path(tempfile.gettempdir()))
        (Path(made) / "page.html").write_text("<html></html>")
        raise RuntimeError("the build failed")
    assert not Path(made).exists()
