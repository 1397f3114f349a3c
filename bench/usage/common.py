"""Shared pieces of the usage benchmarks: machine description, timing, scratch homes."""

from __future__ import annotations

import os
import platform
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.policy.catalog import default_catalog
from daylight.usage.store import UsageStore

T = TypeVar("T")


def machine() -> str:
    """Cores, memory, Python, and the load when the benchmark started."""
    load = os.getloadavg()
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.machine()}, {os.cpu_count()} cores, {memory_gib:.0f} GiB, "
            f"Python {platform.python_version()}, load average {load[0]:.2f} / {load[1]:.2f} / "
            f"{load[2]:.2f} at start (the cores are shared with other work: see the load)")


def timed(work: Callable[[], T]) -> tuple[float, T]:
    """Wall-clock seconds of ``work()`` and its result."""
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def fresh_store(root: Path) -> UsageStore:
    """An empty usage store with its SQLite manifest under ``root``."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    database = Database(f"sqlite:///{root / 'daylight.db'}")
    migrate(database, all_migrations())
    return UsageStore(root / "usage", database)


def catalog_data() -> tuple[dict[str, str], dict[tuple[str, str], str]]:
    """The shipped catalog's operations and event table, as the CLI hands them to usage."""
    catalog = default_catalog()
    return catalog.service_of_operations(), dict(catalog.events)


def parse_count(text: str) -> int:
    """``1e8`` or ``100000000``."""
    return int(float(text))
