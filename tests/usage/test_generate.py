"""SYNTHETIC metering: labelled in every file, skewed towards a few heavy accounts, reproducible."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from daylight.core.errors import ConflictError, InputError
from daylight.core.period import parse_period
from daylight.usage.generate import generate_usage, synthetic_account_ids

NOVEMBER = parse_period("2026-11")


def test_every_parquet_file_and_row_is_labelled_synthetic(tmp_path: Path, operations: dict[str, str]) -> None:
    written = generate_usage(tmp_path, accounts=synthetic_account_ids(20), rows=30_000, period=NOVEMBER,
                             operations=operations, files=3)
    assert [g.rows for g in written] == [10_000, 10_000, 10_000]
    for generated in written:
        assert "SYNTHETIC" in generated.path.name
        parquet = pq.ParquetFile(generated.path)
        assert b"SYNTHETIC" in parquet.schema_arrow.metadata[b"daylight_synthetic"]
        table = parquet.read()
        assert table["synthetic"].to_pylist() == [True] * table.num_rows
        assert all(a.startswith("SYNTHETIC-") for a in table["account_id"].to_pylist())
        assert set(table["operation"].to_pylist()) <= set(operations)
    assert "SYNTHETIC" in (tmp_path / "SYNTHETIC-README.txt").read_text()


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_text_formats_are_labelled_on_every_row(tmp_path: Path, operations: dict[str, str],
                                                file_format: str) -> None:
    (path,) = [g.path for g in generate_usage(tmp_path, accounts=["acct-1", "acct-2"], rows=500,
                                               period=NOVEMBER, operations=operations,
                                               file_format=file_format)]
    assert "SYNTHETIC" in path.name
    if file_format == "csv":
        rows = list(csv.DictReader(path.read_text().splitlines()))
        assert all(r["synthetic"] == "true" for r in rows)
    else:
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert all(r["synthetic"] is True for r in rows)
    assert len(rows) == 500
    assert all(r["timestamp"].startswith("2026-11-") and r["timestamp"].endswith("Z") for r in rows)
    assert {r["account_id"] for r in rows} <= {"acct-1", "acct-2"}


def test_a_few_accounts_are_heavy_and_the_rest_a_long_tail(tmp_path: Path,
                                                           operations: dict[str, str]) -> None:
    generate_usage(tmp_path, accounts=synthetic_account_ids(1000), rows=200_000, period=NOVEMBER,
                   operations=operations)
    counts = [c for (c,) in duckdb.connect().execute(
        f"SELECT count(*) FROM '{tmp_path}/*.parquet' GROUP BY account_id ORDER BY 1 DESC").fetchall()]
    top_ten_share = sum(counts[:10]) / sum(counts)
    assert top_ten_share > 0.3            # the ten heaviest of 1,000 accounts: over 30% of rows
    assert counts[0] > 50 * counts[len(counts) // 2]
    assert len(counts) > 900              # yet nearly every account has some usage


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, operations: dict[str, str]) -> None:
    def make(folder: str, seed: int) -> bytes:
        (g,) = generate_usage(tmp_path / folder, accounts=["x", "y"], rows=1000, period=NOVEMBER,
                              operations=operations, file_format="csv", seed=seed)
        return g.path.read_bytes()
    assert make("a", 7) == make("b", 7)
    assert make("c", 8) != make("d", 7)


def test_generation_refuses_to_overwrite_or_to_run_without_accounts(tmp_path: Path,
                                                                    operations: dict[str, str]) -> None:
    generate_usage(tmp_path, accounts=["x"], rows=10, period=NOVEMBER, operations=operations)
    with pytest.raises(ConflictError):
        generate_usage(tmp_path, accounts=["x"], rows=10, period=NOVEMBER, operations=operations)
    with pytest.raises(InputError):
        generate_usage(tmp_path / "b", accounts=[], rows=10, period=NOVEMBER, operations=operations)
