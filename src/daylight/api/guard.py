"""``AccessGuard``: the access middleware of the service — who is calling (their token), how
often (rate limits), and whether their role may call the route (``ROUTE_ROLES``).

For every HTTP request, before any route (and before the body is read):

1. **Authentication.** ``Authorization: Bearer TOKEN``. No header: the anonymous public
   caller. A malformed header or a token that is unknown, expired or revoked: 401
   ``unauthenticated`` with ``WWW-Authenticate: Bearer``, whatever the route.
2. **Rate limits.** A token bucket per token (per client address for anonymous callers and
   for requests whose token is refused), ``serve_rate_limit_per_s`` and ``serve_rate_burst``;
   ``POST /v1/decisions`` by a token has its own, higher limit
   (``serve_decision_rate_per_s``). Over it: 429 ``rate_limited`` with ``Retry-After``.
   The limits are the service's: each of ``serve_workers`` worker processes keeps its own
   buckets in memory and enforces 1/N of each rate and burst, so that all N together never
   pass more than the configured rate. The approximation: a caller whose requests all reach
   one worker (one keep-alive connection) gets only 1/N of it; its requests spread over the
   workers (several connections, as a gateway's pool makes) get the whole rate. A shared
   store would be exact, at the cost of a round trip on every decision.
3. **Authorization.** The route the request matches, by (method, path template), is looked up
   in ``ROUTE_ROLES``: a role not listed gets 401 if anonymous, 403 if it has a token; a
   route with no row is refused to everyone. A request that matches no route (or a route by
   path but not by method) goes on to the app's 404 or 405.

The caller is put in ``scope["state"]["caller"]`` (``current_caller`` reads it). Token lookups
are cached in memory for ``serve_token_cache_s`` (default 5 s), unknown tokens too: a
revocation, or a new token, takes effect within that bound in every worker; an expiry takes
effect exactly (it is checked on every request). A token in use is read again shortly before
its entry expires, by one look-up in the background (``TokenCache``), so that its requests
do not all find the entry expired at once and wait for the database. Guessing tokens is rate
limited twice: each refused token costs its client address one request of the address's
limit, and the look-ups a request starts have a limit of their own per address (the same rate
and burst), so a flood of fresh guesses cannot reach the database faster than that.

A token never appears in a log line, an error or an answer: errors say what is wrong with the
token (malformed, unknown, expired, revoked), never what it was.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from daylight.access.token import Token, is_well_formed, secret_sha256
from daylight.api.access import (
    ANONYMOUS,
    Caller,
    ForbiddenError,
    UnauthenticatedError,
    verify_allowed,
)
from daylight.api.errors import InternalError, error_body
from daylight.api.headers import secured
from daylight.api.rate_limit import RateLimiter
from daylight.core.clock import Clock, utc_now, utc_text
from daylight.core.database import Database
from daylight.core.errors import DaylightError
from daylight.core.settings import Settings
from daylight.flows.tokens import find_token

RouteKey = tuple[str, str]
Found = tuple[Token | None, Caller | None]  # a token look-up's answer: None if unknown
DECISION_ROUTE: RouteKey = ("POST", "/v1/decisions")
MAX_CACHED_TOKENS = 10_000
REFRESH_AHEAD_S = 1.0  # a token in use is read again this long before its entry expires
_REALM = b'Bearer realm="daylight"'
_log = logging.getLogger("daylight.api")


class RateLimitedError(DaylightError):
    """429: more requests than the caller's rate limit; retry after ``retry_after_s``."""

    status = 429
    exit_code = 5
    code = "rate_limited"

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many requests: retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class InvalidTokenError(UnauthenticatedError):
    """401: the request sent a token that is malformed, unknown, expired or revoked."""

    def __init__(self, message: str) -> None:
        super().__init__(message, where="header authorization")


@dataclass(frozen=True)
class AccessConfig:
    """The access settings of one service (docs/settings.md)."""

    rate_limit_per_s: float = 20.0
    rate_burst: int = 100
    decision_rate_limit_per_s: float = 20_000.0
    token_cache_s: float = 5.0
    cors_origins: tuple[str, ...] = ()
    workers: int = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessConfig:
        origins = tuple(settings.serve_cors_origins.split(",")) if settings.serve_cors_origins else ()
        return cls(settings.serve_rate_limit_per_s, settings.serve_rate_burst,
                   settings.serve_decision_rate_per_s, settings.serve_token_cache_s,
                   origins, settings.serve_workers)

    def share(self, amount: float) -> float:
        """This worker's share of a service-wide rate or burst (1/``workers`` of it)."""
        return amount / max(1, self.workers)


