"""``ReferenceBuilder``: the reference registry as it is assembled from the raw public files.

Sources are added in a fixed order (the FBI roster and the federal agency list first, then the
.gov registry, contracts, 287(g) agreements, the Atlas and Flock): each later source's agencies are
resolved against what is already there with the same ``Screener`` that screens customers,
accepting only clear matches, so "Warrick County IN SO" (Flock) becomes an alias of the roster's
Warrick County agency instead of a second organisation. Companies are merged on identifiers (UEI,
DUNS) or on their name without legal form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from daylight.registry.names import name_key
from daylight.registry.organization import Organization, Relationship
from daylight.registry.screening import ACCEPTED, Query, Screener


def slug(text: str) -> str:
    """A lower-case id fragment: letters, digits and hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def cell(text: str) -> str:
    """A value safe inside the ``a|b`` and ``k=v`` cells of the shipped CSV."""
    return " ".join(text.replace("|", "/").replace("=", "-").split())


def _merge_sources(old: Iterable[str], new: Iterable[str]) -> tuple[str, ...]:
    """Sources as ``dataset:record``, the first record of each dataset only (the rest are in
    the relationships and identifiers), so that a company with 500 awards stays one line."""
    merged = list(old)
    datasets = {s.split(":")[0] for s in merged}
    for source in new:
        dataset = source.split(":")[0]
        if dataset not in datasets:
            datasets.add(dataset)
            merged.append(source)
    return tuple(merged)


class ReferenceBuilder:
    """Organisations and relationships being assembled, with merge and resolve helpers."""

    def __init__(self) -> None:
        self.organizations: dict[str, Organization] = {}
        self.relationships: dict[str, Relationship] = {}
        self._by_identifier: dict[tuple[str, str], str] = {}
        self._companies: dict[str, str] = {}
        self._screener: Screener | None = None

    # -- organisations ---------------------------------------------------------------------

    def add(self, org: Organization) -> str:
        """Add ``org`` (or merge it into the organisation with the same id); return its id."""
        org = replace(org, name=cell(org.name), aliases=tuple(cell(a) for a in org.aliases))
        if org.id in self.organizations:
            self.merge(org.id, aliases=(org.name, *org.aliases), identifiers=org.identifiers,
                       sources=org.sources)
        else:
            self.organizations[org.id] = org
            self._index(org)
        return org.id

    def merge(self, org_id: str, *, aliases: Iterable[str] = (),
              identifiers: Mapping[str, Iterable[str]] | None = None,
              sources: Iterable[str] = ()) -> None:
        """Add names, identifiers and sources to an existing organisation."""
        org = self.organizations[org_id]
        names = {org.name.lower()} | {a.lower() for a in org.aliases}
        new_aliases = list(org.aliases)
        for alias in aliases:
            alias = cell(alias)
            if alias and alias.lower() not in names:
                names.add(alias.lower())
                new_aliases.append(alias)
        ids = {k: list(v) for k, v in org.identifiers.items()}
        for scheme, values in (identifiers or {}).items():
            for value in values:
                if value and value not in ids.setdefault(scheme, []):
                    ids[scheme].append(cell(value))
        merged = replace(org, aliases=tuple(new_aliases),
                         identifiers={k: tuple(v) for k, v in ids.items() if v},
                         sources=_merge_sources(org.sources, sources))
        self.organizations[org_id] = merged
        self._index(merged)

    def move_identifier(self, scheme: str, value: str, org_id: str) -> None:
        """Give ``scheme=value`` to ``org_id`` alone, taking it from the organisation that held
        it (a curated domain that the raw files gave to the body's parent)."""
        holder = self._by_identifier.get((scheme, value.lower()))
        if holder is not None and holder != org_id:
            org = self.organizations[holder]
            kept = {k: tuple(v for v in values if not (k == scheme and v.lower() == value.lower()))
                    for k, values in org.identifiers.items()}
            self.organizations[holder] = replace(org, identifiers={k: v for k, v in kept.items() if v})
            del self._by_identifier[(scheme, value.lower())]
        self.merge(org_id, identifiers={scheme: (value,)})
        self._by_identifier[(scheme, value.lower())] = org_id

    def _index(self, org: Organization) -> None:
        for scheme, values in org.identifiers.items():
            for value in values:
                self._by_identifier.setdefault((scheme, value.lower()), org.id)

    def by_identifier(self, scheme: str, value: str) -> str | None:
        """The organisation holding identifier ``scheme=value``, if any."""
        return self._by_identifier.get((scheme, value.lower()))

    # -- resolution ------------------------------------------------------------------------

    def freeze_agencies(self) -> None:
        """Index the public bodies present now; later sources resolve against them."""
        self._screener = Screener((o for o in self.organizations.values() if o.schema == "PublicBody"),
                                  customer_forms=False)

    def resolve_agency(self, name: str, state: str, *, city: str = "",
                       domains: tuple[str, ...] = ()) -> str | None:
        """The id of the public body ``name`` clearly is (accepted by the screener), or None."""
        if self._screener is None:
            self.freeze_agencies()
        assert self._screener is not None
        outcome = self._screener.screen(Query(name, state, city, domains))
        if outcome.status == ACCEPTED and outcome.best is not None:
            return outcome.best.organization_id
        return None

    def company(self, name: str, *, source: str, state: str = "",
                identifiers: Mapping[str, str] | None = None) -> str:
        """The company called ``name`` (found by identifier or name, else created)."""
        ids = {k: v for k, v in (identifiers or {}).items() if v}
        for scheme, value in sorted(ids.items()):
            found = self.by_identifier(scheme, value)
            if found is not None:
                self.merge(found, aliases=(name,), identifiers={k: (v,) for k, v in ids.items()},
                           sources=(source,))
                return found
        key = " ".join(name_key(name).core) or slug(name)
        found = self._companies.get(key)
        if found is not None:
            self.merge(found, aliases=(name,), identifiers={k: (v,) for k, v in ids.items()},
                       sources=(source,))
            return found
        org_id = "company:" + slug(key)
        if org_id in self.organizations:  # same slug from another name key: keep apart
            org_id += "-" + slug(name)
        self.add(Organization(id=org_id, name=name, sector="commercial", schema="Company",
                              state=state, identifiers={k: (v,) for k, v in ids.items()},
                              sources=(source,)))
        self._companies[key] = org_id
        return org_id

    # -- relationships ---------------------------------------------------------------------

    def relate(self, rel: Relationship) -> None:
        """Add a relationship; one with the same id replaces nothing (first wins)."""
        self.relationships.setdefault(rel.id, replace(
            rel, description=cell(rel.description),
            evidence={k: cell(v) for k, v in rel.evidence.items() if v}))

    def sorted_organizations(self) -> list[Organization]:
        return [self.organizations[k] for k in sorted(self.organizations)]

    def sorted_relationships(self) -> list[Relationship]:
        return [self.relationships[k] for k in sorted(self.relationships)]
