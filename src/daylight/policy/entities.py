"""The entity store decisions are made against: one Cedar ``Account`` entity per registry
account (sector, supported sectors, jurisdiction, organisation, screening outcome, approved
declarations) and one ``Service`` entity per catalog service.

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

from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog
from daylight.policy.schema import PolicySchema
from daylight.registry.facts import account_standings
from daylight.registry.resolution import UNSCREENED

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
    """A match awaiting review: its candidate's sector and supported sectors, which the packs
    apply provisionally ("unknown" and empty otherwise)."""

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
            "declarations": {cap: {"purposes": sorted(slot["purposes"]),
                                   "registered": slot["registered"]}
                             for cap, slot in declared.items()},
        }


def entity_json(facts: Iterable[AccountFacts], declarations: Declarations,
                catalog: Catalog) -> list[dict[str, Any]]:
    """The Cedar JSON entities for ``facts`` and the catalog's services."""
    capabilities = sorted(catalog.capabilities)
    entities: list[dict[str, Any]] = [
        {"uid": {"type": "Account", "id": f.account_id}, "parents": [],
         "attrs": f.attributes(declarations.get(f.account_id, ()), capabilities)}
        for f in facts]
    entities += [{"uid": {"type": "Service", "id": service}, "parents": [], "attrs": {}}
                 for service in sorted(catalog.services)]
    return entities


def build_entities(facts: Iterable[AccountFacts], declarations: Declarations, catalog: Catalog,
                   schema: PolicySchema) -> cedarpy.Entities:
    """Parse the entity store once, validated against ``schema`` (which adds the actions)."""
    import cedarpy  # heavy: loaded where used, not at start-up

    document = json.dumps(entity_json(facts, declarations, catalog))
    try:
        return cedarpy.Entities.from_json_str(document, schema.handle)
    except ValueError as exc:
        raise InputError(f"entities do not fit the Cedar schema: {' '.join(str(exc).split())}") from exc


def read_account_facts(database: Database) -> list[AccountFacts]:
    """Every registry account's facts, in account id order."""
    return [AccountFacts(account_id=s.account_id, sector=s.sector or "unknown",
                         supports=s.supported_sectors, jurisdiction=s.country,
                         organization=(s.organization_id or "") if s.is_resolved else "",
                         resolution=s.status or UNSCREENED,
                         candidate_sector=s.candidate_sector,
                         candidate_supports=s.candidate_supports)
            for s in account_standings(database)]
