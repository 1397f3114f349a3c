"""A small provider world for the report tests, built through each layer's own functions: the
registry's reference subset (real rows of the shipped data), SYNTHETIC accounts typed like an
agency, a contractor and an immigration agency, SYNTHETIC usage in two months, and gate
decisions recorded by the policy layer's recorder with a fixed clock."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.core.database import Database, Transaction, migrate
from daylight.core.entry_types import USAGE_DIGEST as DIGEST_ENTRY_TYPE
from daylight.core.errors import VerificationError
from daylight.core.period import parse_period
from daylight.flows.report import ReportRequest, build_report
from daylight.home import all_migrations
from daylight.log.entry import LogEntry
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.decision import Decision, Reason
from daylight.policy.recorder import DecisionRecorder
from daylight.registry.accounts import Account
from daylight.registry.reference.shipped import read_reference
from daylight.registry.service import import_accounts, load_reference, screen_accounts
from daylight.report.model import Report
from daylight.report.verify import verify_report
from daylight.usage.aggregate import DuckDBEngine, aggregate_period
from daylight.usage.aggregate_store import record_aggregation
from daylight.usage.ingest import ingest_files
from daylight.usage.store import UsageStore
from tests.report.factory import synthetic_report

SUBSET = Path(__file__).parents[1] / "registry" / "data"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)

ACCOUNTS = [
    Account("SYNTHETIC-police", "Gainesville Police Department", (), "Gainesville", "FL", "US",
            "2025-01-01"),
    Account("SYNTHETIC-contractor", "THE GEO GROUP, INC.", (), "", "", "US", "2025-01-01"),
    Account("SYNTHETIC-ice", "U.S. Immigration and Customs Enforcement", (), "", "", "US",
            "2026-11-05"),  # a customer from November on
    Account("SYNTHETIC-bakery", "Blue Harbor Bakery LLC", ("gmail.com",), "", "CA", "US",
            "2025-01-01"),
]

# (account, operation, calls) per month: 3 calls is under the small-count threshold of 10.
USAGE = {
    "2026-10": [("SYNTHETIC-police", "face.search", 12), ("SYNTHETIC-police", "compute.instance", 3),
                ("SYNTHETIC-contractor", "analytics.query", 25), ("SYNTHETIC-bakery",
                                                                  "compute.instance", 40)],
    "2026-11": [("SYNTHETIC-police", "face.search", 14), ("SYNTHETIC-ice", "face.search", 11),
                ("SYNTHETIC-contractor", "analytics.query", 25)],
}


@dataclass(frozen=True)
class World:
    """The world's database and log, and where its usage is stored."""

    database: Database
    log: TransparencyLog
    usage: UsageStore


def _usage_file(folder: Path, month: str, rows: Sequence[tuple[str, str, int]]) -> Path:
    catalog = default_catalog()
    path = folder / f"SYNTHETIC-usage-{month}.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("account_id", "timestamp", "service", "operation", "units", "region",
                         "request_id", "synthetic"))
        for account, operation, calls in rows:
            for n in range(calls):
                writer.writerow((account, f"{month}-0{1 + n % 9}T10:00:{n % 60:02d}Z",
                                 catalog.operations[operation].service, operation, 1, "us-east-1",
                                 f"{account}-{operation}-{month}-{n}", "true"))
    return path


def ingest_month(world: World, month: str, folder: Path) -> None:
    """Ingest one month of SYNTHETIC usage (not aggregated)."""
    catalog = default_catalog()
    ingest_files([_usage_file(folder, month, USAGE[month])], world.usage,
                 operations=catalog.service_of_operations(), events=dict(catalog.events), now=NOW)


def add_month(world: World, month: str, folder: Path) -> None:
    """Ingest and aggregate one month of SYNTHETIC usage, logging the digests."""
    ingest_month(world, month, folder)
    aggregation = aggregate_period(world.usage, parse_period(month), DuckDBEngine(threads=1))

    def sequence(tx: Transaction, payloads: Sequence[dict[str, object]]) -> int:
        return world.log.sequence_in(tx, [LogEntry(DIGEST_ENTRY_TYPE, NOW, dict(p)).encode()
                                          for p in payloads])

    record_aggregation(world.database, aggregation, sequence, NOW)
    world.log.integrate()


def record_decisions(database: Database, day: str, police_denials: int) -> None:
    """Gate decisions on ``day``: the police account denied face.search by the employee-demands
    pack, and allowed compute a few times (under the small-count threshold)."""
    moment = datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp()
    recorder = DecisionRecorder(clock=lambda: moment)
    deny = Decision(False, (Reason("employee-demands/no-face-search-for-police",
                                   "no biometric identification for law enforcement"),), 1)
    allow = Decision(True, (Reason("employee-demands/permit-infrastructure", "infrastructure"),), 1)
    for _ in range(police_denials):
        recorder.record("SYNTHETIC-police", "face.search", None, deny)
    for _ in range(2):
        recorder.record("SYNTHETIC-police", "compute.instance", None, allow)
    recorder.flush(database)


def make_world(database: Database, log: TransparencyLog, folder: Path) -> World:
    """The registry loaded and screened, and October's usage and decisions recorded."""
    load_reference(database, log, read_reference(SUBSET), NOW)
    import_accounts(database, ACCOUNTS, NOW)
    screen_accounts(database, log, NOW)
    built = World(database, log, UsageStore(folder / "usage", database))
    (folder / "incoming").mkdir()
    add_month(built, "2026-10", folder / "incoming")
    record_decisions(database, "2026-10-15", police_denials=30)
    return built


@pytest.fixture
def world(database: Database, log: TransparencyLog, tmp_path: Path) -> World:
    """The small world on each backend."""
    return make_world(database, log, tmp_path)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One report of October built on SQLite, for tests that only read (or copy) its files."""
    folder = tmp_path_factory.mktemp("published")
    database = Database(f"sqlite:///{folder / 'daylight.db'}")
    migrate(database, all_migrations())
    try:
        log = TransparencyLog.create(database, Signer.generate("test.daylight.invalid/log"))
        world = make_world(database, log, folder)
        build_report(world.database, log, default_catalog(),
                     ReportRequest("2026-10", folder / "report"), NOW)
        yield folder / "report"
    finally:
        database.close()


@pytest.fixture
def copy(published: Path, tmp_path: Path) -> Path:
    """A copy of ``published`` for a test to change."""
    target = tmp_path / "report"
    shutil.copytree(published, target)
    return target


def verify_problems(directory: Path, **options: object) -> str:
    """What ``verify_report`` reports of ``directory``, which it MUST refuse."""
    with pytest.raises(VerificationError) as caught:
        verify_report(directory, **options)  # type: ignore[arg-type]
    return caught.value.diagnostics()


@pytest.fixture(scope="module")
def report() -> Report:
    """A SYNTHETIC report value of 24 organisations, for the tests that render its pages."""
    return synthetic_report(organizations=24)
