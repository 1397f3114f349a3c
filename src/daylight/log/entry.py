"""The shape of the entries Daylight's own layers append: a type, a time and a payload.

``{"type": "registry.classification", "time": "2026-11-23T10:00:00Z", "payload": {...}}`` as
canonical JSON. Types are dotted, lowercase, and name the fact (not the action that produced
it); a correction is a new entry whose payload names the index of the entry it corrects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daylight.core.canonical import canonical_json
from daylight.core.clock import utc_text
from daylight.core.errors import EntryTooLargeError, InputError
from daylight.log.tiles import MAX_ENTRY_BYTES

_TYPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")


def encode_entry(value: dict[str, Any], *, where: str | None = None) -> bytes:
    """The canonical bytes of a JSON object entry; refuses entries the log cannot hold."""
    data = canonical_json(value, where=where)
    if len(data) > MAX_ENTRY_BYTES:
        raise EntryTooLargeError(
            f"entry is {len(data)} bytes of canonical JSON, more than {MAX_ENTRY_BYTES}",
            where=where,
        )
    return data


@dataclass(frozen=True)
class LogEntry:
    """One fact for the log."""

    type: str
    time: datetime
    payload: dict[str, Any]

    def __post_init__(self) -> None:
        if not _TYPE.fullmatch(self.type):
            raise InputError(f"entry type `{self.type}` must be dotted lowercase, e.g. `registry.match`")
        if self.time.tzinfo is None:
            raise InputError("entry time must carry a time zone")

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "time": utc_text(self.time), "payload": self.payload}

    def encode(self) -> bytes:
        """The canonical JSON bytes the log stores."""
        return encode_entry(self.to_json(), where=f"{self.type} entry")

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> LogEntry:
        try:
            time = datetime.fromisoformat(str(value["time"]).replace("Z", "+00:00"))
            return cls(str(value["type"]), time, dict(value["payload"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"not a Daylight log entry: {exc}") from exc
