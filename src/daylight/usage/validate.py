"""Validate a batch of raw rows against the usage schema and convert it to ``stored_schema()``.

Checks run column-wise with Arrow compute kernels (millions of rows per second); only rows that
fail are looked at one by one, to say which line, which field and why. Each rejected row is
reported once, for the first field (in schema order) that fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from daylight.core.errors import InputError
from daylight.core.identifier import ACCOUNT_ID_PATTERN, ACCOUNT_ID_RULE
from daylight.usage.schema import STORED_COLUMNS, Operations, RawBatch, Rejection, stored_schema

if TYPE_CHECKING:
    import pyarrow as pa

ACCOUNT_ID = ACCOUNT_ID_PATTERN
REGION = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
REQUEST_ID = r"^[\x21-\x7e]{1,256}$"
RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$"
ZONELESS = r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?$"
WHOLE_NUMBER = r"^\d{1,18}$"
EXAMPLE_TIME = "2026-11-03T10:00:00Z"
FIRST_YEAR, LAST_YEAR = 1, 9999
_EARLIEST = datetime(FIRST_YEAR, 1, 1, tzinfo=UTC)
_LATEST = datetime(LAST_YEAR, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)

Explain = Callable[[Any], str]


def is_text(data_type: pa.DataType) -> bool:
    """A string column (dictionary-encoded ones are decoded when read)."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up

    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def _all_false(n: int) -> pa.ChunkedArray:
    import pyarrow as pa  # heavy: loaded where used, not at start-up

    return pa.chunked_array([pa.repeat(False, n)], pa.bool_())


