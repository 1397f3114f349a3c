"""Every list route pages by keyset (``daylight.core.keyset``): walking a list page by page
reaches its end with no item twice and none missed, even when items are filed between pages;
and a page reads a bounded number of rows, however long the list (10,000 rows, limit 10)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from daylight.core.database import Database, Transaction, migrate
from daylight.core.keyset import ALL, Window
from daylight.flows.correction import list_corrections
from daylight.flows.declare import list_declarations
from daylight.flows.object import list_objections
from daylight.flows.published import list_published
from daylight.flows.review import review_queue
from daylight.home import Home, all_migrations
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account
from daylight.registry.correction import Correction, CorrectionStore
from daylight.registry.resolution import Resolution
from daylight.registry.store import RegistryStore
from daylight.report.store import Publication, ReportStore
from daylight.voice.declaration import SUBMITTED, Declaration
from daylight.voice.objection import OPEN, Objection, Subject
from daylight.voice.privacy import generate_review_key
from daylight.voice.store import VoiceStore
from tests.api.routes_world import ADMIN, Client, service, service_home

FILED_AT = "2026-10-01T00:00:00Z"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _objections(tx: Transaction, numbers: range) -> None:
    store = VoiceStore(tx)
    for i in numbers:
        store.add_objection(Objection(f"obj-{i:05d}", Subject("organization", "SYNTHETIC-org"),
                                      "SYNTHETIC statement", 10, 1, OPEN, FILED_AT, i))


def _declarations(tx: Transaction, numbers: range) -> None:
    store = VoiceStore(tx)
    for i in numbers:
        store.add_declaration(Declaration(
            f"decl-{i:05d}", "SYNTHETIC-shop", "biometric_identification", "SYNTHETIC purpose",
            {}, 1, SUBMITTED, datetime(2030, 1, 1, tzinfo=UTC), FILED_AT, i))


def _corrections(tx: Transaction, numbers: range) -> None:
    store = CorrectionStore(tx)
    for i in numbers:
        store.add(Correction(f"corr-{i:05d}", "SYNTHETIC-org", "SYNTHETIC claim", (), FILED_AT, i))


def _accounts(tx: Transaction, numbers: range) -> None:
    RegistryStore(tx).add_accounts([Account(f"SYNTHETIC-page-{i:05d}", "SYNTHETIC account", (),
                                            "", "", "US", "2026-01-01") for i in numbers],
                                   FILED_AT)


def _review(tx: Transaction, numbers: range) -> None:
    _accounts(tx, numbers)
    RegistryStore(tx).put_resolutions([Resolution(f"SYNTHETIC-page-{i:05d}", "review", None,
                                                  0.5, {}, FILED_AT) for i in numbers])


def _all_accounts(home: Home) -> list[str]:
    with home.database().transaction(write=False) as tx:
        return [a.account_id for a in RegistryStore(tx).iter_accounts()]


def _reports(tx: Transaction, numbers: range) -> None:
    store = ReportStore(tx)
    for i in numbers:
        start = date(2000, 1, 1) + timedelta(days=i)
        # two publications of each period: the later one is the period's latest
        for index in (2 * i, 2 * i + 1):
            store.add_publication(Publication(index, f"SYNTHETIC-{i:05d}", start.isoformat(),
                                              start.isoformat(), index, "ab" * 32, FILED_AT))


@dataclass(frozen=True)
class Listed:
    """A list route, how to add its rows, its flow's whole list (keys) and its store's page."""

    path: str
    add: Callable[[Transaction, range], None]
    key: Callable[[dict[str, Any]], str]
    everything: Callable[[Home], list[str]]
    page: Callable[[Transaction, Window], list[Any]]


LISTS = [
    Listed("/v1/objections", _objections, lambda o: o["objection_id"],
           lambda h: [o.objection_id for o in list_objections(h.database())],
           lambda tx, w: VoiceStore(tx).objection_page(w)),
    Listed("/v1/declarations", _declarations, lambda d: d["declaration_id"],
           lambda h: [r.declaration.declaration_id for r in list_declarations(h.database(), NOW)],
           lambda tx, w: VoiceStore(tx).declaration_page(w)),
    Listed("/v1/corrections", _corrections, lambda c: c["correction_id"],
           lambda h: [c.correction_id for c in list_corrections(h.database())],
           lambda tx, w: CorrectionStore(tx).all(w)),
    Listed("/v1/review", _review, lambda r: r["account"]["account_id"],
           lambda h: [i.resolution.account_id for i in review_queue(h.database(), ALL)],
           lambda tx, w: RegistryStore(tx).resolutions_with_status("review", w)),
    Listed("/v1/accounts", _accounts, lambda a: a["account"]["account_id"],
           _all_accounts,
           lambda tx, w: RegistryStore(tx).accounts_page(w)),
    Listed("/v1/reports", _reports, lambda r: r["period"],
           lambda h: [r.publication.period for r in list_published(h.database(),
                                                                   h.settings.reports_dir)],
           lambda tx, w: ReportStore(tx).latest_publications(w)),
]


@pytest.fixture
def home(tmp_path: Path, database: Database, log: TransparencyLog) -> Home:
    return service_home(tmp_path, database, log, generate_review_key()[0], serve_page_limit=3,
                        serve_page_limit_max=3)


@pytest.mark.parametrize("listed", LISTS, ids=[listed.path for listed in LISTS])
def test_a_list_is_walked_to_its_end_with_items_filed_between_pages(home: Home,
                                                                    listed: Listed) -> None:
    with home.database().transaction() as tx:
        listed.add(tx, range(0, 7))
    client = Client(service(home), ADMIN)
    seen: list[str] = []
    response = client.get(listed.path)
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        assert len(body["items"]) <= 3
        seen += [listed.key(item) for item in body["items"]]
        pages += 1
        if pages == 2:  # filed while the caller walks: each sorts after every item read
            with home.database().transaction() as tx:
                listed.add(tx, range(7, 12))
        if body["next"] is None:
            break
        response = client.get(body["next"])
    everything = listed.everything(home)
    assert len(everything) >= 12 and len(set(seen)) == len(seen)
    assert seen == everything


def _vm_steps(database: Database, read: Callable[[Transaction], list[Any]]) -> tuple[int, int]:
    """(SQLite virtual-machine steps, rows returned) of ``read`` in one read transaction: the
    work the database did, whatever the machine's load."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0
    connection = database._sqlite  # the SQLite connection: its progress handler counts steps
    assert isinstance(connection, sqlite3.Connection)
    connection.set_progress_handler(count, 1)
    try:
        with database.transaction(write=False) as tx:
            rows = read(tx)
    finally:
        connection.set_progress_handler(None, 1)
    return steps[0], len(rows)


@pytest.mark.parametrize("listed", LISTS, ids=[listed.path for listed in LISTS])
def test_a_page_reads_a_bounded_number_of_rows(tmp_path: Path, listed: Listed) -> None:
    """A page of 10 from the middle of 10,000 rows costs SQLite about what it costs from the
    middle of 100: the query seeks the cursor through an index and stops after the page (a
    list read whole and sliced would cost 100 times more)."""
    costs = []
    for rows in (100, 10_000):
        database = Database(f"sqlite:///{tmp_path / f'{rows}.db'}")
        migrate(database, all_migrations())
        with database.transaction() as tx:
            listed.add(tx, range(rows))
        with database.transaction(write=False) as tx:
            middle = listed.page(tx, Window(None, rows // 2))[-1]
        window = Window(_key_of(middle), 11)
        steps, taken = _vm_steps(database, lambda tx, window=window: listed.page(tx, window))
        assert taken == 11
        costs.append(steps)
        database.close()
    assert costs[1] < 2 * costs[0], costs


def _key_of(item: Any) -> str:
    for name in ("objection_id", "declaration_id", "correction_id", "account_id", "period"):
        if hasattr(item, name):
            return str(getattr(item, name))
    raise AssertionError(f"no key in {item!r}")
