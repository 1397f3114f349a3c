"""`daylight report fetch`: copy a published report from the web host that serves it into a
folder, with every file `daylight verify` reads.

A crawler that follows the pages' links is not enough: no page links the log's tiles or the
search index. The fetcher reads the report's own lists instead. ``SHA256SUMS`` names every file
but four: itself, ``publication.json``, ``log.vkey`` and the log mirror. The checkpoint's tree
size names every tile of the mirror (C2SP tlog-tiles). Each listed file's SHA-256 is checked
against ``SHA256SUMS`` as it arrives, and the checkpoint must parse. Whether the report is what
the log says is left to `daylight verify`.

The files are written into a temporary folder beside ``out``, which is renamed to ``out`` only
when every file has arrived, and only if ``out`` still does not exist (a folder someone made
meanwhile is refused and left as it is): a fetch that fails or is interrupted (Ctrl-C) leaves
nothing behind (a killed process may leave its ``.fetching-*`` folder). The server is not trusted: each
path it lists must be a plain relative path, a redirect must stay in the report's folder, and
files, the whole fetch and the log's size are capped, and a file that arrives slower than
``MIN_BYTES_PER_S`` after its first ``SLOW_AFTER_S`` seconds fails the fetch. Written by hand on
the standard library's ``urllib`` (streamed to disk, hashed on the way, a size cap per file, a
few requests at a time): no dependency of the project downloads a list of files.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import re
import shutil
import socket
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from daylight.core.errors import (
    InputError,
    NotFoundError,
    StorageError,
    printable,
    shortened,
)
from daylight.core.urls import http_url
from daylight.log.checkpoint import Checkpoint
from daylight.log.tiles import TILE_WIDTH, entry_bundles_for_size, level_size, tiles_for_size
from daylight.report.formats import (
    PUBLICATION_FILE,
    SHA256SUMS,
    UNLISTED,
    VKEY_FILE,
    parse_sha256sums_lines,
)

if TYPE_CHECKING:
    import urllib.request

MAX_FILE_BYTES = 4 << 30
"""The largest file fetched (``report.db`` of a million rows is ~1 GB)."""
MAX_LIST_BYTES = 512 << 20
"""The largest ``SHA256SUMS`` (a million proof files list in ~100 MB). Read a line at a time,
one this large (4.9 million files) took 1.2 GB to hold as a list (measured; 2.5 GB read whole)."""
MAX_CHECKPOINT_BYTES = 1 << 16
MAX_TOTAL_BYTES = 256 << 30
"""The most a fetch writes, whatever a server's lists say."""
MAX_TREE_SIZE = 1 << 40
"""The largest log a fetch copies (a report of a million rows has one of about a million)."""
TIMEOUT_S = 30.0
"""The longest wait for a connection or for any bytes of an answer."""
SLOW_AFTER_S = 60.0
MIN_BYTES_PER_S = 1024
WORKERS = 8
CHECKPOINT = "log/checkpoint"

MAX_NAME_BYTES = 255
"""The longest file or folder name most file systems take."""
MAX_PATH_BYTES = 1024
"""The longest listed path (a report's are under 100 bytes; Linux takes 4,096 in all, with the
folder the copy is made in)."""
# a path segment as reports name their files: no control characters, backslashes or dot-only names
_SEGMENT = re.compile(r"(?!\.{1,2}\Z)[^\x00-\x1f\x7f/\\]+")


@dataclass(frozen=True)
class Fetched:
    """What a fetch copied."""

    url: str
    directory: Path
    files: int
    tiles: int
    bytes: int
    tree_size: int

    def to_json(self) -> dict[str, object]:
        return {"url": self.url, "directory": str(self.directory), "files": self.files,
                "tiles": self.tiles, "bytes": self.bytes, "tree_size": self.tree_size}


