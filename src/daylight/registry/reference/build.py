"""The reference build: the reference registry built from the raw public files.

``build_reference(root)`` reads ``root`` (a copy of ``shared/data``) and returns the same
organisations and relationships, in the same order, every time; ``write_reference`` writes them
with a manifest of the inputs' SHA-256 so that anyone can check a rebuild matches what shipped.
The shipped files are read back by ``daylight.registry.reference.shipped``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from daylight.core.errors import NotFoundError
from daylight.registry.reference.aliases import add_curated_aliases
from daylight.registry.reference.builder import ReferenceBuilder
from daylight.registry.reference.shipped import (
    MANIFEST_FILE,
    ORGANIZATIONS_FILE,
    RELATIONSHIPS_FILE,
    Reference,
    verify_reference,
)
from daylight.registry.reference.sources_agencies import (
    DOTGOV,
    FBI_ROSTER,
    FEDERAL_AGENCIES,
    add_dotgov,
    add_fbi_roster,
    add_federal_agencies,
    publish_used_names,
)
from daylight.registry.reference.sources_components import add_components
from daylight.registry.reference.sources_contracts import (
    LOCAL_GOV_CONTRACTS,
    OLD_CONTRACTS,
    RECENT_CONTRACTS,
    add_contracts,
)
from daylight.registry.reference.sources_links import (
    AGREEMENTS_287G,
    ATLAS,
    FLOCK_ACCESS,
    FLOCK_AGENCIES,
    FLOCK_PORTALS,
    NC_SURVEY,
    add_287g,
    add_atlas,
    add_curated_links,
    add_flock,
    add_flock_sharing,
)

INPUT_FILES = (FBI_ROSTER, FEDERAL_AGENCIES, DOTGOV, *LOCAL_GOV_CONTRACTS, *RECENT_CONTRACTS,
               *OLD_CONTRACTS, AGREEMENTS_287G, ATLAS, FLOCK_AGENCIES, FLOCK_ACCESS, FLOCK_PORTALS,
               NC_SURVEY)
BUILD_VERSION = 17  # 2: CBP offices, the Marshals, companies with police words, people withheld;
# 3: federal .gov domains matched on core words and role (FEMA's domains were the FBI's);
# 4 (issue 11): validity intervals (period of performance, snapshots), PSC/NAICS codes, Flock
# data sharing;
# 4 (issue 10, built in parallel): county agencies named as they name themselves; a federal name
# stating a law-enforcement body is law enforcement; a bureau's .gov record takes its divisions'
# sector; 287(g) signers are law enforcement;
# 5: both builds 4 merged; 6: 287(g) agreements as `agreement_with` (an agency in an agreement,
# not a company under contract); curated links with dates and addresses; 7: federal components
# (field offices, sectors, divisions, districts, the Atlas's CBP ports) as organisations
# `part_of` their agency, with its sector; 8: an award to a government by name ("COOK COUNTY")
# is the government's, not its sheriff's or police's (three ICE awards had been); the Atlas's
# "DHS"-typed Drug Enforcement Administration (TX) takes the national DEA's sector; 9: a contract
# recipient whose name can only be a public body's ("BRISTOL COUNTY SHERIFFS OFFICE", "LA SALLE
# COUNTY", "SAN LUIS, CITY OF", "JUSTICE, MONTANA DEPT OF") is one, whatever business types
# USAspending gives it, unless it holds a business's words ("CITY POLICE SUPPLY"); an
# Atlas Vendor cell that names a police force is not read as a company; 10: so is a public
# authority or special district by what it runs ("... TRANSIT AUTHORITY", "... COMMUNITY COLLEGE
# DISTRICT"), a tribe ("JAMUL INDIAN VILLAGE"; "... NATION" when the .gov registry has it), a
# state's department by the state's name ("TEXAS MILITARY DEPARTMENT") and a county's office
# ("MIAMI-DADE COUNTY PARKS AND RECREATION"): build 9 shipped 15 such recipients as companies;
# a federal bureau inverted as a state's department is one ("PRISONS, FEDERAL BUREAU OF"), and
# "prisons" names a corrections body (the Federal Bureau of Prisons' .gov record was
# other_government, so an account of the Bureau screened as no agency); the Postal Inspection
# Service and Diplomatic Security are law enforcement by their codes; 11: a federal roster entry
# cut to its department's name ("United States Department of Health and Human Services,") is
# the department, not law enforcement; federal inspectors general, Army CID, AFOSI and the Coast
# Guard are law enforcement; 12: a department's office that several departments have says whose
# ("Department of Homeland Security Office of the Inspector General"); 13: the word the 287(g)
# list lost before "of" is put back ("Alaska of Corrections": "Alaska Department of Corrections");
# 14: a .gov record of a department's office is that department's office (doioig.gov was USDA's
# inspector general's), one body under two departments' codes is one organisation (the Coast
# Guard), the legislative branch's inspectors general are not law enforcement; 15: NCIS, CGIS and
# the Federal Air Marshal Service as components, law enforcement by their names; 16: federal
# police, investigators and inspectors general the BJS census and CIGIE list (the Federal
# Protective Service, the Park Police, SIGAR, DCIS, ...) as components, and curated aliases and
# domains (aliases.csv: "Army CID", "OSI", sigar.mil; tvaoig.gov moved to TVA's inspector general);
# 17: an intelligence agency's police force (the NSA Police, the CIA's Security Protective Service)
# is law enforcement, and so is an Atlas body whose name states one (Texas game wardens); an
# inspector general the .gov registry abbreviates ("Special IG for Pandemic Recovery") is one; a
# law-enforcement body under two departments' codes is one (the Secret Service, FLETC); "Sherriff's"
# is "sheriff's" (three .gov records of sheriffs' offices were other_government bodies)


def build_reference(root: Path) -> Reference:
    """Build the reference registry from the raw public files under ``root``."""
    if not root.is_dir():
        raise NotFoundError(f"no source directory `{root}`")
    builder = ReferenceBuilder()
    add_fbi_roster(builder, root)
    add_federal_agencies(builder, root)
    builder.freeze_agencies()
    add_dotgov(builder, root)
    builder.freeze_agencies()
    add_contracts(builder, root)
    add_287g(builder, root)
    builder.freeze_agencies()
    add_atlas(builder, root)
    builder.freeze_agencies()
    add_flock(builder, root)
    add_flock_sharing(builder, root)
    add_curated_links(builder)
    add_components(builder)
    add_curated_aliases(builder)
    publish_used_names(builder)
    reference = Reference(tuple(builder.sorted_organizations()),
                          tuple(builder.sorted_relationships()))
    verify_reference(reference)
    return reference


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(reference: Reference, root: Path) -> dict[str, Any]:
    """What was built from what: input digests, output digest and counts (no timestamps)."""
    sectors: dict[str, int] = {}
    for org in reference.organizations:
        sectors[org.sector] = sectors.get(org.sector, 0) + 1
    kinds: dict[str, int] = {}
    for rel in reference.relationships:
        kinds[rel.kind] = kinds.get(rel.kind, 0) + 1
    return {
        "build_version": BUILD_VERSION,
        "inputs": {name: _sha256(root / name) for name in INPUT_FILES},
        "digest": reference.digest,
        "organizations": len(reference.organizations),
        "organizations_by_sector": dict(sorted(sectors.items())),
        "relationships": len(reference.relationships),
        "relationships_by_kind": dict(sorted(kinds.items())),
    }


def write_reference(reference: Reference, root: Path, out_dir: Path) -> dict[str, Any]:
    """Write the two CSV files and the manifest to ``out_dir``; return the manifest."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / ORGANIZATIONS_FILE).write_text(reference.organizations_csv(), encoding="utf-8")
    (out_dir / RELATIONSHIPS_FILE).write_text(reference.relationships_csv(), encoding="utf-8")
    info = manifest(reference, root)
    (out_dir / MANIFEST_FILE).write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return info
