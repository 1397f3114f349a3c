"""The reference registry as shipped: two CSV files, read and verified into a ``Reference``.

``read_reference()`` reads what ships in the package (or a directory written by the build);
the online registry needs only this module, never the build (``daylight.registry.reference.build``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from daylight.core.errors import InputError, NotFoundError
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

ORGANIZATIONS_FILE = "organizations.csv"
RELATIONSHIPS_FILE = "relationships.csv"
MANIFEST_FILE = "manifest.json"


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
