"""The entity store decisions are made against: one Cedar ``Account`` entity per registry
account (sector, supported sectors, jurisdiction, organisation, screening outcome, approved
declarations) and one ``Service`` entity per catalog service.

Support is time-aware: the sectors an account supports, and the kind and weight of that support
(``support``: sector → kind → amounts in whole US dollars and award count), are decided by
``daylight.registry.support.support_during`` as of a day (the gate: the request's day) or during
a period (the audit), with the look-back window and the accepted corrections.

Facts come from the registry as values (``daylight.registry.facts``) and declarations from the
caller as plain data — the voice layer, which will own declarations and their review, is above
this one. Both reach Cedar as attributes, never as one policy per customer, so the number of
policies stays small however many customers there are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog
from daylight.policy.schema import PolicySchema
from daylight.registry.classification import SUPPORTED_SECTORS
from daylight.registry.facts import account_standings
from daylight.registry.resolution import UNSCREENED
from daylight.registry.support import (
    DEFAULT_STALENESS_DAYS,
    DEFAULT_WINDOW_DAYS,
    SUPPORT_KINDS,
    Override,
    SupportEdge,
    edges_from_supports,
    shared_sectors,
    summarize,
)

if TYPE_CHECKING:
    import cedarpy


@dataclass(frozen=True)
class ApprovedDeclaration:
    """A customer's declared use of a capability, approved after review (plain data from the
    layer that owns declarations). ``registration`` is a registration reference (e.g. in the
    EU database for high-risk AI systems), empty if none."""

    id: str
    capability: str
    purpose: str
    registration: str = ""

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "capability": self.capability, "purpose": self.purpose,
                "registration": self.registration}


Declarations = Mapping[str, Sequence[ApprovedDeclaration]]
"""Account id → its approved declarations."""

SupportWeights = Mapping[str, Mapping[str, tuple[int, ...]]]
"""Sector → kind of support → (net amount obligated in the period and window, award count, net
amount of those awards over their life), in whole US dollars; a missing third is the first."""


def _weight(values: tuple[int, ...]) -> dict[str, int]:
    amount, awards = values[0], values[1]
    return {"amount_usd": amount, "awards": awards,
            "award_total_usd": values[2] if len(values) > 2 else amount}


def _weights_json(weights: SupportWeights) -> dict[str, dict[str, dict[str, int]]]:
    return {sector: {kind: _weight(tuple(weights.get(sector, {}).get(kind, (0, 0, 0))))
                     for kind in SUPPORT_KINDS}
            for sector in SUPPORTED_SECTORS}


@dataclass(frozen=True)
class AccountFacts:
    """What the policies may know about an account."""

    account_id: str
    sector: str = "unknown"
    supports: frozenset[str] = field(default_factory=frozenset)
    jurisdiction: str = ""
    organization: str = ""
    resolution: str = UNSCREENED
    candidate_sector: str = "unknown"
    candidate_supports: frozenset[str] = field(default_factory=frozenset)
    """A match awaiting review: its candidate's sector and the sectors it supports (as of the
    request's day, or during the audited period, as ``supports``), which the packs apply
    provisionally ("unknown" and empty otherwise)."""
    support: SupportWeights = field(default_factory=dict)
    shares_data_with: frozenset[str] = field(default_factory=frozenset)

    def attributes(self, declarations: Sequence[ApprovedDeclaration],
                   capabilities: Iterable[str]) -> dict[str, Any]:
        """The Cedar attributes of the account's entity."""
        declared: dict[str, dict[str, Any]] = {cap: {"purposes": set(), "registered": False}
                                               for cap in capabilities}
        for declaration in declarations:
            slot = declared.get(declaration.capability)
            if slot is None:
                raise InputError(f"declaration `{declaration.id}` names unknown capability "
                                 f"`{declaration.capability}`", where=self.account_id)
            slot["purposes"].add(declaration.purpose)
            slot["registered"] = slot["registered"] or bool(declaration.registration)
        return {
            "sector": self.sector,
            "supports": sorted(self.supports),
            "jurisdiction": self.jurisdiction,
            "organization": self.organization,
            "resolution": self.resolution,
            "candidate_sector": self.candidate_sector,
            "candidate_supports": sorted(self.candidate_supports),
            "support": _weights_json(self.support),
            "shares_data_with": sorted(self.shares_data_with),
            "declarations": {cap: {"purposes": sorted(slot["purposes"]),
                                   "registered": slot["registered"]}
                             for cap, slot in declared.items()},
        }