def fetch_report(url: str, out: Path, *, workers: int = WORKERS,
                 progress: Callable[[int, int], None] | None = None) -> Fetched:
    """Copy the report served at ``url`` (its folder, or its ``index.html``) into ``out``, a
    folder that does not exist yet, in a folder that does; ``progress(files done, files in
    all)`` as files arrive."""
    base = _base(url)
    _check_out(out)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".fetching-", dir=out.parent))
    except OSError as exc:
        raise StorageError(f"cannot write into its folder: {exc.strerror}", where="--out") from exc
    fetch = _Fetch(base, staging)
    try:
        fetch.one(SHA256SUMS, None, MAX_LIST_BYTES)
        listed = _listed(staging / SHA256SUMS, base + SHA256SUMS)
        fetch.one(CHECKPOINT, None, MAX_CHECKPOINT_BYTES)
        tree_size = _tree_size(staging / CHECKPOINT, base + CHECKPOINT)
        tiles = _tile_count(tree_size)
        jobs = itertools.chain(listed.items(), [(PUBLICATION_FILE, None), (VKEY_FILE, None)],
                               ((f"log/{t.path}", None) for t in itertools.chain(
                                   tiles_for_size(tree_size), entry_bundles_for_size(tree_size))))
        fetch.all(jobs, len(listed) + 2 + tiles, workers, progress)
        _rename_to_new(staging, out)
    except BaseException:
        fetch.abort()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Fetched(base, out, len(listed) + 4, tiles, fetch.bytes, tree_size)


def _base(url: str) -> str:
    parts = http_url(url, where="URL")
    if parts.query or parts.fragment:
        raise InputError(f"`{url}`: expected a folder's address, without ? or #", where="URL")
    path = parts.path.removesuffix("index.html")
    return f"{parts.scheme}://{parts.netloc}{path if path.endswith('/') else path + '/'}"


