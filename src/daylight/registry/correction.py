"""Corrections: anyone may challenge a published classification; a reviewer accepts or rejects it.

A correction is filed about an organisation (``organization:ID``) with a claim and evidence URLs,
and gets an id. A reviewer decides it with a rationale. An accepted correction overrides the
classification from its effective date (``Override``: the organisation is not classified as
supporting the named sectors, or any sector if none are named), with the rationale as its reason,
until a reference build loaded after the acceptance supersedes it (the new build is then the
registry's word, and a correction still needed is filed again). Filing and review are each one
log entry (``registry.correction``, ``registry.correction_review``) written in the same
transaction as the row; nothing is ever rewritten but the review columns, once.

This module owns the ``registry_correction`` table.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from daylight.core.database import Transaction
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.core.keyset import ALL, Window, keyset_rows
from daylight.core.text import check_printable_text
from daylight.core.urls import http_url
from daylight.registry.classification import SUPPORTED_SECTORS
from daylight.registry.support import Override

FILED, ACCEPTED, REJECTED = "filed", "accepted", "rejected"
DECISIONS = {"accept": ACCEPTED, "reject": REJECTED}
ABOUT_PREFIX = "organization:"
MAX_TEXT = 4000

_COLUMNS = ("correction_id", "organization_id", "claim", "evidence", "filed_at", "filed_log_index",
            "status", "reviewer", "rationale", "effective", "sectors", "reviewed_at",
            "review_log_index")


@dataclass(frozen=True)
class Correction:
    """A filed correction and, once reviewed, its outcome."""

    correction_id: str
    organization_id: str
    claim: str
    evidence: tuple[str, ...]
    filed_at: str
    filed_log_index: int
    status: str = FILED
    reviewer: str = ""
    rationale: str = ""
    effective: str = ""
    sectors: tuple[str, ...] = ()
    reviewed_at: str = ""
    review_log_index: int | None = None
    superseded: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"correction_id": self.correction_id,
                "about": ABOUT_PREFIX + self.organization_id, "claim": self.claim,
                "evidence": list(self.evidence), "filed_at": self.filed_at,
                "filed_log_index": self.filed_log_index, "status": self.status,
                "reviewer": self.reviewer or None, "rationale": self.rationale or None,
                "effective": self.effective or None, "sectors": list(self.sectors),
                "reviewed_at": self.reviewed_at or None,
                "review_log_index": self.review_log_index, "superseded": self.superseded}

    def override(self) -> Override:
        return Override(self.correction_id, self.organization_id, self.effective, self.sectors,
                        self.rationale)


def parse_about(about: str) -> str:
    """The organisation id of ``organization:ID``."""
    if not about.startswith(ABOUT_PREFIX) or not about[len(ABOUT_PREFIX):].strip():
        raise InputError(f"`{about}` is not `organization:ID`", where="--about")
    return about[len(ABOUT_PREFIX):].strip()


def check_text(value: str, where: str) -> str:
    """A non-empty, bounded, one-paragraph text."""
    text = value.strip()
    if not text or len(text) > MAX_TEXT:
        raise InputError(f"expected 1 to {MAX_TEXT} characters", where=where)
    check_printable_text(text, where)
    return text


def check_url(value: str) -> str:
    """An http(s) URL with a host, printable, without credentials (it is published as a link)."""
    text = value.strip()
    http_url(text, where="--evidence")
    return text


def check_sectors(values: Sequence[str]) -> tuple[str, ...]:
    for value in values:
        if value not in SUPPORTED_SECTORS:
            raise InputError(f"`{value}` is not one of {', '.join(SUPPORTED_SECTORS)}", where="--sector")
    return tuple(sorted(set(values)))


def check_date(value: str, where: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise InputError(f"`{value}` is not a date (YYYY-MM-DD)", where=where) from exc


def new_correction_id() -> str:
    return "corr-" + uuid.uuid4().hex[:16]


def _row(row: Sequence[Any], superseded: bool = False) -> Correction:
    return Correction(row[0], row[1], row[2], tuple(json.loads(row[3])), row[4], int(row[5]),
                      row[6], row[7] or "", row[8] or "", row[9] or "",
                      tuple(json.loads(row[10])) if row[10] else (), row[11] or "",
                      int(row[12]) if row[12] is not None else None, superseded)


_SUPERSEDED = ("EXISTS (SELECT 1 FROM registry_reference r "
               "WHERE r.log_index > c.review_log_index)")


class CorrectionStore:
    """The corrections table in one open transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def add(self, correction: Correction) -> None:
        self.tx.execute(
            f"INSERT INTO registry_correction ({', '.join(_COLUMNS)}) VALUES "
            f"({', '.join('?' for _ in _COLUMNS)})",
            (correction.correction_id, correction.organization_id, correction.claim,
             json.dumps(list(correction.evidence)), correction.filed_at,
             correction.filed_log_index, FILED, None, None, None, None, None, None))

    def get(self, correction_id: str) -> Correction:
        row = self.tx.query_one(
            f"SELECT {', '.join('c.' + c for c in _COLUMNS)}, CASE WHEN {_SUPERSEDED} THEN 1 "
            "ELSE 0 END FROM registry_correction c WHERE c.correction_id = ?", (correction_id,))
        if row is None:
            raise NotFoundError(f"no correction `{correction_id}`")
        return _row(row, bool(row[13]))

    def review(self, correction: Correction) -> None:
        updated = self.tx.query(
            "UPDATE registry_correction SET status = ?, reviewer = ?, rationale = ?, effective = ?, "
            "sectors = ?, reviewed_at = ?, review_log_index = ? WHERE correction_id = ? "
            "AND status = ? RETURNING correction_id",
            (correction.status, correction.reviewer, correction.rationale, correction.effective,
             json.dumps(list(correction.sectors)), correction.reviewed_at,
             correction.review_log_index, correction.correction_id, FILED))
        if not updated:
            raise ConflictError(f"correction `{correction.correction_id}` was already reviewed")

    def all(self, window: Window = ALL) -> list[Correction]:
        """The corrections of ``window``, in the order filed."""
        rows = keyset_rows(
            self.tx, columns=f"{', '.join('c.' + c for c in _COLUMNS)}, CASE WHEN {_SUPERSEDED} "
            "THEN 1 ELSE 0 END", table="registry_correction c", id_column="c.correction_id",
            order="c.filed_log_index", window=window)
        return [_row(r, bool(r[13])) for r in rows]

    def resolved_accounts(self, organization_id: str) -> int:
        """How many accounts are resolved (accepted or judged) to the organisation."""
        row = self.tx.query_one("SELECT COUNT(*) FROM registry_resolution WHERE organization_id = ? "
                                "AND status IN ('accepted', 'judged')", (organization_id,))
        return int(row[0]) if row else 0

    def fingerprint(self) -> tuple[Any, ...]:
        row = self.tx.query_one("SELECT COUNT(*), MAX(review_log_index) FROM registry_correction")
        return tuple(row or ())


def accepted_overrides(tx: Transaction) -> Mapping[str, list[Override]]:
    """Organisation id → the overrides of its accepted corrections no newer build superseded."""
    rows = tx.query(
        f"SELECT {', '.join('c.' + c for c in _COLUMNS)} FROM registry_correction c "
        f"WHERE c.status = ? AND NOT {_SUPERSEDED} ORDER BY c.review_log_index", (ACCEPTED,))
    out: dict[str, list[Override]] = {}
    for row in rows:
        correction = _row(row)
        out.setdefault(correction.organization_id, []).append(correction.override())
    return out
