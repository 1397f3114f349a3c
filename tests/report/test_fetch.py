"""`daylight report fetch`: a report served over HTTP is copied whole, so that `daylight verify`
passes on the copy as on the original; a server that lies about a file, names a path outside
the folder, or lacks a file leaves nothing behind."""

from __future__ import annotations

import http.server
import json
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from daylight.core.errors import InputError, NotFoundError, StorageError
from daylight.report.fetch import fetch_report
from daylight.report.verify import verify_report
from tests.cli.conftest import Cli
from tests.servers import handler_thread, report_thread


def _copy(published: Path, tmp_path: Path) -> Path:
    served = tmp_path / "served"
    shutil.copytree(published, served)
    return served


def test_a_fetched_report_verifies_as_the_served_one(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "copy"
    seen: list[tuple[int, int]] = []
    with report_thread(published) as url:
        fetched = fetch_report(url + "index.html", out, workers=4,
                               progress=lambda done, total: seen.append((done, total)))
    original, copy = verify_report(published), verify_report(out)
    assert copy.rows == original.rows and copy.tree_size == original.tree_size
    assert copy.files_checked == original.files_checked
    assert fetched.tree_size == original.tree_size and fetched.tiles > 0
    assert seen[-1][0] == seen[-1][1] == fetched.files + fetched.tiles - 2  # all but 2 first
    for path in published.rglob("*"):  # every file verify reads, and each the same
        if path.is_file() and ".p/" not in path.relative_to(published).as_posix():
            assert (out / path.relative_to(published)).read_bytes() == path.read_bytes(), path
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]  # no staging folder left


def test_a_file_that_arrives_changed_fails_the_fetch_and_leaves_nothing(
        published: Path, tmp_path: Path) -> None:
    served = _copy(published, tmp_path)
    page = served / "organizations.html"
    page.write_bytes(page.read_bytes().replace(b"</body>", b"<!-- changed --></body>"))
    with report_thread(served) as url, pytest.raises(StorageError) as caught:
        fetch_report(url, tmp_path / "copy")
    assert "another SHA-256 than SHA256SUMS lists" in caught.value.message
    assert caught.value.where == url + "organizations.html"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]


@pytest.mark.parametrize("listed", ["../escape.html", "/etc/passwd", "data/../../x", "a\\b",
                                    "bell\x07.html", "log/tile/0/000", "publication.json"])
def test_a_listed_path_outside_the_report_or_not_listed_by_reports_is_refused(
        published: Path, tmp_path: Path, listed: str) -> None:
    served = _copy(published, tmp_path)
    sums = served / "SHA256SUMS"
    sums.write_text(sums.read_text() + f"{'0' * 64}  {listed}\n")
    with report_thread(served) as url, pytest.raises(InputError) as caught:
        fetch_report(url, tmp_path / "copy")
    assert caught.value.where in (url + "SHA256SUMS",
                                  f"{url}SHA256SUMS:{len(sums.read_text().splitlines())}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]
    assert not (tmp_path / "escape.html").exists()


def test_a_missing_tile_is_not_found_naming_its_address(published: Path, tmp_path: Path) -> None:
    served = _copy(published, tmp_path)
    shutil.rmtree(served / "log" / "tile" / "entries")
    with report_thread(served) as url, pytest.raises(NotFoundError) as caught:
        fetch_report(url, tmp_path / "copy")
    assert (caught.value.where or "").startswith(url + "log/tile/entries/")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]


@pytest.mark.parametrize("address", ["file:///etc/", "ftp://example.invalid/r/", "report/",
                                     "http://127.0.0.1:9/r/?q=1", "http://[::1/",
                                     "http://reader:s3cret@example.invalid/r/"])
def test_only_the_http_address_of_a_folder_is_taken(tmp_path: Path, address: str) -> None:
    with pytest.raises(InputError) as caught:
        fetch_report(address, tmp_path / "copy")
    assert caught.value.where == "URL" and "s3cret" not in caught.value.message
    assert not (tmp_path / "copy").exists()


def test_a_folder_that_holds_files_is_not_fetched_into(tmp_path: Path) -> None:
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "mine.txt").write_text("kept")
    with pytest.raises(InputError, match="exists: fetch into a new folder"):
        fetch_report("http://127.0.0.1:9/", tmp_path / "copy")
    assert (tmp_path / "copy" / "mine.txt").read_text() == "kept"


def test_the_command_fetches_then_says_how_to_verify(published: Path, tmp_path: Path) -> None:
    with report_thread(published) as url:
        result = Cli(tmp_path / "home", None)("report", "fetch", url, "--out", str(tmp_path / "copy"))
    printed = json.loads(result.stdout)
    assert printed["files"] > 0 and printed["directory"] == str(tmp_path / "copy")
    assert f"daylight verify {tmp_path / 'copy'} --key" in " ".join(result.stderr.split())
    assert verify_report(tmp_path / "copy").rows == verify_report(published).rows


