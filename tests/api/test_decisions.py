"""`POST /v1/decisions` answers exactly what `daylight decide` prints; every error answer has the
one JSON shape; bad input is never a 500 and never an allow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from daylight.api.app import CACHE_ENV, app_from_environment, create_app
from daylight.core.database import Database
from daylight.core.errors import ConfigError, DaylightError, InputError, NotFoundError
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.corpus import parse_corpus
from daylight.policy.decision import DECLARATION
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.versions import publish
from tests.api.conftest import call_gateway, token_for, with_token
from tests.cli.conftest import Cli
from tests.policy.conftest import NOW, WORLD, add_registry_accounts


def test_the_answer_is_the_decision_shape(gate: Gate) -> None:
    app = create_app(gate=gate)
    response = call_gateway(app, "POST", "/v1/decisions",
                        json={"account_id": "SYNTHETIC-police", "operation": "face.search"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert list(body) == ["allowed", "reasons", "policy_version", "errors"]
    assert body == gate.engine.decide("SYNTHETIC-police", "face.search").to_json()
    assert body["allowed"] is False and body["policy_version"] == 1
    assert [r["policy"] for r in body["reasons"]] == [
        "employee-demands/no-face-recognition-for-law-enforcement",
        "rekognition-moratorium-2020/no-police-face-comparison-or-search"]
    allowed = call_gateway(app, "POST", "/v1/decisions", json={
        "account_id": "SYNTHETIC-shop", "operation": "face.search", "context": {"purpose": "x"}})
    assert allowed.json()["allowed"] is True
    assert gate.recorder.pending == 0  # durable: each answered decision is already written
    with gate.database.transaction(write=False) as tx:
        row = tx.query_one("SELECT COALESCE(SUM(decisions), 0) FROM policy_decision_count")
    assert row is not None and row[0] == 2


def test_batched_decisions_wait_in_memory_for_the_next_flush(gate: Gate) -> None:
    app = create_app(gate=gate, durable=False)
    response = call_gateway(app, "POST", "/v1/decisions",
                        json={"account_id": "SYNTHETIC-police", "operation": "face.search"})
    assert response.status_code == 200 and gate.recorder.pending == 1


def test_unknown_accounts_are_denied_with_the_reason_not_an_error(gate: Gate) -> None:
    response = call_gateway(create_app(gate=gate), "POST", "/v1/decisions",
                        json={"account_id": "SYNTHETIC-nobody", "operation": "compute.instance",
                              "context": None})
    assert response.status_code == 200
    assert response.json()["allowed"] is False
    assert response.json()["reasons"][0]["policy"] == "daylight:unknown-account"


def test_the_one_json_error_shape(gate: Gate) -> None:
    """Pinned: every error answer is DaylightError.to_json() with the error's status."""
    app = create_app(gate=gate)
    response = call_gateway(app, "POST", "/v1/decisions", content=b"{not json",
                        headers={"content-type": "application/json"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "where"}
    assert body["error"]["code"] == "invalid_input" and body["error"]["where"] == "body"
    unknown = call_gateway(app, "POST", "/v1/decisions",
                       json={"account_id": "SYNTHETIC-shop", "operation": "face.telepathy"})
    assert unknown.status_code == 404
    assert unknown.json() == NotFoundError("unknown operation `face.telepathy`: not in the service "
                                           "catalog", where="operation").to_json()
    context = call_gateway(app, "POST", "/v1/decisions", json={
        "account_id": "SYNTHETIC-shop", "operation": "face.search", "context": {"real_time": "no"}})
    assert context.status_code == 400
    assert context.json() == InputError("expected true or false, got a string",
                                        where="context.real_time").to_json()


@pytest.mark.parametrize(("body", "status", "code", "where"), [
    ([1, 2], 400, "invalid_input", "body"),
    ({"operation": "face.search"}, 400, "invalid_input", "account_id"),
    ({"account_id": 7, "operation": "face.search"}, 400, "invalid_input", "account_id"),
    ({"account_id": "SYNTHETIC-shop"}, 400, "invalid_input", "operation"),
    ({"account_id": "SYNTHETIC-shop", "operation": "face.search", "colour": "red"}, 400,
     "invalid_input", "colour"),
    ({"account_id": "SYNTHETIC-shop", "operation": "face.search", "context": "x"}, 400,
     "invalid_input", "context"),
    ({"account_id": "SYNTHETIC-shop", "operation": "face.search", "context": {"nope": 1}}, 400,
     "invalid_input", "context.nope"),
    ({"account_id": "", "operation": "face.search"}, 400, "invalid_input", "account_id"),
])
def test_malformed_requests_get_a_clear_error(gate: Gate, body: object, status: int, code: str,
                                              where: str) -> None:
    response = call_gateway(create_app(gate=gate), "POST", "/v1/decisions", json=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["where"] == where
    assert gate.recorder.pending == 0


def test_oversized_bodies_are_refused_before_they_are_read_whole(gate: Gate) -> None:
    app = create_app(gate=gate, max_body_bytes=1024)
    big = json.dumps({"account_id": "SYNTHETIC-shop", "operation": "face.search",
                      "context": {"purpose": "x" * 5000}}).encode()
    declared = call_gateway(app, "POST", "/v1/decisions", content=big, headers=JSON)
    assert declared.status_code == 413 and declared.json()["error"]["code"] == "body_too_large"
    # the limit said once (it was "over 1024 bytes; at most 1024 are accepted")
    assert declared.json()["error"] == {"code": "body_too_large", "where": "body", "message":
                                        f"the body is {len(big)} bytes, over the limit of 1024 "
                                        "bytes"}

    async def chunks() -> AsyncIterator[bytes]:  # no content-length: chunked
        for start in range(0, len(big), 100):
            yield big[start:start + 100]

    streamed = call_gateway(app, "POST", "/v1/decisions", content=chunks(), headers=JSON)
    assert streamed.status_code == 413 and streamed.json()["error"] == {
        "code": "body_too_large", "where": "body",
        "message": "the body is over the limit of 1024 bytes"}


def test_unknown_routes_and_methods_use_the_same_shape(gate: Gate) -> None:
    app = create_app(gate=gate)
    missing = call_gateway(app, "GET", "/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "not found"}}
    for undocumented in ("/docs", "/redoc"):  # the OpenAPI document is served: test_openapi.py
        assert call_gateway(app, "GET", undocumented).status_code == 404, undocumented
    wrong = call_gateway(app, "GET", "/v1/decisions")
    assert wrong.status_code == 405
    assert wrong.json() == {"error": {"code": "method_not_allowed", "message": "method not allowed"}}


JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 415),
    ({"content-type": "text/plain"}, 415),
    ({"content-type": "application/x-www-form-urlencoded"}, 415),
    ({"content-type": "multipart/form-data; boundary=x"}, 415),
    ({"content-type": "application/json; charset=latin-1"}, 415),
    ({"content-type": "application/jsonx"}, 415),
    ({"content-type": "Application/JSON; charset=UTF-8"}, 200),
    ({"content-type": "application/json"}, 200),
])
def test_the_decision_api_takes_only_json_bodies(gate: Gate, headers: dict[str, str],
                                                 status: int) -> None:
    """A cross-site HTML form posts text/plain, urlencoded or multipart: never decided."""
    body = json.dumps({"account_id": "SYNTHETIC-shop", "operation": "face.search"}).encode()
    response = call_gateway(create_app(gate=gate), "POST", "/v1/decisions", content=body,
                        headers=headers)
    assert response.status_code == status
    if status == 415:
        assert response.json()["error"]["code"] == "unsupported_media_type"
        assert response.json()["error"]["where"] == "header content-type"
        assert gate.recorder.pending == 0


