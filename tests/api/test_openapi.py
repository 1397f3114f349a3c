"""`GET /openapi.json` is complete and accurate: its operations are exactly the app's routes
(the plain-ASGI decision route included) and exactly the `## METHOD PATH` sections of
docs/api.md, both ways; and errors are described as the one error shape (no FastAPI 422
answers: bad input is a 400). (That every route has a row in ROUTE_ROLES: test_access_matrix.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from daylight.api.app import DECISIONS_PATH, DecisionApp, create_app
from daylight.core.database import Database
from daylight.policy.catalog import default_catalog
from daylight.policy.gate import Gate
from tests.api.conftest import call_app

ROOT = Path(__file__).parents[2]
_METHODS = {"get", "post", "put", "patch", "delete"}
_CONVERTER = re.compile(r"\{(\w+):\w+\}")
_SECTION = re.compile(r"^## `(GET|POST|PUT|PATCH|DELETE) (/\S*)`\s*$", re.MULTILINE)


@pytest.fixture
def app(database: Database) -> DecisionApp:
    return create_app(gate=Gate(database, default_catalog(), refresh_interval_s=None))


def _openapi_operations(app: DecisionApp) -> set[tuple[str, str]]:
    response = call_app(app, "GET", "/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.")
    return {(method.upper(), path) for path, operations in document["paths"].items()
            for method in operations if method in _METHODS}


def _app_routes(app: DecisionApp) -> set[tuple[str, str]]:
    """(method, path) of every route the app answers, as the OpenAPI writes paths
    (``{index:path}`` is ``{index}``)."""
    return {(m, _CONVERTER.sub(r"{\1}", path)) for m, path in app.routes()} - {
        ("GET", "/openapi.json")}


def _documented() -> set[tuple[str, str]]:
    return {(m, p) for m, p in _SECTION.findall((ROOT / "docs" / "api.md").read_text())}


def test_the_openapi_paths_are_the_app_routes_both_ways(app: DecisionApp) -> None:
    operations = _openapi_operations(app)
    routes = _app_routes(app)
    assert operations - routes == set()
    assert routes - operations == set()
    assert ("POST", DECISIONS_PATH) in operations  # answered outside the router, still described
    assert len(operations) >= 30


def test_the_openapi_paths_are_the_documented_routes_both_ways(app: DecisionApp) -> None:
    operations = _openapi_operations(app) | {("GET", "/openapi.json")}
    documented = _documented()
    assert operations - documented == set(), "routes missing a `## METHOD PATH` in docs/api.md"
    assert documented - operations == set(), "docs/api.md documents routes the app does not have"


def test_errors_are_described_as_the_one_shape(app: DecisionApp) -> None:
    document = call_app(app, "GET", "/openapi.json").json()
    assert "HTTPValidationError" not in document["components"]["schemas"]
    error = document["components"]["schemas"]["ErrorBody"]
    assert error["required"] == ["error"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert "422" not in answers, (method, path)
            assert answers["400"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"}, (method, path)
            assert "404" in answers and "500" in answers, (method, path)
