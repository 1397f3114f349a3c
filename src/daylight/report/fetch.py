"""`daylight report fetch`: copy a published report from the web host that serves it into a
folder, with every file `daylight verify` reads.

A crawler that follows the pages' links is not enough: no page links the log's tiles or the
search index. The fetcher reads the report's own lists instead. ``SHA256SUMS`` names every file
but four: itself, ``publication.json``, ``log.vkey`` and the log mirror. The checkpoint's tree
size names every tile of the mirror (C2SP tlog-tiles). Each listed file's SHA-256 is checked
against ``SHA256SUMS`` as it arrives, and the checkpoint must parse. Whether the report is what
the log says is left to `daylight verify`.

The files are written into a temporary folder beside ``out``, which is renamed to ``out`` only
when every file has arrived: a failed fetch leaves nothing behind. Paths come from a server, so
each one is checked to be a plain relative path before anything is written. Written by hand on
the standard library's ``urllib`` (streamed to disk, hashed on the way, a size cap per file, a
few requests at a time): no dependency of the project downloads a list of files.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from daylight.core.errors import InputError, NotFoundError, StorageError
from daylight.core.urls import http_url
from daylight.log.checkpoint import Checkpoint
from daylight.log.tiles import entry_bundles_for_size, tiles_for_size
from daylight.report.formats import (
    PUBLICATION_FILE,
    SHA256SUMS,
    UNLISTED,
    VKEY_FILE,
    parse_sha256sums,
)

MAX_FILE_BYTES = 4 << 30
"""The largest file fetched (``report.db`` of a million rows is ~1 GB)."""
MAX_LIST_BYTES = 512 << 20
"""The largest ``SHA256SUMS`` (a million proof files list in ~100 MB)."""
MAX_CHECKPOINT_BYTES = 1 << 16
TIMEOUT_S = 60.0
WORKERS = 8
CHECKPOINT = "log/checkpoint"

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
    """Copy the report served at ``url`` (its folder, or its ``index.html``) into ``out``, a new
    or empty folder; ``progress(files done, files in all)`` as files arrive."""
    base = _base(url)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("exists and is not an empty folder: fetch into a new one",
                         where=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.fetching-", dir=out.parent))
    try:
        size = _download(base, SHA256SUMS, staging, MAX_LIST_BYTES)[0]
        listed = _listed(staging / SHA256SUMS, base + SHA256SUMS)
        size += _download(base, CHECKPOINT, staging, MAX_CHECKPOINT_BYTES)[0]
        tree_size = _tree_size(staging / CHECKPOINT, base + CHECKPOINT)
        tiles = [f"log/{t.path}" for t in (*tiles_for_size(tree_size),
                                            *entry_bundles_for_size(tree_size))]
        jobs = [*listed.items(), (PUBLICATION_FILE, None), (VKEY_FILE, None),
                *((tile, None) for tile in tiles)]
        size += _download_all(base, jobs, staging, workers, progress)
        if out.exists():
            out.rmdir()  # empty (checked above)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Fetched(base, out, len(listed) + 4, len(tiles), size, tree_size)


def _base(url: str) -> str:
    parts = http_url(url, where="URL")
    if parts.query or parts.fragment:
        raise InputError(f"`{url}`: expected a folder's address, without ? or #", where="URL")
    path = parts.path.removesuffix("index.html")
    return f"{parts.scheme}://{parts.netloc}{path if path.endswith('/') else path + '/'}"


def _listed(path: Path, where: str) -> dict[str, str]:
    """``SHA256SUMS``'s files, each a plain relative path (a server's paths are not trusted)."""
    try:
        listed = parse_sha256sums(path.read_text(encoding="utf-8"), where=where)
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", where=where) from exc
    for name in listed:
        shown = name.encode("unicode_escape").decode()
        if not all(_SEGMENT.fullmatch(segment) for segment in name.split("/")):
            raise InputError(f"`{shown}` is not a plain relative path", where=where)
        if name in UNLISTED or name.startswith("log/"):
            raise InputError(f"lists `{shown}`, which a report's SHA256SUMS never lists",
                             where=where)
    return listed


def _tree_size(path: Path, where: str) -> int:
    try:
        body = path.read_text(encoding="utf-8").split("\n\n", 1)[0] + "\n"
        return Checkpoint.from_text(body).tree_size
    except (UnicodeDecodeError, InputError) as exc:
        raise InputError(f"not a checkpoint: {exc}", where=where) from exc


def _download_all(base: str, jobs: Sequence[tuple[str, str | None]], folder: Path, workers: int,
                  progress: Callable[[int, int], None] | None) -> int:
    """Every (path, SHA-256 or None) of ``jobs``, ``workers`` at a time; the bytes fetched. The
    first failure cancels what has not started and is raised."""
    fetched = 0
    with ThreadPoolExecutor(max_workers=max(1, workers),
                            thread_name_prefix="daylight-fetch") as pool:
        pending = [pool.submit(_checked_download, base, path, digest, folder)
                   for path, digest in jobs]
        try:
            for done, future in enumerate(pending, start=1):
                fetched += future.result()
                if progress is not None:
                    progress(done, len(pending))
        finally:
            for future in pending:
                future.cancel()
    return fetched


def _checked_download(base: str, path: str, digest: str | None, folder: Path) -> int:
    size, found = _download(base, path, folder, MAX_FILE_BYTES)
    if digest is not None and found != digest:
        raise StorageError("arrived with another SHA-256 than SHA256SUMS lists",
                           where=base + path)
    return size


def _download(base: str, path: str, folder: Path, limit: int) -> tuple[int, str]:
    """GET ``base`` + ``path`` into ``folder`` / ``path``, at most ``limit`` bytes and
    ``TIMEOUT_S`` seconds a read; (bytes, hex SHA-256)."""
    import urllib.error  # with http.client and ssl, ~10 ms: loaded when a report is fetched
    import urllib.request

    url = base + quote(path)
    target = folder / path
    hashed, size = hashlib.sha256(), 0
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, \
                target.open("wb") as sink:
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise StorageError(f"larger than {limit:,} bytes", where=url)
                hashed.update(chunk)
                sink.write(chunk)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise NotFoundError("the server has no such file (404)", where=url) from error
        raise StorageError(f"the server answered {error.code}", where=url) from error
    except (OSError, ValueError) as error:  # unreachable, timed out, reset; a disk full
        raise StorageError(f"could not fetch it: {error}", where=url) from error
    return size, hashed.hexdigest()
