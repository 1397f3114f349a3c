"""The demo world's voice: SYNTHETIC declarations reviewed under the shipped rules, employees'
objections (one reaching its threshold and resolved, one still open) and standing refusals, so
that the gate and the report have declared uses, objections and refusals to show.

Every person here is invented: reviewers and employees are `synthetic-…@provider.invalid`
addresses, and every statement and rationale starts with SYNTHETIC.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from daylight.core.database import Database
from daylight.flows.declare import DeclarationRequest, ReviewRequest, declare, review_declaration
from daylight.flows.object import (
    ObjectionRequest,
    RefusalRequest,
    ResolutionRequest,
    SignatureRequest,
    file_objection,
    record_refusal,
    resolve_objection,
    sign_objection,
)
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.entities import AccountFacts, read_account_facts
from daylight.voice.privacy import VoiceKeys

REVIEWERS = ("synthetic-reviewer-1@provider.invalid", "synthetic-reviewer-2@provider.invalid",
             "synthetic-ombudsperson@provider.invalid")


def _employee(n: int) -> str:
    return f"synthetic-employee-{n}@provider.invalid"


@dataclass(frozen=True)
class VoiceDemo:
    """What the demo's voice step did."""

    declarations: dict[str, str]  # declaration id → status
    objections: dict[str, str]  # objection id → status
    refusals: int

    def to_json(self) -> dict[str, Any]:
        return {"declarations": self.declarations, "objections": self.objections,
                "refusals": self.refusals}


def _first(facts: list[AccountFacts], sector: str, supported: bool = False) -> AccountFacts | None:
    return next((f for f in facts if f.sector == sector and bool(f.supports) == supported), None)


def voice_demo(database: Database, log: TransparencyLog, catalog: Catalog, keys: VoiceKeys,
               now: datetime) -> VoiceDemo:
    """Add the demo's SYNTHETIC declarations, objections and refusals."""
    facts = read_account_facts(database)
    expires = (now + timedelta(days=365)).date().isoformat()
    sensitive = {"contact_role": "SYNTHETIC data protection officer",
                 "legal_basis": "SYNTHETIC: consent of the people enrolled",
                 "deployment": {"real_time": False, "public_space": False},
                 "affected_people": ["SYNTHETIC: customers who opt in"],
                 "human_oversight": "SYNTHETIC: a person confirms every match",
                 "impact_assessment": {"done": True, "date": now.date().isoformat()}}
    declarations: dict[str, str] = {}
    customer = _first(facts, "commercial") or _first(facts, "unknown")  # an ordinary customer
    plans = [(customer, "biometric_verification", "identity_verification",
              ("approve", "approve")),
             (_first(facts, "law_enforcement"), "biometric_identification",
              "criminal_investigation", ("reject",))]
    for account, capability, purpose, decisions in plans:
        if account is None:
            continue
        document = json.dumps({"purpose": purpose, "expires": expires, **sensitive}).encode()
        declaration_id = declare(database, log, catalog, DeclarationRequest(
            account.account_id, capability, document, "SYNTHETIC-demo-declaration.json"),
            now).declaration_id
        for reviewer, decision in zip(REVIEWERS, decisions, strict=False):
            status = review_declaration(database, log, ReviewRequest(
                declaration_id, reviewer, decision,
                f"SYNTHETIC: demo review ({decision})"), now).status
        declarations[declaration_id] = status

    objections: dict[str, str] = {}
    # a contractor's account, or one screening holds for review whose candidate is a contractor
    # (a company's name with its subsidiaries' in the reference often is)
    contractor = _first(facts, "commercial", supported=True) or next(
        (f for f in facts if f.sector == "unknown" and f.candidate_supports), None)
    subjects = [f"account:{contractor.account_id}"] if contractor else []
    subjects.append("capability:real_time_remote_biometric_identification")
    for number, about in enumerate(subjects):
        signers = 3 if number == 0 else 2
        filed = file_objection(database, log, catalog, keys, ObjectionRequest(
            _employee(10 * number), about, "SYNTHETIC: we object to this use of what we build",
            3), 3, now)
        for n in range(1, signers):
            sign_objection(database, log, keys, SignatureRequest(filed.objection_id,
                                                                 _employee(10 * number + n)), now)
        status = "open" if signers < 3 else resolve_objection(database, log, keys, ResolutionRequest(
            filed.objection_id, REVIEWERS[2], "SYNTHETIC: the account's contract is under review",
            "SYNTHETIC: demo resolution"), now).status
        objections[filed.objection_id] = status
    refusals = 0
    for n in range(2):
        record_refusal(database, log, catalog, keys, RefusalRequest(
            _employee(100 + n), "capability:biometric_identification"), now)
        refusals += 1
    return VoiceDemo(declarations, objections, refusals)
