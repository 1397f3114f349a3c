"""Declare: a customer declares its use of a capability; reviewers approve, reject, ask for
changes or revoke; the policy gate reads the approved, unexpired declarations.

One function per future HTTP route:

- ``declare``              POST /v1/declarations
- ``review_declaration``   POST /v1/declarations/{declaration_id}/reviews
- ``show_declaration``     GET  /v1/declarations/{declaration_id}
- ``list_declarations``    GET  /v1/declarations?account_id=&status=

Each write is one transaction with its log entry (``voice.declaration``,
``voice.declaration_review``); nothing is written when a check fails. Reviewers appear in the
log and in every view by a pseudonym (``reviewer-…``), never by their identity.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daylight.core import entry_types
from daylight.core.clock import utc_text
from daylight.core.database import Database, Transaction
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.core.keyset import ALL, Window
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.entities import ApprovedDeclaration, Declarations
from daylight.policy.gate import DeclarationsSource
from daylight.registry.resolution import RESOLVED
from daylight.registry.store import RegistryStore
from daylight.voice.declaration import (
    APPROVE,
    APPROVED,
    DECISIONS,
    EXPIRED,
    STATUSES,
    SUBMITTED,
    Declaration,
    Review,
    approvals,
    check_rationale,
    next_status,
    parse_declaration,
)
from daylight.voice.identity import canonical_identity, identity_domain, same_organisation_domain
from daylight.voice.reads import DeclarationRecord
from daylight.voice.store import VoiceStore, new_id


@dataclass(frozen=True)
class DeclarationRequest:
    """A customer's declaration: the account, the capability and the declaration file's bytes
    (``source`` names the file in errors)."""

    account_id: str
    capability: str
    document: bytes
    source: str = "DECL.json"


@dataclass(frozen=True)
class ReviewRequest:
    """One reviewer's decision on a declaration."""

    declaration_id: str
    reviewer: str
    decision: str
    rationale: str


@dataclass(frozen=True)
class Submitted:
    """A stored declaration's id and the index of its log entry."""

    declaration_id: str
    log_index: int

    def to_json(self) -> dict[str, Any]:
        return {"declaration_id": self.declaration_id}


def declare(database: Database, log: TransparencyLog, catalog: Catalog,
            request: DeclarationRequest, now: datetime) -> Submitted:
    """Store and log a declaration (status ``submitted``)."""
    capability = catalog.capabilities.get(request.capability)
    if capability is None:
        raise NotFoundError(f"unknown capability `{request.capability}`: not in the service "
                            "catalog", where="--capability")
    form = parse_declaration(request.document, where=request.source,
                             purposes=list(catalog.purposes), sensitive=capability.sensitive,
                             now=now)
    required = 2 if capability.sensitive else 1
    with database.transaction() as tx:
        if RegistryStore(tx).account(request.account_id) is None:
            raise NotFoundError(f"no account `{request.account_id}` in the registry",
                                where="--account")
        store = VoiceStore(tx)
        store.lock()
        declaration_id = new_id("decl")
        payload = {"declaration_id": declaration_id, "account_id": request.account_id,
                   "capability": capability.id, "approvals_required": required,
                   "declaration": form.to_json()}
        entry = LogEntry(entry_types.VOICE_DECLARATION, now, payload)
        index = log.sequence_in(tx, [entry.encode()])
        store.add_declaration(Declaration(
            declaration_id, request.account_id, capability.id, form.purpose, form.to_json(),
            required, SUBMITTED, form.expires, utc_text(now), index))
    log.integrate()
    return Submitted(declaration_id, index)


def _account_domains(tx: Transaction, account_id: str) -> list[str]:
    """The account's email domains and its organisation's web domains (if it is resolved)."""
    registry = RegistryStore(tx)
    account = registry.account(account_id)
    domains = list(account.email_domains) if account else []
    resolution = registry.resolution(account_id)
    if resolution is not None and resolution.status in RESOLVED and resolution.organization_id:
        organization = registry.organization(resolution.organization_id)
        if organization is not None:
            domains += organization.identifiers.get("domain", ())
    return domains


def review_declaration(database: Database, log: TransparencyLog, request: ReviewRequest,
                       now: datetime) -> DeclarationRecord:
    """Record one review step and log it; the declaration's view after it."""
    if request.decision not in DECISIONS:
        raise InputError(f"decision `{request.decision}` must be one of {', '.join(DECISIONS)}",
                         where="--decision")
    reviewer = canonical_identity(request.reviewer, where="--by")
    domain = identity_domain(reviewer, where="--by")
    rationale = check_rationale(request.rationale)
    with database.transaction() as tx:
        store = VoiceStore(tx)
        store.lock()
        declaration = store.declaration(request.declaration_id)
        if declaration is None:
            raise NotFoundError(f"no declaration `{request.declaration_id}`")
        if request.decision == APPROVE:
            own = [d for d in _account_domains(tx, declaration.account_id)
                   if same_organisation_domain(domain, d)]
            if own:
                raise ConflictError(f"a reviewer may not approve a declaration of their own "
                                    f"organisation's account (the reviewer's domain `{domain}` "
                                    f"is the account's `{own[0]}`)", where="--by")
        reviews = store.reviews(declaration.declaration_id)
        pseudonym = store.reviewer_pseudonym(reviewer)
        status = next_status(declaration, reviews, request.decision, pseudonym, now)
        step = len(reviews) + 1
        payload = {"declaration_id": declaration.declaration_id, "step": step,
                   "reviewer": pseudonym, "decision": request.decision, "rationale": rationale,
                   "status": status,
                   "approvals": approvals(reviews) + (request.decision == APPROVE)}
        entry = LogEntry(entry_types.VOICE_DECLARATION_REVIEW, now, payload)
        index = log.sequence_in(tx, [entry.encode()])
        review = Review(step, pseudonym, request.decision, rationale, status, utc_text(now), index)
        store.add_review(declaration.declaration_id, review)
        if status != declaration.status:
            store.set_declaration_status(declaration.declaration_id, status)
        stored = store.declaration(declaration.declaration_id)
    log.integrate()
    assert stored is not None
    return DeclarationRecord(stored, stored.status_at(now), (*reviews, review))