def test_content_type_given_twice_is_refused(gate: Gate) -> None:
    response = call_gateway(create_app(gate=gate), "POST", "/v1/decisions", content=b"{}",
                        headers=[("content-type", "application/json"),
                                 ("content-type", "text/plain")])
    assert response.status_code == 415


class ExplodingGate(Gate):
    """A gate that fails in a way nobody planned for (a fake at a seam we own)."""

    def decide(self, *args: object, **kwargs: object) -> object:  # type: ignore[override]
        raise RuntimeError("secret internals")


def test_an_unexpected_failure_is_a_500_in_the_same_shape_without_internals(
        database: Database, catalog: Catalog) -> None:
    app = create_app(gate=ExplodingGate(database, catalog, refresh_interval_s=None))
    response = call_gateway(app, "POST", "/v1/decisions",
                        json={"account_id": "SYNTHETIC-shop", "operation": "face.search"})
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal_error",
                                         "message": "internal error: the request was not decided"}}
    assert "secret" not in response.text


def test_the_policy_in_force(gate: Gate) -> None:
    body = call_gateway(create_app(gate=gate), "GET", "/v1/policy").json()
    assert body["in_force"]["version"] == 1
    assert [p["name"] for p in body["in_force"]["packs"]] == ["employee-demands",
                                                              "rekognition-moratorium-2020"]


