"""Every answer of the decision service and of a witness carries the security headers, and no
CORS header: decisions, errors, unknown routes, the FastAPI side and the witness alike."""

from __future__ import annotations

import asyncio

import pytest
from starlette.types import Message

from daylight.api.app import create_app
from daylight.api.guard import AccessConfig
from daylight.api.headers import SECURITY_HEADERS, secured, with_security_headers
from daylight.api.witness import WitnessApp
from daylight.core.database import Database
from daylight.flows.tokens import create_token
from daylight.log.note import CosignatureSigner
from daylight.log.service import TransparencyLog
from daylight.log.witness import WitnessService
from daylight.policy.gate import Gate
from tests.api.conftest import call_app, call_gateway, token_for, with_token

JSON = {"content-type": "application/json"}


def _check(headers: object) -> None:
    for name, value in SECURITY_HEADERS:
        assert headers[name.decode()] == value.decode(), name  # type: ignore[index]
    assert not [h for h in headers if h.lower().startswith("access-control-")]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/v1/decisions", b'{"account_id": "SYNTHETIC-shop", "operation": "face.search"}'),
    ("POST", "/v1/decisions", b"{not json"),
    ("GET", "/v1/decisions", b""),
    ("GET", "/v1/policy", b""),
    ("GET", "/nowhere", b""),
])
def test_the_decision_service(gate: Gate, method: str, path: str, body: bytes) -> None:
    response = call_gateway(create_app(gate=gate), method, path, content=body or None,
                            headers=JSON)
    _check(response.headers)


def test_a_witness(database: Database, log: TransparencyLog) -> None:
    app = WitnessApp(WitnessService(CosignatureSigner("w.daylight.invalid", b"w" * 32),
                                    {log.origin: log.verifier}, database))
    for method, path in (("POST", "/add-checkpoint"), ("GET", "/add-checkpoint"),
                         ("GET", "/other")):
        _check(call_app(app, method, path, content=b"old 0\n\n").headers)


def _sent_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The headers ``with_security_headers`` sends for an answer that starts with ``headers``."""
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(with_security_headers(send)({"type": "http.response.start", "status": 200,
                                             "headers": headers}))
    return list(sent[0]["headers"])


def test_secured_headers_are_what_with_security_headers_makes_of_the_same_headers() -> None:
    given = [(b"content-type", b"application/json"), (b"content-length", b"2"),
             (b"www-authenticate", b'Bearer realm="daylight"')]
    built = secured(*given)
    assert list(built) == _sent_headers(given) == [*given, *SECURITY_HEADERS]
    assert _sent_headers(built) == list(built)  # sent as they are
    # a plain list still gets the usual treatment: an answer's own cache-control is kept
    assert _sent_headers([(b"cache-control", b"max-age=60")])[0] == (b"cache-control", b"max-age=60")


def test_secured_takes_no_security_header() -> None:
    with pytest.raises(ValueError, match="no security header"):
        secured((b"X-Frame-Options", b"SAMEORIGIN"))


def test_a_decision_with_cors_configured_has_cors_and_every_security_header(gate: Gate) -> None:
    app = create_app(gate=gate, access=AccessConfig(cors_origins=("https://reader.example",)))
    body = b'{"account_id": "SYNTHETIC-shop", "operation": "face.search"}'
    for content in (body, b"{not json"):
        response = call_gateway(app, "POST", "/v1/decisions", content=content,
                                headers={**JSON, "origin": "https://reader.example"})
        assert response.headers["access-control-allow-origin"] == "https://reader.example"
        for name, value in SECURITY_HEADERS:
            assert response.headers[name.decode()] == value.decode(), name


def test_every_answer_to_a_decision_request_has_the_security_headers(gate: Gate) -> None:
    """The decision route's answers are made with their security headers (no layer adds them
    there): each way it can answer."""
    decide = b'{"account_id": "SYNTHETIC-shop", "operation": "face.search"}'
    app = create_app(gate=gate, max_body_bytes=100,
                     access=AccessConfig(rate_limit_per_s=0.01, rate_burst=2))
    gateway = with_token(token_for(gate.database))
    customer = with_token(create_token(gate.database, "customer", accounts=["SYNTHETIC-shop"]).secret)
    answers = [
        call_app(app, "POST", "/v1/decisions", content=decide, headers={**JSON, **gateway}),
        call_app(app, "POST", "/v1/decisions", content=b"{not json", headers={**JSON, **gateway}),
        call_app(app, "POST", "/v1/decisions", content=decide, headers=gateway),  # 415
        call_app(app, "POST", "/v1/decisions", content=b"{" * 200, headers={**JSON, **gateway}),
        call_app(app, "POST", "/v1/decisions", content=decide, headers={**JSON, **customer}),
        call_app(app, "POST", "/v1/decisions", content=decide,
                 headers={**JSON, "authorization": "Bearer nonsense"}),
        call_app(app, "POST", "/v1/decisions", content=decide, headers=JSON),  # no token
        call_app(app, "POST", "/v1/decisions", content=decide, headers=JSON),  # over the limit
    ]
    assert [a.status_code for a in answers] == [200, 400, 415, 413, 403, 401, 401, 429]
    for answer in answers:
        _check(answer.headers)
