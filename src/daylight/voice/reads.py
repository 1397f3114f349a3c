"""Typed reads of the voice layer for the layers above (the report): objections with their
counts, status and outcome; declarations with their reviews; refusal counts. None of them
carries an employee's identity, and reviewers appear by pseudonym."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from daylight.core.clock import utc_text
from daylight.core.database import Database
from daylight.voice.declaration import SUBMITTED, Declaration, Review, approvals
from daylight.voice.objection import OPEN, RESOLVED, REVIEW, Objection, Subject
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


@dataclass(frozen=True)
class VoiceAt:
    """The voice as it stood at a moment: objections filed before it (status and signatures as
    of then), declarations submitted before it (reviews before it), and refusals recorded before
    it. Nothing in it names an employee."""

    objections: tuple[Objection, ...]
    declarations: tuple[DeclarationRecord, ...]
    refusals: tuple[RefusalCount, ...]


def _objection_at(objection: Objection, signatures: int, moment: str) -> Objection:
    resolved = objection.resolved_at is not None and objection.resolved_at < moment
    opened = objection.review_opened_at is not None and objection.review_opened_at < moment
    status = RESOLVED if resolved else REVIEW if opened else OPEN
    return replace(objection, signatures=signatures, status=status,
                   review_opened_at=objection.review_opened_at if opened else None,
                   outcome=objection.outcome if resolved else None,
                   rationale=objection.rationale if resolved else None,
                   resolved_by=objection.resolved_by if resolved else None,
                   resolved_at=objection.resolved_at if resolved else None)


def _declaration_at(declaration: Declaration, reviews: Sequence[Review],
                    moment: datetime) -> DeclarationRecord:
    before = tuple(r for r in reviews if r.reviewed_at < utc_text(moment))
    status = before[-1].status if before else SUBMITTED
    as_stored = replace(declaration, status=status)
    return DeclarationRecord(as_stored, as_stored.status_at(moment), before)


def read_voice_at(database: Database, moment: datetime) -> VoiceAt:
    """The voice as it stood at ``moment`` (for a report: the end of its period)."""
    text = utc_text(moment)
    with database.transaction(write=False) as tx:
        store = VoiceStore(tx)
        objections = [o for o in store.objections() if o.filed_at < text]
        signatures = store.signature_counts(text)
        declarations = [d for d in store.declarations() if d.submitted_at < text]
        reviews = store.all_reviews()
        refusals = store.refusal_counts(before=text)
    return VoiceAt(
        tuple(_objection_at(o, signatures.get(o.objection_id, 0), text) for o in objections),
        tuple(_declaration_at(d, reviews.get(d.declaration_id, ()), moment) for d in declarations),
        tuple(RefusalCount(about, count, first, last) for about, count, first, last in refusals))


def read_refusal_counts(database: Database) -> list[RefusalCount]:
    """Refusals per subject (never who refused)."""
    with database.transaction(write=False) as tx:
        return [RefusalCount(about, count, first, last)
                for about, count, first, last in VoiceStore(tx).refusal_counts()]
