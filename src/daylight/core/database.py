"""One database seam for SQLite (embedded default) and PostgreSQL (production).

Callers write SQL once, with ``?`` placeholders and portable types; ``Database`` adapts the few
differences (placeholders, ``BLOB``/``BYTEA``, bulk insert, writer locks). Driver exceptions never
leave this module as themselves: they become ``StorageError`` or ``ConflictError``.

Durability: SQLite runs in WAL mode with ``synchronous=FULL``, so a committed transaction survives
a crash of the process or the machine; PostgreSQL commits are durable by default.
"""

from __future__ import annotations

import functools
import hashlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from daylight.core.errors import ConfigError, ConflictError, StorageError

if TYPE_CHECKING:
    import psycopg

Dialect = Literal["sqlite", "postgresql"]
Row = tuple[Any, ...]

_SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=60000",
)


def _secrets_in(url: str) -> list[str]:
    """Everything in a URL that might be a credential, even in a malformed URL (a password with
    an unescaped '/' or '@' moves into libpq's host or dbname)."""
    found = re.findall(r"[?&]password=([^&]*)", url)
    rest = url.split("://", 1)[-1]
    if "@" in rest:
        found += re.split(r"[:/@]", rest.rsplit("@", 1)[0])
    return sorted({t for t in found if len(t) >= 3}, key=len, reverse=True)


def scrub(text: str, url: str) -> str:
    """``text`` with every possible credential of ``url`` replaced by ***."""
    for secret in _secrets_in(url):
        text = text.replace(secret, "***")
    return text


def describe_url(url: str) -> str:
    """A database URL safe to print: scheme, host, port and database name, never credentials."""
    if url.startswith("sqlite:///"):
        return url
    if url.startswith(("postgresql://", "postgres://")):
        import psycopg  # heavy (0.1 s): loaded only for PostgreSQL

        try:
            info = psycopg.conninfo.conninfo_to_dict(url)
        except psycopg.Error:
            return "postgresql://(unparseable url)"
        host, port, name = info.get("host", ""), info.get("port", ""), info.get("dbname", "")
        return scrub(f"postgresql://{host}{':' + str(port) if port else ''}/{name}", url)
    return url.split(":", 1)[0] + ":..." if ":" in url else "(not a url)"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@functools.lru_cache(maxsize=1024)
def _adapt_postgresql(sql: str) -> str:
    sql = re.sub(r"\bBLOB\b", "BYTEA", sql)
    sql = re.sub(r"\bREAL\b", "DOUBLE PRECISION", sql)
    return sql.replace("%", "%%").replace("?", "%s")


class Transaction:
    """An open transaction; every statement in it commits or rolls back together."""

    def __init__(self, database: Database, cursor: Any) -> None:
        self._database = database
        self._cursor = cursor

    @property
    def dialect(self) -> Dialect:
        return self._database.dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run one statement."""
        with self._database.translated_errors(sql):
            self._cursor.execute(self._database.adapt(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for each row of parameters."""
        with self._database.translated_errors(sql):
            self._cursor.executemany(self._database.adapt(sql), rows)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run a query and return every row as a tuple."""
        with self._database.translated_errors(sql):
            self._cursor.execute(self._database.adapt(sql), params)
            return [tuple(r) for r in self._cursor.fetchall()]

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """Run a query and return its first row, or None."""
        with self._database.translated_errors(sql):
            self._cursor.execute(self._database.adapt(sql), params)
            row = self._cursor.fetchone()
            return tuple(row) if row is not None else None

    def insert_rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Bulk insert: COPY on PostgreSQL, executemany on SQLite."""
        if self.dialect == "postgresql":
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with self._database.translated_errors(statement), self._cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def lock(self, name: str) -> None:
        """Serialise writers on ``name`` until the transaction ends.

        SQLite transactions opened for writing already hold the database's single write lock.
        """
        if self.dialect == "postgresql":
            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            self.execute("SELECT pg_advisory_xact_lock(?)", (key,))


