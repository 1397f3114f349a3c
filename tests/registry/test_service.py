"""Load, screen, judge, classify: every fact in the log, atomically, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, NotFoundError
from daylight.flows.accounts import show_account
from daylight.flows.review import review_queue
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account
from daylight.registry.reference.shipped import Reference
from daylight.registry.service import (
    import_accounts,
    load_reference,
    record_judgement,
    screen_accounts,
)
from tests.registry.conftest import NOW

ACCOUNTS = [
    Account("agency-1", "Warrick Co. Sheriff's Office", (), "Boonville", "IN", "US", "2024-01-02"),
    Account("agency-2", "Colbert County Sheriff", (), "", "AL", "US", "2024-01-02"),
    Account("vendor-1", "Palantir Technologies, Inc.", ("palantir.com",), "Denver", "CO", "US",
            "2024-01-02"),
    Account("ambiguous", "Springfield PD", (), "", "", "US", "2024-01-02"),
    Account("shop", "Quartz Bakery LLC", ("gmail.com",), "Austin", "TX", "US", "2024-01-02"),
]


def _entries(log: TransparencyLog) -> list[dict[str, object]]:
    return [json.loads(e) for e in log.entries(0, log.tree_size())]


def test_load_logs_every_relationship_and_is_idempotent(
        database: Database, log: TransparencyLog, subset: Reference) -> None:
    result = load_reference(database, log, subset, NOW)
    assert result.loaded is True
    entries = _entries(log)
    assert sum(e["type"] == "registry.relationship" for e in entries) == len(subset.relationships)
    assert entries[-1]["type"] == "registry.reference"
    assert entries[-1]["payload"]["digest"] == subset.digest  # type: ignore[index]
    size = log.tree_size()
    assert load_reference(database, log, subset, NOW).loaded is False
    assert log.tree_size() == size


def test_screen_classify_and_log(loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS, NOW)
    counts = screen_accounts(loaded, log, NOW)
    assert counts.to_json() == {"screened": 5, "accepted": 3, "review": 1, "rejected": 1, "judged": 0}
    colbert = show_account(loaded, "agency-2").to_json()
    assert colbert["account"] == ACCOUNTS[1].to_json()
    assert colbert["organization"]["id"] == "ori:AL0200000"
    assert colbert["organization"]["identifiers"] == {"ori": "AL0200000"}
    assert colbert["match"]["status"] == "accepted"
    assert colbert["classification"]["sector"] == "law_enforcement"
    (support,) = colbert["classification"]["supports"]
    assert support["sector"] == "immigration_enforcement"
    kinds = [step["type"] for step in support["path"]]
    assert kinds == ["account", "organization", "relationship", "organization"]
    assert support["path"][2]["evidence"]["model"] in {"Jail Enforcement Model", "Warrant Service Officer"}
    assert support["path"][3]["id"] == "us-agency:7012"
    palantir = show_account(loaded, "vendor-1").to_json()
    assert palantir["classification"]["sector"] == "commercial"
    assert [s["sector"] for s in palantir["classification"]["supports"]] == ["immigration_enforcement"]
    assert palantir["classification"]["supports"][0]["path"][2]["id"].startswith("award:")
    shop = show_account(loaded, "shop").to_json()
    assert shop["organization"] is None and shop["classification"] == {"sector": "unknown", "supports": []}
    logged = [e for e in _entries(log) if e["type"] == "registry.classification"]
    assert {e["payload"]["account_id"] for e in logged} == {"agency-1", "agency-2", "vendor-1"}  # type: ignore[index]
    assert _entries(log)[-1]["type"] == "registry.screening"
    # screening again touches only unresolved accounts and logs no classification twice
    again = screen_accounts(loaded, log, NOW)
    assert again.screened == 1
    assert len([e for e in _entries(log) if e["type"] == "registry.classification"]) == 3


def test_review_judgement_is_stored_logged_and_never_asked_again(
        loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS, NOW)
    screen_accounts(loaded, log, NOW)
    (item,) = [queued.to_json() for queued in review_queue(loaded)]
    assert item["account"]["account_id"] == "ambiguous"
    candidate = item["candidate"]["id"]
    result = record_judgement(loaded, log, "ambiguous", candidate, "different", "not this Springfield", NOW)
    assert result.judgement.verdict == "different"
    judgement = json.loads(log.entry(result.judgement.log_index))
    assert judgement["type"] == "registry.judgement"
    assert judgement["payload"]["note"] == "not this Springfield"
    view = show_account(loaded, "ambiguous").to_json()
    assert view["match"]["candidate"] != candidate  # the judged pair is not offered again
    with pytest.raises(ConflictError):
        record_judgement(loaded, log, "ambiguous", candidate, "same", "changed my mind", NOW)
    other = "ori:MO0390300" if candidate != "ori:MO0390300" else "ori:IL0840200"
    record_judgement(loaded, log, "ambiguous", other, "same", "account manager confirmed", NOW)
    view = show_account(loaded, "ambiguous").to_json()
    assert view["match"]["status"] == "judged"
    assert view["organization"]["id"] == other
    assert "judgement" in view["match"]["features"]
    assert review_queue(loaded) == []
    screen_accounts(loaded, log, NOW, everything=True)
    assert show_account(loaded, "ambiguous").to_json()["match"]["status"] == "judged"  # reused on rescreen


def test_a_correction_back_to_unknown_is_logged(loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS[:1], NOW)
    screen_accounts(loaded, log, NOW)
    assert show_account(loaded, "agency-1").to_json()["organization"]["id"] == "ori:IN0870000"
    record_judgement(loaded, log, "agency-1", "ori:IN0870000", "different", "a namesake", NOW)
    view = show_account(loaded, "agency-1").to_json()
    assert view["organization"] is None
    assert view["classification"]["sector"] == "unknown"
    last = [e for e in _entries(log) if e["type"] == "registry.classification"][-1]
    assert last["payload"]["sector"] == "unknown"  # type: ignore[index]


def test_decide_refuses_unknown_ids(loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS[:1], NOW)
    with pytest.raises(NotFoundError):
        record_judgement(loaded, log, "nobody", "ori:IN0870000", "same", "x", NOW)
    with pytest.raises(NotFoundError):
        record_judgement(loaded, log, "agency-1", "ori:NOPE", "same", "x", NOW)
    assert review_queue(loaded) == []