@pytest.mark.parametrize("name", shipped_pack_names())
def test_every_pack_corpus_through_the_api(name: str, database: Database, log: TransparencyLog,
                                           catalog: Catalog) -> None:
    pack = load_pack(name)
    corpus = parse_corpus(pack.corpus_text or "")
    publish(database, log, [pack], catalog, NOW)
    gate = Gate(database, catalog, facts=lambda _, __: list(corpus.facts),
                declarations=lambda: corpus.declarations, refresh_interval_s=None)
    app = create_app(gate=gate)
    for case in corpus.cases:
        response = call_gateway(app, "POST", "/v1/decisions", json={
            "account_id": case.account_id, "operation": case.operation, "context": dict(case.context)})
        assert response.status_code == 200, case.name
        body = response.json()
        assert body["allowed"] is case.allowed, case.name
        assert {r["policy"] for r in body["reasons"]} - {DECLARATION} == case.reasons, case.name
        assert body["policy_version"] == 1


def test_errors_of_the_api_layer_derive_from_daylight_error() -> None:
    from daylight.api.errors import BodyTooLargeError, PolicyDeniedError
    assert issubclass(BodyTooLargeError, InputError) and issubclass(PolicyDeniedError, DaylightError)


def test_records_are_flushed_in_the_background_and_on_shutdown(tmp_path: Path, catalog: Catalog) -> None:
    cli = Cli(tmp_path / "home", None)
    cli("init", "--origin", "api.daylight.invalid/log")
    home = Home(build_settings({"home": str(tmp_path / "home")}, {}))
    add_registry_accounts(home.database(), WORLD)
    publish(home.database(), home.log(writable=True), [load_pack("employee-demands")], catalog, NOW)
    app = create_app(home, flush_interval_s=0.05, refresh_interval_s=0.1)
    gateway = with_token(token_for(home.database()))

    def recorded() -> int:
        with home.database().transaction(write=False) as tx:
            row = tx.query_one("SELECT COALESCE(SUM(decisions), 0) FROM policy_decision_count")
        return int(row[0]) if row else 0

    async def run() -> tuple[int, int]:
        async with app.api.router.lifespan_context(app.api):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://daylight.test") as client:
                body = {"account_id": "SYNTHETIC-ice", "operation": "compute.instance"}
                answer = await client.post("/v1/decisions", json=body, headers=gateway)
                assert answer.json()["allowed"] is False
                await asyncio.sleep(0.5)
                in_background = recorded()
                await client.post("/v1/decisions", json=body, headers=gateway)
        return in_background, recorded()

    try:
        assert asyncio.run(run()) == (1, 2)
    finally:
        home.close()


