"""Reading usage files: compression, format detection, and one batch reader per format.

Formats: CSV and JSON Lines in Daylight's usage schema, Parquet, and AWS CloudTrail log files
(a JSON object with a ``Records`` array). Gzip and Zstandard inputs are recognised by their magic
bytes and decompressed as they are read (Arrow's codecs, which detect truncated streams).

Every reader yields ``RawBatch``es whose rows carry line numbers (row numbers for Parquet,
record numbers for CloudTrail). Problems with the whole file raise ``InputError`` naming the
file; problems with one row become a ``Rejection`` naming its line and field.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError, NotFoundError
from daylight.usage.schema import ALL_COLUMNS, REQUIRED_COLUMNS, Lines, RawBatch, Rejection
from daylight.usage.validate import is_text

if TYPE_CHECKING:
    import pyarrow as pa

Format = Literal["csv", "jsonl", "parquet", "cloudtrail"]
FORMATS: tuple[str, ...] = ("csv", "jsonl", "parquet", "cloudtrail")
BATCH_ROWS = 1 << 18

_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet",
             ".json": "cloudtrail"}


def compression_of(path: Path) -> str | None:
    """``gzip``, ``zstd`` or None, from the file's first bytes; InputError for anything but a
    regular file, found by ``stat`` (which does not wait for a pipe's writer as opening does):
    a file is read more than once (its digest, then its rows)."""
    try:
        mode = path.stat().st_mode  # a directory is refused below, by name
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise InputError("is not a regular file (a pipe, a device or a socket): usage is read "
                             "more than once, so write it to a file first", where=str(path))
        with path.open("rb") as handle:
            head = handle.read(4)
    except FileNotFoundError as exc:
        raise NotFoundError(f"no such file `{path}`") from exc
    except IsADirectoryError as exc:
        raise InputError("is a directory, expected a usage file", where=str(path)) from exc
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    for magic, codec in _MAGIC.items():
        if head.startswith(magic):
            return codec
    return None


def detect_format(path: Path, declared: str = "auto") -> Format:
    """The format named by ``declared``, or (``auto``) by the file name without .gz/.zst."""
    if declared != "auto":
        if declared not in FORMATS:
            raise InputError(f"unknown format `{declared}`; expected auto or one of {list(FORMATS)}",
                             where="--format")
        return declared  # type: ignore[return-value]
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in (".gz", ".zst", ".zstd"):
        suffixes.pop()
    found = _SUFFIXES.get(suffixes[-1]) if suffixes else None
    if found is None:
        raise InputError("cannot tell the format from the file name: pass --format "
                         "csv|jsonl|parquet|cloudtrail", where=str(path))
    return found  # type: ignore[return-value]


def open_stream(path: Path) -> pa.NativeFile:
    """The file's bytes, decompressed if it is gzip or zstd."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up

    return pa.input_stream(str(path), compression=compression_of(path))


def open_buffered(path: Path) -> io.BufferedReader:
    """The file's decompressed bytes, buffered for reading line by line in Python."""
    return io.BufferedReader(open_stream(path), buffer_size=1 << 20)


@contextmanager
def translated_read_errors(path: Path) -> Iterator[None]:
    """Turn decompression and decoding failures into InputError naming the file."""
    try:
        yield
    except (OSError, EOFError) as exc:
        if isinstance(exc, FileNotFoundError):
            raise NotFoundError(f"no such file `{path}`") from exc
        raise InputError(f"truncated or corrupt compressed data: {exc}", where=str(path)) from exc


def check_columns(names: list[str], source: str) -> None:
    """Refuse a header with unknown, repeated or missing columns."""
    for name in names:
        if name not in ALL_COLUMNS:
            raise InputError(f"unknown column `{name}`; expected {list(ALL_COLUMNS)}",
                             where=f"{source}: header")
        if names.count(name) > 1:
            raise InputError(f"column `{name}` appears twice", where=f"{source}: header")
    for name in REQUIRED_COLUMNS:
        if name not in names:
            raise InputError(f"missing column `{name}`", where=f"{source}: header")


# -- CSV ---------------------------------------------------------------------------------------

MAX_HEADER_CHARS = 4096  # every column's name, quoted, is a few hundred characters

def read_csv(path: Path, source: str, batch_rows: int = BATCH_ROWS) -> Iterator[RawBatch]:
    """CSV with a header line. Arrow parses it; if Arrow meets a malformed row, the rest of the
    file is read by Python's csv module, which knows each row's line number."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up
    import pyarrow.csv as pacsv  # heavy: loaded where used, not at start-up

    with translated_read_errors(path), open_stream(path) as stream:
        header = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace",
                                  newline="").readline(MAX_HEADER_CHARS + 1)  # (a BOM is no column)
    if len(header) > MAX_HEADER_CHARS:  # not read whole: it may be a compressed bomb
        raise InputError(f"the header line is longer than {MAX_HEADER_CHARS} characters; "
                         "expected the column names", where=f"{source}: header")
    try:
        names = next(csv.reader([header], strict=True), [])
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", where=f"{source}: header") from exc
    check_columns(names, source)
    done = 0
    read = pacsv.ReadOptions(block_size=max(1 << 20, batch_rows * 64), use_threads=True)
    parse = pacsv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False,
                               invalid_row_handler=lambda row: "error")
    convert = pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    with translated_read_errors(path), open_stream(path) as stream:
        try:
            reader = pacsv.open_csv(stream, read_options=read, parse_options=parse,
                                    convert_options=convert)
            for batch in reader:
                table = pa.Table.from_batches([batch])
                yield RawBatch(table, Lines(first=2 + done))
                done += table.num_rows
            return
        except pa.ArrowInvalid:
            pass  # a malformed row or invalid UTF-8: let Python's csv module say which line
    yield from _read_csv_by_line(path, source, names, skip_rows=done, batch_rows=batch_rows)


def _read_csv_by_line(path: Path, source: str, names: list[str], *, skip_rows: int,
                      batch_rows: int) -> Iterator[RawBatch]:
    with translated_read_errors(path), open_buffered(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
        rows = csv.reader(text, strict=True)
        columns: dict[str, list[str]] = {n: [] for n in names}
        lines: list[int] = []
        rejections: list[Rejection] = []
        try:
            next(rows)
            for _ in range(skip_rows):
                next(rows)
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    break
                except csv.Error as exc:
                    rejections.append(Rejection(source, rows.line_num, "row", f"malformed CSV: {exc}", {}))
                    continue
                line = rows.line_num
                if len(row) != len(names):
                    message = ("empty line" if not row else
                               f"expected {len(names)} fields, found {len(row)}")
                    rejections.append(Rejection(source, line, "row", message, {"text": ",".join(row)}))
                    continue
                for name, value in zip(names, row, strict=True):
                    columns[name].append(value)
                lines.append(line)
                if len(lines) >= batch_rows:
                    yield _string_batch(columns, lines, rejections)
                    columns, lines, rejections = {n: [] for n in names}, [], []
        except UnicodeDecodeError as exc:
            # the decoder reads ahead of the csv module: find the line from the bytes
            raise InputError(f"not UTF-8: {exc.reason}",
                             where=f"{source}:{_first_undecodable_line(path)}") from exc
        if lines or rejections:
            yield _string_batch(columns, lines, rejections)


def _first_undecodable_line(path: Path) -> int:
    """The number of the first line of ``path`` (decompressed) that is not UTF-8."""
    with open_buffered(path) as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 0


def _string_batch(columns: dict[str, list[Any]], lines: list[int],
                  rejections: list[Rejection], ignored: int = 0,
                  field_names: dict[str, str] | None = None) -> RawBatch:
    import pyarrow as pa  # heavy: loaded where used, not at start-up

    table = pa.table({n: pa.array(v, pa.string()) for n, v in columns.items()})
    return RawBatch(table, Lines(listed=tuple(lines)), tuple(rejections), ignored, field_names)


# -- JSON Lines ----------------------------------------------------------------------------------

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "account_id": (str,), "timestamp": (str,), "service": (str,), "operation": (str,),
    "units": (int,), "region": (str,), "request_id": (str, type(None)), "synthetic": (bool,),
}


def read_jsonl(path: Path, source: str, batch_rows: int = BATCH_ROWS) -> Iterator[RawBatch]:
    """One JSON object per line with the schema's fields; types are checked per field."""
    columns: dict[str, list[Any]] = {n: [] for n in ALL_COLUMNS}
    lines: list[int] = []
    rejections: list[Rejection] = []
    with translated_read_errors(path), open_buffered(path) as stream:
        for number, raw in enumerate(stream, start=1):
            rejection, record = _jsonl_record(raw, source, number)
            if rejection is not None:
                rejections.append(rejection)
                continue
            for name in ALL_COLUMNS:
                value = record.get(name)
                columns[name].append(None if value is None else
                                     ("true" if value else "false") if isinstance(value, bool) else
                                     str(value))
            lines.append(number)
            if len(lines) >= batch_rows:
                yield _string_batch(columns, lines, rejections)
                columns, lines, rejections = {n: [] for n in ALL_COLUMNS}, [], []
    if lines or rejections:
        yield _string_batch(columns, lines, rejections)


def _jsonl_record(raw: bytes, source: str, number: int) -> tuple[Rejection | None, dict[str, Any]]:
    text = raw.strip()
    if not text:
        return Rejection(source, number, "line", "empty line: expected one JSON object", {}), {}
    try:
        record = parse_json(text)  # strict: a field given twice is refused, not guessed
    except InputError as exc:
        return Rejection(source, number, "line", exc.message,
                         {"text": text[:200].decode("utf-8", "replace")}), {}
    if not isinstance(record, dict):
        return Rejection(source, number, "line", "expected a JSON object", {"text": str(record)[:200]}), {}
    for name in record:
        if name not in _JSON_TYPES:
            return Rejection(source, number, name, f"unknown field `{name}`", record), {}
    for name, types in _JSON_TYPES.items():
        value = record.get(name)
        if name in REQUIRED_COLUMNS and value is None:
            return Rejection(source, number, name, f"missing field `{name}`", record), {}
        if value is not None and (not isinstance(value, types) or
                                  (bool not in types and isinstance(value, bool))):
            wanted = "a whole number" if name == "units" else " or ".join(
                {"str": "a string", "bool": "true or false", "NoneType": "null"}[t.__name__] for t in types)
            return Rejection(source, number, name,
                             f"{name} is {json.dumps(value)[:60]}: expected {wanted}", record), {}
    return None, record


# -- Parquet -----------------------------------------------------------------------------------

def read_parquet(path: Path, source: str, batch_rows: int = BATCH_ROWS) -> Iterator[RawBatch]:
    """A Parquet file with the schema's columns; types are checked when batches are validated."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up
    import pyarrow.parquet as pq  # heavy: loaded where used, not at start-up

    with translated_read_errors(path):
        if compression_of(path) is None:
            handle: Any = str(path)
        else:
            with open_stream(path) as stream:
                handle = pa.BufferReader(stream.read_buffer())
        try:
            parquet = pq.ParquetFile(handle)
        except pa.ArrowInvalid as exc:
            raise InputError(f"not a Parquet file: {exc}", where=source) from exc
        check_columns(parquet.schema_arrow.names, source)
        target = _parquet_schema(parquet.schema_arrow, source)
        done = 0
        try:
            for batch in parquet.iter_batches(batch_size=batch_rows):
                table = pa.Table.from_batches([batch]).cast(target)
                _verify_utf8(table, source, first=1 + done)
                yield RawBatch(table, Lines(first=1 + done))
                done += batch.num_rows
        except pa.ArrowInvalid as exc:
            raise InputError(f"corrupt Parquet data after row {done}: {exc}", where=source) from exc


def _verify_utf8(table: pa.Table, source: str, *, first: int) -> None:
    """InputError naming the row and column of the first string that is not UTF-8: Parquet
    readers take a string column's bytes as they are, and Arrow checks them only when asked."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up
    import pyarrow.compute as pc
    for name in table.column_names:
        column = table[name]
        if not is_text(column.type):
            continue
        try:
            column.validate(full=True)
        except pa.ArrowInvalid:
            for index, raw in enumerate(pc.cast(column, pa.large_binary()).to_pylist()):
                try:
                    if raw is not None:
                        raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(f"column `{name}` holds bytes that are not UTF-8 at byte "
                                     f"{exc.start}", where=f"{source}:{first + index}: {name}"
                                     ) from exc
            raise InputError(f"column `{name}` is not valid UTF-8", where=f"{source}: {name}"
                             ) from None


def _parquet_schema(schema: pa.Schema, source: str) -> pa.Schema:
    """The schema batches are read as: dictionary-encoded strings decoded, every column's type
    checked (strings, an integer ``units``, a boolean ``synthetic``, a ``timestamp`` of strings
    or timestamps); InputError naming the first column of another type."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up

    fields = []
    for item in schema:
        data_type = item.type
        if pa.types.is_dictionary(data_type):
            data_type = data_type.value_type
        if pa.types.is_null(data_type) and item.name in ("request_id", "synthetic"):
            # an optional column with no value at all (pandas writes all-None so)
            data_type = pa.bool_() if item.name == "synthetic" else pa.string()
        if item.name == "units":
            ok, wanted = pa.types.is_integer(data_type), "whole numbers (an integer type)"
        elif item.name == "synthetic":
            ok, wanted = pa.types.is_boolean(data_type), "booleans"
        elif item.name == "timestamp":
            ok = is_text(data_type) or pa.types.is_timestamp(data_type)
            wanted = "RFC 3339 strings or zone-aware timestamps"
        else:
            ok, wanted = is_text(data_type), "strings"
        if not ok:
            raise InputError(f"column `{item.name}` has type {item.type}: expected {wanted}",
                             where=f"{source}: {item.name}")
        fields.append(pa.field(item.name, data_type))
    return pa.schema(fields)


# -- CloudTrail --------------------------------------------------------------------------------

CLOUDTRAIL_FIELDS = {"account_id": "userIdentity.accountId", "timestamp": "eventTime",
                     "region": "awsRegion", "request_id": "requestID"}


def read_cloudtrail(path: Path, source: str, events: dict[tuple[str, str], str],
                    operations: dict[str, str],
                    cloud_accounts: Mapping[str, str] | None = None) -> Iterator[RawBatch]:
    """An AWS CloudTrail log file. Records whose event the catalog does not map, failed calls
    (``errorCode``) and calls made by AWS services themselves are not customer usage: they are
    counted as ignored. With ``cloud_accounts`` (cloud account id → customer account id) a
    record's ``userIdentity.accountId`` is mapped to its customer account, and a record of an
    id nobody declared is not ingested: it is counted as unmapped, by id. The "line" of a record
    is its position in ``Records`` (from 1)."""
    with translated_read_errors(path), open_stream(path) as stream:
        data = stream.read()
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not a CloudTrail log: invalid JSON ({exc})", where=source) from exc
    records = document.get("Records") if isinstance(document, dict) else None
    if not isinstance(records, list):
        raise InputError("not a CloudTrail log: expected a JSON object with a `Records` array",
                         where=source)
    columns: dict[str, list[Any]] = {n: [] for n in ("account_id", "timestamp", "service",
                                                      "operation", "units", "region", "request_id")}
    lines: list[int] = []
    rejections: list[Rejection] = []
    ignored = 0
    unmapped: Counter[str] = Counter()
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            rejections.append(Rejection(source, number, "record", "expected a JSON object",
                                        {"text": json.dumps(record)[:200]}))
            continue
        key = (record.get("eventSource"), record.get("eventName"))
        if not all(isinstance(k, str) for k in key):
            rejections.append(Rejection(source, number, "eventSource", "missing eventSource or eventName",
                                        _short(record)))
            continue
        operation = events.get(key)  # type: ignore[arg-type]
        identity = record.get("userIdentity")
        identity = identity if isinstance(identity, dict) else {}
        if operation is None or "errorCode" in record or identity.get("type") == "AWSService":
            ignored += 1
            continue
        values = {"account_id": identity.get("accountId"), "timestamp": record.get("eventTime"),
                  "region": record.get("awsRegion"),
                  "request_id": record.get("requestID") or record.get("eventID")}
        wrong = next((n for n, v in values.items() if v is not None and not isinstance(v, str)), None)
        if wrong is not None:
            rejections.append(Rejection(source, number, CLOUDTRAIL_FIELDS[wrong],
                                        "expected a string", _short(record)))
            continue
        if cloud_accounts is not None and isinstance(values["account_id"], str):
            customer = cloud_accounts.get(values["account_id"])
            if customer is None:
                unmapped[values["account_id"]] += 1
                continue
            values["account_id"] = customer
        for name, value in values.items():
            columns[name].append(value)
        columns["service"].append(operations[operation])
        columns["operation"].append(operation)
        columns["units"].append("1")
        lines.append(number)
    batch = _string_batch(columns, lines, rejections, ignored, CLOUDTRAIL_FIELDS)
    yield replace(batch, unmapped=tuple(sorted(unmapped.items())))


def _short(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in ("eventTime", "eventSource", "eventName", "awsRegion",
                                       "requestID", "userIdentity") if k in record}

