"""`daylight report fetch` against a hostile host (the fetch probe): answers that are not HTTP,
bodies shorter than their `Content-Length`, `SHA256SUMS` paths that cannot all be files, and
names a terminal or a file system cannot take. Each fails with an error naming the address,
no traceback and nothing left behind."""

from __future__ import annotations

import hashlib
import http.server
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

import pytest

from daylight.core.errors import DaylightError, InputError, StorageError
from daylight.log.checkpoint import Checkpoint
from daylight.log.tiles import tiles_for_size
from daylight.report.fetch import _Fetch, _listed, fetch_report
from tests.cli.conftest import Cli
from tests.servers import handler_thread

Answer = Callable[[http.server.BaseHTTPRequestHandler], None]


class _Host(http.server.SimpleHTTPRequestHandler):
    """A report's folder served as it is, but for the paths in ``answers``, each answered by
    its function (which may write anything on the socket)."""

    answers: ClassVar[dict[str, Answer]] = {}

    def do_GET(self) -> None:
        answer = self.answers.get(self.path.lstrip("/"))
        if answer is None:
            super().do_GET()
            return
        answer(self)
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def _hostile(directory: Path, answers: dict[str, Answer]) -> Iterator[str]:
    with handler_thread(directory, type("Handler", (_Host,), {"answers": answers})) as url:
        yield url


def _raw(data: bytes) -> Answer:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(data)
    return answer


def _body(body: bytes, *, length: int | None = None, headers: int = 0) -> Answer:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        for n in range(headers):
            handler.send_header(f"X-Header-{n}", "1")
        handler.send_header("Content-Length", str(len(body) if length is None else length))
        handler.end_headers()
        handler.wfile.write(body)
    return answer


def _chunked(data: bytes) -> Answer:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.wfile.write(data)
    return answer


def _fails(url: str, tmp_path: Path, error: type[DaylightError] = StorageError) -> DaylightError:
    with pytest.raises(error) as caught:
        fetch_report(url, tmp_path / "copy")
    assert [p.name for p in tmp_path.iterdir()] == []
    return caught.value


@pytest.mark.parametrize("answer", [
    _raw(b"garbage\r\n\r\n"),
    _raw(b"\x1b]0;title\x07HTTP/1.1 200 OK\r\n\r\n"),
    _raw(b"HTTP/1.1 abc OK\r\n\r\n"),
    _body(b"", headers=150),
    _chunked(b"100\r\nabc"),
    _chunked(b"zz\r\nabc\r\n0\r\n\r\n"),
], ids=["status-line", "control-characters", "status-code", "150-headers", "chunk-cut",
        "chunk-size"])
def test_an_answer_that_is_not_http_fails_naming_the_address(
        published: Path, tmp_path: Path, answer: Answer) -> None:
    """http.client's own errors (BadStatusLine, LineTooLong, IncompleteRead) are not OSErrors:
    they escaped as tracebacks, one quoting the server's control characters (the probe)."""
    with _hostile(published, {"log.vkey": answer}) as url:
        error = _fails(url, tmp_path)
    assert error.where == url + "log.vkey" and "not a well-formed http answer" in error.message
    assert "\x1b" not in str(error) and "\x07" not in str(error)


@pytest.mark.parametrize("path", ["log.vkey", "publication.json", "log/checkpoint", "tile"])
def test_a_body_cut_short_of_its_content_length_fails(published: Path, tmp_path: Path,
                                                      path: str) -> None:
    """A connection closed before the body's end was taken for the whole file: no hash checks
    these four, so a cut copy was reported fetched (the probe)."""
    if path == "tile":  # the last hash tile the checkpoint names
        size = Checkpoint.from_text((published / "log" / "checkpoint").read_text()
                                    .split("\n\n", 1)[0] + "\n").tree_size
        path = f"log/{list(tiles_for_size(size))[-1].path}"
    whole = (published / path).read_bytes()
    with _hostile(published, {path: _body(whole[:20], length=len(whole))}) as url:
        error = _fails(url, tmp_path)
    assert error.where == url + path
    assert f"arrived cut short: 20 of the {len(whole):,} bytes" in error.message