def test_worker_processes_build_the_service_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Cli(tmp_path / "home", None)("init", "--origin", "env.daylight.invalid/log")
    monkeypatch.setenv("DAYLIGHT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv(CACHE_ENV, "0")
    service = app_from_environment()
    try:
        assert call_gateway(service, "GET", "/v1/policy").json() == {"in_force": None}
        answer = call_gateway(service, "POST", "/v1/decisions",
                          json={"account_id": "SYNTHETIC-x", "operation": "face.search"})
        assert answer.json()["reasons"][0]["policy"] == "daylight:no-policy-version"
    finally:
        service.gate.database.close()
    monkeypatch.setenv(CACHE_ENV, "lots")
    with pytest.raises(ConfigError, match="`lots` is not a whole number"):
        app_from_environment()


SHOP = b'"account_id": "SYNTHETIC-shop", "operation": "face.search"'


@pytest.mark.parametrize(("body", "status", "where", "message"), [
    (b"{" + SHOP + b', "context": {"hours_since_start": ' + b"1" * 5000 + b"}}", 400, "body",
     "too many digits"),
    (b"[" * 8000 + b"]" * 8000, 400, "body", "nested too deeply"),
    (b"{" + SHOP + b', "context": {"hours_since_start": NaN}}', 400, "body", "`NaN` is not"),
    (b'{"account_id": "SYNTHETIC-shop", "operation": "face.search", '
     b'"account_id": "SYNTHETIC-police"}', 400, "body", "`account_id` appears twice"),
    (b"{" + SHOP + b', "context": {"purpose": "find_missing_children", "purpose": "x"}}', 400,
     "body", "`purpose` appears twice"),
    (b"\xff\xfe\x00", 400, "body", "invalid JSON"),
    # a lone surrogate is not a character (I-JSON): refused where the body is read
    (b'{"\\ud800": 1}', 400, "body", "lone surrogate `\\ud800`"),
    (b'{"account_id": "SYNTHETIC-shop", "operation": "\\udfff"}', 400, "body",
     "lone surrogate `\\udfff`"),
    (b"{" + SHOP + b', "context": {"\\ud800": 1}}', 400, "body", "lone surrogate"),
    # the account-id rule of usage ingest and account import
    (b'{"account_id": " ", "operation": "face.search"}', 400, "account_id", "missing account id"),
    (b'{"account_id": "SYNTHETIC shop", "operation": "face.search"}', 400, "account_id",
     "is not an id"),
    (b'{"account_id": "=cmd|x", "operation": "face.search"}', 400, "account_id", "is not an id"),
    (b'{"account_id": "SYNTHETIC-\xd1\x95hop", "operation": "face.search"}', 400, "account_id",
     "is not an id"),
])
def test_hostile_bodies_get_the_error_shape_never_a_500(gate: Gate, body: bytes, status: int,
                                                        where: str, message: str) -> None:
    response = call_gateway(create_app(gate=gate), "POST", "/v1/decisions", content=body,
                        headers=JSON)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["where"] == where and message in error["message"]
    assert gate.recorder.pending == 0


class FailingRefreshGate(Gate):
    """A gate whose refresh fails in an unplanned way (a fake at a seam we own)."""

    def refresh(self, *, force: bool = False) -> bool:
        raise RuntimeError("unplanned")


def test_an_unplanned_background_failure_does_not_stop_the_flushes(
        tmp_path: Path, catalog: Catalog, caplog: pytest.LogCaptureFixture) -> None:
    cli = Cli(tmp_path / "home", None)
    cli("init", "--origin", "api.daylight.invalid/log")
    home = Home(build_settings({"home": str(tmp_path / "home")}, {}))
    add_registry_accounts(home.database(), WORLD)
    publish(home.database(), home.log(writable=True), [load_pack("employee-demands")], catalog, NOW)
    gate = FailingRefreshGate(home.database(), catalog, refresh_interval_s=None)
    app = create_app(home, gate=gate, flush_interval_s=0.05, refresh_interval_s=0.05)

    def recorded() -> int:
        with home.database().transaction(write=False) as tx:
            row = tx.query_one("SELECT COALESCE(SUM(decisions), 0) FROM policy_decision_count")
        return int(row[0]) if row else 0

    async def run() -> int:
        async with app.api.router.lifespan_context(app.api):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://daylight.test") as client:
                await asyncio.sleep(0.3)  # several failed refreshes
                body = {"account_id": "SYNTHETIC-ice", "operation": "compute.instance"}
                await client.post("/v1/decisions", json=body,
                                  headers=with_token(token_for(home.database())))
                await asyncio.sleep(0.3)
                return recorded()

    try:
        assert asyncio.run(run()) == 1
        assert "background round failed" in caplog.text
    finally:
        home.close()
