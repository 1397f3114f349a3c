"""Fixtures for the usage layer: a store on a real database (SQLite and PostgreSQL), the shipped
catalog's operations and event table, and writers for small usage files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from daylight.core.database import Database
from daylight.policy.catalog import default_catalog
from daylight.usage.ingest import IngestResult, ingest_files
from daylight.usage.store import UsageStore

HEADER = ("account_id", "timestamp", "service", "operation", "units", "region", "request_id")

Rows = Sequence[Sequence[Any]]


def csv_text(rows: Rows, header: Sequence[str] = HEADER) -> str:
    """CSV with a header line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture
def operations() -> dict[str, str]:
    return default_catalog().service_of_operations()


@pytest.fixture
def events() -> dict[tuple[str, str], str]:
    return dict(default_catalog().events)


@pytest.fixture
def store(database: Database, tmp_path: Path) -> UsageStore:
    return UsageStore(tmp_path / "usage", database)


Ingest = Callable[..., IngestResult]


@pytest.fixture
def ingest(store: UsageStore, operations: dict[str, str],
           events: dict[tuple[str, str], str]) -> Ingest:
    """Ingest paths into the test store with the shipped catalog."""
    def run(*paths: Path, **options: Any) -> IngestResult:
        return ingest_files(list(paths), store, operations=operations, events=events, **options)
    return run


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(name: str, rows: Rows, header: Sequence[str] = HEADER) -> Path:
        path = tmp_path / name
        path.write_text(csv_text(rows, header))
        return path
    return write


def stored_state(store: UsageStore) -> dict[str, Any]:
    """Everything an ingest can change: manifest rows and the bytes of every data file."""
    with store.database.transaction(write=False) as tx:
        ingests = sorted(tx.query("SELECT ingest_id, source_sha256, rows_ingested FROM usage_ingest"))
        files = sorted(tx.query("SELECT path, sha256, rows FROM usage_file"))
    data = {}
    if store.data_dir.exists():
        data = {p.relative_to(store.data_dir).as_posix(): p.read_bytes()
                for p in sorted(store.data_dir.rglob("*")) if p.is_file()}
    return {"ingests": ingests, "files": files, "data": data}
