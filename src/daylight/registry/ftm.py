"""The registry as FollowTheMoney entities, for Aleph and the OpenSanctions tools.

Organisations become ``PublicBody``, ``Company`` or ``Organization``; a contract award becomes a
``Contract`` (the awarding agency its ``authority``) and a ``ContractAward`` (the recipient its
``supplier``); a 287(g) agreement and a vendor's supply become ``UnknownLink`` (subject, object,
role); a parent company an ``Ownership``. Entities are built and validated by the
``followthemoney`` library itself, so what it writes it can read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from daylight.registry.organization import SUPPORT_RELATIONSHIPS, Organization, Relationship
from daylight.registry.support import support_kind

if TYPE_CHECKING:
    from followthemoney.proxy import EntityProxy

DATASET = "daylight"


def _entity(schema: str, *key: str) -> EntityProxy:
    from followthemoney import model  # heavy (0.5 s): loaded only when entities are made

    entity = model.make_entity(schema)
    entity.make_id(DATASET, *key)
    return entity


def organization_entity(org: Organization) -> EntityProxy:
    """One organisation as a FollowTheMoney legal entity."""
    entity = _entity(org.schema, "org", org.id)
    entity.add("name", org.name)
    entity.add("alias", list(org.aliases))
    entity.add("country", "us")
    entity.add("jurisdiction", "us" if not org.state else f"us-{org.state.lower()}")
    entity.add("sector", org.sector)
    if org.role:
        entity.add("classification", org.role)
    address = ", ".join(p for p in (org.city, f"{org.county} County" if org.county else "",
                                    org.state) if p)
    if address:
        entity.add("address", address)
    ids = org.identifiers
    entity.add("registrationNumber", list(ids.get("ori", ())))
    entity.add("uniqueEntityId", list(ids.get("uei", ())))
    entity.add("dunsCode", list(ids.get("duns", ())))
    entity.add("idNumber", list(ids.get("agency_code", ())))
    entity.add("website", list(ids.get("domain", ())))
    entity.add("publisher", "Daylight reference registry")
    entity.add("notes", f"sources: {', '.join(org.sources)}" if org.sources else None)
    return entity


_DATES = {"period_of_performance": "dates: period of performance",
          "action_dates": "dates: first and last action (no period of performance in the source)",
          "snapshots": "dates: first and last snapshot of the source listing it",
          "observed": "dates: observed in the source's export"}


def dates_summary(rel: Relationship) -> str | None:
    """How the relationship's dates are known, whether it is ongoing, and its kind of support,
    as one line (FtM ``summary``)."""
    parts = []
    if rel.evidence.get("dates"):
        parts.append(_DATES.get(rel.evidence["dates"], f"dates: {rel.evidence['dates']}"))
    if rel.evidence.get("ongoing_as_of"):
        parts.append(f"ongoing as of {rel.evidence['ongoing_as_of']} (the source's latest snapshot)")
    if rel.kind in SUPPORT_RELATIONSHIPS:
        kind, rule = support_kind(rel)
        parts.append(f"kind of support: {kind} ({rule})")
    return "; ".join(parts) or None


def _award_entities(rel: Relationship, supplier: EntityProxy,
                    authority: EntityProxy) -> list[EntityProxy]:
    contract = _entity("Contract", "contract", rel.id)
    contract.add("title", rel.description or rel.evidence.get("award_id") or rel.id)
    contract.add("authority", authority.id)
    contract.add("procedureNumber", rel.id.removeprefix("award:"))
    contract.add("classification", rel.evidence.get("naics"))
    contract.add("publisher", rel.source)
    award = _entity("ContractAward", "award", rel.id)
    award.add("contract", contract.id)
    award.add("supplier", supplier.id)
    award.add("recordId", rel.id.removeprefix("award:"))
    if rel.amount is not None:
        award.add("amount", f"{rel.amount:.2f}")
        award.add("currency", "USD")
    award.add("startDate", rel.start_date or None)
    award.add("endDate", rel.end_date or None)
    award.add("description", rel.description or None)
    award.add("summary", dates_summary(rel))
    award.add("publisher", rel.source)
    return [contract, award]


def relationship_entities(rel: Relationship, source: EntityProxy,
                          target: EntityProxy) -> list[EntityProxy]:
    """The entities that state one relationship."""
    if rel.kind == "supports" and rel.id.startswith("award:"):
        return _award_entities(rel, source, target)
    if rel.kind == "subsidiary_of":
        ownership = _entity("Ownership", "ownership", rel.id)
        ownership.add("owner", target.id)
        ownership.add("asset", source.id)
        ownership.add("role", rel.description if rel.source == "daylight-curated-links"
                      else "parent company (USAspending recipient parent)")
        ownership.add("startDate", rel.start_date or None)
        ownership.add("endDate", rel.end_date or None)
        ownership.add("summary", rel.evidence.get("document"))
        ownership.add("sourceUrl", rel.evidence.get("url") or None)
        ownership.add("publisher", rel.source)
        return [ownership]
    if rel.kind == "successor_of":
        succession = _entity("Succession", "succession", rel.id)
        succession.add("successor", source.id)
        succession.add("predecessor", target.id)
        succession.add("startDate", rel.start_date or None)
        succession.add("description", rel.description or None)
        succession.add("summary", rel.evidence.get("document"))
        succession.add("sourceUrl", rel.evidence.get("url") or None)
        succession.add("publisher", rel.source)
        return [succession]
    link = _entity("UnknownLink", "link", rel.id)
    link.add("subject", source.id)
    link.add("object", target.id)
    link.add("role", f"{rel.kind}: {rel.description}" if rel.description else rel.kind)
    link.add("startDate", rel.start_date or None)
    link.add("endDate", rel.end_date or None)
    link.add("summary", dates_summary(rel))
    link.add("recordId", rel.id)
    link.add("publisher", rel.source)
    return [link]


def ftm_entities(organizations: Iterable[Organization],
                 relationships: Iterable[Relationship]) -> Iterator[dict[str, Any]]:
    """Every organisation and relationship as FollowTheMoney entity dicts (``to_dict``)."""
    entities: dict[str, EntityProxy] = {}
    for org in organizations:
        entity = organization_entity(org)
        entities[org.id] = entity
        yield entity.to_dict()
    for rel in relationships:
        source, target = entities.get(rel.source_id), entities.get(rel.target_id)
        if source is None or target is None:
            continue
        for entity in relationship_entities(rel, source, target):
            yield entity.to_dict()
