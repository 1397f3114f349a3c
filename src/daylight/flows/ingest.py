"""Ingest usage files, and write SYNTHETIC usage: the usage layer given the service catalog.

Usage imports nothing of the policy layer; this flow hands it the catalog's operations and
CloudTrail event table as plain data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.period import Period
from daylight.policy.catalog import Catalog, default_catalog
from daylight.registry.facts import cloud_accounts
from daylight.usage.generate import generate_usage, synthetic_account_ids
from daylight.usage.ingest import IngestResult, ingest_files
from daylight.usage.store import UnmappedCloudAccount, UsageStore

FileProgress = Callable[[str, int], None]
"""Called with a file's name and the rows read from it so far."""

ROWS_PER_FILE = 10_000_000


def ingest_usage(store: UsageStore, files: Sequence[Path], *, catalog: Catalog | None = None,
                 declared_format: str = "auto", quarantine: Path | None = None,
                 progress: FileProgress | None = None, clock: Clock = utc_now,
                 registry: Database | None = None) -> IngestResult:
    """Ingest ``files`` into ``store``, all or none, mapping events with ``catalog``
    (default: the shipped catalog). With ``registry`` holding accounts, CloudTrail records are
    mapped from their cloud account id to the customer account that declared it (or whose id it
    is); records of other ids are counted as unmapped and not ingested. Without accounts (or
    ``registry``), CloudTrail usage is stored under the cloud account id, as it comes."""
    chosen = catalog or default_catalog()
    mapping = None
    if registry is not None:
        known = cloud_accounts(registry)
        mapping = dict(known.by_cloud_id) if known.accounts else None
    return ingest_files(list(files), store, operations=chosen.service_of_operations(),
                        events=dict(chosen.events), declared_format=declared_format,
                        quarantine=quarantine, progress=progress, now=clock(),
                        cloud_accounts=mapping)


@dataclass(frozen=True)
class UnmappedView:
    """A cloud account id with records never ingested, and the account that declares it now
    (None: still nobody). Records already counted stay out until their file is ingested again
    under a new name (docs/usage.md)."""

    unmapped: UnmappedCloudAccount
    declared_by: str | None

    def to_json(self) -> dict[str, Any]:
        """One line of ``daylight usage unmapped --json``."""
        u = self.unmapped
        return {"cloud_account_id": u.cloud_account_id, "records": u.records, "files": u.files,
                "first_ingested_at": u.first_ingested_at, "last_ingested_at": u.last_ingested_at,
                "declared_by": self.declared_by}


def unmapped_cloud_accounts(store: UsageStore, registry: Database) -> list[UnmappedView]:
    """Every cloud account id whose CloudTrail records were not ingested, in id order, with the
    account that declares it in the registry now."""
    mapping = cloud_accounts(registry).by_cloud_id
    return [UnmappedView(u, mapping.get(u.cloud_account_id)) for u in store.unmapped()]


@dataclass(frozen=True)
class GeneratedUsage:
    """SYNTHETIC metering written by ``generate_synthetic_usage``."""

    period: Period
    accounts: int
    rows: int
    files: tuple[Path, ...]

    def to_json(self) -> dict[str, Any]:
        """What ``daylight usage generate`` prints."""
        return {"synthetic": True, "period": self.period.label, "accounts": self.accounts,
                "rows": self.rows, "files": [str(f) for f in self.files]}


def file_count(rows: int, files: int = 0) -> int:
    """``files`` if given, else one file per ten million rows."""
    return files or max(1, math.ceil(rows / ROWS_PER_FILE))


def generate_synthetic_usage(out: Path, *, accounts: int | Sequence[str], rows: int, period: Period,
                             files: int = 0, file_format: str = "parquet",
                             seed: int = 1) -> GeneratedUsage:
    """Write SYNTHETIC metering for the shipped catalog's operations: ``accounts`` invented
    account ids (or these ids, heaviest first), ``rows`` rows in ``period``."""
    account_ids = synthetic_account_ids(accounts) if isinstance(accounts, int) else list(accounts)
    written = generate_usage(out, accounts=account_ids, rows=rows, period=period,
                             operations=default_catalog().service_of_operations(),
                             files=file_count(rows, files), file_format=file_format, seed=seed)
    return GeneratedUsage(period, len(account_ids), rows, tuple(f.path for f in written))