class Database:
    """A connection to SQLite or PostgreSQL with transactions and migrations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._lock = threading.RLock()
        self._in_transaction = False
        self._sqlite: sqlite3.Connection | None = None
        self._pg: psycopg.Connection[Any] | None = None
        # Driver exceptions that `translated_errors` turns into Daylight errors (psycopg's join
        # them when PostgreSQL is used, so SQLite never imports psycopg).
        self._integrity_errors: tuple[type[Exception], ...] = (sqlite3.IntegrityError,)
        self._driver_errors: tuple[type[Exception], ...] = (sqlite3.Error,)
        if url.startswith("sqlite:///"):
            self.dialect: Dialect = "sqlite"
            self.path: Path | None = Path(url[len("sqlite:///"):])
            try:
                conn = sqlite3.connect(
                    self.path, isolation_level=None, check_same_thread=False, timeout=60
                )
                for pragma in _SQLITE_PRAGMAS:
                    conn.execute(pragma)
            except sqlite3.Error as exc:
                raise StorageError(f"cannot open sqlite database: {exc}", where=str(self.path)) from exc
            self._sqlite = conn
        elif url.startswith(("postgresql://", "postgres://")):
            self.dialect = "postgresql"
            self.path = None
            self._pg = self._connect_postgresql()
        else:
            raise ConfigError(
                "unsupported database url: expected sqlite:///PATH or postgresql://...",
                where=describe_url(url),
            )

    def _connect_postgresql(self) -> psycopg.Connection[Any]:
        import psycopg  # heavy (0.1 s): loaded only for PostgreSQL

        self._integrity_errors = (sqlite3.IntegrityError, psycopg.errors.IntegrityError)
        self._driver_errors = (sqlite3.Error, psycopg.Error)
        try:
            connection = psycopg.connect(self.url, autocommit=True)
        except psycopg.Error as exc:
            raise StorageError(
                f"cannot connect to postgresql: {scrub(_first_line(exc), self.url)}",
                where=describe_url(self.url),
            ) from exc
        # Writers serialise on advisory locks; that is only sound under READ COMMITTED, whatever
        # the server's or role's default isolation is.
        connection.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
        return connection

    def adapt(self, sql: str) -> str:
        """Adapt portable SQL (``?`` placeholders, BLOB, REAL) to this dialect."""
        return _adapt_postgresql(sql) if self.dialect == "postgresql" else sql

    @contextmanager
    def translated_errors(self, sql: str) -> Iterator[None]:
        """Turn driver exceptions into Daylight errors."""
        try:
            yield
        except self._integrity_errors as exc:
            raise ConflictError(
                f"database constraint refused the write: {_first_line(exc)}"
            ) from exc
        except self._driver_errors as exc:
            raise StorageError(
                f"database error: {_first_line(exc)}", where=sql.split()[0].lower()
            ) from exc

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """Open a transaction; commit when the block ends, roll back if it raises.

        Transactions do not nest: a nested call is refused on both backends (on PostgreSQL it
        would silently become a savepoint whose outer rollback undoes what the inner one
        acknowledged).
        """
        with self._lock:
            if self._in_transaction:
                raise StorageError("nested transactions are not supported")
            self._in_transaction = True
            try:
                if self._sqlite is not None:
                    yield from self._sqlite_transaction(self._sqlite, write)
                else:
                    yield from self._postgresql_transaction()
            finally:
                self._in_transaction = False

    def _sqlite_transaction(self, conn: sqlite3.Connection, write: bool) -> Iterator[Transaction]:
        with self.translated_errors("begin"):
            cursor = conn.cursor()
            cursor.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield Transaction(self, cursor)
            with self.translated_errors("commit"):
                conn.commit()
        except BaseException:
            if conn.in_transaction:  # also after a failed commit, so the connection stays usable
                with self.translated_errors("rollback"):
                    conn.rollback()
            raise

    def _postgresql_transaction(self) -> Iterator[Transaction]:
        if self._pg is None or self._pg.closed or self._pg.broken:
            # The server restarted or the connection dropped since the last transaction.
            if self._pg is not None:
                self._pg.close()
            self._pg = self._connect_postgresql()
        pg = self._pg
        with self.translated_errors("begin"), pg.transaction(), pg.cursor() as cursor:
            yield Transaction(self, cursor)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            if self._pg is not None:
                self._pg.close()
                self._pg = None

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class Migration:
    """One numbered schema change of one component."""

    component: str
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()

    def statements(self) -> list[str]:
        return [s.strip() for s in re.split(r";\s*(?:\n|$)", self.sql) if s.strip()]


def load_migrations(component: str, package: str) -> list[Migration]:
    """The ``migrations/NNNN_name.sql`` files of ``package``, in order."""
    folder = resources.files(package) / "migrations"
    migrations = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", item.name)
        if match:
            migrations.append(
                Migration(component, int(match[1]), match[2], item.read_text(encoding="utf-8"))
            )
    return migrations


_MIGRATION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migration (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    PRIMARY KEY (component, version)
)
"""


def migrate(database: Database, migrations: Sequence[Migration]) -> list[Migration]:
    """Apply the migrations not yet applied, each in its own transaction; return those applied.

    A migration already applied whose text has changed is refused: released schema is immutable.
    """
    # Read-only first: an up-to-date database (the usual case, and a read-only replica) needs no
    # write transaction at all.
    try:
        with database.transaction(write=False) as tx:
            rows = tx.query("SELECT component, version, checksum FROM schema_migration")
    except StorageError:
        rows = None  # no migration table yet
    if rows is not None:
        stored = {(str(r[0]), int(r[1])): str(r[2]) for r in rows}
        for migration in migrations:
            checksum = stored.get((migration.component, migration.version))
            if checksum is not None and checksum != migration.checksum:
                raise StorageError(
                    f"migration {migration.version:04d}_{migration.name} of "
                    f"`{migration.component}` was changed after it was applied",
                    evidence={"stored": checksum, "shipped": migration.checksum},
                )
        if all((m.component, m.version) in stored for m in migrations):
            return []
    applied: list[Migration] = []
    with database.transaction() as tx:
        tx.lock("schema_migration")
        tx.execute(_MIGRATION_TABLE)
    for migration in migrations:
        with database.transaction() as tx:
            tx.lock("schema_migration")
            row = tx.query_one(
                "SELECT checksum FROM schema_migration WHERE component = ? AND version = ?",
                (migration.component, migration.version),
            )
            if row is not None:
                if row[0] != migration.checksum:
                    raise StorageError(
                        f"migration {migration.version:04d}_{migration.name} of "
                        f"`{migration.component}` was changed after it was applied",
                        evidence={"stored": row[0], "shipped": migration.checksum},
                    )
                continue
            for statement in migration.statements():
                tx.execute(statement)
            tx.execute(
                "INSERT INTO schema_migration (component, version, name, checksum) VALUES (?, ?, ?, ?)",
                (migration.component, migration.version, migration.name, migration.checksum),
            )
            applied.append(migration)
    return applied
