"""Object: employees file objections, co-sign them, and get receipts; at the threshold a review
opens; a reviewer resolves it. Employees also record standing refusals.

One function per future HTTP route:

- ``file_objection``     POST /v1/objections
- ``sign_objection``     POST /v1/objections/{objection_id}/signatures
- ``show_objection``     GET  /v1/objections/{objection_id}
- ``list_objections``    GET  /v1/objections
- ``resolve_objection``  POST /v1/objections/{objection_id}/resolution
- ``record_refusal``     POST /v1/refusals
- ``unseal_signers``     (the review key holder's, offline: never a route)

Signers are private (see ``daylight.voice.privacy``): the log and every view hold counts and
salted commitments; the database holds keyed tags and sealed boxes. Each write is one
transaction with its log entries; nothing is written when a check fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from daylight.core import entry_types
from daylight.core.canonical import parse_json
from daylight.core.clock import utc_text
from daylight.core.database import Database, Transaction
from daylight.core.errors import ConflictError, NotFoundError, VerificationError
from daylight.core.keyset import ALL, Window
from daylight.core.secret import write_secret
from daylight.log.entry import LogEntry
from daylight.log.note import b64encode_canonical
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.versions import list_versions
from daylight.registry.store import RegistryStore
from daylight.voice.declaration import check_rationale
from daylight.voice.identity import canonical_identity
from daylight.voice.objection import (
    OPEN,
    RESOLVED,
    REVIEW,
    Objection,
    Subject,
    check_statement,
    check_threshold,
)
from daylight.voice.privacy import (
    SealedIdentity,
    VoiceKeys,
    commitment,
    generate_review_key,
    new_salt,
    unseal,
)
from daylight.voice.receipt import Receipt, verify_receipt
from daylight.voice.store import VoiceStore, new_id

_POLICY_ID = re.compile(r'@id\("([^"]+)"\)')


@dataclass(frozen=True)
class ObjectionRequest:
    """An employee's objection (``about`` as ``KIND:ID``; ``threshold`` None: the setting's)."""

    by: str
    about: str
    statement: str
    threshold: int | None = None


@dataclass(frozen=True)
class SignatureRequest:
    objection_id: str
    by: str


@dataclass(frozen=True)
class ResolutionRequest:
    objection_id: str
    by: str
    outcome: str
    rationale: str


@dataclass(frozen=True)
class RefusalRequest:
    by: str
    about: str
    statement: str | None = None


@dataclass(frozen=True)
class Filed:
    """A new objection and its filer's receipt (the filer's signature is the first)."""

    objection_id: str
    receipt: Receipt

    def to_json(self) -> dict[str, Any]:
        return {"objection_id": self.objection_id, "receipt": self.receipt.to_json()}


@dataclass(frozen=True)
class RefusalRecorded:
    """A recorded refusal: how many refusals its subject now has (no one is named)."""

    refusal_id: str
    about: Subject
    refusals: int

    def to_json(self) -> dict[str, Any]:
        return {"refusal_id": self.refusal_id, "about": self.about.to_text(),
                "refusals": self.refusals}


@dataclass(frozen=True)
class SignerRecord:
    """One signature as the review key holder reads it."""

    position: int
    identity: str
    commitment_matches: bool

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "identity": self.identity,
                "commitment_matches": self.commitment_matches}


def _policy_subjects(database: Database) -> set[str]:
    """Policy ids, pack names and version numbers a policy objection may name."""
    names: set[str] = set(shipped_pack_names())
    for name in shipped_pack_names():
        names |= set(_POLICY_ID.findall(load_pack(name).text))
    for version in list_versions(database):
        names.add(str(version.version))
        names |= set(_POLICY_ID.findall(version.policy_text))
        names |= {str(p.get("name")) for p in version.packs}
    return names


def _check_subject(tx: Transaction, catalog: Catalog, about: Subject, policies: set[str]) -> None:
    """NotFoundError unless ``about`` names something Daylight knows (``policies``: what
    ``_policy_subjects`` found, read before the transaction)."""
    registry = RegistryStore(tx)
    found = {
        "account": lambda: registry.account(about.id) is not None,
        "organization": lambda: registry.organization(about.id) is not None,
        "declaration": lambda: VoiceStore(tx).declaration(about.id) is not None,
        "capability": lambda: about.id in catalog.capabilities,
        "policy": lambda: about.id in policies,
    }[about.kind]()
    if not found:
        raise NotFoundError(f"no {about.kind} `{about.id}`", where="--about")


@dataclass(frozen=True)
class _Counted:
    """A signature sequenced in the log, waiting for a checkpoint to prove it."""

    objection_id: str
    commitment: bytes
    salt: bytes
    leaf_index: int
    entry: bytes


def _sign(tx: Transaction, log: TransparencyLog, keys: VoiceKeys, objection: Objection,
          identity: str, now: datetime) -> _Counted:
    """Add ``identity``'s signature to ``objection`` in ``tx`` (and open its review at the
    threshold): stored, sequenced, and not yet proven."""
    store = VoiceStore(tx)
    tag = keys.tag("objection", objection.objection_id, identity)
    if store.has_signature_tag(objection.objection_id, tag):
        raise ConflictError("this employee has already signed this objection (under this or "
                            "another spelling of their identity)", where="--by")
    salt = new_salt()
    committed = commitment("objection", objection.objection_id, identity, salt)
    signatures = objection.signatures + 1
    entry = LogEntry(entry_types.VOICE_OBJECTION_SIGNATURE, now, {
        "objection_id": objection.objection_id, "commitment": b64encode_canonical(committed),
        "signatures": signatures}).encode()
    entries = [entry]
    status, opened = objection.status, objection.review_opened_at
    if status == OPEN and signatures >= objection.threshold:
        status, opened = REVIEW, utc_text(now)
        entries.append(LogEntry(entry_types.VOICE_OBJECTION_REVIEW, now, {
            "objection_id": objection.objection_id, "signatures": signatures,
            "threshold": objection.threshold}).encode())
    index = log.sequence_in(tx, entries)
    sealed = keys.seal(SealedIdentity(objection.objection_id, identity, salt))
    store.add_signature(objection.objection_id, signatures, tag, b64encode_canonical(committed), sealed,
                        utc_text(now), index)
    store.update_objection(replace(objection, signatures=signatures, status=status,
                                   review_opened_at=opened))
    return _Counted(objection.objection_id, committed, salt, index, entry)


def _prove(log: TransparencyLog, counted: _Counted) -> Receipt:
    """Integrate, and the signer's receipt: the commitment, its salt, and the entry's inclusion
    proof against the latest checkpoint."""
    log.integrate()
    checkpoint = log.checkpoint()
    proof = log.inclusion_proof(counted.leaf_index, checkpoint.tree_size)
    return Receipt(counted.objection_id, counted.commitment, counted.salt, counted.leaf_index,
                   checkpoint.tree_size, proof.proof, counted.entry, checkpoint.note)


def file_objection(database: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
                   request: ObjectionRequest, default_threshold: int, now: datetime) -> Filed:
    """Store and log an objection with its filer's signature (the first)."""
    identity = canonical_identity(request.by, where="--by")
    about = Subject.from_text(request.about)
    statement = check_statement(request.statement)
    threshold = check_threshold(request.threshold if request.threshold is not None
                                else default_threshold)
    policies = _policy_subjects(database) if about.kind == "policy" else set()
    with database.transaction() as tx:
        _check_subject(tx, catalog, about, policies)
        store = VoiceStore(tx)
        store.lock()
        objection_id = new_id("obj")
        index = log.sequence_in(tx, [LogEntry(entry_types.VOICE_OBJECTION, now, {
            "objection_id": objection_id, "about": about.to_json(), "statement": statement,
            "threshold": threshold}).encode()])
        objection = Objection(objection_id, about, statement, threshold, 0, OPEN, utc_text(now),
                              index)
        store.add_objection(objection)
        counted = _sign(tx, log, keys, objection, identity, now)
    return Filed(objection_id, _prove(log, counted))


