"""Typed reads of the voice layer for the layers above (the report): objections with their
counts, status and outcome; declarations with their reviews; refusal counts. None of them
carries an employee's identity, and reviewers appear by pseudonym."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daylight.core.clock import utc_text
from daylight.core.database import Database
from daylight.voice.declaration import Declaration, Review, approvals
from daylight.voice.objection import Objection, Subject
from daylight.voice.store import VoiceStore


@dataclass(frozen=True)
class DeclarationRecord:
    """A declaration, its status at the time of reading, and its reviews."""

    declaration: Declaration
    status: str
    reviews: tuple[Review, ...]

    @property
    def approvals(self) -> int:
        return approvals(self.reviews)

    def to_json(self) -> dict[str, Any]:
        d = self.declaration
        return {"declaration_id": d.declaration_id, "account_id": d.account_id,
                "capability": d.capability, "purpose": d.purpose, "status": self.status,
                "approvals": self.approvals, "approvals_required": d.approvals_required,
                "expires": utc_text(d.expires_at), "submitted_at": d.submitted_at,
                "log_index": d.log_index, "fields": dict(d.fields),
                "reviews": [r.to_json() for r in self.reviews]}


@dataclass(frozen=True)
class RefusalCount:
    """How many employees refuse to work on one subject."""

    about: Subject
    refusals: int
    first_recorded_at: str
    last_recorded_at: str

    def to_json(self) -> dict[str, Any]:
        return {"about": self.about.to_text(), "refusals": self.refusals,
                "first_recorded_at": self.first_recorded_at,
                "last_recorded_at": self.last_recorded_at}


def read_objections(database: Database) -> list[Objection]:
    """Every objection (counts, status, outcome; no signer), oldest first."""
    with database.transaction(write=False) as tx:
        return VoiceStore(tx).objections()


def read_declarations(database: Database, now: datetime) -> list[DeclarationRecord]:
    """Every declaration with its reviews and its status at ``now``, oldest first."""
    with database.transaction(write=False) as tx:
        store = VoiceStore(tx)
        declarations = store.declarations()
        reviews = store.all_reviews()
    return [DeclarationRecord(d, d.status_at(now), tuple(reviews.get(d.declaration_id, ())))
            for d in declarations]


def read_refusal_counts(database: Database) -> list[RefusalCount]:
    """Refusals per subject (never who refused)."""
    with database.transaction(write=False) as tx:
        return [RefusalCount(about, count, first, last)
                for about, count, first, last in VoiceStore(tx).refusal_counts()]
