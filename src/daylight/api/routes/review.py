"""The screening review queue and a reviewer's judgement (``flows/review.py``). The reviewer is
the token's subject, logged as their pseudonym, never a field of the body."""

from __future__ import annotations

from typing import Any

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
from daylight.flows.review import ReviewItem, judge, review_queue

router = APIRouter(tags=["review"], responses=ERROR_RESPONSES)


class ReviewItemOut(BaseModel):
    """An account waiting for a person: the candidate organisation and why (the `daylight review
    list` shape)."""

    account: dict[str, Any] | None
    candidate: dict[str, Any] | None
    score: float
    features: dict[str, Any]
    runner_up: Any = None
    margin_logit: float | None = None
    agency_evidence: list[Any] = []
    provisional: Any = None


def _key(item: ReviewItem) -> str:
    return item.resolution.account_id


@router.get("/v1/review", summary="The screening review queue")
def list_review(home: HomeDep, paging: PagingDep) -> Page[ReviewItemOut]:
    """Accounts whose match is uncertain, waiting for a reviewer, in account id order."""
    return paging.page(review_queue(home.database(), paging.window), _key,
                       lambda i: ReviewItemOut.model_validate(i.to_json()))


class JudgementIn(BaseModel):
    """A reviewer's verdict on an account's candidate organisation."""

    model_config = ConfigDict(extra="forbid")

    organization_id: str
    verdict: str
    note: str


class JudgementOut(BaseModel):
    """The logged judgement and the account's status after it."""

    account_id: str
    organization_id: str
    verdict: str
    note: str
    reviewer: str | None
    log_index: int
    status: str
    organization: str | None


@router.post("/v1/review/{account_id}/judgements", summary="Judge an account's match")
def post_judgement(account_id: str, body: JudgementIn, home: HomeDep,
                   caller: CallerDep) -> JudgementOut:
    """Record that the account is (`same`), is not (`different`) or may be (`unsure`) the
    organisation, by the caller (logged as their reviewer pseudonym); the account is resolved
    again at once."""
    record = judge(home.database(), home.log(writable=True), account_id, body.organization_id,
                   body.verdict, body.note, reviewer=identity_of(caller), clock=utc_now)
    return JudgementOut.model_validate(record.to_json())
