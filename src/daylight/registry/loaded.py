"""Which reference data the registry holds: the latest loaded version, for the report's
methodology ("what the reference data is and its date")."""

from __future__ import annotations

from dataclasses import dataclass

from daylight.core.database import Database


@dataclass(frozen=True)
class LoadedReference:
    """A loaded version of the reference data: its digest, size, when, and its log entry."""

    digest: str
    organizations: int
    relationships: int
    loaded_at: str
    log_index: int


def latest_reference(database: Database) -> LoadedReference | None:
    """The reference version loaded last, or None if none was."""
    with database.transaction(write=False) as tx:
        row = tx.query_one("SELECT digest, organizations, relationships, loaded_at, log_index "
                           "FROM registry_reference ORDER BY log_index DESC LIMIT 1")
    if row is None:
        return None
    return LoadedReference(str(row[0]), int(row[1]), int(row[2]), str(row[3]), int(row[4]))