TIME_AND_KIND_ATTRIBUTES = ("support", "shares_data_with")
"""Attributes added with time and kind of support: a policy version published before them has a
schema that does not declare them, and gets its entities without them (its ``supports`` is
time-aware all the same)."""

CANDIDATE_ATTRIBUTES = ("candidate_sector", "candidate_supports")
"""Attributes added with screening's provisional refusals: likewise left out for a policy
version whose schema does not declare them."""


def _omitted(schema_text: str) -> list[str]:
    """The attributes a policy version's schema does not declare (it was published before them)."""
    omit = [] if "shares_data_with: Set<String>" in schema_text else list(TIME_AND_KIND_ATTRIBUTES)
    if "candidate_supports: Set<String>" not in schema_text:
        omit += CANDIDATE_ATTRIBUTES
    return omit


def entity_json(facts: Iterable[AccountFacts], declarations: Declarations,
                catalog: Catalog, *, omit: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The Cedar JSON entities for ``facts`` and the catalog's services (without the ``omit``
    attributes)."""
    capabilities = sorted(catalog.capabilities)
    entities: list[dict[str, Any]] = []
    for f in facts:
        attrs = f.attributes(declarations.get(f.account_id, ()), capabilities)
        for name in omit:
            attrs.pop(name, None)
        entities.append({"uid": {"type": "Account", "id": f.account_id}, "parents": [], "attrs": attrs})
    entities += [{"uid": {"type": "Service", "id": service}, "parents": [], "attrs": {}}
                 for service in sorted(catalog.services)]
    return entities


def build_entities(facts: Iterable[AccountFacts], declarations: Declarations, catalog: Catalog,
                   schema: PolicySchema) -> cedarpy.Entities:
    """Parse the entity store once, validated against ``schema`` (which adds the actions)."""
    import cedarpy  # heavy: loaded where used, not at start-up

    omit = _omitted(schema.text)
    document = json.dumps(entity_json(facts, declarations, catalog, omit=omit))
    try:
        return cedarpy.Entities.from_json_str(document, schema.handle)
    except ValueError as exc:
        raise InputError(f"entities do not fit the Cedar schema: {' '.join(str(exc).split())}") from exc


@dataclass(frozen=True)
class SupportQuestion:
    """When support is asked about: as of ``start`` (``end`` None) or from ``start`` to ``end``
    (inclusive ISO dates), with the look-back window and the snapshots' staleness horizon."""

    start: str
    end: str | None = None
    window_days: int = DEFAULT_WINDOW_DAYS
    staleness_days: int = DEFAULT_STALENESS_DAYS


def support_facts(edges: Sequence[SupportEdge], question: SupportQuestion,
                  overrides: Sequence[Override] = ()) -> tuple[frozenset[str], SupportWeights]:
    """The sectors supported and the weight of support per kind, as the question asks."""
    summary = summarize(edges, question.start, question.end, window_days=question.window_days,
                        overrides=overrides, staleness_days=question.staleness_days)
    weights = {v.sector: {kind: (round(w.amount), w.awards, round(w.award_total))
                          for kind, w in v.by_kind.items()}
               for v in summary.verdicts if v.supported}
    return summary.sectors, weights


def read_account_facts(database: Database, question: SupportQuestion | None = None, *,
                       clock: Clock = utc_now) -> list[AccountFacts]:
    """Every registry account's facts, in account id order; support as ``question`` asks
    (default: as of ``clock``'s day, UTC, with the default window)."""
    if question is None:
        question = SupportQuestion(clock().date().isoformat())
    facts = []
    for s in account_standings(database):
        supported: frozenset[str] = frozenset()
        shared: frozenset[str] = frozenset()
        weights: SupportWeights = {}
        if s.supports:
            supported, weights = support_facts(edges_from_supports(s.supports), question,
                                               s.overrides)
            shared = shared_sectors(s.supports, question.start, question.end,
                                    window_days=question.window_days,
                                    staleness_days=question.staleness_days)
        candidate = s.candidate_supports
        if s.candidate_support is not None:
            # the candidate is judged as a resolved account is: on its support as the question
            # asks, with the accepted corrections about it
            candidate, _ = support_facts(edges_from_supports(s.candidate_support), question,
                                         s.overrides)
        facts.append(AccountFacts(
            account_id=s.account_id, sector=s.sector or "unknown", supports=supported,
            jurisdiction=s.country,
            organization=(s.organization_id or "") if s.is_resolved else "",
            resolution=s.status or UNSCREENED, candidate_sector=s.candidate_sector,
            candidate_supports=candidate, support=weights, shares_data_with=shared))
    return facts