def caller_of(token: Token) -> Caller:
    """The caller a valid token speaks for."""
    return Caller(token.role, token.identity or token.token_id, frozenset(token.accounts),
                  token.token_id)


class TokenCache:
    """What the database says of each token secret (by its SHA-256: the cache keeps no secret),
    with the caller a valid one speaks for, kept ``ttl_s`` seconds; at most ``max_entries``
    (least recently used forgotten).

    An entry's age counts from the start of the look-up that made it (its database read is no
    older), and an entry ``ttl_s`` old is never used: what a request is told of a token was true
    at most ``ttl_s`` before (the revocation bound, docs/api.md). So that the requests of a
    token in steady use never wait for the database, the first request that finds its entry
    within ``refresh_ahead_s`` of that age starts a look-up in the background and is answered
    from the entry. There is at most one look-up per token at a time (single flight): a request
    that finds no usable entry waits for the look-up under way, if that started less than
    ``ttl_s`` ago (so that its answer keeps the bound: with ``ttl_s`` 0, every request reads),
    else starts one."""

    def __init__(self, database: Database, ttl_s: float, *, max_entries: int = MAX_CACHED_TOKENS,
                 refresh_ahead_s: float = REFRESH_AHEAD_S,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.database = database
        self.ttl_s = ttl_s
        self.refresh_at_s = ttl_s - min(refresh_ahead_s, ttl_s / 2)
        self.max_entries = max_entries
        self.monotonic = monotonic
        self._entries: OrderedDict[str, tuple[Token | None, Caller | None, float]] = OrderedDict()
        self._in_flight: dict[str, tuple[asyncio.Future[Found], float]] = {}  # and its start

    def cached(self, digest: str, secret: str) -> tuple[bool, Token | None, Caller | None]:
        """(True, the token or None if unknown, its caller) if its entry is less than ``ttl_s``
        old, else (False, None, None); an entry due for refresh starts its look-up (``secret``)
        in the background, unless one is under way."""
        entry = self._entries.get(digest)
        if entry is None:
            return False, None, None
        age = self.monotonic() - entry[2]
        if age >= self.ttl_s:
            return False, None, None
        if age >= self.refresh_at_s and digest not in self._in_flight:
            self._start(secret, digest)
        self._entries.move_to_end(digest)
        return True, entry[0], entry[1]

    def has_look_up_to_join(self, digest: str) -> bool:
        """Whether a look-up of ``digest`` is under way that a request may wait for (one that
        started less than ``ttl_s`` ago)."""
        flight = self._in_flight.get(digest)
        return flight is not None and self.monotonic() - flight[1] < self.ttl_s

    async def lookup(self, secret: str, digest: str) -> Found:
        """Read the token from the database (off the event loop) and cache what was found; a
        look-up of the same token under way is waited for, not repeated, if it may be joined
        (``has_look_up_to_join``). The look-up goes on if one of its waiters is cancelled; its
        failure reaches every waiter."""
        if self.has_look_up_to_join(digest):
            return await asyncio.shield(self._in_flight[digest][0])
        return await asyncio.shield(self._start(secret, digest))

    def _start(self, secret: str, digest: str) -> asyncio.Future[Found]:
        started = self.monotonic()
        flight = asyncio.ensure_future(self._read(secret, digest, started))
        self._in_flight[digest] = (flight, started)
        flight.add_done_callback(lambda done: self._landed(digest, done))
        return flight

    async def _read(self, secret: str, digest: str, started: float) -> Found:
        token = await asyncio.to_thread(find_token, self.database, secret)
        caller = caller_of(token) if token is not None else None
        kept = self._entries.get(digest)
        if self.ttl_s > 0 and (kept is None or kept[2] <= started):  # never over a later read
            self._entries[digest] = (token, caller, started)
            self._entries.move_to_end(digest)
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return token, caller

    def _landed(self, digest: str, done: asyncio.Future[Found]) -> None:
        if self._in_flight.get(digest, (None, 0.0))[0] is done:  # not a later look-up
            del self._in_flight[digest]
        if not done.cancelled() and done.exception() is not None:
            # retrieved here, as a background refresh has no waiter; a request that needs the
            # token next starts a look-up of its own, and is answered its failure
            _log.warning("token look-up failed: %s", type(done.exception()).__name__)


def _bearer(scope: Scope) -> str | None:
    """The token of the ``Authorization`` header, None without one; UnauthenticatedError if
    the header is not ``Bearer TOKEN`` with a token of the right shape (or appears twice)."""
    values = [v for k, v in scope.get("headers", ()) if bytes(k).lower() == b"authorization"]
    if not values:
        return None
    if len(values) > 1:
        raise InvalidTokenError("the header `authorization` appears more than once")
    scheme, _, token = bytes(values[0]).decode("latin-1").partition(" ")
    token = token.strip(" ")
    if scheme.lower() != "bearer" or not is_well_formed(token):
        raise InvalidTokenError("malformed token: expected `Authorization: Bearer daylight_...`")
    return token


def _client_key(scope: Scope) -> tuple[str, str]:
    client = scope.get("client")
    return ("address", str(client[0]) if client else "unknown")


class AccessGuard:
    """Authenticate, rate-limit and authorize each HTTP request to ``app``; ``route_of`` names
    the (method, path template) a request matches, or None if it matches none."""

    def __init__(self, app: ASGIApp, route_of: Callable[[Scope], RouteKey | None],
                 database: Database, config: AccessConfig, *, clock: Clock = utc_now,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.route_of = route_of
        self.config = config
        self.clock = clock
        self.tokens = TokenCache(database, config.token_cache_s, monotonic=monotonic)
        rate, burst = config.share(config.rate_limit_per_s), config.share(config.rate_burst)
        decision_rate = config.share(config.decision_rate_limit_per_s)
        self.limiter = RateLimiter(rate, burst, clock=monotonic)
        self.lookup_limiter = RateLimiter(rate, burst, clock=monotonic)
        self.decision_limiter = RateLimiter(decision_rate, decision_rate, clock=monotonic)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":  # the service has no WebSocket routes
            await receive()
            await send({"type": "websocket.close", "code": 1008})
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            caller = await self._authenticate(scope)
        except InvalidTokenError as error:  # a refused token: counted against the address
            wait = self.limiter.retry_after_s(_client_key(scope))
            await _refuse(send, RateLimitedError(wait) if wait else error)
            return
        except DaylightError as error:  # rate limited, or the database failed (503)
            await _refuse(send, error)
            return
        except Exception:  # never let the guard's failure pass a request, or answer in plain text
            _log.exception("unexpected error in the access guard")
            await _refuse(send, InternalError())
            return
        route = self.route_of(scope)
        try:
            if caller.anonymous:
                wait = self.limiter.retry_after_s(_client_key(scope))
            elif route == DECISION_ROUTE:
                wait = self.decision_limiter.retry_after_s(caller.token_id)
            else:
                wait = self.limiter.retry_after_s(caller.token_id)
            if wait:
                raise RateLimitedError(wait)
            if route is not None:
                verify_allowed(caller, *route)
        except (RateLimitedError, UnauthenticatedError, ForbiddenError) as error:
            await _refuse(send, error)
            return
        scope.setdefault("state", {})["caller"] = caller
        await self.app(scope, receive, send)

    async def _authenticate(self, scope: Scope) -> Caller:
        secret = _bearer(scope)
        if secret is None:
            return ANONYMOUS
        digest = secret_sha256(secret)
        fresh, token, caller = self.tokens.cached(digest, secret)
        if not fresh:
            if not self.tokens.has_look_up_to_join(digest):  # only a new one reaches the database
                wait = self.lookup_limiter.retry_after_s(_client_key(scope))
                if wait:
                    raise RateLimitedError(wait)
            token, caller = await self.tokens.lookup(secret, digest)
        if token is None or caller is None:
            raise InvalidTokenError("unknown token")
        if token.revoked_at is not None:
            raise InvalidTokenError("the token was revoked")
        if token.expires_at is not None and self.clock() >= token.expires_at:
            raise InvalidTokenError(f"the token expired at {utc_text(token.expires_at)}")
        return caller


async def _refuse(send: Send, error: DaylightError) -> None:
    """Answer ``error`` in the one JSON shape, with ``WWW-Authenticate`` on a 401 and
    ``Retry-After`` on a 429."""
    body = error_body(error)
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body)).encode())]
    if isinstance(error, UnauthenticatedError):
        refused = isinstance(error, InvalidTokenError)  # RFC 6750: a token was sent and refused
        challenge = _REALM + (b', error="invalid_token"' if refused else b"")
        headers.append((b"www-authenticate", challenge))
    if isinstance(error, RateLimitedError):
        headers.append((b"retry-after", str(error.retry_after_s).encode()))
    await send({"type": "http.response.start", "status": error.status,
                "headers": secured(*headers)})
    await send({"type": "http.response.body", "body": body})

