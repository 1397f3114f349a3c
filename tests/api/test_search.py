"""`GET /v1/registry/search` keeps one screener per loaded reference: built on the first search,
reused by the next ones, built again (and the old one dropped) when a reference load changes
the organisations — the signal the policy gate's registry fingerprint reads."""

from __future__ import annotations

from pathlib import Path

from daylight.core.database import Database
from daylight.flows.search import RegistrySearch
from daylight.log.service import TransparencyLog
from daylight.registry.reference.shipped import Reference, read_reference
from daylight.registry.service import load_reference
from daylight.voice.privacy import generate_review_key
from tests.api.routes_world import ADMIN, Client, service, service_home
from tests.registry.conftest import NOW, SUBSET

CLEARVIEW = "company:clearview-ai"


def test_the_screener_is_built_once_per_loaded_reference(tmp_path: Path, database: Database,
                                                        log: TransparencyLog) -> None:
    subset = read_reference(SUBSET)
    home = service_home(tmp_path, database, log, generate_review_key()[0])
    app = service(home)
    client = Client(app, ADMIN)
    empty = client.get("/v1/registry/search", params={"name": "Clearview AI"})
    assert empty.status_code == 400 and "registry is empty" in empty.json()["error"]["message"]

    without = Reference(tuple(o for o in subset.organizations if o.id != CLEARVIEW),
                        tuple(r for r in subset.relationships
                              if CLEARVIEW not in (r.source_id, r.target_id)))
    load_reference(database, log, without, NOW)

    def top(name: str) -> list[str]:
        response = client.get("/v1/registry/search", params={"name": name, "top": 3})
        assert response.status_code == 200, response.text
        return [c["organization_id"] for c in response.json()]

    assert CLEARVIEW not in top("Clearview AI")
    searched: RegistrySearch = app.api.state.registry_search
    first_builds = searched.builds
    for _ in range(3):
        assert CLEARVIEW not in top("Clearview AI")
    assert searched.builds == first_builds  # reused while no reference is loaded

    load_reference(database, log, subset, NOW)  # a newer build lists Clearview again
    assert top("Clearview AI")[0] == CLEARVIEW
    assert searched.builds == first_builds + 1
    assert top("Clearview AI")[0] == CLEARVIEW and searched.builds == first_builds + 1
