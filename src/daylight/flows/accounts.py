"""Accounts as ``daylight accounts show`` and ``accounts list`` show them: the account as
imported, the organisation it resolved to, the match, and its classification."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from daylight.core.database import Database
from daylight.core.errors import NotFoundError
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.store import RegistryStore

ENFORCEMENT = ("law_enforcement", "immigration_enforcement")


@dataclass(frozen=True)
class AccountView:
    """One account with its screening outcome (None if never screened), the organisation it
    resolved to (None unless resolved) and its classification (None if never classified)."""

    account: Account
    organization: Organization | None
    resolution: Resolution | None
    classification: Classification | None

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def sector(self) -> str:
        """The account's own sector (``unknown`` until it is classified)."""
        return self.classification.sector if self.classification else "unknown"

    @property
    def supports(self) -> list[dict[str, Any]]:
        """The sectors the account supports, each with its path through the graph."""
        return self.classification.supports if self.classification else []

    @property
    def supported_sectors(self) -> list[str]:
        return [s["sector"] for s in self.supports]

    @property
    def is_classified(self) -> bool:
        """Resolved to an enforcement agency, or supporting one."""
        return self.sector in ENFORCEMENT or bool(self.supports)

    def to_json(self) -> dict[str, Any]:
        """The ``accounts show`` shape (docs/registry.md)."""
        resolution = self.resolution
        match = None
        if resolution is not None:
            match = {"status": resolution.status, "score": resolution.score,
                     "features": resolution.features.get("features", {}),
                     "candidate": resolution.features.get("candidate"),
                     "candidate_name": resolution.features.get("candidate_name"),
                     "runner_up": resolution.features.get("runner_up"),
                     "margin_logit": resolution.features.get("margin_logit"),
                     "agency_evidence": resolution.features.get("agency_evidence", []),
                     "provisional": resolution.features.get("provisional"),
                     "screened_at": resolution.screened_at}
        classification = self.classification
        return {
            "account": self.account.to_json(),
            "organization": self.organization.to_json() if self.organization else None,
            "match": match,
            "classification": ({"sector": classification.sector,
                                "supports": classification.supports,
                                "log_index": classification.log_index}
                               if classification else {"sector": "unknown", "supports": []}),
        }


def account_view(store: RegistryStore, account: Account) -> AccountView:
    """One account's view, read in the store's transaction."""
    resolution = store.resolution(account.account_id)
    organization = None
    if resolution is not None and resolution.is_resolved and resolution.organization_id:
        organization = store.organization(resolution.organization_id)
    return AccountView(account, organization, resolution,
                       store.classification(account.account_id))


def show_account(database: Database, account_id: str) -> AccountView:
    """`accounts show ACCOUNT`; NotFoundError if there is no such account."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        account = store.account(account_id)
        if account is None:
            raise NotFoundError(f"no account `{account_id}`")
        return account_view(store, account)


def iter_account_views(database: Database) -> Iterator[AccountView]:
    """`accounts list`: every account, in id order."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        for account in list(store.iter_accounts()):
            yield account_view(store, account)
