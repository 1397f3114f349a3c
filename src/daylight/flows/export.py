"""Export the registry as FollowTheMoney entities (PublicBody, Company, Contract, ...), one JSON
object a line, written whole or not at all."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daylight.core.database import Database
from daylight.core.errors import InputError, NotFoundError
from daylight.registry.ftm import ftm_entities
from daylight.registry.store import RegistryStore


@dataclass(frozen=True)
class FtmExport:
    """How many entities were written to which file."""

    entities: int
    file: Path

    def to_json(self) -> dict[str, Any]:
        """What ``daylight registry export-ftm`` prints."""
        return {"entities": self.entities, "file": str(self.file)}


def export_ftm(database: Database, file: Path) -> FtmExport:
    """Write the registry's organisations and relationships to ``file`` (through a ``.partial``
    file renamed into place, so a failed export leaves nothing)."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        organizations, relationships = store.organizations(), store.relationships()
    if file.is_dir():
        raise InputError(f"`{file}` is a directory: expected the path of a file to write")
    if not file.parent.is_dir():
        raise NotFoundError(f"no such directory `{file.parent}` to write `{file.name}` in")
    count = 0
    temporary = file.with_name(file.name + ".partial")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            for entity in ftm_entities(organizations, relationships):
                handle.write(json.dumps(entity, sort_keys=True, ensure_ascii=False) + "\n")
                count += 1
        temporary.replace(file)
    except OSError as exc:
        raise InputError(f"cannot write `{file}`: {exc.strerror}") from exc
    finally:
        temporary.unlink(missing_ok=True)
    return FtmExport(count, file)
