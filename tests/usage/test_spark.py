"""DuckDB and Apache Spark (local mode, a real JVM) give identical aggregates on the same input.

One Spark session serves the whole module: starting one takes several seconds."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daylight.cli.main import app
from daylight.core.period import parse_period
from daylight.usage.aggregate import DuckDBEngine, aggregate_period
from daylight.usage.generate import generate_usage
from daylight.usage.spark import SparkEngine
from daylight.usage.store import UsageStore
from tests.usage.conftest import Ingest

EDGE_CASES = [
    ("edge", "2026-11-01T00:00:00.000001Z", "vision", "face.search", 0, "us-east-1", "e1"),
    ("edge", "2026-11-30T23:59:59.999999Z", "vision", "face.search", 999_999_999_999, "us-east-1", "e2"),
    ("edge", "2026-11-15T01:00:00+05:30", "vision", "face.search", 1, "ap-south-1", ""),
    ("edge", "2026-11-15T01:00:00+05:30", "vision", "face.search", 1, "ap-south-1", ""),
    ("Édge-ünïcode", "2026-11-15T12:00:00Z", "compute", "compute.instance", 60, "eu-west-1", "e3"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkEngine]:
    with SparkEngine("local[2]") as engine:
        yield engine


def test_duckdb_and_spark_aggregate_identically(spark: SparkEngine, store: UsageStore, ingest: Ingest,
                                               operations: dict[str, str], tmp_path: Path,
                                               write_csv: Callable[..., Path]) -> None:
    accounts = [f"SYNTHETIC-{k:03d}" for k in range(40)]
    generated = generate_usage(tmp_path / "gen", accounts=accounts, rows=120_000,
                               period=parse_period("2026-11"), operations=operations, files=3)
    ingest(*[g.path for g in generated])
    ingest(write_csv("edge.csv", [(*row[:6], row[6]) for row in EDGE_CASES]),
           quarantine=tmp_path / "aside")  # `Édge-ünïcode` is not printable ASCII: set aside
    period = parse_period("2026-11")
    by_duckdb = aggregate_period(store, period, DuckDBEngine())
    by_spark = aggregate_period(store, period, spark)
    assert len(by_duckdb.rows) > 40
    assert by_spark.rows == by_duckdb.rows
    edge = [r for r in by_duckdb.rows if r.account_id == "edge"]
    assert [(r.calls, r.units, r.first_seen, r.last_seen, r.regions) for r in edge] == [
        (4, 1_000_000_000_001, "2026-11-01T00:00:00.000001Z", "2026-11-30T23:59:59.999999Z",
         ("ap-south-1", "us-east-1"))]
    assert all(r.synthetic for r in by_duckdb.rows if r.account_id != "edge")
    assert not any(r.synthetic for r in edge)


def test_the_command_line_aggregates_with_spark(spark: SparkEngine, tmp_path: Path) -> None:
    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(app, [*home, *args], catch_exceptions=False,
                               env={"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": None})
        assert result.exit_code == 0, result.stderr
        return result.stdout

    run("init", "--origin", "spark.daylight.invalid/log")
    run("usage", "generate", "--accounts", "5", "--rows", "5000", "--out", str(tmp_path / "gen"),
        "--period", "2026-11")
    run("usage", "ingest", *[str(p) for p in sorted((tmp_path / "gen").glob("*.parquet"))])
    by_duckdb = json.loads(run("usage", "aggregate", "--period", "2026-11"))
    shown = run("usage", "show", "SYNTHETIC-000001", "--period", "2026-11")
    by_spark = json.loads(run("usage", "aggregate", "--period", "2026-11", "--engine", "spark",
                              "--master", "local[2]"))
    assert by_spark == by_duckdb > 0
    assert run("usage", "show", "SYNTHETIC-000001", "--period", "2026-11") == shown
    # the command joined the module's session and left it running
    assert len(spark.aggregate(sorted((tmp_path / "gen").glob("*.parquet")))) == by_duckdb
