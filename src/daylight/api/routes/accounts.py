"""Accounts, their classification and usage, and registry search (``flows/accounts.py``,
``flows/search.py``, the usage layer's stored aggregates)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import suppress
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from daylight.api.access import Role
from daylight.api.pagination import Page
from daylight.api.routes.resources import (
    ERROR_RESPONSES,
    CallerDep,
    HomeDep,
    PagingDep,
    RegistrySearchDep,
)
from daylight.core.errors import InputError, NotFoundError
from daylight.core.period import parse_period
from daylight.flows.accounts import AccountView, iter_account_views, show_account, show_history
from daylight.registry.correction import check_date
from daylight.registry.search import MAX_RESULTS
from daylight.usage.aggregate_store import account_usage

router = APIRouter(tags=["accounts"], responses=ERROR_RESPONSES)

AsOf = Annotated[str | None, Query(alias="as_of", description="The day (YYYY-MM-DD) the "
                                   "classification is read as of; default: today (UTC)")]


class AccountRecord(BaseModel):
    """An account as imported."""

    account_id: str
    name: str
    email_domains: list[str]
    city: str
    state: str
    country: str
    created_at: str


class AccountOut(BaseModel):
    """An account with the organisation it resolved to, the match, and its classification
    (the `daylight accounts show` shape, docs/registry.md)."""

    account: AccountRecord
    organization: dict[str, Any] | None
    match: dict[str, Any] | None
    classification: dict[str, Any]


def _out(view: AccountView) -> AccountOut:
    return AccountOut.model_validate(view.to_json())


def _as_of(as_of: str | None) -> str | None:
    return check_date(as_of, "as_of") if as_of is not None else None


@router.get("/v1/accounts", summary="List accounts with their classification")
def list_accounts(home: HomeDep, caller: CallerDep, paging: PagingDep,
                  as_of: AsOf = None) -> Page[AccountOut]:
    """Every account the caller may see, in id order (a customer: its own)."""
    day = _as_of(as_of)
    database = home.database()
    window = home.settings.support_window_days
    if caller.role == Role.CUSTOMER:
        def own() -> Iterator[AccountView]:
            for account_id in sorted(caller.accounts):
                if paging.after is None or account_id > paging.after:
                    with suppress(NotFoundError):  # a token's account not (yet) imported
                        yield show_account(database, account_id, day, window_days=window)
        return paging.page(own(), lambda v: v.account_id, _out)
    return paging.page(iter_account_views(database, day, window_days=window, window=paging.window),
                       lambda v: v.account_id, _out)


@router.get("/v1/accounts/{account_id}", summary="One account and its classification")
def get_account(account_id: str, home: HomeDep, caller: CallerDep,
                as_of: AsOf = None) -> AccountOut:
    """The account, the organisation it resolved to and its classification as of a day."""
    caller.verify_may_see_account(account_id)
    return _out(show_account(home.database(), account_id, _as_of(as_of),
                             window_days=home.settings.support_window_days))


class RevisionOut(BaseModel):
    """One re-sync of an account: when, its `registry.account_change` log index, and each field
    changed with its value before and after."""

    changed_at: str
    log_index: int
    fields: list[str]
    changes: list[dict[str, Any]]


class HistoryOut(BaseModel):
    """An account's change history, oldest first (the `history` of `daylight accounts show`)."""

    account_id: str
    history: list[RevisionOut]


@router.get("/v1/accounts/{account_id}/history", summary="An account's change history")
def get_account_history(account_id: str, home: HomeDep) -> HistoryOut:
    """What each CRM re-sync changed in the account: old and new values as the customer typed
    them (so staff who review accounts only), with the log index of each change."""
    history = show_history(home.database(), account_id)
    return HistoryOut.model_validate({"account_id": account_id,
                                      "history": [r.to_json() for r in history]})


class UsageOut(BaseModel):
    """An account's aggregated usage in a period (the `daylight usage show` shape)."""

    account_id: str
    period: str
    operations: list[dict[str, Any]]
    synthetic: bool = False


@router.get("/v1/accounts/{account_id}/usage", summary="An account's usage in a period")
def get_account_usage(account_id: str, home: HomeDep, caller: CallerDep,
                      period: Annotated[str, Query(description="YYYY-MM, YYYY-Qn or YYYY")]
                      ) -> UsageOut:
    """The account's aggregated usage per operation in an aggregated period."""
    caller.verify_may_see_account(account_id)
    usage = account_usage(home.database(), account_id, parse_period(period, where="period"))
    if not usage.rows:
        raise NotFoundError(f"no usage of account `{account_id}` in `{period}`")
    return UsageOut.model_validate(usage.to_json())


class CandidateOut(BaseModel):
    """A registry organisation ranked for a searched name."""

    organization_id: str
    name: str
    sector: str
    state: str
    score: float
    features: dict[str, Any]


@router.get("/v1/registry/search", summary="Search the registry for a name")
def search(registry: RegistrySearchDep,
           name: Annotated[str, Query(description="A name as a customer would type it")],
           state: Annotated[str, Query(description="A US state code to search in")] = "",
           top: Annotated[int, Query(description=f"How many candidates (1 to {MAX_RESULTS})")] = 10,
           ) -> list[CandidateOut]:
    """The registry's best candidates for a name, best first (a ranking, not a list: `top`
    bounds it)."""
    if not 1 <= top <= MAX_RESULTS:
        raise InputError(f"`{top}` is not from 1 to {MAX_RESULTS}", where="top")
    return [CandidateOut.model_validate(c.to_json())
            for c in registry.search(name, state, limit=top)]
