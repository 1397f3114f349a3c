"""Corrections of published classifications: file one, review it, list them.

Each step is one transaction with its log entry: ``registry.correction`` when filed (the claim,
evidence URLs and the organisation it is about), ``registry.correction_review`` when reviewed
(decision, reviewer, rationale, effective date, sectors, and the index of the filing entry it
decides). The reviewer is logged, stored and shown only as their reviewer pseudonym
(``reviewer-…``, ``VoiceStore.reviewer_pseudonym``: the one their declaration reviews and
objection resolutions carry), never their identity or a token id. Review entries logged before
pseudonyms were used keep the reviewer they were logged with (the log is append-only).

An accepted correction overrides the classification of every account resolved to the
organisation from its effective date, until a newer reference build is loaded; the policy gate
sees the change on its next refresh (corrections are part of the registry's fingerprint).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daylight.core import entry_types
from daylight.core.clock import utc_text
from daylight.core.database import Database
from daylight.core.errors import InputError, NotFoundError
from daylight.core.keyset import ALL, Window
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.registry.correction import (
    ACCEPTED,
    DECISIONS,
    Correction,
    CorrectionStore,
    check_date,
    check_sectors,
    check_text,
    check_url,
    new_correction_id,
    parse_about,
)
from daylight.registry.store import RegistryStore
from daylight.voice.identity import canonical_identity
from daylight.voice.store import VoiceStore

FILED_ENTRY = entry_types.REGISTRY_CORRECTION
REVIEW_ENTRY = entry_types.REGISTRY_CORRECTION_REVIEW


@dataclass(frozen=True)
class CorrectionFiling:
    """What ``correction file`` asks."""

    about: str
    claim: str
    evidence: Sequence[str] = ()


@dataclass(frozen=True)
class CorrectionReview:
    """What ``correction review`` asks. ``effective``: the day the override starts (default: the
    review's day); ``sectors``: the sectors it removes (default: every supported sector)."""

    correction_id: str
    reviewer: str  # the reviewer's identity: logged and stored only as their pseudonym
    decision: str
    rationale: str
    effective: str | None = None
    sectors: Sequence[str] = ()


@dataclass(frozen=True)
class CorrectionResult:
    """A correction after a step, with the log index of that step's entry."""

    correction: Correction
    log_index: int
    accounts: int = 0

    def to_json(self) -> dict[str, Any]:
        return {**self.correction.to_json(), "log_index": self.log_index,
                "accounts_affected": self.accounts}


def file_correction(database: Database, log: TransparencyLog, filing: CorrectionFiling,
                    now: datetime) -> CorrectionResult:
    """File a correction about an organisation; logged and stored in one transaction."""
    organization_id = parse_about(filing.about)
    claim = check_text(filing.claim, "--claim")
    evidence = tuple(check_url(u) for u in filing.evidence)
    with database.transaction() as tx:
        if RegistryStore(tx).organization(organization_id) is None:
            raise NotFoundError(f"no organisation `{organization_id}`", where="--about")
        correction_id = new_correction_id()
        payload = {"correction_id": correction_id, "about": f"organization:{organization_id}",
                   "claim": claim, "evidence": list(evidence)}
        index = log.sequence_in(tx, [LogEntry(FILED_ENTRY, now, payload).encode()])
        correction = Correction(correction_id, organization_id, claim, evidence, utc_text(now), index)
        CorrectionStore(tx).add(correction)
    log.integrate()
    return CorrectionResult(correction, index)


def review_correction(database: Database, log: TransparencyLog, review: CorrectionReview,
                      now: datetime) -> CorrectionResult:
    """Accept or reject a filed correction with a rationale; a correction is reviewed once."""
    status = DECISIONS.get(review.decision)
    if status is None:
        raise InputError(f"`{review.decision}` is not accept or reject", where="--decision")
    identity = canonical_identity(review.reviewer, where="--by")
    rationale = check_text(review.rationale, "--rationale")
    effective = check_date(review.effective, "--from") if review.effective else now.date().isoformat()
    sectors = check_sectors(review.sectors)
    with database.transaction() as tx:
        store = CorrectionStore(tx)
        tx.lock("registry_correction")
        filed = store.get(review.correction_id)
        voice = VoiceStore(tx)
        voice.lock()
        reviewer = voice.reviewer_pseudonym(identity)
        accounts = 0
        if status == ACCEPTED:
            accounts = store.resolved_accounts(filed.organization_id)
        payload = {"correction_id": filed.correction_id, "decides": filed.filed_log_index,
                   "about": f"organization:{filed.organization_id}", "decision": status,
                   "reviewer": reviewer, "rationale": rationale,
                   "effective": effective if status == ACCEPTED else None,
                   "sectors": list(sectors) if status == ACCEPTED else [],
                   "accounts_affected": accounts}
        index = log.sequence_in(tx, [LogEntry(REVIEW_ENTRY, now, payload).encode()])
        reviewed = Correction(
            filed.correction_id, filed.organization_id, filed.claim, filed.evidence,
            filed.filed_at, filed.filed_log_index, status, reviewer, rationale,
            effective if status == ACCEPTED else "", sectors if status == ACCEPTED else (),
            utc_text(now), index)
        store.review(reviewed)
    log.integrate()
    return CorrectionResult(reviewed, index, accounts)


def list_corrections(database: Database, window: Window = ALL) -> list[Correction]:
    """The corrections of ``window`` (default: all), in the order filed (the corrections log
    the report publishes)."""
    with database.transaction(write=False) as tx:
        return CorrectionStore(tx).all(window)
