"""Ingest usage files into the store: all of them, or none.

The flow, for every file named in one command:

1. *hash*: a file whose bytes were ingested before is a no-op (its rows count as duplicates);
2. *stage*: read it batch by batch, validate every row, write the valid rows to a staging Parquet
   file; a row that does not fit stops the ingest with its file, line and field named, unless
   a quarantine directory was given, where such rows are written aside;
3. *partition*: DuckDB drops rows whose ``request_id`` was already seen (in the same file, in an
   earlier file of the command, or stored for the same day or the days either side) and writes
   the rest partitioned by UTC day;
4. *commit*: the new files are moved into the store and listed in the manifest in one
   transaction, with one ``usage_ingest`` row per source file.

Nothing is visible before step 4 commits; any error before it leaves the store as it was.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from daylight.core.clock import utc_now, utc_text
from daylight.core.errors import InputError, StorageError
from daylight.usage import source as sources
from daylight.usage.schema import STORED_COLUMNS, EventTable, Operations, RawBatch, Rejection, stored_schema
from daylight.usage.store import StoredFile, UsageStore, file_sha256
from daylight.usage.validate import BatchValidator

if TYPE_CHECKING:
    pass

Progress = Callable[[str, int], None]
"""Called with the current file's name and the number of rows read from it so far."""


@dataclass(frozen=True)
class FileOutcome:
    """What became of one source file."""

    source: str
    format: str
    ingested: int
    duplicates: int
    rejected: int
    ignored: int
    synthetic: bool
    already_ingested: bool = False
    quarantine_file: Path | None = None
    unmapped: tuple[tuple[str, int], ...] = ()
    """CloudTrail records of cloud account ids no account declared, not ingested: (id, records)."""


@dataclass(frozen=True)
class IngestResult:
    """What one ingest command did, file by file and in total."""

    files: tuple[FileOutcome, ...]

    @property
    def ingested(self) -> int:
        return sum(f.ingested for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def ignored(self) -> int:
        return sum(f.ignored for f in self.files)

    @property
    def unmapped(self) -> dict[str, int]:
        """Records not ingested because no account declared their cloud account id, by id."""
        out: dict[str, int] = {}
        for outcome in self.files:
            for cloud, count in outcome.unmapped:
                out[cloud] = out.get(cloud, 0) + count
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, Any]:
        """The command's JSON answer: ``{"ingested", "duplicates", "rejected"}``, and
        ``"unmapped": {cloud account id: records}`` when CloudTrail records were not ingested."""
        out: dict[str, Any] = {"ingested": self.ingested, "duplicates": self.duplicates,
                               "rejected": self.rejected}
        if self.unmapped:
            out["unmapped"] = self.unmapped
        return out


@dataclass
class _Staged:
    source: str
    format: str
    sha256: str
    ingest_id: str
    parquet: Path
    rows: int = 0
    rejected: int = 0
    ignored: int = 0
    unmapped: Counter[str] = field(default_factory=Counter)
    synthetic: bool = False
    first_day: str | None = None
    last_day: str | None = None
    quarantine_tmp: Path | None = None
    outputs: list[StoredFile] = field(default_factory=list)


def _new_ingest_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:10]}"


def ingest_files(
    paths: Sequence[Path], store: UsageStore, *, operations: Operations, events: EventTable,
    declared_format: str = "auto", quarantine: Path | None = None,
    progress: Progress | None = None, now: datetime | None = None,
    cloud_accounts: Mapping[str, str] | None = None,
) -> IngestResult:
    """Ingest ``paths`` into ``store`` as one all-or-nothing operation. ``cloud_accounts``:
    the customer account of each cloud account id, applied to CloudTrail records (a record of
    an id not in it is counted as unmapped, not ingested); None stores them under the cloud id."""
    now = now or utc_now()
    for path in paths:
        sources.compression_of(path)  # NotFoundError / InputError for missing or unreadable files
    formats = [sources.detect_format(p, declared_format) for p in paths]
    if quarantine is not None:
        quarantine.mkdir(parents=True, exist_ok=True)
    with store.writer_lock():  # held from the check for earlier ingests to the commit
        outcomes, pending, shas = _plan(paths, formats, store)
        if not pending:
            return IngestResult(tuple(o for o in outcomes if o is not None))
        work = store.staging_dir / _new_ingest_id(now)
        work.mkdir(parents=True)
        try:
            staged = [_stage(path, fmt, sha, work, operations, events, quarantine, progress, now,
                             cloud_accounts)
                      for path, fmt, sha in pending]
            published = _partition(staged, store, work)
            store.publish(published)
            try:
                with store.database.transaction() as tx:
                    for item in staged:
                        store.record_ingest(
                            tx, ingest_id=item.ingest_id, source_name=item.source,
                            source_sha256=item.sha256, source_format=item.format,
                            ingested=sum(f.rows for f in item.outputs),
                            duplicates=item.rows - sum(f.rows for f in item.outputs),
                            rejected=item.rejected, ignored=item.ignored, synthetic=item.synthetic,
                            ingested_at=utc_text(now), unmapped=sum(item.unmapped.values()))
                        if item.unmapped:
                            store.record_unmapped(tx, item.ingest_id, dict(item.unmapped))
                        store.record_files(tx, item.outputs)
            except BaseException:
                store.unpublish(published)
                raise
            kept_aside = [_keep_quarantine(item, quarantine) for item in staged]
        finally:
            shutil.rmtree(work, ignore_errors=True)

    done = iter(zip(staged, kept_aside, strict=True))
    rows_by_sha = {item.sha256: item.rows for item in staged}
    result = []
    for sha, outcome in zip(shas, outcomes, strict=True):
        if outcome is not None:
            if sha in rows_by_sha:  # a second copy of a file this command ingested
                outcome = replace(outcome, duplicates=rows_by_sha[sha])
            result.append(outcome)
            continue
        item, aside = next(done)
        kept = sum(f.rows for f in item.outputs)
        result.append(FileOutcome(item.source, item.format, kept, item.rows - kept, item.rejected,
                                  item.ignored, item.synthetic, quarantine_file=aside,
                                  unmapped=tuple(sorted(item.unmapped.items()))))
    return IngestResult(tuple(result))


