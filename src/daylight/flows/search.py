"""Search: the loaded registry's ranked candidates for a name as a customer would type it
(`daylight registry search`). Reads only; screens and writes nothing."""

from __future__ import annotations

from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.registry.search import Candidate, search
from daylight.registry.service import Screening


def search_registry(database: Database, name: str, state: str = "", *,
                    limit: int = 10) -> list[Candidate]:
    """The best candidates for ``name`` (in ``state``), best first; InputError if no
    reference data has been loaded."""
    screening = Screening.from_database(database)
    if len(screening.screener) == 0:
        raise InputError("the registry is empty: run `daylight reference load` first")
    return search(screening.screener, name, state, limit=limit)
