"""The access guard: bearer tokens (401 with WWW-Authenticate), roles (403), the caller a
route sees, rate limits (429 with Retry-After), the token cache's revocation bound, CORS only
when configured, and no secret in any log line or answer."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from daylight.access.token import Role, secret_sha256
from daylight.api.access import Caller, current_caller
from daylight.api.app import create_app
from daylight.api.guard import AccessConfig, AccessGuard
from daylight.api.rate_limit import RateLimiter
from daylight.core.clock import fixed_clock
from daylight.core.database import Database
from daylight.core.errors import NotFoundError, StorageError
from daylight.core.settings import build_settings
from daylight.flows.tokens import CreatedToken, create_token, revoke_token
from daylight.policy.catalog import Catalog
from daylight.policy.gate import Gate
from tests.api.conftest import call_app, token_for, with_token
from tests.policy.conftest import WORLD, add_registry_accounts

DECIDE = {"account_id": "SYNTHETIC-shop", "operation": "face.search"}


def _call(app: Any, method: str, path: str, *, client: str = "127.0.0.1",
          **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(client, 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://daylight.test") as http:
            return await http.request(method, path, **kwargs)
    return asyncio.run(go())


def test_without_a_token_a_route_that_needs_a_role_is_401_and_public_routes_answer(
        gate: Gate) -> None:
    app = create_app(gate=gate)
    refused = call_app(app, "POST", "/v1/decisions", json=DECIDE)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"] == 'Bearer realm="daylight"'
    assert refused.json() == {"error": {
        "code": "unauthenticated",
        "message": "`POST /v1/decisions` needs a token: send `Authorization: Bearer TOKEN`"}}
    assert gate.recorder.pending == 0
    assert call_app(app, "GET", "/v1/policy").status_code == 200
    assert call_app(app, "GET", "/v1/nowhere").status_code == 404  # no route: no rule needed


@pytest.mark.parametrize("header", [
    "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer daylight_short", "Token daylight_" + "a" * 43,
    "Bearer daylight_" + "a" * 42 + "!", "Bearer daylight_" + "a" * 44,
])
def test_a_malformed_token_is_401_whatever_the_route(gate: Gate, header: str) -> None:
    app = create_app(gate=gate)
    for method, path in (("POST", "/v1/decisions"), ("GET", "/v1/policy"), ("GET", "/v1/x")):
        response = call_app(app, method, path, json=DECIDE, headers={"authorization": header})
        assert response.status_code == 401, (header, path)
        assert response.headers["www-authenticate"] == 'Bearer realm="daylight", error="invalid_token"'
        error = response.json()["error"]
        assert error["code"] == "unauthenticated" and error["where"] == "header authorization"
        assert error["message"].startswith("malformed token")


def test_unknown_expired_and_revoked_tokens_are_401(gate: Gate) -> None:
    database = gate.database
    app = create_app(gate=gate, access=AccessConfig(token_cache_s=0))
    unknown = "daylight_" + "A" * 43
    expired = create_token(database, "gateway", expires="2026-01-02",
                           clock=fixed_clock(datetime(2026, 1, 1, tzinfo=UTC))).secret
    revoked = create_token(database, "gateway")
    assert call_app(app, "POST", "/v1/decisions", json=DECIDE,
                    headers=with_token(revoked.secret)).status_code == 200
    revoke_token(database, revoked.token.token_id)
    for secret, message in ((unknown, "unknown token"),
                            (expired, "the token expired at 2026-01-02T00:00:00Z"),
                            (revoked.secret, "the token was revoked")):
        response = call_app(app, "POST", "/v1/decisions", json=DECIDE, headers=with_token(secret))
        assert response.status_code == 401 and response.json()["error"]["message"] == message
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
        assert call_app(app, "GET", "/v1/policy", headers=with_token(secret)).status_code == 401


@pytest.mark.parametrize("role", ["public", "customer", "employee", "reviewer"])
def test_a_valid_token_of_the_wrong_role_is_403(gate: Gate, role: str) -> None:
    add = {"customer": {"accounts": ["SYNTHETIC-shop"]},
           "employee": {"identity": "synthetic.e@provider.example"},
           "reviewer": {"identity": "synthetic.r@provider.example"}}.get(role, {})
    secret = create_token(gate.database, role, **add).secret  # type: ignore[arg-type]
    app = create_app(gate=gate)
    response = call_app(app, "POST", "/v1/decisions", json=DECIDE, headers=with_token(secret))
    assert response.status_code == 403 and "www-authenticate" not in response.headers
    assert response.json() == {"error": {"code": "forbidden", "message":
                                         f"a token with role `{role}` may not call `POST /v1/decisions`"}}
    assert gate.recorder.pending == 0
    assert call_app(app, "GET", "/v1/policy", headers=with_token(secret)).status_code == 200


def test_admin_and_gateway_tokens_decide(gate: Gate) -> None:
    app = create_app(gate=gate)
    for role in ("gateway", "admin"):
        response = call_app(app, "POST", "/v1/decisions", json=DECIDE,
                            headers=with_token(token_for(gate.database, role)))
        assert response.status_code == 200 and response.json()["allowed"] is True


class Echo:
    """An app that answers the caller it was given (a fake at a seam we own: the guard's app)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        caller = current_caller(Request(scope))
        body = json.dumps({"role": str(caller.role), "subject": caller.subject,
                           "accounts": sorted(caller.accounts), "token_id": caller.token_id}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})


