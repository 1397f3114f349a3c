"""Screen: resolve the registry's accounts against the reference organisations, classify them,
and log each new or changed classification and the run's digest."""

from __future__ import annotations

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.errors import InputError
from daylight.log.service import TransparencyLog
from daylight.registry.service import Progress, ScreeningSummary, screen_accounts
from daylight.registry.store import RegistryStore


def screen(database: Database, log: TransparencyLog, *, everything: bool = False,
           clock: Clock = utc_now, on_progress: Progress | None = None) -> ScreeningSummary:
    """Screen every unresolved account (every account with ``everything``); InputError if no
    reference data has been loaded."""
    with database.transaction(write=False) as tx:
        if not RegistryStore(tx).organizations():
            raise InputError("the registry is empty: run `daylight reference load` first")
    return screen_accounts(database, log, clock(), everything=everything, on_progress=on_progress)
