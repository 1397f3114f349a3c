"""schemathesis against the service's own OpenAPI document, in process: a bounded profile (a
few hundred generated requests, every operation, as an admin so that each reaches its flow) that
must produce no server error, and answers that match the document (status codes it declares,
content types and bodies of the declared shape).

A SYNTHETIC home on SQLite (both backends run the route tests themselves); the log holds a few
entries so that the log routes have something to prove.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from daylight.api.app import DecisionApp, create_app
from daylight.core.settings import build_settings
from daylight.home import Home
from daylight.voice.privacy import generate_review_key
from tests.api.conftest import token_for, with_token
from tests.api.routes_world import UNLIMITED
from tests.policy.conftest import WORLD, add_registry_accounts

CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance)
MAX_EXAMPLES = 8  # per operation and caller: ~30 operations, ~450 requests, well under 60 s


@pytest.fixture(scope="module")
def service_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DecisionApp]:
    directory: Path = tmp_path_factory.mktemp("schemathesis")
    home = Home(build_settings({"home": str(directory), "review_key": generate_review_key()[0]},
                               {}))
    home.initialise("schemathesis.daylight.invalid/log")
    add_registry_accounts(home.database(), WORLD)
    home.log(writable=True).append([{"type": "example.fact", "time": "2026-11-20T12:00:00Z",
                                     "payload": {"n": n}} for n in range(5)])
    yield create_app(home, access=UNLIMITED)
    home.close()


@pytest.mark.parametrize("role", ["admin", None], ids=["admin", "anonymous"])
def test_no_server_errors_and_answers_as_documented(service_app: DecisionApp,
                                                    role: str | None) -> None:
    """Every operation, ``MAX_EXAMPLES`` generated requests each (schemathesis' pytest plugin
    does not run under this pytest, so the operations are walked here), as an admin (every
    route reaches its flow) and as the anonymous public."""
    headers = with_token(token_for(service_app.gate.database, role)) if role else {}
    schema = schemathesis.openapi.from_asgi("/openapi.json", service_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    statuses: Counter[int] = Counter()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            case.validate_response(response, checks=CHECKS)

        check()
    assert sum(statuses.values()) >= 6 * len(operations)  # the profile ran, bounded
    assert statuses[200] > 0 and statuses[400] > 0, statuses  # both kinds of answer were seen
    print(f"schemathesis: {sum(statuses.values())} requests, statuses {dict(sorted(statuses.items()))}")
