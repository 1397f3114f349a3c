"""``ReportStore``: the report layer's tables (published rows and publications), read and written
inside the caller's transaction. Portable SQL for SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from daylight.core.database import Migration, Transaction, load_migrations
from daylight.core.keyset import Window, keyset_rows


def report_migrations() -> list[Migration]:
    """The report layer's schema migrations."""
    return load_migrations("report", "daylight.report")


@dataclass(frozen=True)
class PublishedRow:
    """A row of a period's report and the log entry that proves it."""

    period: str
    row_id: str
    table_name: str
    organization_id: str | None
    row_sha256: str
    log_index: int


@dataclass(frozen=True)
class Publication:
    """A ``report.published`` entry: the period, the tree size its rows are proven against, and
    the SHA-256 of its ``SHA256SUMS``."""

    log_index: int
    period: str
    period_start: str
    period_end: str
    proven_tree_size: int
    sha256sums: str
    published_at: str


_PUBLICATION = ("log_index, period, period_start, period_end, proven_tree_size, sha256sums, "
                "published_at")


def _publication(row: Sequence[object]) -> Publication:
    return Publication(int(str(row[0])), str(row[1]), str(row[2]), str(row[3]), int(str(row[4])),
                       str(row[5]), str(row[6]))


class ReportStore:
    """The report's rows in one open transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx

    def lock(self) -> None:
        """Serialise publishers (PostgreSQL; SQLite writers are serial already)."""
        self.tx.lock("report.publish")

    def rows(self, period: str) -> dict[str, PublishedRow]:
        """Row id → the row as last published for ``period``."""
        rows = self.tx.query("SELECT period, row_id, table_name, organization_id, row_sha256, "
                             "log_index FROM report_row WHERE period = ?", (period,))
        return {r[1]: PublishedRow(r[0], r[1], r[2], r[3], r[4], int(r[5])) for r in rows}

    def put_rows(self, rows: Sequence[PublishedRow]) -> None:
        """Record rows (replacing an earlier version of the same row of the same period)."""
        self.tx.executemany(
            "INSERT INTO report_row (period, row_id, table_name, organization_id, row_sha256, "
            "log_index) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (period, row_id) DO UPDATE SET "
            "table_name = excluded.table_name, organization_id = excluded.organization_id, "
            "row_sha256 = excluded.row_sha256, log_index = excluded.log_index",
            [(r.period, r.row_id, r.table_name, r.organization_id, r.row_sha256, r.log_index)
             for r in rows])

    def remove_rows(self, period: str, row_ids: Sequence[str]) -> None:
        """Forget rows a re-built report of ``period`` no longer has (their entries stay logged)."""
        self.tx.executemany("DELETE FROM report_row WHERE period = ? AND row_id = ?",
                            [(period, r) for r in row_ids])

    def add_publication(self, publication: Publication) -> None:
        p = publication
        self.tx.execute(f"INSERT INTO report_publication ({_PUBLICATION}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (p.log_index, p.period, p.period_start, p.period_end, p.proven_tree_size,
                         p.sha256sums, p.published_at))

    def latest_publication(self, period: str) -> Publication | None:
        row = self.tx.query_one(f"SELECT {_PUBLICATION} FROM report_publication WHERE period = ? "
                                "ORDER BY log_index DESC LIMIT 1", (period,))
        return _publication(row) if row is not None else None

    def publications(self) -> list[Publication]:
        """Every publication, in log order (a period's later ones correct its earlier ones)."""
        rows = self.tx.query(f"SELECT {_PUBLICATION} FROM report_publication ORDER BY log_index")
        return [_publication(r) for r in rows]

    def latest_publications(self, window: Window) -> list[Publication]:
        """Each period's latest publication in ``window`` (keyed by period), by period start."""
        rows = keyset_rows(self.tx, columns=", ".join("p." + c for c in _PUBLICATION.split(", ")),
                           table="report_publication p", id_column="p.period",
                           order="p.period_start", window=window,
                           where="p.log_index = (SELECT MAX(q.log_index) FROM report_publication q "
                                 "WHERE q.period = p.period)")
        return [_publication(r) for r in rows]

    def previous_publication(self, before: str) -> Publication | None:
        """The latest publication of a period that ended on or before ``before`` (ISO date)."""
        row = self.tx.query_one(f"SELECT {_PUBLICATION} FROM report_publication "
                                "WHERE period_end <= ? ORDER BY period_end DESC, log_index DESC "
                                "LIMIT 1", (before,))
        return _publication(row) if row is not None else None