def _plan(paths: Sequence[Path], formats: Sequence[str], store: UsageStore
          ) -> tuple[list[FileOutcome | None], list[tuple[Path, str, str]], list[str]]:
    """Which files to ingest (None in ``outcomes``) and which were ingested before (a no-op);
    and every file's SHA-256."""
    outcomes: list[FileOutcome | None] = []
    shas: list[str] = []
    pending: list[tuple[Path, str, str]] = []
    seen: dict[str, str] = {}  # bytes → the format this command reads them as
    for path, fmt in zip(paths, formats, strict=True):
        sha = file_sha256(path)
        shas.append(sha)
        prior = store.prior_ingest(sha)
        if prior is not None:
            earlier_format, when = prior.source_format, f"ingested before from `{prior.source_name}`"
        else:
            earlier_format, when = seen.get(sha, fmt), "given earlier in this command"
        if earlier_format != fmt:
            # The same bytes as another format: neither a no-op nor a second ingest is right.
            raise InputError(f"these bytes were {when} as {earlier_format}, not {fmt}",
                             where=str(path))
        if prior is not None or sha in seen:
            rows = prior.rows_ingested + prior.rows_duplicate if prior else 0
            outcomes.append(FileOutcome(str(path), fmt, 0, rows, 0, 0, False, already_ingested=True))
            continue
        seen[sha] = fmt
        outcomes.append(None)
        pending.append((path, fmt, sha))
    return outcomes, pending, shas


def _batches(path: Path, fmt: str, name: str, operations: Operations, events: EventTable,
             cloud_accounts: Mapping[str, str] | None = None) -> Iterator[RawBatch]:
    if fmt == "csv":
        return sources.read_csv(path, name)
    if fmt == "jsonl":
        return sources.read_jsonl(path, name)
    if fmt == "parquet":
        return sources.read_parquet(path, name)
    return sources.read_cloudtrail(path, name, events, operations, cloud_accounts)


def _stage(path: Path, fmt: str, sha: str, work: Path, operations: Operations, events: EventTable,
           quarantine: Path | None, progress: Progress | None, now: datetime,
           cloud_accounts: Mapping[str, str] | None = None) -> _Staged:
    import pyarrow.compute as pc  # heavy: loaded where used, not at start-up
    import pyarrow.parquet as pq  # heavy: loaded where used, not at start-up

    name = str(path)
    item = _Staged(name, fmt, sha, _new_ingest_id(now), work / f"{sha[:16]}.parquet")
    validator = BatchValidator(name, operations)
    rejected_out: IO[str] | None = None
    if quarantine is not None:
        item.quarantine_tmp = work / f"{sha[:16]}.rejected.jsonl"
        rejected_out = item.quarantine_tmp.open("w", encoding="utf-8")
    read = 0
    try:
        with pq.ParquetWriter(item.parquet, stored_schema(), compression="lz4") as writer:
            for batch in _batches(path, fmt, name, operations, events, cloud_accounts):
                valid, rejections = validator.validate(batch)
                item.ignored += batch.ignored
                item.unmapped.update(dict(batch.unmapped))
                if rejections:
                    if rejected_out is None:
                        first = min(rejections, key=lambda r: r.line)
                        raise InputError(first.message, where=first.where)
                    _write_rejections(rejected_out, rejections)
                    item.rejected += len(rejections)
                if valid.num_rows:
                    writer.write_table(valid)
                    item.rows += valid.num_rows
                    item.synthetic = item.synthetic or bool(pc.any(valid["synthetic"]).as_py())
                    low, high = pc.min_max(valid["timestamp"]).values()
                    first_day, last_day = low.value, high.value
                    item.first_day = _day(first_day) if item.first_day is None else min(
                        item.first_day, _day(first_day))
                    item.last_day = _day(last_day) if item.last_day is None else max(
                        item.last_day, _day(last_day))
                read += (batch.table.num_rows + len(batch.rejections) + batch.ignored
                         + sum(count for _, count in batch.unmapped))
                if progress is not None:
                    progress(name, read)
    finally:
        if rejected_out is not None:
            rejected_out.close()
    return item