def test_the_route_sees_the_caller_the_token_names_never_the_body(database: Database) -> None:
    add_registry_accounts(database, WORLD)
    guard = AccessGuard(Echo(), lambda scope: ("GET", "/v1/policy"), database, AccessConfig())
    employee = create_token(database, "employee", identity="SYNTHETIC.Kim@Provider.example")
    customer = create_token(database, "customer", accounts=["SYNTHETIC-shop", "SYNTHETIC-police"])
    seen = _call(guard, "GET", "/", headers=with_token(employee.secret),
                 params={"subject": "someone-else"}).json()
    assert seen == {"role": "employee", "subject": "synthetic.kim@provider.example", "accounts": [],
                    "token_id": employee.token.token_id}
    seen = _call(guard, "GET", "/", headers=with_token(customer.secret)).json()
    assert seen["accounts"] == ["SYNTHETIC-police", "SYNTHETIC-shop"]
    assert seen["subject"] == customer.token.token_id
    assert _call(guard, "GET", "/").json() == {"role": "public", "subject": None, "accounts": [],
                                               "token_id": None}


def test_a_revocation_takes_effect_within_the_cache_bound(database: Database) -> None:
    now = [1000.0]
    guard = AccessGuard(Echo(), lambda scope: ("POST", "/v1/decisions"), database,
                        AccessConfig(token_cache_s=5.0), monotonic=lambda: now[0])
    created = create_token(database, "gateway")
    assert _call(guard, "POST", "/", headers=with_token(created.secret)).status_code == 200
    revoke_token(database, created.token.token_id)
    now[0] += 4.9
    assert _call(guard, "POST", "/", headers=with_token(created.secret)).status_code == 200
    now[0] += 0.1
    refused = _call(guard, "POST", "/", headers=with_token(created.secret))
    assert refused.status_code == 401 and refused.json()["error"]["message"] == "the token was revoked"
    # an unknown token is cached too, and a token made meanwhile is seen after the bound
    assert _call(guard, "POST", "/", headers=with_token("daylight_" + "B" * 43)).status_code == 401


