"""The reference registry: built from the raw public files, shipped as two CSV files.

``build_reference(root)`` reads ``root`` (a copy of ``shared/data``) and returns the same
organisations and relationships, in the same order, every time; ``write_reference`` writes them
with a manifest of the inputs' SHA-256 so that anyone can check a rebuild matches what shipped.
``read_reference()`` reads what ships in the package (or a directory written by the build).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from daylight.core.errors import InputError, NotFoundError
from daylight.registry.builder import ReferenceBuilder
from daylight.registry.organization import (
    ORGANIZATION_COLUMNS,
    RELATIONSHIP_COLUMNS,
    Organization,
    Relationship,
    organization_row,
    read_organizations,
    read_relationships,
    relationship_row,
    write_csv,
)
from daylight.registry.sources_agencies import (
    DOTGOV,
    FBI_ROSTER,
    FEDERAL_AGENCIES,
    add_dotgov,
    add_fbi_roster,
    add_federal_agencies,
)
from daylight.registry.sources_contracts import (
    LOCAL_GOV_CONTRACTS,
    OLD_CONTRACTS,
    RECENT_CONTRACTS,
    add_contracts,
)
from daylight.registry.sources_links import (
    AGREEMENTS_287G,
    ATLAS,
    FLOCK_ACCESS,
    FLOCK_AGENCIES,
    FLOCK_PORTALS,
    NC_SURVEY,
    add_287g,
    add_atlas,
    add_flock,
)

ORGANIZATIONS_FILE = "organizations.csv"
RELATIONSHIPS_FILE = "relationships.csv"
MANIFEST_FILE = "manifest.json"
INPUT_FILES = (FBI_ROSTER, FEDERAL_AGENCIES, DOTGOV, *LOCAL_GOV_CONTRACTS, *RECENT_CONTRACTS,
               *OLD_CONTRACTS, AGREEMENTS_287G, ATLAS, FLOCK_AGENCIES, FLOCK_ACCESS, FLOCK_PORTALS,
               NC_SURVEY)
BUILD_VERSION = 3  # 2: CBP offices, the Marshals, companies with police words, people withheld;
# 3: federal .gov domains matched on core words and role (FEMA's domains were the FBI's)


@dataclass(frozen=True)
class Reference:
    """The reference organisations and relationships, and the digest of their CSV form."""

    organizations: tuple[Organization, ...]
    relationships: tuple[Relationship, ...]

    def organizations_csv(self) -> str:
        return write_csv(ORGANIZATION_COLUMNS, (organization_row(o) for o in self.organizations))

    def relationships_csv(self) -> str:
        return write_csv(RELATIONSHIP_COLUMNS, (relationship_row(r) for r in self.relationships))

    @property
    def digest(self) -> str:
        """SHA-256 over both CSV files: names this exact version of the reference data."""
        h = hashlib.sha256()
        h.update(self.organizations_csv().encode())
        h.update(self.relationships_csv().encode())
        return h.hexdigest()


def verify_reference(reference: Reference) -> None:
    """Refuse a reference whose ids repeat or whose relationships point nowhere."""
    ids: set[str] = set()
    for number, org in enumerate(reference.organizations, start=2):
        if org.id in ids:
            raise InputError(f"organisation id `{org.id}` repeats", where=f"{ORGANIZATIONS_FILE}:{number}")
        ids.add(org.id)
    seen: set[str] = set()
    for number, rel in enumerate(reference.relationships, start=2):
        where = f"{RELATIONSHIPS_FILE}:{number}"
        if rel.id in seen:
            raise InputError(f"relationship id `{rel.id}` repeats", where=where)
        seen.add(rel.id)
        for field_name, value in (("source_id", rel.source_id), ("target_id", rel.target_id)):
            if value not in ids:
                raise InputError(f"`{value}` is not an organisation id", where=f"{where}: {field_name}")


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


def shipped_data_dir() -> Path:
    """The package's own data directory (where ``reference build`` writes by default)."""
    return Path(str(resources.files("daylight.registry") / "data"))


def read_reference(directory: Path | None = None) -> Reference:
    """The reference data in ``directory`` (default: shipped with the package), verified."""
    folder = directory or shipped_data_dir()
    texts = {}
    for name in (ORGANIZATIONS_FILE, RELATIONSHIPS_FILE):
        path = folder / name
        try:
            texts[name] = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise NotFoundError(f"no reference file `{path}`: run `daylight reference build`") from exc
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 at byte {exc.start}", where=str(path)) from exc
    reference = Reference(
        tuple(read_organizations(texts[ORGANIZATIONS_FILE], ORGANIZATIONS_FILE)),
        tuple(read_relationships(texts[RELATIONSHIPS_FILE], RELATIONSHIPS_FILE)))
    verify_reference(reference)
    return reference
