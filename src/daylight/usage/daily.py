"""Calls per UTC day, account and operation over a period, read from the stored Parquet files
the manifest lists: the series behind "use over time" charts (the period's logged aggregates
stay the numbers that count; these are the same records split by day)."""

from __future__ import annotations

from dataclasses import dataclass

from daylight.core.errors import StorageError
from daylight.core.period import Period
from daylight.usage.aggregate import parquet_source
from daylight.usage.store import UsageStore


@dataclass(frozen=True)
class DailyCalls:
    """How many calls an account made to an operation on one UTC day."""

    day: str
    account_id: str
    operation: str
    calls: int


def daily_calls(store: UsageStore, period: Period) -> list[DailyCalls]:
    """Calls per day, account and operation in ``period``, sorted; empty if nothing is stored."""
    paths = store.existing_files(store.files_for_period(period))
    if not paths:
        return []
    import duckdb  # heavy: loaded by the commands that count usage, not at start-up

    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        rows = con.execute(f"""
            SELECT strftime("timestamp", '%Y-%m-%d') AS day, account_id, operation,
                   count(*)::BIGINT AS calls
            FROM {parquet_source(paths)}
            GROUP BY ALL ORDER BY day, account_id, operation
        """).fetchall()
    except duckdb.Error as exc:
        raise StorageError(f"duckdb failed to count usage per day: {exc}") from exc
    finally:
        con.close()
    return [DailyCalls(str(r[0]), str(r[1]), str(r[2]), int(r[3])) for r in rows]
