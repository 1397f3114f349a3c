"""Regressions from the outside probe of hostile usage files: each one once ended in a traceback
(or echoed raw control characters); each is now an InputError naming file, line and field, with
the store left exactly as it was."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from daylight.core.errors import InputError
from daylight.usage.store import UsageStore
from tests.usage.conftest import Ingest, stored_state

ROW = {"account_id": "acct-1", "timestamp": "2026-11-03T10:00:00Z", "service": "vision",
       "operation": "face.search", "units": 1, "region": "us-east-1"}


def refused(ingest: Ingest, store: UsageStore, path: Path) -> InputError:
    before = stored_state(store)
    with pytest.raises(InputError) as caught:
        ingest(path)
    assert stored_state(store) == before
    str(caught.value).encode("utf-8")  # printable and encodable, whatever the input held
    return caught.value


def test_a_lone_surrogate_escape_in_jsonl_is_refused_naming_the_line(
        ingest: Ingest, store: UsageStore, tmp_path: Path) -> None:
    good = json.dumps(ROW)
    bad = good.replace('"acct-1"', '"acct-\\ud800"')
    path = tmp_path / "surrogate.jsonl"
    path.write_text(good + "\n" + bad + "\n")
    error = refused(ingest, store, path)
    assert error.where == f"{path}:2: line"
    assert "lone surrogate `\\ud800`" in error.message


def _parquet(path: Path, **columns: pa.Array) -> Path:
    data = {name: pa.array([value]) for name, value in ROW.items()}
    data.update(columns)
    pq.write_table(pa.table(data), path)
    return path


def test_a_parquet_timestamp_beyond_python_dates_is_a_row_error(
        ingest: Ingest, store: UsageStore, tmp_path: Path) -> None:
    far = 4_611_686_018_427_387_000  # microseconds: about the year 148,000
    path = _parquet(tmp_path / "far.parquet",
                    timestamp=pa.array([far], pa.timestamp("us", "UTC")))
    error = refused(ingest, store, path)
    assert error.where == f"{path}:1: timestamp"
    assert "beyond the year 9999" in error.message


def test_a_parquet_timestamp_before_year_one_is_a_row_error(
        ingest: Ingest, store: UsageStore, tmp_path: Path) -> None:
    path = _parquet(tmp_path / "early.parquet",
                    timestamp=pa.array([-63_000_000_000_000_000], pa.timestamp("us", "UTC")))
    assert refused(ingest, store, path).where == f"{path}:1: timestamp"


def test_a_parquet_string_that_is_not_utf8_is_named_by_row_and_column(
        ingest: Ingest, store: UsageStore, tmp_path: Path) -> None:
    offsets = pa.py_buffer(b"\x00\x00\x00\x00\x06\x00\x00\x00\x08\x00\x00\x00")
    region = pa.Array.from_buffers(pa.string(), 2, [None, offsets, pa.py_buffer(b"us-east\xff\xfe")])
    data = {name: pa.array([value, value]) for name, value in ROW.items()}
    data["region"] = region
    path = tmp_path / "bad-utf8.parquet"
    pq.write_table(pa.table(data), path)
    error = refused(ingest, store, path)
    assert error.where == f"{path}:2: region"
    assert "not UTF-8" in error.message


@pytest.mark.parametrize("header", ["\x1b]0;pwned\x07", "bad\x00name", "\u202eevil", "\x9bX"])
def test_control_characters_in_a_header_are_escaped_in_the_error(
        ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path], header: str) -> None:
    path = write_csv("ctl.csv", [], header=("account_id", "timestamp", "service", "operation",
                                              "units", "region", header))
    error = refused(ingest, store, path)
    text = str(error)
    assert header not in text
    assert not any(ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or c == "\u202e" for c in text)
    assert repr(header).strip("'")[:4] in text or "\\u202e" in text


@pytest.mark.parametrize("account", ["", " ", "acct 1", " acct-1", "аcct-1", "=cmd|x", "-1",
                                     "a" * 129])
def test_usage_refuses_the_account_ids_the_decision_api_refuses(
        ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path], account: str) -> None:
    row = (account, "2026-11-03T10:00:00Z", "vision", "face.search", 1, "us-east-1", "r1")
    error = refused(ingest, store, write_csv("ids.csv", [row]))
    assert error.where is not None and error.where.endswith(":2: account_id")


def test_a_named_pipe_is_refused_at_once_not_waited_on(ingest: Ingest, store: UsageStore,
                                                        tmp_path: Path) -> None:
    """Opening a pipe waits for its writer, and a file is read more than once: a FIFO (or a
    shell's ``<(...)``) is refused by ``stat`` before anything opens it."""
    fifo = tmp_path / "usage.csv"
    os.mkfifo(fifo)
    error = refused(ingest, store, fifo)  # would block forever if the pipe were opened
    assert error.where == str(fifo) and "not a regular file" in error.message
