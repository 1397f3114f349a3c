"""Search: the loaded registry's ranked candidates for a name as a customer would type it
(`daylight registry search`, `GET /v1/registry/search`). Reads only; screens and writes
nothing.

The screener (the organisations' name index) takes far longer to build than a search takes
to run, so a service keeps one ``RegistrySearch``: it builds the screener once per loaded
reference (``reference_marker``, the part of the policy gate's registry fingerprint that
covers the organisations) and keeps only that one.
"""

from __future__ import annotations

import threading

from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.registry.facts import reference_marker
from daylight.registry.screening import Screener
from daylight.registry.search import Candidate, search
from daylight.registry.store import RegistryStore


class RegistrySearch:
    """Searches of ``database``'s registry through a screener kept per loaded reference: at
    most one is held, rebuilt when a reference load changes the organisations."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._marker: tuple[int, int] | None = None
        self._screener: Screener | None = None
        self.builds = 0

    def screener(self) -> Screener:
        """The screener of the organisations stored now (built again only after a load)."""
        with self._lock:
            with self.database.transaction(write=False) as tx:
                marker = reference_marker(tx)
                stale = self._screener is None or marker != self._marker
                organizations = RegistryStore(tx).organizations() if stale else None
            if organizations is not None:  # built outside the transaction: it holds the database
                self._screener = None  # the old one is dropped before the new one is built
                self._screener = Screener(organizations)
                self._marker = marker
                self.builds += 1
            assert self._screener is not None
            return self._screener

    def search(self, name: str, state: str = "", *, limit: int = 10) -> list[Candidate]:
        """The best candidates for ``name`` (in ``state``), best first; InputError if no
        reference data has been loaded."""
        screener = self.screener()
        if len(screener) == 0:
            raise InputError("the registry is empty: run `daylight reference load` first")
        return search(screener, name, state, limit=limit)


def search_registry(database: Database, name: str, state: str = "", *,
                    limit: int = 10) -> list[Candidate]:
    """The best candidates for ``name`` (in ``state``), best first, from a screener built for
    this one search; InputError if no reference data has been loaded."""
    return RegistrySearch(database).search(name, state, limit=limit)
