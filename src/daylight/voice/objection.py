"""Employees' objections and standing refusals: what they are about, their statements, the
threshold at which an objection's review becomes mandatory.

An objection is about one thing, written ``KIND:ID``: an ``account``, an ``organization``, a
``declaration``, a ``capability`` or a ``policy``. Its statement is published as written (at
most ``MAX_STATEMENT_CHARS``). Status: ``open`` → ``review`` when its signatures reach the
threshold → ``resolved`` with an outcome and a rationale. An objection is never deleted.

The threshold setting is a whole number of signatures (``25``) or a share of the employees the
provider registered (``2%`` of ``employee_count``, rounded up, at least 1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from daylight.core.errors import ConfigError, InputError
from daylight.core.text import is_printable_text

KINDS = ("account", "organization", "declaration", "capability", "policy")
MAX_STATEMENT_CHARS = 4000
MAX_ABOUT_ID_CHARS = 200
MAX_THRESHOLD = 1_000_000

OPEN = "open"
REVIEW = "review"
RESOLVED = "resolved"



@dataclass(frozen=True)
class Subject:
    """What an objection or a refusal is about."""

    kind: str
    id: str

    def to_text(self) -> str:
        return f"{self.kind}:{self.id}"

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "id": self.id}

    @classmethod
    def from_text(cls, text: str, *, where: str = "--about") -> Subject:
        """Parse ``KIND:ID``; InputError naming ``where`` otherwise."""
        kind, colon, ident = text.partition(":") if isinstance(text, str) else ("", "", "")
        if not colon or kind not in KINDS:
            raise InputError(f"`{text}` is not `KIND:ID` with KIND one of {', '.join(KINDS)}",
                             where=where)
        if not ident or ident != ident.strip() or len(ident) > MAX_ABOUT_ID_CHARS \
                or not ident.isprintable():
            raise InputError(f"expected an id of 1 to {MAX_ABOUT_ID_CHARS} printable characters "
                             "after `KIND:`", where=where)
        return cls(kind, ident)


def check_statement(text: str | None, *, where: str = "--statement", required: bool = True) -> str:
    """A statement: up to ``MAX_STATEMENT_CHARS`` printable characters (new lines allowed)."""
    stripped = (text or "").strip()
    if not stripped:
        if required:
            raise InputError("expected a statement saying what is objected to and why", where=where)
        return ""
    if len(stripped) > MAX_STATEMENT_CHARS:
        raise InputError(f"a statement is at most {MAX_STATEMENT_CHARS} characters, this one "
                         f"has {len(stripped)}", where=where)
    if not is_printable_text(stripped):
        raise InputError("a statement may not contain control characters", where=where)
    return stripped


def check_threshold(value: int, *, where: str = "--threshold") -> int:
    """A per-objection threshold: 1 to ``MAX_THRESHOLD`` signatures."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_THRESHOLD:
        raise InputError(f"expected a number of signatures from 1 to {MAX_THRESHOLD}", where=where)
    return value


def default_threshold(setting: str, employee_count: int | None) -> int:
    """The number of signatures the ``objection_threshold`` setting (already checked by the
    settings table) asks for."""
    if not setting.endswith("%"):
        return check_threshold(int(setting), where="objection_threshold")
    if employee_count is None:
        raise ConfigError(f"objection_threshold `{setting}` is a share of the employees, but "
                          "employee_count is not set")
    return max(1, math.ceil(employee_count * float(setting[:-1]) / 100))


@dataclass(frozen=True)
class Objection:
    """An objection as the public sees it: counts, never a signer."""

    objection_id: str
    about: Subject
    statement: str
    threshold: int
    signatures: int
    status: str
    filed_at: str
    log_index: int
    review_opened_at: str | None = None
    outcome: str | None = None
    rationale: str | None = None
    resolved_by: str | None = None  # the resolving reviewer's pseudonym
    resolved_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The shape `daylight objection show` prints (no employee identity in it)."""
        value: dict[str, Any] = {
            "objection_id": self.objection_id, "about": self.about.to_text(),
            "statement": self.statement, "signatures": self.signatures,
            "threshold": self.threshold, "status": self.status, "filed_at": self.filed_at,
            "log_index": self.log_index}
        if self.review_opened_at is not None:
            value["review_opened_at"] = self.review_opened_at
        if self.status == RESOLVED:
            value |= {"outcome": self.outcome, "rationale": self.rationale,
                      "resolved_by": self.resolved_by, "resolved_at": self.resolved_at}
        return value
