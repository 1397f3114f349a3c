"""Registry fixtures: the small reference subset (rows of the shipped data) and a loaded registry."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.core.database import Database
from daylight.log.service import TransparencyLog
from daylight.registry.organization import part_of_links
from daylight.registry.reference.shipped import Reference, read_reference
from daylight.registry.screening import Screener
from daylight.registry.service import load_reference

SUBSET = Path(__file__).parent / "data"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def subset() -> Reference:
    return read_reference(SUBSET)


@pytest.fixture(scope="session")
def shipped() -> Reference:
    """The reference the package ships."""
    return read_reference()


@pytest.fixture(scope="session")
def screener(shipped: Reference) -> Screener:
    """A screener over the shipped reference (a module may define its own)."""
    return Screener(shipped.organizations, part_of=part_of_links(shipped.relationships))


@pytest.fixture
def loaded(database: Database, log: TransparencyLog, subset: Reference) -> Database:
    """A database holding the reference subset."""
    load_reference(database, log, subset, NOW)
    return database
