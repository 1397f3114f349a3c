"""A customer's declared use of a capability, and its review.

The declaration file (``DECL.json``) holds the fields the EU AI Act's registration (Annex VIII)
and the UK Algorithmic Transparency Recording Standard ask of a deployer (the cross-walk's
table A), as one JSON object. ``purpose`` and ``expires`` are always required; a *sensitive*
capability (the catalog says which) also requires the fields in ``SENSITIVE_REQUIRED``. Unknown
fields, a field given twice, wrong types and over-long texts are refused with the file and the
field named. The contact is a *role* (``"data protection officer"``), never a person: a text
that looks like an address or a telephone number is refused.

Lifecycle::

    submitted ──approve (1, or 2 different reviewers if sensitive)──▶ approved ──revoke──▶ revoked
        │  └──reject──▶ rejected                                        │
        └────needs-changes──▶ needs-changes                              └──(expires)──▶ expired

``expired`` is not a step anyone takes: a declaration whose ``expires`` has passed reads as
expired (its expiry is in the logged submission, so anyone can tell). A reviewer may not
approve a declaration of their own organisation's account, nor approve one twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from daylight.core.canonical import parse_json_object
from daylight.core.clock import utc_text
from daylight.core.errors import ConflictError, InputError
from daylight.core.text import is_printable_text

MAX_FILE_BYTES = 64 * 1024
MAX_TEXT_CHARS = 2000
MAX_SHORT_CHARS = 200
MAX_LIST_ITEMS = 50
MAX_RATIONALE_CHARS = 4000

SUBMITTED = "submitted"
APPROVED = "approved"
REJECTED = "rejected"
NEEDS_CHANGES = "needs-changes"
EXPIRED = "expired"
REVOKED = "revoked"
STATUSES = (SUBMITTED, APPROVED, REJECTED, NEEDS_CHANGES, EXPIRED, REVOKED)

APPROVE = "approve"
REJECT = "reject"
REVOKE = "revoke"
DECISIONS = (APPROVE, REJECT, NEEDS_CHANGES, REVOKE)

FIELDS = ("purpose", "expires", "description", "contact_role", "legal_basis", "deployment",
          "affected_people", "reference_database", "human_oversight", "retention_days",
          "impact_assessment", "authorization_reference", "registration")
REQUIRED = ("purpose", "expires")
SENSITIVE_REQUIRED = ("contact_role", "legal_basis", "deployment", "affected_people",
                      "human_oversight", "impact_assessment")

_PERSONAL = re.compile(r"@|\d[\d\s().+-]{6,}\d")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class DeclarationForm:
    """A validated declaration file: ``fields`` as canonical JSON values, ``expires`` as a time."""

    purpose: str
    expires: datetime
    fields: Mapping[str, Any]

    @property
    def registration(self) -> str:
        """The registration reference (e.g. in the EU database), empty if none."""
        return str(self.fields.get("registration", ""))

    def to_json(self) -> dict[str, Any]:
        return dict(self.fields)


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, message: str) -> InputError:
        return InputError(message, where=f"{self.where}: {key}")

    def text(self, value: Any, key: str, limit: int = MAX_TEXT_CHARS) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "expected a non-empty string")
        if len(value) > limit or not value.isprintable():
            raise self.fail(key, f"expected at most {limit} printable characters on one line")
        return value.strip()

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, "expected true or false")
        return value

    def count(self, value: Any, key: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**53 - 1:
            raise self.fail(key, "expected a whole number of zero or more")
        return value

    def obj(self, value: Any, key: str, allowed: Sequence[str],
            required: Sequence[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key or "(top level)", f"expected an object with {', '.join(allowed)}")
        unknown = sorted(set(value) - set(allowed))
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}" if key else unknown[0],
                            f"unknown field `{unknown[0]}`; expected one of {', '.join(allowed)}")
        missing = [name for name in required if name not in value]
        if missing:
            raise self.fail(f"{key}.{missing[0]}" if key else missing[0],
                            f"missing field `{missing[0]}`")
        return value

    def day(self, value: Any, key: str) -> str:
        text = self.text(value, key, 10)
        try:
            if not _DATE.fullmatch(text):
                raise ValueError(text)
            date.fromisoformat(text)
        except ValueError as exc:
            raise self.fail(key, f"`{text}` is not a date `YYYY-MM-DD`") from exc
        return text


def parse_moment(text: str, *, where: str) -> datetime:
    """``YYYY-MM-DD`` (00:00 UTC that day) or an RFC 3339 date-time with a zone, in UTC."""
    try:
        if _DATE.fullmatch(text):
            return datetime.combine(date.fromisoformat(text), time(0), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"`{text}` is not a date or an RFC 3339 date-time", where=where) from exc
    if moment.tzinfo is None:
        raise InputError(f"`{text}` has no time zone", where=where)
    return moment.astimezone(UTC)


def parse_declaration(data: bytes, *, where: str, purposes: Sequence[str], sensitive: bool,
                      now: datetime) -> DeclarationForm:
    """Validate a declaration file's bytes; InputError naming ``where`` and the field."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"a declaration file is at most {MAX_FILE_BYTES} bytes", where=where)
    read = _Reader(where)
    body = read.obj(parse_json_object(data, where=where), "", FIELDS,
                    REQUIRED + (SENSITIVE_REQUIRED if sensitive else ()))
    fields: dict[str, Any] = {}
    purpose = read.text(body["purpose"], "purpose", MAX_SHORT_CHARS)
    if purpose not in purposes:
        raise read.fail("purpose", f"unknown purpose `{purpose}`; expected one of the catalog's: "
                                   f"{', '.join(sorted(purposes))}")
    fields["purpose"] = purpose
    expires_text = read.text(body["expires"], "expires", 40)
    expires = parse_moment(expires_text, where=f"{where}: expires")
    if expires <= now:
        raise read.fail("expires", f"`{expires_text}` has passed: a declaration must expire in "
                                   "the future")
    fields["expires"] = utc_text(expires)
    for name in ("description", "legal_basis", "human_oversight", "authorization_reference",
                 "registration"):
        if name in body:
            fields[name] = read.text(body[name], name)
    if "contact_role" in body:
        role = read.text(body["contact_role"], "contact_role", MAX_SHORT_CHARS)
        if _PERSONAL.search(role):
            raise read.fail("contact_role", "expected a role (e.g. `data protection officer`), "
                                            "not an address or a telephone number")
        fields["contact_role"] = role
    if "deployment" in body:
        deployment = read.obj(body["deployment"], "deployment", ("real_time", "public_space"),
                              ("real_time", "public_space"))
        fields["deployment"] = {k: read.boolean(deployment[k], f"deployment.{k}")
                                for k in ("real_time", "public_space")}
    if "affected_people" in body:
        people = body["affected_people"]
        if not isinstance(people, list) or not 0 < len(people) <= MAX_LIST_ITEMS:
            raise read.fail("affected_people", f"expected a list of 1 to {MAX_LIST_ITEMS} "
                                               "categories of people")
        fields["affected_people"] = [read.text(p, f"affected_people[{i}]", MAX_SHORT_CHARS)
                                     for i, p in enumerate(people)]
    if "reference_database" in body:
        ref = read.obj(body["reference_database"], "reference_database",
                       ("description", "size"), ("description", "size"))
        fields["reference_database"] = {
            "description": read.text(ref["description"], "reference_database.description"),
            "size": read.count(ref["size"], "reference_database.size")}
    if "retention_days" in body:
        fields["retention_days"] = read.count(body["retention_days"], "retention_days")
    if "impact_assessment" in body:
        assessment = read.obj(body["impact_assessment"], "impact_assessment",
                              ("done", "date", "reference"), ("done",))
        done = read.boolean(assessment["done"], "impact_assessment.done")
        value: dict[str, Any] = {"done": done}
        if done and "date" not in assessment:
            raise read.fail("impact_assessment.date", "missing field `date`: when was it done?")
        if "date" in assessment:
            value["date"] = read.day(assessment["date"], "impact_assessment.date")
        if "reference" in assessment:
            value["reference"] = read.text(assessment["reference"], "impact_assessment.reference")
        fields["impact_assessment"] = value
    return DeclarationForm(purpose, expires, {k: fields[k] for k in FIELDS if k in fields})


