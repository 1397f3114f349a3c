"""Accounts as ``daylight accounts show`` and ``accounts list`` show them: the account as
imported, the organisation it resolved to, the match, and its classification as of a day (or
during a period): the sectors it supports then, by ``registry.support.support_during``, each
relationship kept or dropped with its dates, kind and why, with accepted corrections applied;
``accounts show`` adds the account's change history (what each CRM re-sync changed, old → new);
and ``daylight accounts import``: new accounts stored, changed ones re-synced and re-screened."""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.core.errors import NotFoundError
from daylight.core.keyset import ALL, Window
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account, AccountChange, read_accounts
from daylight.registry.correction import accepted_overrides, check_date
from daylight.registry.organization import AGENCY_SECTORS, Organization
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.service import AccountImport, ScreeningSummary, screen_accounts
from daylight.registry.service import import_accounts as import_registry_accounts
from daylight.registry.store import RegistryStore
from daylight.registry.support import (
    DEFAULT_STALENESS_DAYS,
    DEFAULT_WINDOW_DAYS,
    Override,
    classification_during,
)


@dataclass(frozen=True)
class AccountRevision:
    """One re-sync of an account: when, the log index of its ``registry.account_change`` entry,
    and each field changed with its value before and after (values as the customer typed them)."""

    changed_at: str
    log_index: int
    changes: tuple[tuple[str, Any, Any], ...]  # (field, old, new)

    def to_json(self) -> dict[str, Any]:
        return {"changed_at": self.changed_at, "log_index": self.log_index,
                "fields": [f for f, _, _ in self.changes],
                "changes": [{"field": f, "old": old, "new": new} for f, old, new in self.changes]}


def _value(account: Account, name: str) -> Any:
    value = getattr(account, name)
    return list(value) if isinstance(value, tuple) else value


def account_history(changes: Sequence[AccountChange], current: Account) -> tuple[AccountRevision, ...]:
    """The revisions of ``current``, oldest first, from its recorded changes (each keeps the
    account as it was before; what it became is the next change's "before", or ``current``)."""
    ordered = sorted(changes, key=lambda c: c.log_index)
    afters = [c.previous for c in ordered[1:]] + [current] if ordered else []
    return tuple(AccountRevision(c.changed_at, c.log_index, tuple(
        (name, _value(c.previous, name), _value(after, name)) for name in c.fields))
        for c, after in zip(ordered, afters, strict=True))


@dataclass(frozen=True)
class AccountView:
    """One account with its screening outcome (None if never screened), the organisation it
    resolved to (None unless resolved) and its classification (None if never classified)."""

    account: Account
    organization: Organization | None
    resolution: Resolution | None
    classification: Classification | None
    during: Mapping[str, Any] = field(default_factory=dict)  # classification_during's answer
    history: tuple[AccountRevision, ...] | None = None  # read for ``accounts show`` only

    @property
    def account_id(self) -> str:
        return self.account.account_id

    @property
    def sector(self) -> str:
        """The account's own sector (``unknown`` until it is classified)."""
        return self.classification.sector if self.classification else "unknown"

    @property
    def supports(self) -> list[dict[str, Any]]:
        """The sectors the account supports on the day asked (or during the period), each with
        its path through the graph and the verdict that says why."""
        return list(self.during.get("supports", []))

    @property
    def supported_sectors(self) -> list[str]:
        return [s["sector"] for s in self.supports]

    @property
    def is_classified(self) -> bool:
        """Resolved to an enforcement agency, or supporting one."""
        return self.sector in AGENCY_SECTORS or bool(self.supports)

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
        out: dict[str, Any] = {
            "account": self.account.to_json(),
            "organization": self.organization.to_json() if self.organization else None,
            "match": match,
            "classification": ({"sector": classification.sector, **self.during,
                                "log_index": classification.log_index}
                               if classification else {"sector": "unknown", **self.during}),
        }
        if self.history is not None:
            out["history"] = [revision.to_json() for revision in self.history]
        return out


