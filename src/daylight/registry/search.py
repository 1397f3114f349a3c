"""Ranked candidates for a name typed by a person (`daylight registry search NAME`): what the
screener would consider, with ids, names, sectors and the features behind each score."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from daylight.core.errors import InputError
from daylight.registry.accounts import MAX_NAME
from daylight.registry.geography import is_state_code
from daylight.registry.matching import Feature
from daylight.registry.screening import Query, Screener

MAX_RESULTS = 100


@dataclass(frozen=True)
class Candidate:
    """One organisation the screener would consider, with its score and the features."""

    organization_id: str
    name: str
    sector: str
    state: str
    score: float
    features: dict[str, Feature]

    def to_json(self) -> dict[str, Any]:
        return {"organization_id": self.organization_id, "name": self.name,
                "sector": self.sector, "state": self.state, "score": round(self.score, 4),
                "features": {k: f.to_json() for k, f in self.features.items()}}


def search(screener: Screener, name: str, state: str = "", *, limit: int = 10) -> list[Candidate]:
    """The ``limit`` best candidates for ``name`` (in ``state``, if given), best first."""
    if not name.strip():
        raise InputError("a name to search for must not be empty", where="NAME")
    if len(name) > MAX_NAME:  # the ranking's cost grows with the name: bounded as an account's
        raise InputError(f"a name is at most {MAX_NAME} characters, as an account's; this one "
                         f"has {len(name)}", where="NAME")
    state = state.strip().upper()
    if state and not is_state_code(state):
        raise InputError(f"`{state}` is not a US two-letter state code", where="--state")
    if not 1 <= limit <= MAX_RESULTS:
        raise InputError(f"`{limit}` must be from 1 to {MAX_RESULTS}", where="--limit")
    out = []
    for scored in screener.rank(Query(name.strip(), state))[:limit]:
        org = screener.organization(scored.organization_id)
        out.append(Candidate(scored.organization_id, scored.organization_name,
                             org.sector if org else "unknown", org.state if org else "",
                             scored.score, scored.features))
    return out
