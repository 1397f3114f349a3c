"""The Database seam on both backends: transactions, migrations, error translation."""

from __future__ import annotations

import pytest

from daylight.core.database import Database, Migration, migrate
from daylight.core.errors import ConfigError, ConflictError, StorageError


def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    with database.transaction() as tx:
        tx.execute("CREATE TABLE thing (id INTEGER PRIMARY KEY, data BLOB)")
    with pytest.raises(ConflictError), database.transaction() as tx:
        tx.insert_rows("thing", ("id", "data"), [(1, b"a"), (2, b"b")])
        tx.execute("INSERT INTO thing (id, data) VALUES (?, ?)", (1, b"again"))
    with database.transaction(write=False) as tx:
        assert tx.query("SELECT id FROM thing") == []


def test_bulk_insert_round_trips_bytes(database: Database) -> None:
    with database.transaction() as tx:
        tx.execute("CREATE TABLE thing (id BIGINT PRIMARY KEY, data BLOB, note TEXT)")
        tx.insert_rows("thing", ("id", "data", "note"),
                       [(i, bytes([i, 0, 255]), f"50% of {i}?") for i in range(100)])
    with database.transaction(write=False) as tx:
        assert tx.query_one("SELECT data, note FROM thing WHERE id = ?", (7,)) == (
            b"\x07\x00\xff", "50% of 7?")
        assert tx.query_one("SELECT count(*) FROM thing WHERE note LIKE '50%'") == (100,)


def test_migrations_apply_once_and_refuse_edits(database: Database) -> None:
    first = Migration("demo", 1, "create", "CREATE TABLE demo_t (id INTEGER);\n")
    assert migrate(database, [first]) == [first]
    assert migrate(database, [first]) == []
    edited = Migration("demo", 1, "create", "CREATE TABLE demo_t (id BIGINT);\n")
    with pytest.raises(StorageError, match="was changed after it was applied"):
        migrate(database, [edited])


def test_driver_errors_are_translated(database: Database) -> None:
    with pytest.raises(StorageError) as raised, database.transaction() as tx:
        tx.execute("SELECT * FROM no_such_table")
    assert raised.value.where == "select"


@pytest.mark.parametrize("url", [
    "postgresql://root:hunter2@127.0.0.1:1/x?connect_timeout=2",
    "postgresql://127.0.0.1:1/db?password=hunter2&connect_timeout=2",
    "postgresql://:hunter2@127.0.0.1:1/db?connect_timeout=2",
    "postgresql://root:hun/ter2@127.0.0.1:1/db?connect_timeout=2",
    "postgresql://root:hun@ter2@127.0.0.1:1/db?connect_timeout=2",
])
def test_unreachable_servers_are_reported_without_credentials(url: str) -> None:
    with pytest.raises(StorageError) as raised:
        Database(url)
    shown = raised.value.diagnostics()
    assert "hunter2" not in shown and "ter2" not in shown
    assert "127.0.0.1:1" in shown


def test_unsupported_urls_are_configuration_errors() -> None:
    with pytest.raises(ConfigError) as raised:
        Database("mysql://root:hunter2@db/x")
    assert "hunter2" not in raised.value.diagnostics()


def test_transactions_do_not_nest(database: Database) -> None:
    with database.transaction() as tx, pytest.raises(StorageError, match="nested"):
        tx.execute("SELECT 1")
        with database.transaction():
            pass


def test_migrations_on_an_up_to_date_database_need_no_write(database: Database) -> None:
    first = Migration("demo", 1, "create", "CREATE TABLE demo_t (id INTEGER);\n")
    migrate(database, [first])
    with database.transaction(write=False):
        # A reader holding a transaction does not block the check (SQLite would block a writer).
        pass
    assert migrate(database, [first]) == []
