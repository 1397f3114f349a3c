"""Federal components as organisations: each row of the curated ``components.csv`` becomes a
public body linked ``part_of`` its agency (or its parent component), and the CBP ports of entry
the Atlas of Surveillance lists are linked ``part_of`` CBP's Office of Field Operations.

A component takes its sector through that link: the sector of what it is part of (an FBI field
office is law enforcement because the FBI is; a Border Patrol sector immigration enforcement
because CBP is), so that the gate and the report treat it as they treat its agency; but a
component of a body that is no agency, named as a law-enforcement body, is law enforcement (the
Navy's Criminal Investigative Service, the TSA's Federal Air Marshal Service, the Park
Service's Park Police, the FDIC's inspector general). Components
carry no state: like their agency, they are national bodies whose place is in their name.
"""

from __future__ import annotations

from dataclasses import replace

from daylight.registry.evidence import word_evidence
from daylight.registry.names import name_key
from daylight.registry.organization import AGENCY_SECTORS, Organization, Relationship
from daylight.registry.reference.builder import ReferenceBuilder
from daylight.registry.reference.components import read_components
from daylight.registry.reference.sector import federal_sector

COMPONENTS_SOURCE = "daylight-components"  # the dataset name in a component's ``sources``
ATLAS_SOURCE = "eff-atlas-of-surveillance-2020-10-07"
_ATLAS_PORT_PREFIX = "U.S. Customs and Border Protection - "
_PORTS_OWNER = "us-component:cbp-ofo"
_PORTS_DOCUMENT = ("cbp.gov, Office of Field Operations: CBP officers at the ports of entry "
                   "(cbp.gov/border-security/ports-entry), a US Government work; the "
                   "Atlas names the port as U.S. Customs and Border Protection's")


def part_of_id(child: str, parent: str) -> str:
    """The id of the ``part_of`` relationship from ``child`` to ``parent``."""
    return f"part_of:{child}>{parent}"


def add_components(builder: ReferenceBuilder) -> None:
    """Every curated component as an organisation ``part_of`` its parent, with the parent's
    sector; a row whose agency the build does not hold (a build from a slice of the raw files)
    is left out, with the rows below it (a test checks the shipped build holds every row)."""
    parent_of: dict[str, str] = {}
    for component in read_components():
        parent = builder.organizations.get(component.part_of)
        if parent is None:
            continue
        parent_of[component.id] = parent.id
        chain = [parent, *(builder.organizations[p] for p in (parent_of.get(parent.id),) if p)]
        record = component.id.removeprefix("us-component:")
        sector = parent.sector
        if sector not in AGENCY_SECTORS and (
                word_evidence(component.name) is not None
                or federal_sector("", "", component.name) == "law_enforcement"):
            # named as a law-enforcement body, or as an office of inspector general (SIGAR,
            # whose parent is the Department of Defense): the build's rule for federal names
            sector = "law_enforcement"
        builder.add(Organization(
            id=component.id, name=component.name, sector=sector,
            role=name_key(component.name).role, schema="PublicBody",
            aliases=_aliases(component.name, component.abbreviation, chain),
            sources=(f"{COMPONENTS_SOURCE}:{record}",)))
        builder.relate(Relationship(
            id=part_of_id(component.id, parent.id), kind="part_of", source_id=component.id,
            target_id=parent.id, description=f"{component.name} is part of {parent.name}",
            evidence={"document": component.source,
                      "sector": f"{parent.sector}, from {parent.id}" if sector == parent.sector
                      else f"{sector}, by its name ({parent.id} is {parent.sector})"},
            source=COMPONENTS_SOURCE))
    _add_atlas_ports(builder)


def _aliases(name: str, abbreviation: str, chain: list[Organization]) -> tuple[str, ...]:
    """The component's abbreviation, and its name with a leading abbreviation of its parent or
    of its parent's agency spelt out, without repeating the parent's words ("OFO Laredo Field
    Office": "Office of Field Operations Laredo"; "FBI Newark Field Office": "Federal Bureau of
    Investigation Newark Field Office")."""
    out = [abbreviation] if abbreviation else []
    first, _, rest = name.partition(" ")
    for holder in chain:
        if rest and first in holder.aliases and first.isupper():
            said = {w.lower() for w in holder.name.split()}
            rest = " ".join(w for w in rest.split() if w.lower() not in said)
            out.append(f"{holder.name} {rest}".strip())
            break
    return tuple(out)


def _add_atlas_ports(builder: ReferenceBuilder) -> None:
    """The Atlas's CBP ports ("U.S. Customs and Border Protection - Miami International
    Airport"), already organisations of the build, linked ``part_of`` the Office of Field
    Operations and given its sector."""
    owner = builder.organizations.get(_PORTS_OWNER)
    if owner is None:
        return
    for org in list(builder.organizations.values()):
        if not (org.id.startswith("atlas:") and org.name.startswith(_ATLAS_PORT_PREFIX)):
            continue
        records = [s.split(":", 1)[1] for s in org.sources if s.startswith("atlas:")]
        builder.organizations[org.id] = replace(org, sector=owner.sector)
        builder.relate(Relationship(
            id=part_of_id(org.id, owner.id), kind="part_of", source_id=org.id,
            target_id=owner.id, description=f"{org.name} is a port of entry of {owner.name}",
            evidence={"document": _PORTS_DOCUMENT, "atlas_record": records[0] if records else "",
                      "sector": f"{owner.sector}, from {owner.id}"},
            source=ATLAS_SOURCE))
