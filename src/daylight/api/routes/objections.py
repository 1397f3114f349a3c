"""Employees' objections, their signatures and resolution, and standing refusals
(``flows/object.py``).

The employee is the token's subject (``caller.subject``), never a field of the body; it leaves
the service only as a commitment (in receipts and the log) and a sealed box."""

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
from daylight.flows.object import (
    ObjectionRequest,
    RefusalRequest,
    ResolutionRequest,
    SignatureRequest,
    file_objection,
    list_objections,
    record_refusal,
    resolve_objection,
    show_objection,
    sign_objection,
)
from daylight.policy.catalog import default_catalog
from daylight.voice.objection import Objection, default_threshold

router = APIRouter(tags=["objections"], responses=ERROR_RESPONSES)


class ObjectionIn(BaseModel):
    """What is objected to (`KIND:ID`), why, and optionally the signatures that open a review
    (default: the `objection_threshold` setting)."""

    model_config = ConfigDict(extra="forbid")

    about: str
    statement: str
    threshold: int | None = None


class ReceiptOut(BaseModel):
    """A signer's receipt: the commitment, its salt and a `tlog-proof` that the log holds it."""

    objection_id: str
    commitment: str
    salt: str
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]
    tlog_proof: str


class FiledOut(BaseModel):
    objection_id: str
    receipt: ReceiptOut


class ObjectionOut(BaseModel):
    """An objection as the public sees it: counts, status and outcome, no signer."""

    objection_id: str
    about: str
    statement: str
    signatures: int
    threshold: int
    status: str
    filed_at: str
    log_index: int
    review_opened_at: str | None = None
    outcome: str | None = None
    rationale: str | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None


def _out(objection: Objection) -> ObjectionOut:
    return ObjectionOut.model_validate(objection.to_json())


@router.post("/v1/objections", summary="File an objection")
def post_objection(body: ObjectionIn, home: HomeDep, caller: CallerDep) -> FiledOut:
    """Store and log an objection with the caller's signature (the first); the caller's
    receipt."""
    settings = home.settings
    filed = file_objection(
        home.database(), home.log(writable=True), default_catalog(), home.voice_keys(),
        ObjectionRequest(identity_of(caller), body.about, body.statement, body.threshold),
        default_threshold(settings.objection_threshold, settings.employee_count), utc_now())
    return FiledOut.model_validate(filed.to_json())


@router.get("/v1/objections", summary="List objections")
def get_objections(home: HomeDep, paging: PagingDep) -> Page[ObjectionOut]:
    """Every objection, oldest first (in the order filed)."""
    return paging.page(list_objections(home.database(), paging.window),
                       lambda o: o.objection_id, _out)


@router.get("/v1/objections/{objection_id}", summary="One objection")
def get_objection(objection_id: str, home: HomeDep) -> ObjectionOut:
    return _out(show_objection(home.database(), objection_id))


@router.post("/v1/objections/{objection_id}/signatures", summary="Co-sign an objection")
def post_signature(objection_id: str, home: HomeDep, caller: CallerDep) -> ReceiptOut:
    """Add the caller's signature (once per employee); the caller's receipt."""
    receipt = sign_objection(home.database(), home.log(writable=True), home.voice_keys(),
                             SignatureRequest(objection_id, identity_of(caller)), utc_now())
    return ReceiptOut.model_validate(receipt.to_json())


class ResolutionIn(BaseModel):
    """The outcome of an objection's review and why."""

    model_config = ConfigDict(extra="forbid")

    outcome: str
    rationale: str


@router.post("/v1/objections/{objection_id}/resolution", summary="Resolve an objection")
def post_resolution(objection_id: str, body: ResolutionIn, home: HomeDep,
                    caller: CallerDep) -> ObjectionOut:
    """Record and log the outcome of an objection under review (not by one of its signers)."""
    resolved = resolve_objection(home.database(), home.log(writable=True), home.voice_keys(),
                                 ResolutionRequest(objection_id, identity_of(caller),
                                                   body.outcome, body.rationale), utc_now())
    return _out(resolved)


class RefusalIn(BaseModel):
    """What the caller refuses to work on (`KIND:ID`) and, optionally, why (sealed)."""

    model_config = ConfigDict(extra="forbid")

    about: str
    statement: str | None = None


class RefusalOut(BaseModel):
    refusal_id: str
    about: str
    refusals: int


@router.post("/v1/refusals", summary="Record a standing refusal")
def post_refusal(body: RefusalIn, home: HomeDep, caller: CallerDep) -> RefusalOut:
    """Record the caller's standing refusal: counted, never named."""
    recorded = record_refusal(home.database(), home.log(writable=True), default_catalog(),
                              home.voice_keys(),
                              RefusalRequest(identity_of(caller), body.about, body.statement),
                              utc_now())
    return RefusalOut.model_validate(recorded.to_json())