def check_rationale(text: str, *, where: str = "--rationale",
                    limit: int = MAX_RATIONALE_CHARS) -> str:
    """A rationale or outcome: 1 to ``limit`` printable characters, new lines and tabs allowed."""
    stripped = text.strip() if isinstance(text, str) else ""
    if not stripped:
        raise InputError("expected a non-empty text saying why", where=where)
    if len(stripped) > limit or not is_printable_text(stripped):
        raise InputError(f"expected at most {limit} printable characters", where=where)
    return stripped


@dataclass(frozen=True)
class Review:
    """One step of a declaration's review."""

    step: int
    reviewer: str  # the reviewer's pseudonym, never their identity
    decision: str
    rationale: str
    status: str  # the declaration's status after this step
    reviewed_at: str
    log_index: int

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "reviewer": self.reviewer, "decision": self.decision,
                "rationale": self.rationale, "status": self.status,
                "reviewed_at": self.reviewed_at, "log_index": self.log_index}


@dataclass(frozen=True)
class Declaration:
    """A stored declaration (``status`` as stored: never ``expired``; see ``status_at``)."""

    declaration_id: str
    account_id: str
    capability: str
    purpose: str
    fields: Mapping[str, Any]
    approvals_required: int
    status: str
    expires_at: datetime
    submitted_at: str
    log_index: int

    @property
    def registration(self) -> str:
        return str(self.fields.get("registration", ""))

    def status_at(self, now: datetime) -> str:
        """The status as it reads at ``now``: a submitted or approved declaration whose expiry
        has passed is ``expired``."""
        if self.status in (SUBMITTED, APPROVED) and now >= self.expires_at:
            return EXPIRED
        return self.status


def approvals(reviews: Sequence[Review]) -> int:
    """How many approvals a declaration has had."""
    return sum(1 for r in reviews if r.decision == APPROVE)


def next_status(declaration: Declaration, reviews: Sequence[Review], decision: str,
                reviewer: str, now: datetime) -> str:
    """The status after ``reviewer`` (a pseudonym) decides ``decision``; ConflictError if the
    declaration cannot take that step now."""
    if decision not in DECISIONS:
        raise InputError(f"decision `{decision}` must be one of {', '.join(DECISIONS)}",
                         where="--decision")
    status = declaration.status_at(now)
    where = declaration.declaration_id
    if decision == REVOKE:
        if status != APPROVED:
            raise ConflictError(f"only an approved declaration can be revoked; this one is {status}",
                                where=where)
        return REVOKED
    if status != SUBMITTED:
        raise ConflictError(f"the declaration is {status}: it takes no further {decision}",
                            where=where)
    if decision != APPROVE:
        return REJECTED if decision == REJECT else NEEDS_CHANGES
    if any(r.decision == APPROVE and r.reviewer == reviewer for r in reviews):
        raise ConflictError("this reviewer has already approved the declaration: a second "
                            "approval must come from a different reviewer", where=where)
    return APPROVED if approvals(reviews) + 1 >= declaration.approvals_required else SUBMITTED