def test_a_content_length_over_the_cap_fails_before_the_body(published: Path,
                                                            tmp_path: Path) -> None:
    with _hostile(published, {"log.vkey": _body(b"x", length=1 << 50)}) as url:
        error = _fails(url, tmp_path)
    assert error.where == url + "log.vkey" and "larger than 4,294,967,296 bytes" in error.message


def _listing(published: Path, *names: str) -> dict[str, Answer]:
    """A copy of the report whose SHA256SUMS also lists ``names``, each served empty."""
    sums = (published / "SHA256SUMS").read_text(encoding="utf-8")
    empty = hashlib.sha256(b"").hexdigest()
    sums += "".join(f"{empty}  {name}\n" for name in names)
    answers = {"SHA256SUMS": _body(sums.encode()), **{name: _body(b"") for name in names}}
    return answers


@pytest.mark.parametrize("names", [("zz", "zz/b"), ("zz/b", "zz"), ("log",), ("data",)])
def test_a_path_listed_as_a_file_and_as_a_folder_is_refused(
        published: Path, tmp_path: Path, names: tuple[str, ...]) -> None:
    """`zz` and `zz/b` cannot both be files: the fetch failed on `Is a directory`, naming the
    temporary folder it then removed (the probe)."""
    answers = _listing(published, *names)
    with _hostile(published, answers) as url:
        error = _fails(url, tmp_path, InputError)
    assert error.where == url + "SHA256SUMS"
    assert "both as a file and as a folder" in error.message and ".fetching" not in error.message


@pytest.mark.parametrize("name", ["a\x9b31mb.html", "a\u202eb.html", "x" * 256,
                                  "a" * 100_000, "/".join(["d" * 200] * 25) + "/x.html"])
def test_a_name_with_controls_or_too_long_for_a_file_system_is_refused(
        published: Path, tmp_path: Path, name: str) -> None:
    """C1 controls (CSI) and bidi overrides passed the path check and were written as file
    names; a name of 100 kB came back in full in the error; a 5 kB path of short names failed
    on the file system's 'File name too long', quoting the path twice (the probe)."""
    answers = _listing(published, name)
    with _hostile(published, answers) as url:
        error = _fails(url, tmp_path, InputError)
    assert error.where == url + "SHA256SUMS" and len(error.message) < 300
    assert "\x9b" not in error.message and "\u202e" not in error.message


@pytest.mark.parametrize("name", ["copy[bold]x", "copy\x1b[31m"])
def test_the_printed_verify_command_names_the_folder_as_given(
        published: Path, tmp_path: Path, name: str) -> None:
    """`--out 'copy[bold]x'` was printed as Rich markup, `copyx`: the verify command shown
    named another folder; a control character in the name reached the terminal (the probe)."""
    with _hostile(published, {}) as url:
        result = Cli(tmp_path / "home", None)("report", "fetch", url, "--out",
                                              str(tmp_path / name))
    shown = str(tmp_path / name).replace("\x1b", "\\x1b")
    assert f"daylight verify {shown} --key" in " ".join(result.stderr.split())
    assert "\x1b" not in result.stderr


