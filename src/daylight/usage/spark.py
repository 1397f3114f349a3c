"""The same aggregation on Apache Spark, for providers whose usage outgrows one machine.

``SparkEngine`` starts a Spark session on ``master`` (``local[*]`` by default: every core of this
machine) and runs the aggregation of ``daylight.usage.aggregate`` with the DataFrame API. Times
leave Spark as integer microseconds (``unix_micros``) and units as exact longs, so the rows are
identical to DuckDB's. Starting a session takes seconds: keep one open for many aggregations.
``pyspark`` is an optional extra (``daylight[spark]``); without it, starting the engine says how
to install it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from daylight.core.errors import ConfigError, StorageError
from daylight.usage.aggregate import AggregateRow, row_from_values

SPARK_MISSING = ("pyspark is not installed: pip install 'pyspark>=3.5' (Daylight's spark extra) to "
                 "aggregate with Apache Spark")
SPARK_CONFIG = {
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "16",
    "spark.sql.parquet.enableVectorizedReader": "true",
}


class SparkEngine:
    """Aggregation on Apache Spark; a context manager that owns its session."""

    name = "spark"

    def __init__(self, master: str = "local[*]", *, config: dict[str, str] | None = None) -> None:
        self.master = master
        self.config = {**SPARK_CONFIG, **(config or {})}
        self._session: Any = None
        self._owns_session = False

    def __enter__(self) -> SparkEngine:
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        """Start the Spark session, or join the one already running in this process."""
        if self._session is not None:
            return
        try:
            from pyspark.sql import SparkSession  # heavy, optional: loaded only when Spark is asked for
        except ImportError as exc:
            raise ConfigError(SPARK_MISSING, where="--engine") from exc

        self._owns_session = SparkSession.getActiveSession() is None
        builder = SparkSession.builder.master(self.master).appName("daylight-usage")
        for key, value in self.config.items():
            builder = builder.config(key, value)
        try:
            self._session = builder.getOrCreate()
        except Exception as exc:  # py4j and the JVM launcher raise plain exceptions
            raise ConfigError(f"cannot start Spark on `{self.master}`: {exc}", where="--master") from exc
        self._session.sparkContext.setLogLevel("ERROR")

    def stop(self) -> None:
        """Stop the session if this engine started it (a session it joined stays up)."""
        if self._session is not None and self._owns_session:
            self._session.stop()
        self._session = None

    def aggregate(self, paths: Sequence[Path]) -> list[AggregateRow]:
        if not paths:
            return []
        self.start()
        from pyspark.sql import functions as f

        try:
            frame = self._session.read.parquet(*[str(p) for p in paths])
            per_region = frame.groupBy("account_id", "service", "operation", "region").agg(
                f.count(f.lit(1)).alias("calls"), f.sum("units").alias("units"),
                f.unix_micros(f.min("timestamp")).alias("first_us"),
                f.unix_micros(f.max("timestamp")).alias("last_us"),
                f.bool_or("synthetic").alias("synthetic"))
            result = per_region.groupBy("account_id", "service", "operation").agg(
                f.sum("calls"), f.sum("units"), f.min("first_us"), f.max("last_us"),
                f.array_sort(f.collect_list("region")), f.bool_or("synthetic"))
            collected = result.collect()
        except Exception as exc:  # pyspark raises its own exception tree over py4j
            raise StorageError(f"spark failed to aggregate usage: {str(exc).splitlines()[0]}") from exc
        return [row_from_values(tuple(row)) for row in collected]