def account_view(store: RegistryStore, account: Account, as_of: str | None = None,
                 until: str | None = None, *, window_days: int = DEFAULT_WINDOW_DAYS,
                 overrides: Mapping[str, Sequence[Override]] | None = None,
                 staleness_days: int = DEFAULT_STALENESS_DAYS,
                 clock: Clock = utc_now) -> AccountView:
    """One account's view, read in the store's transaction: its support as of ``as_of``
    (default: ``clock``'s day, UTC) or from ``as_of`` to ``until``, within the look-back window."""
    resolution = store.resolution(account.account_id)
    organization = None
    if resolution is not None and resolution.is_resolved and resolution.organization_id:
        organization = store.organization(resolution.organization_id)
    classification = store.classification(account.account_id)
    if overrides is None:
        overrides = accepted_overrides(store.tx)
    during = classification_during(
        classification.supports if classification else [],
        as_of or clock().date().isoformat(), until, window_days=window_days,
        overrides=overrides.get(organization.id if organization else "", ()),
        staleness_days=staleness_days)
    return AccountView(account, organization, resolution, classification, during)


def show_account(database: Database, account_id: str, as_of: str | None = None,
                 until: str | None = None, *,
                 window_days: int = DEFAULT_WINDOW_DAYS,
                 staleness_days: int = DEFAULT_STALENESS_DAYS,
                 with_history: bool = False) -> AccountView:
    """`accounts show ACCOUNT [--as-of DATE]`; NotFoundError if there is no such account. With
    ``with_history``, the view carries the account's revisions (``history``)."""
    if as_of is not None:
        as_of = check_date(as_of, "--as-of")
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        account = store.account(account_id)
        if account is None:
            raise NotFoundError(f"no account `{account_id}`")
        view = account_view(store, account, as_of, until, window_days=window_days,
                            staleness_days=staleness_days)
        if with_history:
            view = replace(view, history=account_history(store.account_changes(account_id),
                                                         account))
        return view


def show_history(database: Database, account_id: str) -> tuple[AccountRevision, ...]:
    """The account's revisions, oldest first (``GET /v1/accounts/{id}/history``); NotFoundError
    if there is no such account."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        account = store.account(account_id)
        if account is None:
            raise NotFoundError(f"no account `{account_id}`")
        return account_history(store.account_changes(account_id), account)


def iter_account_views(database: Database, as_of: str | None = None, until: str | None = None,
                       *, window_days: int = DEFAULT_WINDOW_DAYS,
                       staleness_days: int = DEFAULT_STALENESS_DAYS,
                       window: Window = ALL) -> Generator[AccountView, None, None]:
    """`accounts list`: every account (those of ``window``: a page of the HTTP API), in id
    order, its support as of ``as_of`` (default today), or from ``as_of`` to ``until`` (the
    report asks about its period)."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        overrides = accepted_overrides(tx)
        for account in store.accounts_page(window):
            yield account_view(store, account, as_of, until, window_days=window_days,
                               overrides=overrides, staleness_days=staleness_days)


@dataclass(frozen=True)
class AccountSync:
    """`accounts import`: what the import did and, when it changed stored accounts, the
    screening of those accounts again."""

    imported: AccountImport
    rescreened: ScreeningSummary | None

    def to_json(self) -> dict[str, Any]:
        return {**self.imported.to_json(),
                "rescreened": self.rescreened.to_json() if self.rescreened else None}


def import_accounts(database: Database, log: TransparencyLog, path: Path, *,
                    clock: Clock = utc_now) -> AccountSync:
    """`accounts import FILE`: read the file whole, store new accounts and re-sync changed ones
    (each change kept and logged), then re-screen the changed accounts at once when the
    registry holds reference data (new accounts wait for `daylight screen`, as before)."""
    accounts = read_accounts(path)
    now = clock()
    imported = import_registry_accounts(database, accounts, now, log=log)
    rescreened = None
    if imported.updated:
        with database.transaction(write=False) as tx:
            loaded = bool(RegistryStore(tx).organizations())
        if loaded:
            rescreened = screen_accounts(database, log, now,
                                         account_ids=[c.account_id for c in imported.updated])
    return AccountSync(imported, rescreened)