def show_declaration(database: Database, declaration_id: str, now: datetime) -> DeclarationRecord:
    """A declaration as it reads at ``now``."""
    with database.transaction(write=False) as tx:
        store = VoiceStore(tx)
        declaration = store.declaration(declaration_id)
        if declaration is None:
            raise NotFoundError(f"no declaration `{declaration_id}`")
        reviews = store.reviews(declaration_id)
    return DeclarationRecord(declaration, declaration.status_at(now), tuple(reviews))


def list_declarations(database: Database, now: datetime, *, account_id: str | None = None,
                      status: str | None = None, accounts: Collection[str] | None = None,
                      window: Window = ALL) -> list[DeclarationRecord]:
    """The declarations of ``window`` (default: all), oldest first (in the order filed): of
    ``account_id`` and of ``accounts`` (None: any), with ``status`` at ``now``. A window is
    read by keyset, ``window.limit`` rows at a time until it is full: only a declaration whose
    stored status has since expired is read and passed over."""
    if status is not None and status not in STATUSES:
        raise InputError(f"status `{status}` must be one of {', '.join(STATUSES)}",
                         where="--status")
    account_ids = sorted(accounts) if accounts is not None else None
    if account_id is not None:
        account_ids = [account_id] if account_ids is None or account_id in account_ids else []
    stored = None if status is None else (
        (EXPIRED, SUBMITTED, APPROVED) if status == EXPIRED else (status,))
    found: list[Declaration] = []
    after = window.after
    with database.transaction(write=False) as tx:
        store = VoiceStore(tx)
        while True:
            chunk = store.declaration_page(Window(after, window.limit), account_ids=account_ids,
                                           statuses=stored)
            found += [d for d in chunk if status is None or d.status_at(now) == status]
            if window.limit is None or len(found) >= window.limit or len(chunk) < window.limit:
                break
            after = chunk[-1].declaration_id
        found = found[:window.limit]
        reviews = store.all_reviews([d.declaration_id for d in found])
    return [DeclarationRecord(d, d.status_at(now), tuple(reviews.get(d.declaration_id, ())))
            for d in found]


def approved_declarations(database: Database, now: datetime) -> dict[str, tuple[ApprovedDeclaration, ...]]:
    """What the policy gate reads: each account's approved declarations unexpired at ``now``."""
    with database.transaction(write=False) as tx:
        declarations = VoiceStore(tx).approved_declarations()
    return _by_account(d for d in declarations if d.status_at(now) != EXPIRED)


def _by_account(declarations: Iterable[Declaration]) -> dict[str, tuple[ApprovedDeclaration, ...]]:
    found: dict[str, list[ApprovedDeclaration]] = {}
    for d in declarations:
        found.setdefault(d.account_id, []).append(
            ApprovedDeclaration(d.declaration_id, d.capability, d.purpose, d.registration))
    return {account: tuple(items) for account, items in found.items()}


class _ApprovedDeclarations:
    """The gate's declarations source: re-reads the approved declarations only when a review
    has been recorded since the last read, or when the next expiry among them has come (or the
    clock went back)."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock
        self._marker: tuple[int, int] | None = None
        self._read_at: datetime | None = None
        self._value: Declarations = {}
        self._next_expiry: datetime | None = None

    def __call__(self) -> Declarations:
        now = self.clock()
        with self.database.transaction(write=False) as tx:
            store = VoiceStore(tx)
            marker = store.review_marker()
            if marker == self._marker and self._read_at is not None and self._read_at <= now \
                    and (self._next_expiry is None or now < self._next_expiry):
                return self._value
            approved = [d for d in store.approved_declarations() if d.status_at(now) != EXPIRED]
        self._marker, self._read_at = marker, now
        self._next_expiry = min((d.expires_at for d in approved), default=None)
        self._value = _by_account(approved)
        return self._value


def declarations_source(database: Database, clock: Callable[[], datetime]) -> DeclarationsSource:
    """The gate's ``declarations`` source: approved declarations unexpired at ``clock()``. The
    gate compares what it returns at each refresh, so an approval, a revocation or an expiry
    rebuilds its engine (and drops its cache of decisions). Between reviews and expiries it
    costs one small query."""
    return _ApprovedDeclarations(database, clock)
