"""Corrections of published classifications: filed, reviewed, listed (``flows/correction.py``).
A correction's reviewer is the token's subject, never a body field, and leaves the service only
as their reviewer pseudonym (its log entry, the answers here)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from daylight.api.pagination import Page
from daylight.api.routes.resources import (
    ERROR_RESPONSES,
    CallerDep,
    HomeDep,
    PagingDep,
    identity_of,
)
from daylight.core.clock import utc_now
from daylight.flows.correction import (
    CorrectionFiling,
    CorrectionReview,
    file_correction,
    list_corrections,
    review_correction,
)
from daylight.registry.correction import Correction

router = APIRouter(tags=["corrections"], responses=ERROR_RESPONSES)


class CorrectionIn(BaseModel):
    """A claim that a classification is wrong: about `organization:ID`, with evidence URLs."""

    model_config = ConfigDict(extra="forbid")

    about: str
    claim: str
    evidence: list[str] = []


class CorrectionReviewIn(BaseModel):
    """Accept or reject, why, and (accepting) from which day and for which sectors."""

    model_config = ConfigDict(extra="forbid")

    decision: str
    rationale: str
    effective: str | None = None
    sectors: list[str] = []


class CorrectionOut(BaseModel):
    correction_id: str
    about: str
    claim: str
    evidence: list[str]
    filed_at: str
    filed_log_index: int
    status: str
    reviewer: str | None
    rationale: str | None
    effective: str | None
    sectors: list[str]
    reviewed_at: str | None
    review_log_index: int | None
    superseded: bool


class CorrectionStepOut(CorrectionOut):
    """A correction after a step, with the index of that step's log entry."""

    log_index: int
    accounts_affected: int


def _out(correction: Correction) -> CorrectionOut:
    return CorrectionOut.model_validate(correction.to_json())


@router.post("/v1/corrections", summary="File a correction")
def post_correction(body: CorrectionIn, home: HomeDep) -> CorrectionStepOut:
    """File a correction about an organisation's classification; logged."""
    result = file_correction(home.database(), home.log(writable=True),
                             CorrectionFiling(body.about, body.claim, tuple(body.evidence)),
                             utc_now())
    return CorrectionStepOut.model_validate(result.to_json())


@router.get("/v1/corrections", summary="List corrections")
def get_corrections(home: HomeDep, paging: PagingDep) -> Page[CorrectionOut]:
    """Every correction, in the order filed (the corrections log the report publishes)."""
    return paging.page(list_corrections(home.database(), paging.window),
                       lambda c: c.correction_id, _out)


@router.post("/v1/corrections/{correction_id}/reviews", summary="Review a correction")
def post_correction_review(correction_id: str, body: CorrectionReviewIn, home: HomeDep,
                           caller: CallerDep) -> CorrectionStepOut:
    """Accept or reject a filed correction (once); logged."""
    result = review_correction(home.database(), home.log(writable=True), CorrectionReview(
        correction_id, identity_of(caller), body.decision, body.rationale, body.effective,
        tuple(body.sectors)), utc_now())
    return CorrectionStepOut.model_validate(result.to_json())