def test_rate_limits_answer_429_with_retry_after(gate: Gate) -> None:
    app = create_app(gate=gate, access=AccessConfig(rate_limit_per_s=0.5, rate_burst=2,
                                                     decision_rate_limit_per_s=1000))
    statuses = [_call(app, "GET", "/v1/policy").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = _call(app, "GET", "/v1/policy")
    assert limited.headers["retry-after"] == "2"
    assert limited.json()["error"]["code"] == "rate_limited"
    assert _call(app, "GET", "/v1/policy", client="127.0.0.2").status_code == 200  # per address
    # refused tokens count against the address they come from
    bad = {"authorization": "Bearer daylight_" + "C" * 43}
    assert [_call(app, "GET", "/v1/policy", client="127.0.0.3", headers=bad).status_code
            for _ in range(3)] == [401, 401, 429]
    # a token has its own bucket; decisions have their own, higher limit
    gateway = with_token(token_for(gate.database))
    assert [_call(app, "GET", "/v1/policy", headers=gateway).status_code
            for _ in range(3)] == [200, 200, 429]
    assert {_call(app, "POST", "/v1/decisions", headers=gateway, json=DECIDE).status_code
            for _ in range(20)} == {200}


def test_no_cors_unless_configured(gate: Gate) -> None:
    preflight = {"origin": "https://reader.example", "access-control-request-method": "POST",
                 "access-control-request-headers": "authorization, content-type"}
    off = create_app(gate=gate)
    for response in (call_app(off, "OPTIONS", "/v1/decisions", headers=preflight),
                     call_app(off, "GET", "/v1/policy", headers={"origin": "https://reader.example"})):
        assert not [h for h in response.headers if h.startswith("access-control-")]
    on = create_app(gate=gate, access=AccessConfig(cors_origins=("https://reader.example",)))
    allowed = call_app(on, "OPTIONS", "/v1/decisions", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://reader.example"
    assert "access-control-allow-credentials" not in allowed.headers
    other = call_app(on, "OPTIONS", "/v1/decisions", headers={**preflight, "origin": "https://evil.example"})
    assert other.status_code == 400 and other.json()["error"]["code"] == "cors_refused"
    simple = call_app(on, "GET", "/v1/policy", headers={"origin": "https://reader.example"})
    assert simple.headers["access-control-allow-origin"] == "https://reader.example"
    assert "x-content-type-options" in simple.headers  # still every security header


def test_the_cors_setting_is_checked() -> None:
    settings = build_settings({"serve_cors_origins": "https://a.example, http://b.example:8080"}, {})
    assert AccessConfig.from_settings(settings).cors_origins == ("https://a.example",
                                                                 "http://b.example:8080")
    with pytest.raises(Exception, match="is not an origin"):
        build_settings({"serve_cors_origins": "https://a.example/path"}, {})


class ExplodingGate(Gate):
    """A gate that fails in a way nobody planned for (a fake at a seam we own)."""

    def decide(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise RuntimeError("unplanned")


def test_no_secret_appears_in_logs_errors_or_answers(
        database: Database, catalog: Catalog, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    created = create_token(database, "gateway")
    secret = created.secret
    answers: list[httpx.Response] = []
    for gate in (Gate(database, catalog, refresh_interval_s=None),
                 ExplodingGate(database, catalog, refresh_interval_s=None)):
        app = create_app(gate=gate, access=AccessConfig(token_cache_s=0))
        for headers in (with_token(secret), {"authorization": f"Bearer {secret}x"},
                        {"authorization": f"Basic {secret}"},
                        [("authorization", f"Bearer {secret}"), ("authorization", f"Bearer {secret}")]):
            for method, path in (("POST", "/v1/decisions"), ("GET", "/v1/policy"),
                                 ("GET", f"/v1/{secret}")):
                answers.append(call_app(app, method, path, headers=headers,
                                        json={**DECIDE, "context": {"purpose": secret}}))
    revoke_token(database, created.token.token_id)
    answers.append(call_app(create_app(gate=Gate(database, catalog, refresh_interval_s=None)),
                            "POST", "/v1/decisions", headers=with_token(secret), json=DECIDE))
    assert {a.status_code for a in answers} >= {200, 401, 404, 500}
    for answer in answers:
        assert secret not in answer.text and secret not in str(answer.headers)
    formatter = logging.Formatter()
    service_log = "\n".join(formatter.format(r) for r in caplog.records
                            if not r.name.startswith("httpx"))  # the test's client logs its URLs
    assert "RuntimeError: unplanned" in service_log and secret not in service_log


def test_the_database_password_is_never_shown() -> None:
    url = "postgresql://daylight:s3cret-pw@127.0.0.1:1/nowhere"
    settings = build_settings({"database_url": url}, {})
    assert "s3cret-pw" not in repr(settings)
    with pytest.raises(StorageError) as failed:
        Database(url)
    assert "s3cret-pw" not in str(failed.value) and "s3cret-pw" not in failed.value.diagnostics()


def test_expired_tokens_stop_at_their_expiry_even_when_cached(database: Database) -> None:
    start = datetime.now(UTC)
    clock = [start]
    guard = AccessGuard(Echo(), lambda scope: ("POST", "/v1/decisions"), database,
                        AccessConfig(token_cache_s=3600), clock=lambda: clock[0])
    created = create_token(database, "gateway", expires=(start + timedelta(hours=1)).isoformat())
    assert _call(guard, "POST", "/", headers=with_token(created.secret)).status_code == 200
    clock[0] = start + timedelta(hours=1)
    assert _call(guard, "POST", "/", headers=with_token(created.secret)).status_code == 401


def test_the_rate_limiter_refills_and_stays_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(2.0, 3, max_keys=2, clock=lambda: now[0])
    assert [limiter.retry_after_s("a") for _ in range(4)] == [0, 0, 0, 1]
    now[0] += 0.5  # one request's worth refilled
    assert [limiter.retry_after_s("a"), limiter.retry_after_s("a")] == [0, 1]
    assert limiter.retry_after_s("b") == 0 and limiter.retry_after_s("c") == 0
    assert len(limiter._buckets) == 2  # "a", least recently used, was forgotten
    assert [limiter.retry_after_s("a") for _ in range(3)] == [0, 0, 0]  # a full bucket again
    unlimited = RateLimiter(0, 1)
    assert {unlimited.retry_after_s("a") for _ in range(1000)} == {0}


def test_websockets_are_refused(gate: Gate) -> None:
    app = create_app(gate=gate)
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/v1/policy", "headers": [], "client": ("127.0.0.1", 1)}
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    assert sent == [{"type": "websocket.close", "code": 1008}]


def test_a_customer_sees_only_its_own_accounts() -> None:
    customer = Caller(Role.CUSTOMER, "tok-1", frozenset({"SYNTHETIC-shop"}), "tok-1")
    assert customer.may_see_account("SYNTHETIC-shop")
    assert not customer.may_see_account("SYNTHETIC-police")
    with pytest.raises(NotFoundError, match="no account `SYNTHETIC-police`"):
        customer.verify_may_see_account("SYNTHETIC-police")
    assert Caller(Role.REVIEWER, "r@provider.example").may_see_account("SYNTHETIC-police")


class UnreachableDatabase(Database):
    """A database whose every transaction fails (a fake at the Database seam)."""

    def transaction(self, *, write: bool = True) -> Any:
        raise StorageError("database error: server closed the connection")


def test_a_token_lookup_that_fails_is_answered_in_the_error_shape(tmp_path: Path) -> None:
    database = UnreachableDatabase(f"sqlite:///{tmp_path / 'x.db'}")
    guard = AccessGuard(Echo(), lambda scope: ("POST", "/v1/decisions"), database, AccessConfig())
    secret = "daylight_" + "D" * 43
    answer = _call(guard, "POST", "/", headers=with_token(secret))
    assert answer.status_code == 503
    assert answer.json()["error"] == {"code": "storage_unavailable",
                                      "message": "database error: server closed the connection"}
    assert secret not in answer.text
    database.close()


def _workers(database: Database, config: AccessConfig, now: list[float],
             route: tuple[str, str] = ("GET", "/v1/policy")) -> list[AccessGuard]:
    """One access guard per worker process of a service configured by ``config``."""
    return [AccessGuard(Echo(), lambda scope: route, database, config, monotonic=lambda: now[0])
            for _ in range(config.workers)]


def test_rate_limits_are_the_services_whatever_the_number_of_workers(database: Database) -> None:
    now = [1000.0]
    headers = with_token(create_token(database, "admin").secret)
    for workers in (1, 2, 4):
        guards = _workers(database, AccessConfig(rate_limit_per_s=2.0, rate_burst=8,
                                                 workers=workers), now)
        # a burst spread over every worker (a connection pool): the configured burst, in all
        passed = sum(_call(guards[i % workers], "GET", "/", headers=headers).status_code == 200
                     for i in range(24))
        assert passed == 8, workers
        now[0] += 4.0  # four seconds at 2/s: eight more, in all
        passed = sum(_call(guards[i % workers], "GET", "/", headers=headers).status_code == 200
                     for i in range(24))
        assert passed == 8, workers
        now[0] += 100.0
    # decisions too: their limit is the service's
    guards = _workers(database, AccessConfig(decision_rate_limit_per_s=10, workers=2), now,
                      ("POST", "/v1/decisions"))
    assert sum(_call(guards[i % 2], "POST", "/", headers=headers).status_code == 200
               for i in range(30)) == 10


def test_the_workers_setting_reaches_the_access_config() -> None:
    assert AccessConfig.from_settings(build_settings({"serve_workers": "3"}, {})).workers == 3
    assert AccessConfig.from_settings(build_settings({}, {})).workers == 1


def test_a_revocation_reaches_every_worker_within_the_cache_bound(database: Database) -> None:
    now = [1000.0]
    guards = _workers(database, AccessConfig(token_cache_s=5.0, workers=2), now,
                      ("POST", "/v1/decisions"))
    created = create_token(database, "gateway")
    headers = with_token(created.secret)
    now[0] += 1.0
    assert [_call(g, "POST", "/", headers=headers).status_code for g in guards] == [200, 200]
    revoke_token(database, created.token.token_id)
    now[0] += 4.9  # the bound from the first worker's lookup not yet passed
    assert [_call(g, "POST", "/", headers=headers).status_code for g in guards] == [200, 200]
    now[0] += 0.1
    assert [_call(g, "POST", "/", headers=headers).status_code for g in guards] == [401, 401]


class HeldLookups(Database):
    """A database that counts read transactions (token look-ups) and holds each until
    ``release`` is set (a fake at the Database seam: a slow database)."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.reads = 0
        self.release = threading.Event()
        self.release.set()

    def transaction(self, *, write: bool = True) -> Any:
        if not write:
            self.reads += 1
            assert self.release.wait(10), "the test never released the look-up"
        return super().transaction(write=write)


async def _status(guard: AccessGuard, secret: str) -> int:
    """The status ``guard`` answers one request with ``secret`` (called in plain ASGI)."""
    scope = {"type": "http", "method": "POST", "path": "/", "headers": [
        (b"authorization", f"Bearer {secret}".encode())], "client": ("127.0.0.1", 5000)}
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(message)

    await guard(scope, receive, send)
    return int(sent[0]["status"])


async def _while_held(database: HeldLookups, guard: AccessGuard, secret: str,
                      requests: int) -> tuple[list[int], list[int]]:
    """Send ``requests`` at once while the database holds look-ups: (the statuses answered
    before it lets go, all statuses)."""
    database.release.clear()
    tasks = [asyncio.ensure_future(_status(guard, secret)) for _ in range(requests)]
    await asyncio.sleep(0.2)  # every request has run as far as it can without the database
    early = [task.result() for task in tasks if task.done()]
    database.release.set()
    return early, list(await asyncio.gather(*tasks))


def _gateway_cached_for_5_s(database: Database, database_url: str
                            ) -> tuple[HeldLookups, list[float], Any, CreatedToken]:
    """A guard caching tokens for 5 s on a database whose look-ups can be held, its clock, and
    a new gateway token."""
    held = HeldLookups(database_url)
    now = [1000.0]
    guard, = _workers(held, AccessConfig(token_cache_s=5.0), now, ("POST", "/v1/decisions"))
    return held, now, guard, create_token(database, "gateway")


def test_concurrent_requests_with_an_expired_entry_cause_one_lookup(
        database: Database, database_url: str) -> None:
    held, now, guard, created = _gateway_cached_for_5_s(database, database_url)
    assert asyncio.run(_status(guard, created.secret)) == 200 and held.reads == 1
    revoke_token(database, created.token.token_id)
    now[0] += 5.0  # the entry is expired: every request must wait for the database
    early, statuses = asyncio.run(_while_held(held, guard, created.secret, 50))
    assert early == [] and statuses == [401] * 50
    assert held.reads == 2  # one look-up for the fifty
    held.close()


def test_a_token_in_use_is_read_again_in_the_background_before_its_entry_expires(
        database: Database, database_url: str) -> None:
    held, now, guard, created = _gateway_cached_for_5_s(database, database_url)
    assert asyncio.run(_status(guard, created.secret)) == 200
    now[0] += 3.9  # not yet due: no look-up
    assert asyncio.run(_status(guard, created.secret)) == 200 and held.reads == 1
    revoke_token(database, created.token.token_id)
    now[0] += 0.2  # due (within 1 s of the bound): one look-up, and nobody waits for it

    async def due_then_after() -> tuple[list[int], list[int], int]:
        early, statuses = await _while_held(held, guard, created.secret, 50)
        await asyncio.sleep(0.2)  # the background look-up lands
        return early, statuses, await _status(guard, created.secret)

    early, statuses, after = asyncio.run(due_then_after())
    assert early == statuses == [200] * 50  # answered from the entry, within the 5 s bound
    assert held.reads == 2 and after == 401  # the revocation seen before the bound, by one read
    held.close()


def test_a_failed_lookup_reaches_every_waiter_and_the_next_request_tries_again(
        tmp_path: Path) -> None:
    database = UnreachableDatabase(f"sqlite:///{tmp_path / 'x.db'}")
    guard = AccessGuard(Echo(), lambda scope: ("POST", "/v1/decisions"), database, AccessConfig())
    secret = "daylight_" + "E" * 43

    async def twice() -> tuple[list[int], bool]:
        statuses = await asyncio.gather(*(_status(guard, secret) for _ in range(5)))
        return list(statuses), guard.tokens.has_look_up_to_join(secret_sha256(secret))

    assert asyncio.run(twice()) == ([503] * 5, False)
    assert asyncio.run(twice()) == ([503] * 5, False)
    database.close()


def test_a_gateways_connections_finding_its_entry_expired_are_not_rate_limited(
        database: Database, database_url: str) -> None:
    """64 connections of one gateway (one address) on a 2-worker service: look-ups are limited
    to 50 per address per worker in a burst; requests that wait for the one look-up under way
    do not count against that limit."""
    held = HeldLookups(database_url)
    now = [1000.0]
    guard = _workers(held, AccessConfig(workers=2), now, ("POST", "/v1/decisions"))[0]
    secret = create_token(database, "gateway").secret
    assert asyncio.run(_status(guard, secret)) == 200
    now[0] += 5.0
    early, statuses = asyncio.run(_while_held(held, guard, secret, 64))
    assert early == [] and statuses == [200] * 64 and held.reads == 2
    held.close()


def test_a_look_up_older_than_the_bound_is_not_joined(database: Database,
                                                      database_url: str) -> None:
    """A request waits for a look-up under way only if it started within the bound: with
    ``token_cache_s`` 0 every request reads; a look-up stuck past the bound is not joined."""
    held = HeldLookups(database_url)
    now = [1000.0]
    secret = create_token(database, "gateway").secret
    uncached = AccessGuard(Echo(), lambda scope: ("POST", "/v1/decisions"), held,
                           AccessConfig(token_cache_s=0), monotonic=lambda: now[0])
    early, statuses = asyncio.run(_while_held(held, uncached, secret, 5))
    assert early == [] and statuses == [200] * 5 and held.reads == 5

    cached = AccessGuard(Echo(), lambda scope: ("POST", "/v1/decisions"), held,
                         AccessConfig(token_cache_s=5.0), monotonic=lambda: now[0])

    async def stuck_then_later() -> list[int]:
        held.release.clear()
        first = asyncio.ensure_future(_status(cached, secret))
        await asyncio.sleep(0.1)
        now[0] += 5.0  # the first look-up is now as old as the bound
        second = asyncio.ensure_future(_status(cached, secret))
        await asyncio.sleep(0.1)
        held.release.set()
        return [await first, await second]

    assert asyncio.run(stuck_then_later()) == [200, 200]
    assert held.reads == 5 + 2
    held.close()