def sign_objection(database: Database, log: TransparencyLog, keys: VoiceKeys,
                   request: SignatureRequest, now: datetime) -> Receipt:
    """Add a signature; the signer's receipt."""
    identity = canonical_identity(request.by, where="--by")
    with database.transaction() as tx:
        store = VoiceStore(tx)
        store.lock()
        objection = store.objection(request.objection_id)
        if objection is None:
            raise NotFoundError(f"no objection `{request.objection_id}`")
        if objection.status == RESOLVED:
            raise ConflictError("the objection is resolved: it takes no more signatures",
                                where=request.objection_id)
        counted = _sign(tx, log, keys, objection, identity, now)
    return _prove(log, counted)


def show_objection(database: Database, objection_id: str) -> Objection:
    """An objection as the public sees it."""
    with database.transaction(write=False) as tx:
        objection = VoiceStore(tx).objection(objection_id)
    if objection is None:
        raise NotFoundError(f"no objection `{objection_id}`")
    return objection


def list_objections(database: Database, window: Window = ALL) -> list[Objection]:
    """The objections of ``window`` (default: all), oldest first (in the order filed)."""
    with database.transaction(write=False) as tx:
        return VoiceStore(tx).objection_page(window)


def resolve_objection(database: Database, log: TransparencyLog, keys: VoiceKeys,
                      request: ResolutionRequest, now: datetime) -> Objection:
    """Record and log the outcome of an objection's review. Only an objection under review
    (its signatures reached the threshold) is resolved, once; a signer may not resolve it."""
    reviewer = canonical_identity(request.by, where="--by")
    outcome = check_rationale(request.outcome, where="--outcome")
    rationale = check_rationale(request.rationale)
    with database.transaction() as tx:
        store = VoiceStore(tx)
        store.lock()
        objection = store.objection(request.objection_id)
        if objection is None:
            raise NotFoundError(f"no objection `{request.objection_id}`")
        if objection.status != REVIEW:
            why = ("it is already resolved" if objection.status == RESOLVED else
                   f"its review has not opened ({objection.signatures} of {objection.threshold} "
                   "signatures)")
            raise ConflictError(f"the objection cannot be resolved: {why}",
                                where=request.objection_id)
        if store.has_signature_tag(objection.objection_id,
                                   keys.tag("objection", objection.objection_id, reviewer)):
            raise ConflictError("a signer of the objection may not resolve it", where="--by")
        pseudonym = store.reviewer_pseudonym(reviewer)
        log.sequence_in(tx, [LogEntry(entry_types.VOICE_OBJECTION_RESOLUTION, now, {
            "objection_id": objection.objection_id, "reviewer": pseudonym, "outcome": outcome,
            "rationale": rationale, "signatures": objection.signatures}).encode()])
        resolved = replace(objection, status=RESOLVED, outcome=outcome, rationale=rationale,
                           resolved_by=pseudonym, resolved_at=utc_text(now))
        store.update_objection(resolved)
    log.integrate()
    return resolved


