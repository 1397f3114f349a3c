"""The entity store decisions are made against: one Cedar ``Account`` entity per registry
account (sector, supported sectors, jurisdiction, organisation, screening outcome, approved
declarations) and one ``Service`` entity per catalog service.

Facts come from the registry's tables (read here, never written) and declarations from the
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

if TYPE_CHECKING:
    import cedarpy

RESOLVED = ("accepted", "judged")
UNSCREENED = "unscreened"


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


_FACTS_SQL = """
SELECT a.account_id, a.country, r.status, r.organization_id, c.sector, c.supports
FROM registry_account a
LEFT JOIN registry_resolution r ON r.account_id = a.account_id
LEFT JOIN registry_classification c ON c.account_id = a.account_id
"""


def _facts(row: Sequence[Any]) -> AccountFacts:
    account_id, country, status, organization, sector, supports = row
    resolved = status in RESOLVED
    return AccountFacts(
        account_id=account_id,
        sector=sector or "unknown",
        supports=frozenset(s["sector"] for s in json.loads(supports)) if supports else frozenset(),
        jurisdiction=country or "",
        organization=(organization or "") if resolved else "",
        resolution=status or UNSCREENED,
    )


def read_account_facts(database: Database) -> list[AccountFacts]:
    """Every registry account's facts, in one query."""
    with database.transaction(write=False) as tx:
        rows = tx.query(_FACTS_SQL + " ORDER BY a.account_id")
    return [_facts(r) for r in rows]


def registry_fingerprint(database: Database) -> tuple[Any, ...]:
    """A value that changes whenever an account is imported, screened or classified.

    Times alone are not enough: a row rewritten with a time that is not later than the newest
    one (the same instant, or a writer whose clock is behind) changes neither a count nor a
    maximum. Every classification the registry writes (screening, judgement) carries the index
    of its new log entry, and log indices only grow, so ``MAX(log_index)`` changes with each.
    """
    with database.transaction(write=False) as tx:
        accounts = tx.query_one("SELECT COUNT(*), MAX(imported_at) FROM registry_account")
        screened = tx.query_one("SELECT COUNT(*), MAX(screened_at) FROM registry_resolution")
        classified = tx.query_one("SELECT COUNT(*), MAX(classified_at), MAX(log_index), "
                                  "COUNT(log_index) FROM registry_classification")
    return (tuple(accounts or ()), tuple(screened or ()), tuple(classified or ()))
