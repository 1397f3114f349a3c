"""Accounts as ``daylight accounts show`` and ``accounts list --json`` print them: the account as
imported, the organisation it resolved to, the match, and its classification."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from daylight.core.database import Database
from daylight.core.errors import NotFoundError
from daylight.registry.accounts import Account
from daylight.registry.store import RegistryStore

AccountView = dict[str, Any]
"""An account in the shape of ``daylight accounts show`` (JSON, documented in docs/registry.md)."""


def account_view(store: RegistryStore, account: Account) -> AccountView:
    """The `accounts show` shape of one account."""
    resolution = store.resolution(account.account_id)
    org = None
    if resolution is not None and resolution.is_resolved and resolution.organization_id:
        org = store.organization(resolution.organization_id)
    match = None
    if resolution is not None:
        match = {"status": resolution.status, "score": resolution.score,
                 "features": resolution.features.get("features", {}),
                 "candidate": resolution.features.get("candidate"),
                 "runner_up": resolution.features.get("runner_up"),
                 "margin_logit": resolution.features.get("margin_logit"),
                 "screened_at": resolution.screened_at}
    classification = store.classification(account.account_id)
    return {
        "account": account.to_json(),
        "organization": org.to_json() if org else None,
        "match": match,
        "classification": ({"sector": classification.sector, "supports": classification.supports,
                            "log_index": classification.log_index}
                           if classification else {"sector": "unknown", "supports": []}),
    }


def show_account(database: Database, account_id: str) -> AccountView:
    """`accounts show ACCOUNT`; NotFoundError if there is no such account."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        account = store.account(account_id)
        if account is None:
            raise NotFoundError(f"no account `{account_id}`")
        return account_view(store, account)


def iter_account_views(database: Database) -> Iterator[AccountView]:
    """`accounts list --json`: every account, in id order, in the shape of `show`."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        for account in list(store.iter_accounts()):
            yield account_view(store, account)
