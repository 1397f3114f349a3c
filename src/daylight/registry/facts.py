"""What the layers above may read of the registry, as values: each account's standing (for
policy decisions), one account's classification with its organisation and match (for audit
findings), and a fingerprint that changes whenever any of that changes.

These are the registry's answers to other layers; nothing outside the registry runs SQL on its
tables. Views shaped for one command (``accounts show``, ``review list``) live with that command.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.database import Database, Transaction
from daylight.core.errors import NotFoundError
from daylight.registry.correction import CorrectionStore, accepted_overrides
from daylight.registry.organization import Organization
from daylight.registry.resolution import RESOLVED
from daylight.registry.store import RegistryStore
from daylight.registry.support import Override


@dataclass(frozen=True)
class AccountStanding:
    """An account as a policy may see it: where it is, how screening resolved it, and how it is
    classified. ``status`` is None for an account never screened, ``sector`` None for one never
    classified."""

    account_id: str
    country: str
    status: str | None
    organization_id: str | None
    sector: str | None
    supported_sectors: frozenset[str]  # every sector its edges lead to, at any time
    supports: Sequence[Mapping[str, Any]] = ()  # the stored classification's, with every edge
    overrides: Sequence[Override] = ()  # accepted corrections about its organisation
    candidate_sector: str = "unknown"
    """A match awaiting review: its candidate's sector ("unknown" otherwise)."""
    candidate_supports: frozenset[str] = frozenset()
    """A match awaiting review: the sectors its candidate's edges lead to, at any time (empty
    otherwise)."""
    candidate_support: Sequence[Mapping[str, Any]] | None = None
    """A match awaiting review: its candidate's support edges per sector (a classification's
    ``supports`` shape), from which support at a time is decided; None for a match screened
    before they were kept (``candidate_supports`` then stands, at any time: fail safe)."""

    @property
    def is_resolved(self) -> bool:
        """True if screening or a reviewer took the account to be ``organization_id``."""
        return self.status in RESOLVED


_STANDING_SQL = """
SELECT a.account_id, a.country, r.status, r.organization_id, c.sector, c.supports, r.features
FROM registry_account a
LEFT JOIN registry_resolution r ON r.account_id = a.account_id
LEFT JOIN registry_classification c ON c.account_id = a.account_id
ORDER BY a.account_id
"""


def _standing(row: Sequence[Any], overrides: Mapping[str, Sequence[Override]]) -> AccountStanding:
    account_id, country, status, organization, sector, supports, evidence = row
    items = json.loads(supports) if supports else []
    features = json.loads(evidence) if status == "review" and evidence else {}
    provisional = features.get("provisional") or {}
    return AccountStanding(
        account_id, country or "", status, organization, sector,
        frozenset(s["sector"] for s in items), items, tuple(overrides.get(organization or "", ())),
        provisional.get("sector", "unknown"), frozenset(provisional.get("supports", ())),
        features.get("provisional_support") if provisional else None)


def account_standings(database: Database) -> list[AccountStanding]:
    """Every account's standing, in account id order, in one query (and one for the accepted
    corrections)."""
    with database.transaction(write=False) as tx:
        rows = tx.query(_STANDING_SQL)
        overrides = accepted_overrides(tx)
    return [_standing(r, overrides) for r in rows]


@dataclass(frozen=True)
class RegistryFingerprint:
    """Counts, latest times and latest log index of accounts, resolutions and classifications:
    equal fingerprints mean nothing a policy may see has changed."""

    accounts: tuple[Any, ...]
    screened: tuple[Any, ...]
    classified: tuple[Any, ...]
    corrected: tuple[Any, ...] = ()
    loaded: tuple[Any, ...] = ()


def registry_fingerprint(database: Database) -> RegistryFingerprint:
    """A value that changes whenever an account is imported, screened or classified.

    Times alone are not enough: a row rewritten with a time that is not later than the newest
    one (the same instant, or a writer whose clock is behind) changes neither a count nor a
    maximum. Every classification the registry writes (screening, judgement) carries the index
    of its new log entry, and log indices only grow, so ``MAX(log_index)`` changes with each.
    """
    with database.transaction(write=False) as tx:
        accounts = tx.query_one("SELECT COUNT(*), MAX(imported_at) FROM registry_account")
        screened = tx.query_one("SELECT COUNT(*), MAX(screened_at) FROM registry_resolution")
        classified = tx.query_one("SELECT COUNT(*), MAX(classified_at), MAX(log_index), "
                                  "COUNT(log_index) FROM registry_classification")
        corrected = CorrectionStore(tx).fingerprint()  # accepted corrections change support
        loaded = reference_marker(tx)
    return RegistryFingerprint(tuple(accounts or ()), tuple(screened or ()),
                               tuple(classified or ()), corrected, loaded)


def reference_marker(tx: Transaction) -> tuple[int, int]:
    """(reference builds loaded, the latest one's log index or -1): the ``loaded`` part of
    ``registry_fingerprint``. It changes with every load, the only write that changes the
    organisations (and so the screener built from them)."""
    row = tx.query_one("SELECT COUNT(*), MAX(log_index) FROM registry_reference")
    if row is None or row[1] is None:
        return (0, -1)
    return (int(row[0]), int(row[1]))


@dataclass(frozen=True)
class AccountClassification:
    """One account's classification, the organisation it resolved to (if it did), and the
    screening outcome (``status``/``score``; None if never screened). An account never
    classified is ``unknown`` and supports nothing."""

    account_id: str
    sector: str
    supports: list[dict[str, Any]]
    log_index: int | None
    organization: Organization | None
    status: str | None
    score: float | None
    overrides: Sequence[Override] = ()  # accepted corrections about its organisation


def account_classification(database: Database, account_id: str) -> AccountClassification:
    """The classification of ``account_id``; NotFoundError if there is no such account."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        if store.account(account_id) is None:
            raise NotFoundError(f"no account `{account_id}`")
        resolution = store.resolution(account_id)
        organization = None
        if resolution is not None and resolution.is_resolved and resolution.organization_id:
            organization = store.organization(resolution.organization_id)
        classification = store.classification(account_id)
        overrides = accepted_overrides(tx).get(organization.id, []) if organization else []
    return AccountClassification(
        account_id,
        classification.sector if classification else "unknown",
        classification.supports if classification else [],
        classification.log_index if classification else None,
        organization,
        resolution.status if resolution else None,
        resolution.score if resolution else None, tuple(overrides))


@dataclass(frozen=True)
class CloudAccounts:
    """Which customer account each cloud (AWS) account id is: the ids accounts declared
    (``cloud_account_ids``), and the accounts whose own id is a 12-digit cloud id. ``accounts``
    is how many accounts the registry holds (none: nothing to map against)."""

    by_cloud_id: Mapping[str, str]
    accounts: int


def cloud_accounts(database: Database) -> CloudAccounts:
    """The mapping usage ingest applies to CloudTrail's ``userIdentity.accountId``."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        declared = store.cloud_accounts()
        own = store.cloud_like_account_ids()
        count = store.count_accounts()
    return CloudAccounts({**{a: a for a in own}, **declared}, count)
