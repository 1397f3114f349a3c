"""Shared for the policy tests: the default catalog and schema, SYNTHETIC registry accounts
written through the registry's own store, and a fixed clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from daylight.core.database import Database
from daylight.policy.catalog import Catalog, default_catalog
from daylight.policy.schema import PolicySchema, build_schema
from daylight.registry.accounts import Account
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.store import RegistryStore

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class RegistryAccount:
    """A SYNTHETIC account and what screening would have found."""

    account_id: str
    sector: str = "commercial"
    supports: Sequence[str] = field(default_factory=tuple)
    country: str = "US"
    status: str = "accepted"
    organization: str = "SYNTHETIC-org"


def add_registry_accounts(database: Database, accounts: Sequence[RegistryAccount],
                          when: str = "2026-11-01T00:00:00Z") -> None:
    """Import the accounts, with resolutions and classifications, through ``RegistryStore``."""
    with database.transaction() as tx:
        store = RegistryStore(tx)
        store.add_accounts([Account(a.account_id, f"SYNTHETIC {a.account_id}", (), "", "",
                                    a.country, "2026-01-01") for a in accounts], when)
        store.put_resolutions([Resolution(a.account_id, a.status, a.organization, 0.99, {}, when)
                               for a in accounts if a.status != "unscreened"])
        store.put_classifications([Classification(
            a.account_id, a.sector,
            [{"sector": s, "path": [{"type": "account", "id": a.account_id}], "edges": 1,
              "relationships": [{"relationship_id": "SYNTHETIC-award", "sector": s,
                                 "kind": "data_analytics_and_it", "rule": "SYNTHETIC",
                                 "start": "2025-01-01", "end": "2027-12-31", "amount": 5000000.0,
                                 "dates": "period_of_performance"}]}
             for s in a.supports], when, None)
            for a in accounts if a.status in ("accepted", "judged")])


WORLD = [
    RegistryAccount("SYNTHETIC-police", "law_enforcement"),
    RegistryAccount("SYNTHETIC-ice", "immigration_enforcement"),
    RegistryAccount("SYNTHETIC-contractor", "commercial", ("immigration_enforcement",)),
    RegistryAccount("SYNTHETIC-shop", "commercial"),
    RegistryAccount("SYNTHETIC-new", status="unscreened"),
]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return default_catalog()


@pytest.fixture(scope="session")
def schema(catalog: Catalog) -> PolicySchema:
    return build_schema(catalog)


@pytest.fixture
def world(database: Database) -> Database:
    """A database whose registry holds the SYNTHETIC ``WORLD`` accounts."""
    add_registry_accounts(database, WORLD)
    return database
