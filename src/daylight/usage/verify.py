"""Checking stored usage against what was committed: every file of a period is re-hashed and
compared with the manifest, files the manifest does not list are looked for, and the period's
partitions hash is recomputed for comparison with the digests in the log."""

from __future__ import annotations

from dataclasses import dataclass

from daylight.core.errors import VerificationError
from daylight.core.period import Period
from daylight.usage.digest import partitions_hash
from daylight.usage.store import UsageStore, file_sha256


@dataclass(frozen=True)
class PeriodCheck:
    """The outcome of re-hashing a period's stored files (all matched the manifest)."""

    period: str
    files_checked: int
    rows: int
    partitions_sha256: str


def verify_period(store: UsageStore, period: Period) -> PeriodCheck:
    """Re-hash the period's files; VerificationError with the evidence if any differs, is
    missing, or is present without being listed."""
    files = store.files_for_period(period)
    for stored in files:
        path = store.absolute(stored.path)
        if not path.is_file():
            raise VerificationError("a stored usage file is missing", where=str(path),
                                    evidence={"manifest_sha256": stored.sha256})
        actual = file_sha256(path)
        if actual != stored.sha256:
            raise VerificationError("a stored usage file was changed after it was ingested",
                                    where=str(path),
                                    evidence={"manifest_sha256": stored.sha256, "file_sha256": actual})
    listed = {f.path for f in files}
    for day in period.days():
        folder = store.data_dir / f"day={day}"
        for path in sorted(folder.glob("*.parquet")) if folder.is_dir() else []:
            if path.relative_to(store.data_dir).as_posix() not in listed:
                raise VerificationError("a usage file is present that the manifest does not list",
                                        where=str(path), evidence={"file_sha256": file_sha256(path)})
    return PeriodCheck(period.label, len(files), sum(f.rows for f in files),
                       partitions_hash(files).sha256)