def record_refusal(database: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
                   request: RefusalRequest, now: datetime) -> RefusalRecorded:
    """Record an employee's standing refusal to work on ``about``: counted, never named. The
    statement, if any, is sealed with the identity (it could say who wrote it)."""
    identity = canonical_identity(request.by, where="--by")
    about = Subject.from_text(request.about)
    statement = check_statement(request.statement, required=False)
    policies = _policy_subjects(database) if about.kind == "policy" else set()
    with database.transaction() as tx:
        _check_subject(tx, catalog, about, policies)
        store = VoiceStore(tx)
        store.lock()
        tag = keys.tag("refusal", about.to_text(), identity)
        if store.has_refusal_tag(tag):
            raise ConflictError(f"this employee has already recorded a refusal about "
                                f"`{about.to_text()}`", where="--by")
        salt = new_salt()
        committed = b64encode_canonical(commitment("refusal", about.to_text(), identity, salt))
        refusals = store.refusal_count(about) + 1
        refusal_id = new_id("ref")
        index = log.sequence_in(tx, [LogEntry(entry_types.VOICE_REFUSAL, now, {
            "about": about.to_json(), "commitment": committed, "refusals": refusals}).encode()])
        sealed = keys.seal(SealedIdentity(refusal_id, identity, salt, statement))
        store.add_refusal(refusal_id, about, tag, committed, sealed, utc_text(now), index)
    log.integrate()
    return RefusalRecorded(refusal_id, about, refusals)


def make_review_key(private_key_file: Path) -> str:
    """Make a review key pair: write the private half to ``private_key_file`` (mode 0600,
    refusing to overwrite) and return the public half (the ``review_key`` setting)."""
    public, private = generate_review_key()
    write_secret(private_key_file, private + "\n")
    return public


def check_receipt(receipt_text: bytes, where: str, identity: str, vkey: str) -> Receipt:
    """Check a receipt offline (``verify_receipt``) for ``identity`` as typed; the receipt."""
    receipt = Receipt.from_json(parse_json(receipt_text, where=where), where=where)
    verify_receipt(receipt, canonical_identity(identity), vkey)
    return receipt


def unseal_signers(database: Database, objection_id: str, private_key: str) -> list[SignerRecord]:
    """Who signed ``objection_id``, for the review key's holder only (``private_key``: base64)."""
    with database.transaction(write=False) as tx:
        if VoiceStore(tx).objection(objection_id) is None:
            raise NotFoundError(f"no objection `{objection_id}`")
        sealed = VoiceStore(tx).sealed_signatures(objection_id)
    records = []
    for position, committed, box in sealed:
        record = unseal(private_key, box)
        if record.record_id != objection_id:
            raise VerificationError(f"signature {position} is sealed for another objection")
        recomputed = commitment("objection", objection_id, record.identity, record.salt)
        records.append(SignerRecord(position, record.identity, b64encode_canonical(recomputed) == committed))
    return records