def _day(epoch_us: int) -> str:
    return datetime.fromtimestamp(epoch_us / 1_000_000, UTC).date().isoformat()


def _write_rejections(out: IO[str], rejections: list[Rejection]) -> None:
    for rejection in sorted(rejections, key=lambda r: r.line):
        out.write(json.dumps(rejection.to_json(), default=str) + "\n")


def _keep_quarantine(item: _Staged, quarantine: Path | None) -> Path | None:
    if quarantine is None or item.quarantine_tmp is None or item.rejected == 0:
        return None
    target = quarantine / f"{Path(item.source).name}.{item.ingest_id}.rejected.jsonl"
    shutil.copyfile(item.quarantine_tmp, target)
    return target


def _sql_list(paths: Sequence[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def _partition(staged: list[_Staged], store: UsageStore, work: Path) -> dict[str, Path]:
    """Deduplicate by request id and write day partitions; return manifest path → staged file."""
    import duckdb  # heavy: loaded where used, not at start-up
    import pyarrow.parquet as pq  # heavy: loaded where used, not at start-up

    published: dict[str, Path] = {}
    written: list[StoredFile] = []
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
        for item in staged:
            if item.rows == 0:
                continue
            assert item.first_day is not None and item.last_day is not None
            # The neighbouring days too: a record delivered twice with clocks that disagree
            # across midnight keeps its request id but changes day.
            first, last = _widened(item.first_day, item.last_day, margin=1)
            seen_paths = [store.absolute(f.path) for f in store.files_between(first, last)]
            seen_paths += [published[f.path] for f in written if first <= f.day <= last]
            out = work / f"out-{item.ingest_id}"
            anti = ""
            if seen_paths:
                anti = (f"ANTI JOIN (SELECT DISTINCT request_id FROM read_parquet({_sql_list(seen_paths)}) "
                        "WHERE request_id IS NOT NULL) AS seen USING (request_id)")
            columns = ", ".join(f'incoming."{n}"' for n in STORED_COLUMNS)
            staged_file = f"read_parquet({_sql_list([item.parquet])}, file_row_number = true)"
            # Request ids repeated within the file (rare): keep each one's first row only.
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE repeated AS
                SELECT request_id, min(file_row_number) AS first_row FROM {staged_file}
                WHERE request_id IS NOT NULL GROUP BY request_id HAVING count(*) > 1
            """)
            con.execute(f"""
                COPY (
                    SELECT {columns}, strftime("timestamp", '%Y-%m-%d') AS day
                    FROM (
                        SELECT incoming.* FROM {staged_file} AS incoming
                        LEFT JOIN repeated USING (request_id)
                        WHERE repeated.first_row IS NULL OR incoming.file_row_number = repeated.first_row
                    ) AS incoming
                    {anti}
                ) TO '{out}' (FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd, COMPRESSION_LEVEL 1,
                              FILENAME_PATTERN 'part-{item.ingest_id}-{{i}}', ROW_GROUP_SIZE 1048576)
            """)
            for path in sorted(out.glob("day=*/*.parquet")):
                relative = path.relative_to(out).as_posix()
                stored = StoredFile(relative, path.parent.name.removeprefix("day="), item.ingest_id,
                                    pq.ParquetFile(path).metadata.num_rows, path.stat().st_size,
                                    file_sha256(path))
                item.outputs.append(stored)
                written.append(stored)
                published[relative] = path
    except duckdb.Error as exc:
        raise StorageError(f"duckdb failed while partitioning usage: {exc}") from exc
    finally:
        con.close()
    return published


def _widened(first: str, last: str, *, margin: int = 0) -> tuple[str, str]:
    """The days ``first`` and ``last`` moved ``margin`` days apart, within the calendar Python
    knows (0001-01-01 to 9999-12-31). Bounds, not a list: a file may span millennia."""
    start = max(date.fromisoformat(first), date.min + timedelta(days=margin)) \
        - timedelta(days=margin)
    end = min(date.fromisoformat(last), date.max - timedelta(days=margin)) + timedelta(days=margin)
    return start.isoformat(), end.isoformat()
