"""Shared fixtures: real SQLite in a temp dir and a real PostgreSQL server, one database (or
schema) per test, and the CLI runner."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from tests.postgres import PostgresServer

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Base URL of a PostgreSQL server: DAYLIGHT_TEST_POSTGRES_URL, or one started here."""
    given = os.environ.get("DAYLIGHT_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    server = PostgresServer()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL for the backend named by the test's ``backend`` param."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    schema = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """An open database migrated to every component's current schema."""
    db = Database(database_url)
    migrate(db, all_migrations())
    try:
        yield db
    finally:
        db.close()


@pytest.fixture
def signer() -> Signer:
    return Signer.generate("test.daylight.invalid/log")


@pytest.fixture
def log(database: Database, signer: Signer) -> TransparencyLog:
    """An empty log with its signing key."""
    return TransparencyLog.create(database, signer)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test that takes a database runs against every backend: the storage contract."""
    if "database_url" in metafunc.fixturenames:
        metafunc.parametrize("database_url", BACKENDS, indirect=True)
