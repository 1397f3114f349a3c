"""Every answer of the decision service and of a witness carries the security headers, and no
CORS header: decisions, errors, unknown routes, the FastAPI side and the witness alike."""

from __future__ import annotations

import pytest

from daylight.api.app import create_app
from daylight.api.headers import SECURITY_HEADERS
from daylight.api.witness import WitnessApp
from daylight.core.database import Database
from daylight.log.note import CosignatureSigner
from daylight.log.service import TransparencyLog
from daylight.log.witness import WitnessService
from daylight.policy.gate import Gate
from tests.api.conftest import call_app, call_gateway

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
