"""Registry search as `GET /v1/registry/search` runs it: a screener built per search (what the
route did) against the service's screener kept per loaded reference (``RegistrySearch``).

The full shipped reference registry is loaded into a fresh SQLite home; each figure is CPU time
(``time.process_time``) per search, so that it means the same on a loaded machine. The names
are a customer's typing of public agency and company names (no account, nothing SYNTHETIC is
published).

Run: .venv/bin/python bench/registry/search.py [SEARCHES]   (default 200 with the kept screener)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from daylight.core.database import Database, migrate
from daylight.flows.search import RegistrySearch, search_registry
from daylight.home import all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.registry.reference.shipped import read_reference
from daylight.registry.service import load_reference

SEARCHES = int(sys.argv[1]) if len(sys.argv) > 1 else 200
REBUILT = 5  # searches that each build the screener (seconds each)
NAMES = [("Alachua Police Dept", "FL"), ("Clearview AI", ""), ("LA County Sheriff", "CA"),
         ("palantir technologies", ""), ("Dept of Homeland Security", ""), ("NYPD", "NY")]
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()} at start")
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite:///{Path(folder) / 'daylight.db'}")
        migrate(database, all_migrations())
        log = TransparencyLog.create(database, Signer.generate("bench.example/log"))
        reference = read_reference()
        load_reference(database, log, reference, NOW)
        print(f"registry: {len(reference.organizations)} organisations (the shipped reference)")

        started = time.process_time()
        for i in range(REBUILT):
            name, state = NAMES[i % len(NAMES)]
            search_registry(database, name, state)
        per_rebuilt = (time.process_time() - started) / REBUILT
        print(f"before: screener built per search   {per_rebuilt * 1000:10.1f} ms CPU per search "
              f"({REBUILT} searches)")

        kept = RegistrySearch(database)
        started = time.process_time()
        kept.search(*NAMES[0])
        first = time.process_time() - started
        started = time.process_time()
        for i in range(SEARCHES):
            name, state = NAMES[i % len(NAMES)]
            kept.search(name, state)
        per_kept = (time.process_time() - started) / SEARCHES
        print(f"after:  first search (builds it)    {first * 1000:10.1f} ms CPU")
        print(f"after:  screener kept per reference {per_kept * 1000:10.1f} ms CPU per search "
              f"({SEARCHES} searches, {kept.builds} build)")
        print(f"speed-up per search: {per_rebuilt / per_kept:.0f}x")
    print(f"load average at end {os.getloadavg()}")


if __name__ == "__main__":
    main()
