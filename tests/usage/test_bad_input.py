"""Bad input: a clear error naming file, line and field; nothing half-ingested; nothing stored
changed. With a quarantine directory, rejected rows are written aside and counted instead."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from daylight.core.errors import InputError, NotFoundError
from daylight.usage.store import UsageStore
from tests.usage.conftest import Ingest, csv_text, stored_state

GOOD = [("111122223333", "2026-11-03T10:00:00Z", "vision", "face.search", 3, "us-east-1", "r1")]


@pytest.fixture
def with_data(ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path]) -> dict[str, object]:
    """A store already holding one file; returns its state for comparison."""
    ingest(write_csv("stored.csv", GOOD))
    return stored_state(store)


def refused(ingest: Ingest, store: UsageStore, before: dict[str, object], *paths: Path) -> InputError:
    """Ingest must fail with InputError and leave the store exactly as it was."""
    with pytest.raises(InputError) as caught:
        ingest(*paths)
    assert stored_state(store) == before
    assert not (store.staging_dir.exists() and any(store.staging_dir.iterdir()))
    return caught.value


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (("a1", "2026-11-03T10:00:00", "vision", "face.search", 1, "us-east-1", "x"), "timestamp",
         "has no time zone"),
        (("a1", "2026-02-30T10:00:00Z", "vision", "face.search", 1, "us-east-1", "x"), "timestamp",
         "not an RFC 3339"),
        (("a1", "yesterday", "vision", "face.search", 1, "us-east-1", "x"), "timestamp", "not an RFC 3339"),
        (("a1", "2026-11-03T10:00:00Z", "vision", "face.search", -5, "us-east-1", "x"), "units",
         "negative units `-5`"),
        (("a1", "2026-11-03T10:00:00Z", "vision", "face.search", "1.5", "us-east-1", "x"), "units",
         "not a whole number"),
        (("a1", "2026-11-03T10:00:00Z", "vision", "face.teleport", 1, "us-east-1", "x"), "operation",
         "unknown operation `face.teleport`"),
        (("a1", "2026-11-03T10:00:00Z", "storage", "face.search", 1, "us-east-1", "x"), "service",
         "does not match the catalog"),
        (("", "2026-11-03T10:00:00Z", "vision", "face.search", 1, "us-east-1", "x"), "account_id",
         "missing account_id"),
        (("a1", "2026-11-03T10:00:00Z", "vision", "face.search", 1, "", "x"), "region", "missing region"),
    ],
)
def test_a_bad_csv_row_is_named_by_file_line_and_field(
        ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path], with_data: dict[str, object],
        row: tuple[object, ...], field: str, message: str) -> None:
    good_then_bad = write_csv("new.csv", [(*GOOD[0][:6], "r9"), row])
    error = refused(ingest, store, with_data, good_then_bad)
    assert error.where == f"{good_then_bad}:3: {field}"
    assert message in error.message


def test_a_good_file_is_not_ingested_when_another_file_of_the_command_is_bad(
        ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path],
        with_data: dict[str, object]) -> None:
    fine = write_csv("fine.csv", [(*GOOD[0][:6], "r7")])
    bad = write_csv("bad.csv", [("a1", "2026-11-03T10:00:00", "vision", "face.search", 1, "us-east-1", "")])
    error = refused(ingest, store, with_data, fine, bad)
    assert error.where == f"{bad}:2: timestamp"
    assert ingest(fine).ingested == 1  # and it was not recorded as ingested either


def test_truncated_gzip_and_zstd_are_refused(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                             with_data: dict[str, object]) -> None:
    text = csv_text([(*GOOD[0][:6], f"q{i}") for i in range(5000)]).encode()
    gz = tmp_path / "cut.csv.gz"
    gz.write_bytes(gzip.compress(text)[:-200])
    assert "truncated" in refused(ingest, store, with_data, gz).message
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(text)
    zst = tmp_path / "cut.jsonl.zst"
    zst.write_bytes(sink.getvalue().to_pybytes()[:-100])
    error = refused(ingest, store, with_data, zst)
    assert error.where == str(zst) and "truncated" in error.message


def test_wrong_column_types_in_parquet_are_refused(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                                   with_data: dict[str, object]) -> None:
    columns = {"account_id": ["a"], "timestamp": ["2026-11-03T10:00:00Z"], "service": ["vision"],
               "operation": ["face.search"], "region": ["us-east-1"]}
    floats = tmp_path / "floats.parquet"
    pq.write_table(pa.table({**columns, "units": pa.array([1.5])}), floats)
    error = refused(ingest, store, with_data, floats)
    assert error.where == f"{floats}: units" and "double" in error.message
    naive = tmp_path / "naive.parquet"
    pq.write_table(pa.table({**columns, "units": [1],
                             "timestamp": pa.array([0], pa.timestamp("us"))}), naive)
    error = refused(ingest, store, with_data, naive)
    assert error.where == f"{naive}: timestamp" and "without a time zone" in error.message
    negative = tmp_path / "negative.parquet"
    two_rows = {name: values * 2 for name, values in columns.items()}
    pq.write_table(pa.table({**two_rows, "units": pa.array([4, -4], pa.int64())}), negative)
    error = refused(ingest, store, with_data, negative)
    assert error.where == f"{negative}:2: units" and "negative" in error.message


def test_every_parquet_column_must_have_its_type(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                                with_data: dict[str, object]) -> None:
    columns = {"account_id": ["a"], "timestamp": ["2026-11-03T10:00:00Z"], "service": ["vision"],
               "operation": ["face.search"], "units": [1], "region": ["us-east-1"]}
    for name, values, says in (("units", ["5"], "whole numbers"),
                               ("account_id", [111122223333], "strings"),
                               ("region", [1], "strings"),
                               ("synthetic", ["true"], "booleans")):
        path = tmp_path / f"wrong-{name}.parquet"
        pq.write_table(pa.table({**columns, name: values}), path)
        error = refused(ingest, store, with_data, path)
        assert error.where == f"{path}: {name}" and says in error.message


def test_dictionary_encoded_strings_are_read_as_strings(ingest: Ingest, tmp_path: Path) -> None:
    """What pandas categoricals and Arrow dictionary columns write."""
    encoded = {name: pa.array([value]).dictionary_encode() for name, value in (
        ("account_id", "a"), ("timestamp", "2026-11-03T10:00:00Z"), ("service", "vision"),
        ("operation", "face.search"), ("region", "us-east-1"), ("request_id", "r9"))}
    path = tmp_path / "dictionary.parquet"
    pq.write_table(pa.table({**encoded, "units": [2]}), path)
    assert ingest(path).summary() == {"ingested": 1, "duplicates": 0, "rejected": 0}
    no_ids = tmp_path / "no-ids.parquet"  # an optional column with no value: pandas writes `null`
    pq.write_table(pa.table({**encoded, "units": [3], "request_id": pa.nulls(1),
                             "synthetic": pa.nulls(1)}), no_ids)
    assert ingest(no_ids).summary()["ingested"] == 1


def test_offsets_must_be_real_offsets(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                      with_data: dict[str, object]) -> None:
    for offset in ("+05:99", "+24:00"):
        path = tmp_path / "offset.csv"
        path.write_text(csv_text([("a1", f"2026-11-10T00:00:00{offset}", "vision", "face.search", 1,
                                   "us-east-1", "x")]))
        error = refused(ingest, store, with_data, path)
        assert error.where == f"{path}:2: timestamp"


def test_the_same_bytes_as_another_format_are_refused_not_skipped(
        ingest: Ingest, store: UsageStore, tmp_path: Path, with_data: dict[str, object]) -> None:
    stored = tmp_path / "stored.csv"  # the file `with_data` ingested
    renamed = tmp_path / "stored.json"
    renamed.write_bytes(stored.read_bytes())
    error = refused(ingest, store, with_data, renamed)
    assert error.where == str(renamed) and "ingested before from" in error.message
    assert "as csv, not cloudtrail" in error.message


def test_wrong_json_types_are_named_by_line_and_field(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                                      with_data: dict[str, object]) -> None:
    good = {"account_id": "a", "timestamp": "2026-11-03T10:00:00Z", "service": "vision",
            "operation": "face.search", "units": 1, "region": "us-east-1"}
    path = tmp_path / "types.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps({**good, "units": "1"}) + "\n")
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}:2: units" and "expected a whole number" in error.message
    path.write_text(json.dumps(good) + "\n\n")
    assert refused(ingest, store, with_data, path).where == f"{path}:2: line"
    path.write_text(json.dumps({**good, "colour": "red"}) + "\n")
    assert "unknown field `colour`" in refused(ingest, store, with_data, path).message
    path.write_text(json.dumps(good)[:-1] + ', "account_id": "OTHER"}\n')
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}:1: line" and "appears twice" in error.message


def test_malformed_csv_rows_and_headers_are_named(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                                  with_data: dict[str, object]) -> None:
    path = tmp_path / "short.csv"
    path.write_text(csv_text(GOOD) + "a1,2026-11-03T10:00:00Z,vision\n")
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}:3: row" and "expected 7 fields, found 3" in error.message
    path.write_text("account_id,timestamp,service,operation,units,region,colour\n")
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}: header" and "unknown column `colour`" in error.message
    path.write_text("account_id,timestamp,service,operation,region\n")
    assert "missing column `units`" in refused(ingest, store, with_data, path).message
    path.write_text(csv_text(GOOD) + "\n")
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}:3: row" and "empty row" in error.message
    path.write_bytes(csv_text(GOOD).encode() + "a2,2026-11-03T10:00:00Z,vision,face.search,1,"
                     "caf\u00e9,x\n".encode("latin-1"))
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}:3" and "not UTF-8" in error.message


def test_a_header_line_of_megabytes_is_refused_without_reading_it_whole(
        ingest: Ingest, store: UsageStore, tmp_path: Path, with_data: dict[str, object]) -> None:
    """200 MB of one field with no line end, gzipped to 200 kB: the header was read whole and
    then refused by the csv module with a traceback (field larger than field limit); the probe
    of issue 14."""
    path = tmp_path / "bomb.csv.gz"
    path.write_bytes(gzip.compress(b"a" * 200_000_000, compresslevel=1))
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}: header" and "longer than" in error.message
    path = tmp_path / "field.csv"  # one field over the csv module's limit, under ours
    path.write_text('"' + "a" * 3000 + "\n")
    assert refused(ingest, store, with_data, path).where == f"{path}: header"


def test_a_byte_order_mark_is_not_part_of_the_header(ingest: Ingest, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text(GOOD).encode())
    assert ingest(path).summary()["ingested"] == 1


def test_a_file_that_is_not_cloudtrail_is_refused(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                                  with_data: dict[str, object]) -> None:
    for content in ('{"records": []}', "[1, 2]", "account_id,timestamp\n"):
        path = tmp_path / "trail.json"
        path.write_text(content)
        error = refused(ingest, store, with_data, path)
        assert error.where == str(path) and "not a CloudTrail log" in error.message
    path.write_text(json.dumps({"Records": [{"eventSource": "rekognition.amazonaws.com",
                                             "eventName": "SearchFaces", "eventTime": "2026-11-03T10:00:00",
                                             "awsRegion": "us-east-1",
                                             "userIdentity": {"accountId": "123456789012"}}]}))
    error = refused(ingest, store, with_data, path)
    assert error.where == f"{path}:1: eventTime" and "no time zone" in error.message


def test_missing_files_and_unknown_formats_are_refused(ingest: Ingest, store: UsageStore, tmp_path: Path,
                                                       with_data: dict[str, object]) -> None:
    with pytest.raises(NotFoundError):
        ingest(tmp_path / "absent.csv")
    odd = tmp_path / "usage.txt"
    odd.write_text("x")
    assert "--format" in refused(ingest, store, with_data, odd).message
    assert "is a directory" in refused(ingest, store, with_data, tmp_path).message
    assert stored_state(store) == with_data


def test_quarantine_writes_rejected_rows_aside_and_ingests_the_rest(
        ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path], tmp_path: Path,
        with_data: dict[str, object]) -> None:
    path = write_csv("mixed.csv", [
        ("a1", "2026-11-03T10:00:00Z", "vision", "face.search", 1, "us-east-1", "m1"),
        ("a1", "2026-11-03T10:00:00", "vision", "face.search", 1, "us-east-1", "m2"),
        ("a1", "2026-11-03T10:00:00Z", "vision", "face.search", -1, "us-east-1", "m3"),
        ("a2", "2026-11-04T10:00:00Z", "compute", "compute.instance", 60, "eu-west-1", "m4"),
    ])
    with path.open("a") as handle:
        handle.write("a3,2026-11-03T10:00:00Z\n")
    result = ingest(path, quarantine=tmp_path / "aside")
    assert result.summary() == {"ingested": 2, "duplicates": 0, "rejected": 3}
    aside = result.files[0].quarantine_file
    assert aside is not None and aside.parent == tmp_path / "aside"
    lines = [json.loads(line) for line in aside.read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in lines] == [(3, "timestamp"), (4, "units"), (6, "row")]
    assert lines[1]["row"]["units"] == "-1" and lines[0]["file"] == str(path)
    assert len(store.all_paths()) == len(with_data["files"]) + 2  # type: ignore[arg-type]


def test_leftovers_of_an_interrupted_ingest_are_never_read_and_are_cleared(
        ingest: Ingest, store: UsageStore, write_csv: Callable[..., Path],
        with_data: dict[str, object]) -> None:
    stray = store.data_dir / "day=2026-11-03" / "part-crashed-0.parquet"
    stray.write_bytes(b"PAR1 half written")
    (store.staging_dir / "crashed").mkdir(parents=True)
    assert stray.relative_to(store.data_dir).as_posix() not in store.all_paths()
    ingest(write_csv("next.csv", [(*GOOD[0][:6], "r5")]))
    assert not stray.exists() and not (store.staging_dir / "crashed").exists()