def _fails(array: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    """True where a value is null or does not match ``pattern``."""
    import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

    return pc.fill_null(pc.invert(pc.match_substring_regex(array, pattern)), True)


def _explain_timestamp(value: Any) -> str:
    if value is None:
        return f"missing timestamp: expected RFC 3339 with a time zone, e.g. `{EXAMPLE_TIME}`"
    if re.fullmatch(r"[+-]?\d{5,}-.*", str(value)):
        return (f"timestamp `{value}` is beyond the year {LAST_YEAR}: expected RFC 3339, "
                f"e.g. `{EXAMPLE_TIME}`")
    if re.fullmatch(ZONELESS, str(value)):
        return (f"timestamp `{value}` has no time zone: expected RFC 3339 with `Z` or an offset, "
                f"e.g. `{EXAMPLE_TIME}`")
    return f"timestamp `{value}` is not an RFC 3339 date-time, e.g. `{EXAMPLE_TIME}`"


def _explain_units(value: Any) -> str:
    if value is None or value == "":
        return "missing units: expected a whole number of zero or more"
    text = str(value)
    if text.startswith("-"):
        return f"negative units `{value}`: expected a whole number of zero or more"
    if re.fullmatch(r"\d+", text):
        return f"units `{value}` is too large: at most 18 digits"
    return f"units `{value}` is not a whole number of zero or more"


class BatchValidator:
    """Validates batches of one source file against the schema and the catalog's operations."""

    def __init__(self, source: str, operations: Operations) -> None:
        import pyarrow as pa  # heavy: loaded where used, not at start-up

        self.source = source
        self.operations = operations
        self._op_ids = pa.array(sorted(operations), pa.string())
        self._op_services = pa.array([operations[o] for o in sorted(operations)], pa.string())

    def validate(self, batch: RawBatch) -> tuple[pa.Table, list[Rejection]]:
        """The batch's valid rows in ``stored_schema()`` and a rejection for every other row."""
        import pyarrow as pa  # heavy: loaded where used, not at start-up
        import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

        table = batch.table
        n = table.num_rows
        checks: list[tuple[str, pa.ChunkedArray, Explain]] = []
        converted: dict[str, pa.ChunkedArray] = {}

        account = table["account_id"]
        checks.append(("account_id", _fails(account, ACCOUNT_ID), lambda v: (
            "missing account_id" if v in (None, "") else
            f"account_id `{v}` is not an id: expected {ACCOUNT_ID_RULE}")))
        converted["account_id"] = account

        timestamp_bad, converted["timestamp"] = self._timestamps(table["timestamp"])
        checks.append(("timestamp", timestamp_bad, _explain_timestamp))

        service, operation = table["service"], table["operation"]
        known = pc.fill_null(pc.is_in(operation, value_set=self._op_ids), False)
        checks.append(("operation", pc.invert(known), lambda v: (
            "missing operation" if v in (None, "") else
            f"unknown operation `{v}`: not in the service catalog")))
        expected_service = pc.take(self._op_services, pc.index_in(operation, value_set=self._op_ids))
        service_ok = pc.fill_null(pc.equal(service, expected_service), False)
        checks.append(("service", pc.and_(known, pc.invert(service_ok)), lambda v: (
            "missing service" if v in (None, "") else
            f"service `{v}` does not match the catalog's service for this operation")))
        converted["service"], converted["operation"] = service, operation

        units_bad, converted["units"] = self._units(table["units"])
        checks.append(("units", units_bad, _explain_units))

        region = table["region"]
        checks.append(("region", _fails(region, REGION), lambda v: (
            "missing region" if v in (None, "") else
            f"region `{v}` must be letters, digits, `-` or `_` (at most 64)")))
        converted["region"] = region

        request_bad, converted["request_id"] = self._request_ids(table, n)
        checks.append(("request_id", request_bad,
                       lambda v: f"request_id `{v}` must be at most 256 printable characters"))
        synthetic_bad, converted["synthetic"] = self._synthetic(table, n)
        checks.append(("synthetic", synthetic_bad,
                       lambda v: f"synthetic `{v}` must be `true` or `false`"))

        any_bad = _all_false(n)
        for _, bad, _ in checks:
            any_bad = pc.or_(any_bad, bad)
        rejections = list(batch.rejections)
        if n and pc.any(any_bad).as_py():
            rejections.extend(self._rejections(table, batch, checks, any_bad))
        keep = pc.invert(any_bad)
        valid = pa.table({name: pc.filter(converted[name], keep) for name in STORED_COLUMNS})
        return valid.cast(stored_schema()), rejections

    def _timestamps(self, column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        import pyarrow as pa  # heavy: loaded where used, not at start-up
        import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

        if pa.types.is_timestamp(column.type):
            if column.type.tz is None:
                raise InputError("column `timestamp` holds timestamps without a time zone: "
                                 "expected UTC or zone-aware timestamps", where=f"{self.source}: timestamp")
            try:
                cast = pc.cast(column, options=pc.CastOptions(pa.timestamp("us", "UTC"),
                                                              allow_time_truncate=True))
            except pa.ArrowInvalid as exc:  # seconds or milliseconds too large for microseconds
                raise InputError(f"column `timestamp` holds a time beyond the years {FIRST_YEAR}"
                                 f"-{LAST_YEAR}: {exc}", where=f"{self.source}: timestamp") from exc
            # RFC 3339 has four-digit years; Python's dates end at 9999 too
            kind = pa.timestamp("us", "UTC")
            in_range = pc.and_(pc.greater_equal(cast, pa.scalar(_EARLIEST, kind)),
                               pc.less_equal(cast, pa.scalar(_LATEST, kind)))
            return pc.fill_null(pc.invert(in_range), True), cast
        if not is_text(column.type):
            raise InputError(f"column `timestamp` has type {column.type}: expected RFC 3339 strings "
                             "or zone-aware timestamps", where=f"{self.source}: timestamp")
        bad = _fails(column, RFC3339)
        text = pc.if_else(bad, pa.scalar(None, pa.string()), column)
        if pc.any(pc.match_substring_regex(text, "[tz]")).as_py():
            text = pc.utf8_upper(text)
        if pc.any(pc.match_substring_regex(text, r"\.\d{7}")).as_py():
            text = pc.replace_substring_regex(text, r"(\.\d{6})\d+", r"\1")
        try:
            return bad, pc.cast(text, pa.timestamp("us", "UTC"))
        except pa.ArrowInvalid:
            pass  # an impossible date such as Feb 30 among well-formed ones: find it row by row
        values = text.to_pylist()
        parsed: list[datetime | None] = []
        for value in values:
            try:
                parsed.append(None if value is None else datetime.fromisoformat(value))
            except ValueError:
                parsed.append(None)
        cast = pa.chunked_array([pa.array(parsed, pa.timestamp("us", "UTC"))])
        return pc.or_(bad, pc.is_null(cast)), cast

    def _units(self, column: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        import pyarrow as pa  # heavy: loaded where used, not at start-up
        import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

        if is_text(column.type):
            bad = _fails(column, WHOLE_NUMBER)
            return bad, pc.cast(pc.if_else(bad, pa.scalar(None, pa.string()), column), pa.int64())
        if pa.types.is_integer(column.type):
            if pa.types.is_uint64(column.type):
                too_big = pc.greater(column, pa.scalar(2**63 - 1, pa.uint64()))
                column = pc.if_else(pc.fill_null(too_big, False), pa.scalar(None, pa.uint64()), column)
            as_int = pc.cast(column, pa.int64())
            bad = pc.fill_null(pc.less(as_int, 0), True)
            return bad, as_int
        raise InputError(f"column `units` has type {column.type}: expected whole numbers (integers)",
                         where=f"{self.source}: units")

    def _request_ids(self, table: pa.Table, n: int) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        import pyarrow as pa  # heavy: loaded where used, not at start-up
        import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

        if "request_id" not in table.column_names:
            nulls = pa.chunked_array([pa.nulls(n, pa.string())])
            return _all_false(n), nulls
        column = table["request_id"]
        if not is_text(column.type):
            raise InputError(f"column `request_id` has type {column.type}: expected strings",
                             where=f"{self.source}: request_id")
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)
        bad = pc.and_(pc.is_valid(column), _fails(column, REQUEST_ID))
        return pc.fill_null(bad, False), column

    def _synthetic(self, table: pa.Table, n: int) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
        import pyarrow as pa  # heavy: loaded where used, not at start-up
        import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

        if "synthetic" not in table.column_names:
            return _all_false(n), _all_false(n)
        column = table["synthetic"]
        if pa.types.is_boolean(column.type):
            return _all_false(n), pc.fill_null(column, False)
        if not is_text(column.type):
            raise InputError(f"column `synthetic` has type {column.type}: expected true or false",
                             where=f"{self.source}: synthetic")
        lowered = pc.utf8_lower(pc.fill_null(column, ""))
        is_true = pc.equal(lowered, "true")
        bad = pc.invert(pc.is_in(lowered, value_set=pa.array(["true", "false", ""])))
        return bad, is_true

    def _rejections(self, table: pa.Table, batch: RawBatch,
                    checks: list[tuple[str, pa.ChunkedArray, Explain]],
                    any_bad: pa.ChunkedArray) -> list[Rejection]:
        import pyarrow as pa  # heavy: loaded where used, not at start-up
        import pyarrow.compute as pc  # heavy: loaded where used, not at start-up

        indices = pc.indices_nonzero(any_bad).to_pylist()
        picked = table.take(indices)
        raw_rows = pa.table({name: pc.cast(picked[name], pa.string()) for name in picked.column_names})
        bad_rows = {name: pc.take(bad, indices).to_pylist() for name, bad, _ in checks}
        rows = raw_rows.to_pylist()
        names = batch.field_names or {}
        out = []
        for position, index in enumerate(indices):
            if not any(rows[position].get(name) for name in STORED_COLUMNS):
                out.append(Rejection(self.source, batch.lines.of(index), "row",
                                     "empty row (a blank line?): expected the usage schema's "
                                     "values", rows[position]))
                continue
            for name, _, explain in checks:
                if bad_rows[name][position]:
                    value = rows[position].get(name)
                    out.append(Rejection(self.source, batch.lines.of(index), names.get(name, name),
                                         explain(value), rows[position]))
                    break
        return out
