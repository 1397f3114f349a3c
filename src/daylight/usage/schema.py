"""Daylight's usage schema: the columns a metering record has, as read and as stored.

A record is one metered use of an operation: ``account_id``, ``timestamp`` (RFC 3339 with a time
zone), ``service``, ``operation`` (a catalog operation id), ``units`` (a non-negative whole number
in the operation's metering unit), ``region`` and, optionally, ``request_id`` (deduplication key)
and ``synthetic`` (true for generated data). Stored rows are Parquet with ``stored_schema()``,
timestamps in UTC at microsecond precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

REQUIRED_COLUMNS: tuple[str, ...] = ("account_id", "timestamp", "service", "operation", "units", "region")
OPTIONAL_COLUMNS: tuple[str, ...] = ("request_id", "synthetic")
ALL_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

STORED_COLUMNS: tuple[str, ...] = ALL_COLUMNS
"""The stored columns, in ``stored_schema()``'s order."""


@cache
def stored_schema() -> pa.Schema:
    """The Arrow schema of stored rows (built on first use: pyarrow is heavy to import)."""
    import pyarrow as pa  # heavy: loaded where used, not at start-up

    return pa.schema([
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("timestamp", pa.timestamp("us", "UTC"), nullable=False),
        pa.field("service", pa.string(), nullable=False),
        pa.field("operation", pa.string(), nullable=False),
        pa.field("units", pa.int64(), nullable=False),
        pa.field("region", pa.string(), nullable=False),
        pa.field("request_id", pa.string(), nullable=True),
        pa.field("synthetic", pa.bool_(), nullable=False),
    ])

Operations = dict[str, str]
"""Catalog operation id → service id: the plain data usage needs from the service catalog."""

EventTable = dict[tuple[str, str], str]
"""(CloudTrail ``eventSource``, ``eventName``) → catalog operation id."""


@dataclass(frozen=True)
class Rejection:
    """A row that does not fit the schema: where it is, which field, why, and its raw values."""

    source: str
    line: int
    field: str
    message: str
    row: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}: {self.field}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.source, "line": self.line, "field": self.field,
                "error": self.message, "row": self.row}


@dataclass(frozen=True)
class Lines:
    """Line numbers of the rows of a batch: consecutive from ``first``, or listed explicitly."""

    first: int = 1
    listed: tuple[int, ...] | None = None

    def of(self, index: int) -> int:
        """The line (or row number) of the row at ``index`` in the batch."""
        return self.listed[index] if self.listed is not None else self.first + index


@dataclass(frozen=True)
class RawBatch:
    """Rows as a reader found them, before validation, with rows the reader already refused."""

    table: pa.Table
    lines: Lines
    rejections: tuple[Rejection, ...] = ()
    ignored: int = 0
    field_names: dict[str, str] | None = None
    unmapped: tuple[tuple[str, int], ...] = ()
    """CloudTrail records of cloud account ids no customer account declared: (id, records)."""
    """How the source names the schema's fields (CloudTrail: ``eventTime`` for ``timestamp``)."""
