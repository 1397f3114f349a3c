"""Where usage lives: day-partitioned Parquet files under ``<home>/usage/data`` and their
manifest in the database.

Layout::

    <home>/usage/data/day=2026-11-03/part-<ingest id>-<n>.parquet   stored rows (STORED_SCHEMA)
    <home>/usage/staging/<ingest id>/                                 an ingest in progress
    <home>/usage/lock                                                 one ingest at a time

The manifest (``usage_file``) is the truth about what is stored: a Parquet file counts only once
the transaction that lists it has committed, so an ingest that fails or crashes half-way leaves at
most unlisted files, which readers never see and the next ingest removes. Each listed file's
SHA-256 is recorded so that later changes to it are detectable.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from daylight.core.database import Database, Migration, Transaction, load_migrations
from daylight.core.errors import ConflictError, StorageError
from daylight.core.period import Period


def usage_migrations() -> list[Migration]:
    """The usage layer's schema migrations."""
    return load_migrations("usage", "daylight.usage")


@dataclass(frozen=True)
class StoredFile:
    """One Parquet file of the store, as the manifest lists it."""

    path: str
    day: str
    ingest_id: str
    rows: int
    bytes: int
    sha256: str


@dataclass(frozen=True)
class PriorIngest:
    """An earlier ingest of a source file with the same bytes."""

    ingest_id: str
    source_name: str
    rows_ingested: int
    rows_duplicate: int
    source_format: str


@dataclass(frozen=True)
class UnmappedCloudAccount:
    """A cloud account id whose CloudTrail records were not ingested (no account declared it),
    over every ingested file: how many records, in how many files, first and last ingested."""

    cloud_account_id: str
    records: int
    files: int
    first_ingested_at: str
    last_ingested_at: str


def file_sha256(path: Path) -> str:
    """The hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class UsageStore:
    """The Parquet files and their manifest; the only code that knows the layout."""

    def __init__(self, root: Path, database: Database) -> None:
        self.root = root
        self.database = database
        self.data_dir = root / "data"
        self.staging_dir = root / "staging"

    def absolute(self, relative: str) -> Path:
        """The absolute path of a manifest path."""
        return self.data_dir / relative

    @contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the store's lock (one ingest at a time, across processes); clear leftovers of
        interrupted ingests once it is held."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                shutil.rmtree(self.staging_dir, ignore_errors=True)
                self._remove_unlisted_files()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _remove_unlisted_files(self) -> None:
        if not self.data_dir.is_dir():
            return
        listed = set(self.all_paths())
        for path in self.data_dir.glob("day=*/*.parquet"):
            if path.relative_to(self.data_dir).as_posix() not in listed:
                path.unlink()

    # -- manifest reads ------------------------------------------------------------------------

    def all_paths(self) -> list[str]:
        with self.database.transaction(write=False) as tx:
            return [r[0] for r in tx.query("SELECT path FROM usage_file")]

    def files_between(self, first_day: str, last_day: str) -> list[StoredFile]:
        """The listed files of the days from ``first_day`` to ``last_day`` (``YYYY-MM-DD``,
        both included), ordered by day and path."""
        with self.database.transaction(write=False) as tx:
            rows = tx.query(
                "SELECT path, day, ingest_id, rows, bytes, sha256 FROM usage_file "
                "WHERE day >= ? AND day <= ? ORDER BY day, path", (first_day, last_day))
        return [StoredFile(*row) for row in rows]

    def files_for_period(self, period: Period) -> list[StoredFile]:
        """The listed files whose day falls in ``period``."""
        return self.files_between(period.start.isoformat(),
                                  (period.end - timedelta(days=1)).isoformat())

    def existing_files(self, files: list[StoredFile]) -> list[Path]:
        """Absolute paths of listed files; StorageError if one has gone missing."""
        paths = []
        for stored in files:
            path = self.absolute(stored.path)
            if not path.is_file():
                raise StorageError("a stored usage file listed in the manifest is missing",
                                   where=str(path), evidence={"sha256": stored.sha256})
            paths.append(path)
        return paths

    def prior_ingest(self, source_sha256: str) -> PriorIngest | None:
        """The earlier ingest of a file with these bytes, if any."""
        with self.database.transaction(write=False) as tx:
            row = tx.query_one(
                "SELECT ingest_id, source_name, rows_ingested, rows_duplicate, source_format "
                "FROM usage_ingest "
                "WHERE source_sha256 = ?", (source_sha256,))
        return PriorIngest(*row) if row else None

    # -- manifest writes -----------------------------------------------------------------------

    def publish(self, staged: dict[str, Path]) -> None:
        """Move staged files (manifest path → staged path) to their place in the store."""
        for relative, source in staged.items():
            target = self.absolute(relative)
            if target.exists():
                raise ConflictError(f"refusing to overwrite stored usage file `{relative}`")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)

    def unpublish(self, staged: dict[str, Path]) -> None:
        """Remove files moved by ``publish`` whose manifest transaction did not commit."""
        for relative in staged:
            self.absolute(relative).unlink(missing_ok=True)

    @staticmethod
    def record_ingest(tx: Transaction, *, ingest_id: str, source_name: str, source_sha256: str,
                      source_format: str, ingested: int, duplicates: int, rejected: int,
                      ignored: int, synthetic: bool, ingested_at: str,
                      unmapped: int = 0) -> None:
        """List one ingested source file (``unmapped``: CloudTrail records of cloud account ids
        no account declared, not ingested)."""
        tx.execute(
            "INSERT INTO usage_ingest (ingest_id, source_name, source_sha256, source_format, "
            "rows_ingested, rows_duplicate, rows_rejected, rows_ignored, synthetic, ingested_at, "
            "rows_unmapped) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (ingest_id, source_name, source_sha256, source_format, ingested, duplicates, rejected,
             ignored, int(synthetic), ingested_at, unmapped))

    @staticmethod
    def record_unmapped(tx: Transaction, ingest_id: str, counts: dict[str, int]) -> None:
        """List one ingested file's unmapped CloudTrail records per cloud account id."""
        tx.insert_rows("usage_unmapped", ("ingest_id", "cloud_account_id", "records"),
                       [(ingest_id, cloud, count) for cloud, count in sorted(counts.items())])

    def unmapped(self) -> list[UnmappedCloudAccount]:
        """Every cloud account id with unmapped records, in id order."""
        with self.database.transaction(write=False) as tx:
            rows = tx.query(
                "SELECT u.cloud_account_id, SUM(u.records), COUNT(*), MIN(i.ingested_at), "
                "MAX(i.ingested_at) FROM usage_unmapped u JOIN usage_ingest i "
                "ON i.ingest_id = u.ingest_id GROUP BY u.cloud_account_id "
                "ORDER BY u.cloud_account_id")
        return [UnmappedCloudAccount(r[0], int(r[1]), int(r[2]), r[3], r[4]) for r in rows]

    @staticmethod
    def record_files(tx: Transaction, files: list[StoredFile]) -> None:
        """List stored Parquet files."""
        tx.insert_rows("usage_file", ("path", "day", "ingest_id", "rows", "bytes", "sha256"),
                       [(f.path, f.day, f.ingest_id, f.rows, f.bytes, f.sha256) for f in files])
