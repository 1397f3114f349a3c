"""What the registry decides about an account: its ``Resolution`` (the screening outcome), the
reviewers' ``Judgement``s that override screening, and its ``Classification`` (its sector and
the sectors it supports, with the paths through the relationship graph)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ACCEPTED, REVIEW, REJECTED = "accepted", "review", "rejected"
"""What screening concludes of an account: taken to be its best candidate, sent to a person,
or matched to no organisation."""
JUDGED = "judged"
"""The status of an account a reviewer judged to be an organisation."""
RESOLVED = (ACCEPTED, JUDGED)
"""The statuses under which an account is taken to be its organisation."""
UNSCREENED = "unscreened"
"""The status shown for an account that has not been screened yet."""
VERDICTS = ("same", "different", "unsure")
"""What a reviewer may say of an (account, organisation) pair."""


@dataclass(frozen=True)
class Resolution:
    """An account's current screening outcome."""

    account_id: str
    status: str
    organization_id: str | None
    score: float | None
    features: dict[str, Any]
    screened_at: str

    @property
    def is_resolved(self) -> bool:
        """True if the account is taken to be ``organization_id``."""
        return self.status in RESOLVED


@dataclass(frozen=True)
class Judgement:
    """A reviewer's verdict on one (account, organisation) pair."""

    account_id: str
    organization_id: str
    verdict: str
    note: str
    decided_at: str
    log_index: int
    reviewer: str = ""  # the reviewer's pseudonym; '' for judgements recorded before it was kept


@dataclass(frozen=True)
class Classification:
    """An account's sector and the sectors it supports, with paths."""

    account_id: str
    sector: str
    supports: list[dict[str, Any]]
    classified_at: str
    log_index: int | None