def test_an_interrupt_does_not_wait_for_a_server_that_never_answers(
        published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C waited for every download under way to time out: 27 s against a server that
    never sent its headers (the probe). Here the timeout is 20 s, and the interrupt is raised
    in the main thread, as a SIGINT's is, by the progress callback."""
    monkeypatch.setattr("daylight.report.fetch.TIMEOUT_S", 20.0)
    released = threading.Event()
    second = (published / "SHA256SUMS").read_text().splitlines()[1].split("  ", 1)[1]

    def interrupt(done: int, total: int) -> None:
        raise KeyboardInterrupt

    with _hostile(published, {second: lambda handler: released.wait(30)}) as url:
        started = time.monotonic()
        try:
            with pytest.raises(KeyboardInterrupt):
                fetch_report(url, tmp_path / "copy", workers=4, progress=interrupt)
            waited = time.monotonic() - started
        finally:
            released.set()
    assert waited < 10 and [p.name for p in tmp_path.iterdir()] == []


def test_a_download_that_starts_after_an_abort_does_not_wait_for_its_server(
        published: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The abort shut only the connections open when it ran: a worker that started, or
    connected, just after it waited for a stalling server until the timeout (the race behind
    the interrupt test above). Now it connects to nothing, and a connection made after the
    abort is shut as it is made."""
    monkeypatch.setattr("daylight.report.fetch.TIMEOUT_S", 5.0)
    released = threading.Event()
    with _hostile(published, {"log.vkey": lambda handler: released.wait(30)}) as url:
        fetch = _Fetch(url, tmp_path)
        fetch.abort()
        started = time.monotonic()
        try:
            with pytest.raises(StorageError) as caught:
                fetch.one("log.vkey", None, 1 << 20)
        finally:
            released.set()
        waited = time.monotonic() - started
    assert caught.value.message.startswith("stopped") and waited < 2
    late, peer = socket.socketpair()
    with late, peer:
        late.settimeout(5)  # a shut socket reads b"" at once; an open one would time out
        fetch._connected(late)
        assert late.recv(1) == b""


def _redirect(location: str) -> Answer:
    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    return answer


@pytest.mark.parametrize(("location", "why"), [
    ("file:///etc/passwd", "to url 'file:///etc/passwd' is not allowed"),
    ("/log.vkey", "would lead to an infinite loop")])
def test_a_redirect_not_followed_says_why(published: Path, tmp_path: Path, location: str,
                                          why: str) -> None:
    """A redirect to `file://` or in a loop was `the server answered 302` (the probe)."""
    with _hostile(published, {"log.vkey": _redirect(location)}) as url:
        error = _fails(url, tmp_path)
    assert error.where == url + "log.vkey"
    assert error.message.startswith("the server answered 302, a redirect not followed: ")
    assert why in error.message


def test_an_out_in_a_file_says_it_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("kept")
    with pytest.raises(InputError) as caught:
        fetch_report("http://127.0.0.1:9/", tmp_path / "a-file" / "copy")
    assert caught.value.where == "--out" and caught.value.message.endswith("is not a folder")


def test_a_checkpoint_size_of_5000_digits_is_quoted_as_a_short_prefix(
        published: Path, tmp_path: Path) -> None:
    """The whole size was quoted in the error (the probe); a prefix and its length are."""
    lines = (published / "log" / "checkpoint").read_text().split("\n")
    checkpoint = "\n".join([lines[0], "9" * 5000, *lines[2:]]).encode()
    with _hostile(published, {"log/checkpoint": _body(checkpoint)}) as url:
        error = _fails(url, tmp_path, InputError)
    assert error.where == url + "log/checkpoint" and len(error.message) < 200
    assert "tree size is not a decimal uint64: `" + "9" * 40 + "... (5000 characters)`" in \
        error.message


def test_sha256sums_is_read_a_line_at_a_time(tmp_path: Path) -> None:
    """A list at the cap (512 MiB) took 2.5 GB read whole, text and lines beside the parsed
    list: what is held besides the list is now a small part of the file's size."""
    path = tmp_path / "SHA256SUMS"
    with path.open("w") as sums:  # SYNTHETIC paths, as a report's proof files are named
        for n in range(40_000):
            digest = hashlib.sha256(n.to_bytes(4, "big")).hexdigest()
            sums.write(f"{digest}  proofs/use-{digest[:20]}.tlog-proof\n")
    tracemalloc.start()
    try:
        listed = _listed(path, "SHA256SUMS")
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(listed) == 40_000
    assert peak - held < path.stat().st_size / 4  # read whole: 2.6 times its size


def test_sha256sums_not_utf_8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "SHA256SUMS"
    line = f"{hashlib.sha256(b'').hexdigest()}  a.html\n".encode()
    path.write_bytes(line + line.replace(b"a.html", b"b\xff.html"))
    with pytest.raises(InputError) as caught:
        _listed(path, "SHA256SUMS")
    assert caught.value.message == f"not UTF-8 at byte {len(line) + 67}"  # at the ÿ, as before