def _check_out(out: Path) -> None:
    if len(out.name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise InputError(f"its name is longer than a file system allows ({MAX_NAME_BYTES} bytes)",
                         where="--out")
    try:
        taken = out.exists() or out.is_symlink()
    except OSError as exc:  # a path too long, a loop of links
        raise InputError(f"not a usable path: {exc.strerror}", where="--out") from exc
    if taken:
        raise InputError("exists: fetch into a new folder", where="--out")
    if not out.parent.is_dir():
        missing = "is not a folder" if out.parent.exists() else "does not exist"
        raise InputError(f"its folder `{out.parent}` {missing}", where="--out")


def _rename_to_new(staging: Path, out: Path) -> None:
    """Rename ``staging`` to ``out``, which must still not exist. A rename replaces an empty
    folder, so one made by someone else during the fetch would be lost: ``out`` is made here
    first (``mkdir`` refuses anything that is there, and leaves it untouched), then replaced."""
    try:
        out.mkdir()
    except FileExistsError as exc:
        raise InputError(f"`{out}` was made by someone else during the fetch: left as it is; "
                         "fetch into a new folder", where="--out") from exc
    except OSError as exc:
        raise StorageError(f"cannot create it: {exc.strerror}", where="--out") from exc
    try:
        staging.rename(out)
    except OSError as exc:  # something put into it meanwhile: left for whoever did
        with contextlib.suppress(OSError):
            out.rmdir()  # only if still empty
        raise StorageError(f"cannot create it: {exc.strerror}", where="--out") from exc


def _listed(path: Path, where: str) -> dict[str, str]:
    """``SHA256SUMS``'s files, each a plain relative path that can be a file of the copy (a
    server's paths are not trusted). Read a line at a time, so that neither the whole text nor
    its list of lines is held beside the parsed list (``MAX_LIST_BYTES``)."""
    with path.open("rb") as lines:
        listed = parse_sha256sums_lines(_text_lines(lines, where), where=where)
    folders = {"log"}  # the mirror's, beside the listed files
    for name in listed:
        folders.update(itertools.accumulate(name.split("/")[:-1], lambda a, b: f"{a}/{b}"))
    for name in listed:
        shown = printable(shortened(name, 80))
        if not all(_is_segment(segment) for segment in name.split("/")):
            raise InputError(f"`{shown}` is not a plain relative path of names a file system "
                             f"takes (at most {MAX_NAME_BYTES} bytes each)", where=where)
        if len(name.encode("utf-8")) > MAX_PATH_BYTES:
            raise InputError(f"`{shown}` is longer than {MAX_PATH_BYTES:,} bytes, more than a "
                             "report's paths need", where=where)
        if name in UNLISTED or name.startswith("log/"):
            raise InputError(f"lists `{shown}`, which a report's SHA256SUMS never lists",
                             where=where)
        if name in folders:
            raise InputError(f"lists `{shown}` both as a file and as a folder", where=where)
    return listed


def _text_lines(lines: Iterable[bytes], where: str) -> Iterator[str]:
    """Each line without its newline, as UTF-8 text; InputError naming the byte that is not."""
    offset = 0
    for line in lines:
        try:
            yield line.removesuffix(b"\n").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 at byte {offset + exc.start}", where=where) from exc
        offset += len(line)


def _is_segment(segment: str) -> bool:
    """A file or folder name as reports name theirs: printable, not `.` or `..`, no `\\`,
    and short enough for a file system."""
    return (_SEGMENT.fullmatch(segment) is not None and printable(segment) == segment
            and len(segment.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES)


def _tree_size(path: Path, where: str) -> int:
    try:
        body = path.read_text(encoding="utf-8").split("\n\n", 1)[0] + "\n"
        size: int = Checkpoint.from_text(body).tree_size
    except (UnicodeDecodeError, InputError) as exc:
        raise InputError(f"not a checkpoint: {exc}", where=where) from exc
    if size > MAX_TREE_SIZE:
        raise InputError(f"a log of {size:,} entries is more than a fetch copies "
                         f"({MAX_TREE_SIZE:,})", where=where)
    return size


def _tile_count(tree_size: int) -> int:
    """How many hash tiles and entry bundles a tree of ``tree_size`` has (without listing them)."""
    count, level = -(-tree_size // TILE_WIDTH), 0  # the entry bundles
    while (hashes := level_size(tree_size, level)) > 0:
        count += -(-hashes // TILE_WIDTH)
        level += 1
    return count


class _Fetch:
    """Files of one report's folder into ``staging``, through one opener that refuses
    redirects out of the folder; ``abort`` ends the downloads under way at once."""

    def __init__(self, base: str, staging: Path) -> None:
        self.base, self.staging = base, staging
        self.stop = threading.Event()
        self.bytes = 0
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()  # those still open
        self._opener = _opener(base, self._connected)

    def _connected(self, connection: socket.socket) -> None:
        with self._lock:
            self._sockets.add(connection)
            if self.stop.is_set():  # connected after ``abort`` took its list: shut it here
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)

    def abort(self) -> None:
        """Stop every download: each blocked read returns at once (a server that stalls would
        otherwise hold an interrupted fetch until its timeout)."""
        self.stop.set()
        with self._lock:
            connections = list(self._sockets)
        for connection in connections:
            with contextlib.suppress(OSError):  # closed meanwhile
                connection.shutdown(socket.SHUT_RDWR)

    def all(self, jobs: Iterable[tuple[str, str | None]], total: int, workers: int,
            progress: Callable[[int, int], None] | None) -> None:
        """Every (path, SHA-256 or None) of ``jobs``, ``workers`` at a time, at most twice as
        many asked for ahead (the list of a large log's tiles is never built); the first
        failure stops the rest and is raised."""
        done = 0
        with ThreadPoolExecutor(max_workers=max(1, workers),
                                thread_name_prefix="daylight-fetch") as pool:
            ahead: deque[Future[None]] = deque()
            try:
                for path, digest in itertools.chain(jobs, [("", None)]):
                    if path:
                        ahead.append(pool.submit(self.one, path, digest, MAX_FILE_BYTES))
                    while ahead and (len(ahead) >= 2 * max(1, workers) or not path):
                        ahead.popleft().result()
                        done += 1
                        if progress is not None:
                            progress(done, total)
            except BaseException:
                self.abort()
                for future in ahead:
                    future.cancel()
                raise

    def one(self, path: str, digest: str | None, limit: int) -> None:
        """GET ``path`` of the folder into ``staging``, checked against ``digest`` if given."""
        from http.client import HTTPException  # loaded with urllib, when a report is fetched

        url = self.base + quote(path)
        target = self.staging / path
        hashed, size, started = hashlib.sha256(), 0, time.monotonic()
        if self.stop.is_set():  # a worker that starts after ``abort`` connects to nothing
            raise StorageError("stopped: another file failed", where=url)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with self._open(url) as response, target.open("wb") as sink:
                declared: int | None = response.length  # None: no Content-Length (chunked)
                if declared is not None and declared > limit:
                    raise StorageError(f"larger than {limit:,} bytes (its Content-Length)",
                                       where=url)
                while chunk := response.read1(1 << 16):
                    if self.stop.is_set():
                        raise StorageError("stopped: another file failed", where=url)
                    size += len(chunk)
                    if size > limit:
                        raise StorageError(f"larger than {limit:,} bytes", where=url)
                    hashed.update(chunk)
                    sink.write(chunk)
                    self._count(len(chunk), url)
                    elapsed = time.monotonic() - started
                    if elapsed > SLOW_AFTER_S and size < MIN_BYTES_PER_S * elapsed:
                        raise StorageError(f"arrives slower than {MIN_BYTES_PER_S} bytes a "
                                           "second", where=url)
                if declared is not None and size < declared:  # http.client does not say
                    raise StorageError(f"arrived cut short: {size:,} of the {declared:,} bytes "
                                       "its Content-Length says", where=url)
        except OSError as exc:  # timed out, reset; a disk full
            raise StorageError(f"could not fetch it: {exc}", where=url) from exc
        except HTTPException as exc:  # a bad status line, too many headers, a chunk cut short
            raise StorageError(f"not a well-formed http answer: {exc!r}", where=url) from exc
        if digest is not None and hashed.hexdigest() != digest:
            raise StorageError("arrived with another SHA-256 than SHA256SUMS lists", where=url)

    def _open(self, url: str) -> Any:
        import urllib.error

        try:
            return self._opener.open(url, timeout=TIMEOUT_S)
        except urllib.error.HTTPError as error:
            error.close()  # its connection, or the socket stays open
            if error.code == 404:
                raise NotFoundError("the server has no such file (404)", where=url) from None
            if 300 <= error.code < 400:  # urllib says why it did not follow: another scheme, a loop
                why = str(error.msg).split("\n", 1)[0][:200]
                raise StorageError(f"the server answered {error.code}, a redirect not followed: "
                                   f"{why}", where=url) from None
            raise StorageError(f"the server answered {error.code}", where=url) from None
        except (OSError, ValueError) as error:  # unreachable, timed out; a malformed address
            raise StorageError(f"could not fetch it: {error}", where=url) from error

    def _count(self, size: int, url: str) -> None:
        with self._lock:
            self.bytes += size
            if self.bytes > MAX_TOTAL_BYTES:
                raise StorageError(f"the report is larger than {MAX_TOTAL_BYTES:,} bytes",
                                   where=url)


def _opener(base: str, sockets: Callable[[socket.socket], None]
            ) -> urllib.request.OpenerDirector:
    """An opener that follows redirects only within ``base`` and gives ``sockets`` each
    connection's socket as it connects."""
    import http.client  # with urllib.request and ssl, ~10 ms: loaded when a report is fetched
    import urllib.request

    class InTheFolder(urllib.request.HTTPRedirectHandler):
        """Follows a redirect only to an address in the report's folder."""

        def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                             headers: Any, newurl: str) -> urllib.request.Request | None:
            if not newurl.startswith(base):
                fp.close()
                raise StorageError(f"redirected to `{printable(newurl)}`, out of the report's "
                                   "folder", where=req.full_url)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    class Plain(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets(self.sock)

    class Tls(http.client.HTTPSConnection):
        def connect(self) -> None:
            super().connect()
            sockets(self.sock)

    class PlainHandler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(Plain, req)

    class TlsHandler(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(Tls, req)  # the default context, as urllib's own handler

    return urllib.request.build_opener(InTheFolder(), PlainHandler(), TlsHandler())
