"""Aggregation: per account × service × operation over a period, the number of calls, the units,
the first and last time seen, the regions, and whether any contributing row was synthetic.

``DuckDBEngine`` runs it on one machine; ``daylight.usage.spark.SparkEngine`` runs the same
aggregation on Apache Spark. Both read exactly the Parquet files the manifest lists for the
period and return the same ``AggregateRow``s (a test holds them to it): timestamps leave the
engines as integer microseconds and units as exact integers, so nothing depends on an engine's
time zone or float summation order.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from daylight.core.errors import InputError, StorageError
from daylight.core.period import Period
from daylight.usage.store import StoredFile, UsageStore

if TYPE_CHECKING:
    pass


def format_time(epoch_us: int) -> str:
    """RFC 3339 in UTC with a ``Z``, microseconds only when there are any."""
    seconds, micros = divmod(epoch_us, 1_000_000)
    t = time.gmtime(seconds)  # not strftime: glibc's %Y writes the year 1 as `1`, not `0001`
    text = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
    return f"{text}.{micros:06d}Z" if micros else f"{text}Z"


class AggregateRow(NamedTuple):
    """How one account used one operation during a period. Rows order by account, service,
    operation (a tuple: cheap to build and compare by the hundred thousand)."""

    account_id: str
    service: str
    operation: str
    calls: int
    units: int
    first_seen_us: int
    last_seen_us: int
    regions: tuple[str, ...]
    synthetic: bool

    @property
    def first_seen(self) -> str:
        return format_time(self.first_seen_us)

    @property
    def last_seen(self) -> str:
        return format_time(self.last_seen_us)

    def to_json(self) -> dict[str, Any]:
        """The operation as ``daylight usage show`` prints it."""
        return {"service": self.service, "operation": self.operation, "calls": self.calls,
                "units": self.units, "first_seen": self.first_seen, "last_seen": self.last_seen,
                "regions": list(self.regions)}


@dataclass(frozen=True)
class Aggregation:
    """The aggregate rows of a period, sorted, with the stored files they were computed from."""

    period: Period
    rows: tuple[AggregateRow, ...]
    files: tuple[StoredFile, ...]
    engine: str

    @property
    def accounts(self) -> list[str]:
        return sorted({row.account_id for row in self.rows})


class Engine(Protocol):
    """Something that aggregates a list of Parquet files into rows."""

    name: str

    def aggregate(self, paths: Sequence[Path]) -> list[AggregateRow]:
        """The aggregate rows of every record in ``paths``, in any order."""
        ...


def row_from_values(values: Sequence[Any]) -> AggregateRow:
    """An ``AggregateRow`` from an engine's result tuple (the column order of ``aggregate_sql``)."""
    account, service, operation, calls, units, first_us, last_us, regions, synthetic = values
    return AggregateRow(str(account), str(service), str(operation), int(calls), int(units),
                        int(first_us), int(last_us), tuple(sorted(regions)), bool(synthetic))


def rows_from_columns(columns: dict[str, list[Any]]) -> list[AggregateRow]:
    """``AggregateRow``s from result columns whose values already have the row's types (ints,
    bools, region lists sorted), as DuckDB's Arrow result has them; built without the per-row
    Python call of the named tuple's constructor, which dominated at 10^5 rows."""
    regions = [tuple(r) for r in columns["regions"]]
    return [tuple.__new__(AggregateRow, values) for values in zip(
        columns["account_id"], columns["service"], columns["operation"], columns["calls"],
        columns["units"], columns["first_us"], columns["last_us"], regions, columns["synthetic"],
        strict=True)]


def aggregate_sql(source: str) -> str:
    """The aggregation over ``source`` (a DuckDB table expression), in two steps: first per
    region, then per operation, which avoids a DISTINCT aggregate over every row."""
    return f"""
        SELECT account_id, service, operation, sum(calls) AS calls, sum(units) AS units,
               min(first_us) AS first_us, max(last_us) AS last_us,
               list(region ORDER BY region) AS regions, bool_or(synthetic) AS synthetic
        FROM (
            SELECT account_id, service, operation, region, count(*) AS calls,
                   sum(units) AS units, epoch_us(min("timestamp")) AS first_us,
                   epoch_us(max("timestamp")) AS last_us, bool_or(synthetic) AS synthetic
            FROM {source}
            GROUP BY account_id, service, operation, region
        ) AS per_region
        GROUP BY account_id, service, operation
    """


def parquet_source(paths: Sequence[Path]) -> str:
    """A DuckDB ``read_parquet`` expression over exactly ``paths``."""
    listed = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
    return f"read_parquet([{listed}], hive_partitioning = false)"


class DuckDBEngine:
    """Aggregation on one machine with DuckDB, using every core unless ``threads`` is set."""

    name = "duckdb"

    def __init__(self, *, threads: int | None = None, memory_limit: str | None = None) -> None:
        self.threads = threads
        self.memory_limit = memory_limit

    def aggregate(self, paths: Sequence[Path]) -> list[AggregateRow]:
        import duckdb  # heavy: loaded where used, not at start-up

        if not paths:
            return []
        con = duckdb.connect()
        try:
            con.execute("SET TimeZone = 'UTC'")
            if self.threads:
                con.execute(f"SET threads = {int(self.threads)}")
            if self.memory_limit:
                con.execute("SET memory_limit = ?", [self.memory_limit])
            # sums of BIGINT are HUGEINT in DuckDB: exact, and cast back for Arrow
            table = con.sql(f"""
                SELECT account_id, service, operation, calls::BIGINT AS calls,
                       units::BIGINT AS units, first_us, last_us, regions, synthetic
                FROM ({aggregate_sql(parquet_source(paths))})
                ORDER BY account_id, service, operation
            """).to_arrow_table()
        except duckdb.ConversionException as exc:  # a sum beyond BIGINT: say whose
            try:
                found = con.execute(f"""
                    SELECT account_id, service, operation
                    FROM ({aggregate_sql(parquet_source(paths))})
                    WHERE units > 9223372036854775807 OR calls > 9223372036854775807
                    ORDER BY account_id, operation LIMIT 1
                """).fetchone()
            except duckdb.Error:
                found = None
            where = ": ".join(found) if found else None
            raise InputError("the period's units add up to more than 2^63 - 1, more than a "
                             "whole number of units can hold", where=where) from exc
        except duckdb.Error as exc:
            raise StorageError(f"duckdb failed to aggregate usage: {exc}") from exc
        finally:
            con.close()
        return rows_from_columns(table.to_pydict())


def aggregate_period(store: UsageStore, period: Period, engine: Engine) -> Aggregation:
    """Aggregate every stored record of ``period`` with ``engine``."""
    files = store.files_for_period(period)
    rows = engine.aggregate(store.existing_files(files))
    return Aggregation(period, tuple(sorted(rows)), tuple(files), engine.name)
