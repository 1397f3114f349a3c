"""Customers' declarations of use and their reviews (``flows/declare.py``).

A customer declares for, and reads, only its own accounts; a reviewer's identity is the token's
subject (it is logged as a pseudonym), never a field of the body."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from daylight.api.access import Role
from daylight.api.pagination import Page
from daylight.api.routes.resources import (
    ERROR_RESPONSES,
    CallerDep,
    HomeDep,
    PagingDep,
    identity_of,
)
from daylight.core.clock import utc_now
from daylight.core.errors import NotFoundError
from daylight.flows.declare import (
    DeclarationRequest,
    ReviewRequest,
    declare,
    list_declarations,
    review_declaration,
    show_declaration,
)
from daylight.policy.catalog import default_catalog
from daylight.voice.reads import DeclarationRecord

router = APIRouter(tags=["declarations"], responses=ERROR_RESPONSES)


class DeclarationIn(BaseModel):
    """A declared use of a capability: the declaration form's fields (docs/voice.md)."""

    model_config = ConfigDict(extra="forbid")

    account_id: str
    capability: str
    declaration: dict[str, Any]


class Submitted(BaseModel):
    declaration_id: str
    log_index: int


class ReviewOut(BaseModel):
    step: int
    reviewer: str
    decision: str
    rationale: str
    status: str
    reviewed_at: str
    log_index: int


class DeclarationOut(BaseModel):
    """A declaration, its status now and its reviews (reviewers by pseudonym)."""

    declaration_id: str
    account_id: str
    capability: str
    purpose: str
    status: str
    approvals: int
    approvals_required: int
    expires: str
    submitted_at: str
    log_index: int
    fields: dict[str, Any]
    reviews: list[ReviewOut]


def _out(record: DeclarationRecord) -> DeclarationOut:
    return DeclarationOut.model_validate(record.to_json())


@router.post("/v1/declarations", summary="Declare a use of a capability")
def post_declaration(body: DeclarationIn, home: HomeDep, caller: CallerDep) -> Submitted:
    """Store and log a declaration (status `submitted`)."""
    caller.verify_may_see_account(body.account_id)
    document = json.dumps(body.declaration).encode()
    submitted = declare(home.database(), home.log(writable=True), default_catalog(),
                        DeclarationRequest(body.account_id, body.capability, document,
                                           source="declaration"), utc_now())
    return Submitted(declaration_id=submitted.declaration_id, log_index=submitted.log_index)


@router.get("/v1/declarations", summary="List declarations")
def get_declarations(home: HomeDep, caller: CallerDep, paging: PagingDep,
                     account_id: Annotated[str | None, Query()] = None,
                     status: Annotated[str | None, Query()] = None) -> Page[DeclarationOut]:
    """Declarations (of an account, with a status now) the caller may see, oldest first (in
    the order filed)."""
    records = list_declarations(home.database(), utc_now(), account_id=account_id, status=status,
                                accounts=caller.accounts if caller.role == Role.CUSTOMER else None,
                                window=paging.window)
    return paging.page(records, lambda r: r.declaration.declaration_id, _out)


@router.get("/v1/declarations/{declaration_id}", summary="One declaration")
def get_declaration(declaration_id: str, home: HomeDep, caller: CallerDep) -> DeclarationOut:
    """A declaration as it reads now, with its reviews."""
    record = show_declaration(home.database(), declaration_id, utc_now())
    if not caller.may_see_account(record.declaration.account_id):
        raise NotFoundError(f"no declaration `{declaration_id}`")
    return _out(record)


class DeclarationReviewIn(BaseModel):
    """One reviewer's decision: approve, reject, request_changes or revoke."""

    model_config = ConfigDict(extra="forbid")

    decision: str
    rationale: str


@router.post("/v1/declarations/{declaration_id}/reviews", summary="Review a declaration")
def post_declaration_review(declaration_id: str, body: DeclarationReviewIn, home: HomeDep,
                            caller: CallerDep) -> DeclarationOut:
    """Record one review step by the caller and log it; the declaration after it."""
    record = review_declaration(home.database(), home.log(writable=True), ReviewRequest(
        declaration_id, identity_of(caller), body.decision, body.rationale), utc_now())
    return _out(record)