def test_the_front_pages_commands_work_as_written(published: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    page = (published / "index.html").read_text()
    fetch = re.findall(r"<code>(daylight report fetch [^<]*)</code>", page)
    verify = re.findall(r"<code>(daylight verify report/[^<]*)</code>",
                          page.split('<ol class="commands">', 1)[1].split("</ol>", 1)[0])
    assert fetch == ["daylight report fetch ADDRESS --out report/"]
    assert "where ADDRESS is this page's address" in page
    monkeypatch.chdir(tmp_path)
    cli = Cli(tmp_path / "home", None)
    with report_thread(published) as url:
        cli(*fetch[0].replace("ADDRESS", url + "index.html").split()[1:])
    checked = json.loads(cli(*verify[0].split()[1:]).stdout)
    assert checked["rows"] == verify_report(published).rows
    assert checked["key_source"] != "--key"  # the key that came with the report, and said so


def test_the_front_page_does_not_send_readers_to_the_unrelated_pypi_daylight(
        published: Path) -> None:
    """`daylight` on PyPI is another project (bindings to a sun-position library): a reader told
    to `pip install daylight` would install a stranger's code to check the report."""
    page = (published / "index.html").read_text()
    assert "<code>pip install daylight</code></li>" not in page
    assert "that name on PyPI belongs to another, unrelated project" in page


class _Hostile(http.server.SimpleHTTPRequestHandler):
    """A report's folder as a hostile host serves it: ``log.vkey`` redirects elsewhere, or comes
    a byte at a time (``mode``)."""

    mode = "redirect"

    def do_GET(self) -> None:
        if self.path.endswith("/log.vkey") or self.path == "/log.vkey":
            if self.mode == "redirect":
                self.send_response(302)
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b"x")
                self.wfile.flush()
                time.sleep(0.2)
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _hostile(directory: Path, mode: str) -> Iterator[str]:
    with handler_thread(directory, type("Handler", (_Hostile,), {"mode": mode})) as url:
        yield url


def test_a_redirect_out_of_the_reports_folder_is_refused(published: Path, tmp_path: Path) -> None:
    """urllib follows a redirect anywhere: another host's answer was kept as the copy's
    `log.vkey`, which no hash checks (the review)."""
    with _hostile(published, "redirect") as url, pytest.raises(StorageError) as caught:
        fetch_report(url, tmp_path / "copy")
    assert "out of the report's folder" in caught.value.message
    assert caught.value.where == url + "log.vkey"
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_file_that_trickles_in_fails_the_fetch(published: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """One byte every 0.2 s kept a fetch (and its Ctrl-C) waiting: each read's timeout never
    came (the review). Here the rate is judged after 1 s instead of 60."""
    monkeypatch.setattr("daylight.report.fetch.SLOW_AFTER_S", 1.0)
    with _hostile(published, "slow") as url, pytest.raises(StorageError) as caught:
        fetch_report(url, tmp_path / "copy")
    assert "arrives slower than" in caught.value.message
    assert [p.name for p in tmp_path.iterdir()] == []


def test_a_checkpoint_of_an_enormous_log_is_refused_before_any_tile(
        published: Path, tmp_path: Path) -> None:
    """The tile list was built from the checkpoint's size before any tile was asked for: a size
    of 2^64 - 1 used all memory (the review)."""
    served = _copy(published, tmp_path)
    checkpoint = served / "log" / "checkpoint"
    lines = checkpoint.read_text().split("\n")
    checkpoint.write_text("\n".join([lines[0], str(2**64 - 1), *lines[2:]]))
    with report_thread(served) as url, pytest.raises(InputError, match="more than a fetch copies"):
        fetch_report(url, tmp_path / "copy")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["served"]


@pytest.mark.parametrize("out", [".", "missing/copy", "x" * 300])
def test_an_out_that_cannot_be_a_new_folder_is_refused_before_fetching(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, out: str) -> None:
    """`--out .` downloaded everything, then failed to replace `.`; a long name and a missing
    folder were tracebacks, and the missing folders were created (the review)."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as caught:
        fetch_report("http://127.0.0.1:9/", Path(out))
    assert caught.value.where == "--out"
    assert list(tmp_path.iterdir()) == []


def test_an_out_made_by_someone_else_during_the_fetch_is_refused_and_left_as_it_is(
        published: Path, tmp_path: Path) -> None:
    """The final rename replaced an empty folder made meanwhile: someone else's folder was
    silently taken over (the probe)."""
    out = tmp_path / "copy"

    def theirs(done: int, total: int) -> None:
        out.mkdir(exist_ok=True)  # made by another program while files arrive

    with report_thread(published) as url, pytest.raises(InputError) as caught:
        fetch_report(url, out, progress=theirs)
    assert caught.value.where == "--out" and f"`{out}` was made by someone else" in \
        caught.value.message
    assert out.is_dir() and list(out.iterdir()) == []  # left as it was
    assert [p.name for p in tmp_path.iterdir()] == ["copy"]  # no staging folder left
