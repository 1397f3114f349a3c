"""What every route of the service takes: the home it serves, the caller, a page request, the
service's registry search (its screener kept per loaded reference), and the one error shape as
an OpenAPI model.

The caller's identity (an employee's or a reviewer's) comes from the token (``caller.subject``),
never from the body; a customer sees only its own accounts (``Caller.may_see_account``): an
account it does not hold is answered 404, as if it did not exist, so that ids cannot be probed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import BaseModel

from daylight.api.access import Caller, UnauthenticatedError, current_caller
from daylight.api.pagination import PageRequest, page_request
from daylight.core.errors import ConfigError
from daylight.flows.search import RegistrySearch
from daylight.home import Home


class ErrorDetail(BaseModel):
    """The one JSON error shape's inside (``DaylightError.to_json()``)."""

    code: str
    message: str
    where: str | None = None
    evidence: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    """Every error answer of the service."""

    error: ErrorDetail


def _described(description: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": description}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _described("Bad input: `where` names the field, parameter or header"),
    401: _described("A token is needed"),
    403: _described("The token's role may not call this route"),
    404: _described("Unknown id, or a route that does not exist"),
    409: _described("The request contradicts what is stored"),
    413: _described("The body is over the service's limit"),
    415: _described("The body is not `application/json`"),
    429: _described("Too many requests for this token: retry after `Retry-After` seconds"),
    500: _described("An unexpected failure; the body says nothing of the internals"),
    503: _described("The database is unavailable; nothing was changed"),
}


def home_of(request: Request) -> Home:
    """The home the service serves (its database, log, keys and settings)."""
    home = getattr(request.app.state, "home", None)
    if not isinstance(home, Home):
        raise ConfigError("this service was started without a home: only decisions are served")
    return home


HomeDep = Annotated[Home, Depends(home_of)]
CallerDep = Annotated[Caller, Depends(current_caller)]


def registry_search_of(request: Request, home: HomeDep) -> RegistrySearch:
    """The service's registry search, made on the first search (one per app: per worker)."""
    state = request.app.state
    found = getattr(state, "registry_search", None)
    if not isinstance(found, RegistrySearch) or found.database is not home.database():
        found = state.registry_search = RegistrySearch(home.database())
    return found


RegistrySearchDep = Annotated[RegistrySearch, Depends(registry_search_of)]


def paging(request: Request, home: HomeDep,
           limit: Annotated[int | None, Query(
               description="Items per page (default `serve_page_limit`, at most "
                           "`serve_page_limit_max`)")] = None,
           cursor: Annotated[str | None, Query(
               description="The `next_cursor` of the previous page")] = None) -> PageRequest:
    """The page a list route is asked for."""
    settings = home.settings
    return page_request(request, limit, cursor, settings.serve_page_limit,
                        settings.serve_page_limit_max)


PagingDep = Annotated[PageRequest, Depends(paging)]


def identity_of(caller: Caller) -> str:
    """The identity the caller's token names; UnauthenticatedError for an anonymous caller."""
    if caller.subject is None:
        raise UnauthenticatedError("this route acts in the caller's name: send a token "
                                   "(`Authorization: Bearer TOKEN`)", where="header authorization")
    return caller.subject

