"""Usage ingest under hostile files (CSV, JSON Lines, Parquet): either the file lands whole or
an InputError names the file, its line and field; the store is then exactly as it was."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.core.errors import InputError
from daylight.usage.store import UsageStore
from tests.fuzz.conftest import FUZZ, hostile_text, is_printable, json_values
from tests.usage.conftest import HEADER, Ingest, stored_state

FILES = settings(FUZZ, max_examples=40)  # each example is a whole ingest on a real database
GOOD = {"account_id": "acct-1", "timestamp": "2026-11-03T10:00:00Z", "service": "vision",
        "operation": "face.search", "units": 3, "region": "us-east-1", "request_id": "r1"}

rows = st.lists(st.fixed_dictionaries(
    {name: st.one_of(st.just(value), hostile_text) for name, value in GOOD.items()},
    optional={"extra": hostile_text}), min_size=1, max_size=4)


def _csv(records: list[dict[str, Any]], header: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for record in records:
        writer.writerow([record.get(name, "") for name in header])
    return out.getvalue().encode("utf-8", "surrogatepass")


def _check(ingest: Ingest, store: UsageStore, path: Path) -> None:
    before = stored_state(store)
    try:
        result = ingest(path)
    except InputError as error:
        assert stored_state(store) == before  # nothing half-ingested
        assert error.where and error.where.startswith(str(path)), error
        assert is_printable(str(error))
        str(error).encode("utf-8")
        return
    assert result.ingested + result.duplicates >= 1


@FILES
@given(records=rows, header=st.one_of(st.just(list(HEADER)), st.lists(
    st.one_of(st.sampled_from(HEADER), hostile_text), min_size=1, max_size=8)))
def test_hostile_csv(ingest: Ingest, store: UsageStore, tmp_path_factory: pytest.TempPathFactory,
                     records: list[dict[str, Any]], header: list[str]) -> None:
    path = tmp_path_factory.mktemp("csv") / "usage.csv"
    path.write_bytes(_csv(records, header))
    _check(ingest, store, path)


@FILES
@given(lines=st.lists(st.one_of(
    rows.map(lambda r: json.dumps(r[0])),
    rows.map(lambda r: json.dumps(r[0], ensure_ascii=False)),
    json_values.map(json.dumps),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1"))), min_size=1, max_size=4))
def test_hostile_jsonl(ingest: Ingest, store: UsageStore, tmp_path_factory: pytest.TempPathFactory,
                       lines: list[str]) -> None:
    path = tmp_path_factory.mktemp("jsonl") / "usage.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    _check(ingest, store, path)


timestamps = st.one_of(
    st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1).map(
        lambda us: pa.array([us], pa.timestamp("us", "UTC"))),
    st.integers(min_value=-(2**63) // 1000 + 1, max_value=(2**63 - 1) // 1000).map(
        lambda s: pa.array([s], pa.timestamp("s", "UTC"))),  # Parquet stores seconds as ms
    hostile_text.map(lambda t: pa.array([t.encode("utf-8", "surrogatepass").decode(
        "utf-8", "replace")], pa.string())))
raw_strings = st.one_of(hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
                        st.binary(max_size=20))


def _string_array(raw: bytes) -> pa.Array:
    """One string value holding exactly ``raw`` (Parquet writers do not check UTF-8)."""
    offsets = pa.py_buffer(b"\0\0\0\0" + len(raw).to_bytes(4, "little"))
    return pa.Array.from_buffers(pa.string(), 1, [None, offsets, pa.py_buffer(raw)])


@FILES
@given(timestamp=timestamps, account=raw_strings, region=raw_strings,
       units=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_hostile_parquet(ingest: Ingest, store: UsageStore,
                         tmp_path_factory: pytest.TempPathFactory, timestamp: pa.Array,
                         account: bytes, region: bytes, units: int) -> None:
    path = tmp_path_factory.mktemp("parquet") / "usage.parquet"
    table = pa.table({"account_id": _string_array(account), "timestamp": timestamp,
                      "service": ["vision"], "operation": ["face.search"],
                      "units": pa.array([units], pa.int64()), "region": _string_array(region)})
    pq.write_table(table, path)
    _check(ingest, store, path)
