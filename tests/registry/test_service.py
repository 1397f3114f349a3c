"""Load, screen, judge, classify: every fact in the log, atomically, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.flows.accounts import show_account
from daylight.flows.review import review_queue
from daylight.log.service import TransparencyLog
from daylight.policy.entities import SupportQuestion, read_account_facts
from daylight.registry.accounts import Account
from daylight.registry.reference.shipped import Reference
from daylight.registry.service import (
    import_accounts,
    load_reference,
    record_judgement,
    screen_accounts,
)
from tests.registry.conftest import NOW

REVIEWER = "reviewer-SYNTHETIC"  # a pseudonym, as the review flow makes one

AS_OF = NOW.date().isoformat()

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
    colbert = show_account(loaded, "agency-2", AS_OF).to_json()
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
    # 2025-07-03 is the latest snapshot of ICE's 287(g) list, and it still lists Colbert County
    assert "ongoing as of 2025-07-03" in support["support"]["kept"][0]["why"]
    # The subset holds three of Palantir's ICE awards, the last action on 2024-08-07 (action
    # dates: the FY2021-2026 extract gives no period of performance): more than 365 days before
    # 2026-11-23, so not support then; within the window on 2024-12-01, and in force in 2023.
    palantir = show_account(loaded, "vendor-1", AS_OF).to_json()
    assert palantir["classification"]["sector"] == "commercial"
    assert palantir["classification"]["supports"] == []
    (ended,) = palantir["classification"]["not_supported"]
    assert ended["sector"] == "immigration_enforcement"
    assert {e["why"] for e in ended["support"]["dropped"]} == {
        "ended long ago: ended 2024-08-07, more than 365 days before the period",
        "ended long ago: ended 2024-02-07, more than 365 days before the period",
        "ended long ago: ended 2021-09-17, more than 365 days before the period",
        # Palantir USG's award, through its subsidiary_of link (registry/reference/links.csv)
        "ended long ago: ended 2018-05-04, more than 365 days before the period"}
    assert {e["via"] for e in ended["support"]["dropped"]} == {
        "company:palantir-technologies", "company:palantir-usg"}
    late_2024 = show_account(loaded, "vendor-1", "2024-12-01").to_json()["classification"]
    (kept,) = late_2024["supports"]
    assert kept["path"][2]["id"].startswith("award:")
    assert [e["why"].split(":")[0] for e in kept["support"]["kept"]] == ["within window"] * 2
    # in force, but nothing obligated from 2023-12 to 2024-12 (their last obligations were in
    # March and May 2022): amount 0; the two awards' net amounts, 16,375,125.02 + 6,937,738.86
    assert kept["support"]["kinds"] == {"data_analytics_and_it": {
        "amount": 0.0, "awards": 2, "award_total": 23312863.88}}
    # during 2021 the obligations of that year count: 1,985,001 + 6,852,582 + 909,729.17 +
    # 1,819,458.34 (award ...000001), 13,958,356.82 - 1,402,838.41 (award ...268), and the
    # November 2020 obligation of 2,079,167 within the 365-day window before the year
    in_2021 = show_account(loaded, "vendor-1", "2021-01-01", "2021-12-31").to_json()["classification"]
    weight = in_2021["supports"][0]["support"]["weight"]
    assert weight["amount"] == round(2079167.00 + 1985001.00 + 6852582.00 + 909729.17 + 1819458.34
                                     + 13958356.82 - 1402838.41, 2)
    assert weight["awards"] == 2
    in_2023 = show_account(loaded, "vendor-1", "2023-06-30").to_json()["classification"]["supports"]
    assert in_2023[0]["support"]["weight"]["awards"] == 2
    shop = show_account(loaded, "shop", AS_OF).to_json()
    assert shop["organization"] is None and shop["classification"] == {
        "sector": "unknown", "supports": [], "not_supported": [], "window_days": 365,
        "staleness_days": 1095, "during": {"start": AS_OF, "end": AS_OF}}
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
    result = record_judgement(loaded, log, "ambiguous", candidate, "different", "not this Springfield", NOW,
                              reviewer=REVIEWER)
    assert result.judgement.verdict == "different"
    judgement = json.loads(log.entry(result.judgement.log_index))
    assert judgement["type"] == "registry.judgement"
    assert judgement["payload"]["note"] == "not this Springfield"
    view = show_account(loaded, "ambiguous", AS_OF).to_json()
    assert view["match"]["candidate"] != candidate  # the judged pair is not offered again
    with pytest.raises(ConflictError):
        record_judgement(loaded, log, "ambiguous", candidate, "same", "changed my mind", NOW,
                         reviewer=REVIEWER)
    other = "ori:MO0390300" if candidate != "ori:MO0390300" else "ori:IL0840200"
    record_judgement(loaded, log, "ambiguous", other, "same", "account manager confirmed", NOW,
                     reviewer=REVIEWER)
    view = show_account(loaded, "ambiguous", AS_OF).to_json()
    assert view["match"]["status"] == "judged"
    assert view["organization"]["id"] == other
    assert "judgement" in view["match"]["features"]
    assert review_queue(loaded) == []
    screen_accounts(loaded, log, NOW, everything=True)
    rescreened = show_account(loaded, "ambiguous", AS_OF).to_json()
    assert rescreened["match"]["status"] == "judged"  # reused on rescreen


def test_a_correction_back_to_unknown_is_logged(loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS[:1], NOW)
    screen_accounts(loaded, log, NOW)
    assert show_account(loaded, "agency-1", AS_OF).to_json()["organization"]["id"] == "ori:IN0870000"
    record_judgement(loaded, log, "agency-1", "ori:IN0870000", "different", "a namesake", NOW,
                     reviewer=REVIEWER)
    view = show_account(loaded, "agency-1", AS_OF).to_json()
    assert view["organization"] is None
    assert view["classification"]["sector"] == "unknown"
    last = [e for e in _entries(log) if e["type"] == "registry.classification"][-1]
    assert last["payload"]["sector"] == "unknown"  # type: ignore[index]


def test_decide_refuses_unknown_ids(loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS[:1], NOW)
    with pytest.raises(NotFoundError):
        record_judgement(loaded, log, "nobody", "ori:IN0870000", "same", "x", NOW,
                         reviewer=REVIEWER)
    with pytest.raises(NotFoundError):
        record_judgement(loaded, log, "agency-1", "ori:NOPE", "same", "x", NOW,
                         reviewer=REVIEWER)
    assert review_queue(loaded) == []


def test_data_sharing_is_kept_apart_from_support(loaded: Database, log: TransparencyLog) -> None:
    """Pittsboro IN PD shares Flock data with Colbert County, whose 287(g) agreement is ongoing:
    the gate's facts say so (`shares_data_with`), but Pittsboro does not support ICE."""
    pittsboro = Account("pittsboro", "Pittsboro Police Department", (), "Pittsboro", "IN", "US",
                        "2024-01-02")
    import_accounts(loaded, [pittsboro], NOW)
    screen_accounts(loaded, log, NOW)
    view = show_account(loaded, "pittsboro", AS_OF).to_json()
    assert view["organization"]["id"] == "ori:IN0320800"
    assert view["classification"]["supports"] == []
    assert view["classification"]["shares_data_with"] == ["immigration_enforcement", "law_enforcement"]
    (facts,) = [f for f in read_account_facts(loaded, SupportQuestion(AS_OF))
                if f.account_id == "pittsboro"]
    assert facts.supports == frozenset()
    assert facts.shares_data_with == {"immigration_enforcement", "law_enforcement"}


def test_reimport_is_a_resync_kept_logged_and_rescreened(
        loaded: Database, log: TransparencyLog, tmp_path: Path) -> None:
    from daylight.flows.accounts import import_accounts as import_flow
    from daylight.registry.store import RegistryStore

    header = "account_id,name,email_domains,city,state,country,created_at\n"
    first = tmp_path / "crm-1.csv"
    first.write_text(header + "a1,Quartz Bakery LLC,gmail.com,Austin,TX,US,2024-01-02\n"
                     "a2,Colbert County Sheriff,,,AL,US,2024-01-02\n", encoding="utf-8")
    result = import_flow(loaded, log, first, clock=lambda: NOW).to_json()
    assert (result["imported"], result["updated"], result["rescreened"]) == (2, 0, None)
    screen_accounts(loaded, log, NOW)
    assert show_account(loaded, "a1", AS_OF).to_json()["match"]["status"] == "rejected"
    size = log.tree_size()
    # the CRM renamed a1 (a bakery became an agency's account), a2 is as it was, a3 is new,
    # and an account of the first file is missing from the second
    second = tmp_path / "crm-2.csv"
    second.write_text(header + "a1,Warrick Co. Sheriff's Office,,Boonville,IN,US,2024-01-02\n"
                      "a3,Springfield PD,,,,US,2024-01-02\n", encoding="utf-8")
    result = import_flow(loaded, log, second, clock=lambda: NOW).to_json()
    assert {k: result[k] for k in ("imported", "updated", "unchanged", "not_in_file")} == {
        "imported": 1, "updated": 1, "unchanged": 0, "not_in_file": 1}
    assert result["changes"][0]["fields"] == ["name", "email_domains", "city", "state"]
    assert result["rescreened"]["screened"] == 1 and result["rescreened"]["accepted"] == 1
    entries = _entries(log)[size:]
    change = next(e for e in entries if e["type"] == "registry.account_change")
    assert change["payload"] == {"account_id": "a1",  # the fields, never the values
                                 "fields": ["name", "email_domains", "city", "state"]}
    assert any(e["type"] == "registry.classification" for e in entries)
    view = show_account(loaded, "a1", AS_OF).to_json()
    assert view["account"]["name"] == "Warrick Co. Sheriff's Office"
    assert view["match"]["status"] == "accepted"
    assert view["classification"]["sector"] == "law_enforcement"
    with loaded.transaction(write=False) as tx:
        store = RegistryStore(tx)
        history = store.account_changes("a1")
        assert [c.previous.name for c in history] == ["Quartz Bakery LLC"]  # nothing lost
        assert history[0].log_index == result["changes"][0]["log_index"]
        assert store.account("a2") is not None  # absent from the file: kept as it was
    # the same file again: nothing changes, nothing is logged
    size = log.tree_size()
    again = import_flow(loaded, log, second, clock=lambda: NOW).to_json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 2)
    assert log.tree_size() == size


def test_resync_refuses_an_id_twice_and_writes_nothing(
        loaded: Database, log: TransparencyLog) -> None:
    twice = [ACCOUNTS[0], Account("agency-1", "Other", (), "", "", "US", "2024-01-02")]
    with pytest.raises(ConflictError, match="in the file twice"):
        import_accounts(loaded, twice, NOW, log=log)
    with loaded.transaction(write=False) as tx:
        from daylight.registry.store import RegistryStore
        assert RegistryStore(tx).count_accounts() == 0


def test_a_judgement_made_before_a_resync_no_longer_decides(
        loaded: Database, log: TransparencyLog) -> None:
    import_accounts(loaded, ACCOUNTS[:1], NOW)
    screen_accounts(loaded, log, NOW)
    record_judgement(loaded, log, "agency-1", "ori:IN0870000", "different", "a namesake", NOW,
                     reviewer=REVIEWER)
    assert show_account(loaded, "agency-1", AS_OF).to_json()["organization"] is None
    renamed = Account("agency-1", "Colbert County Sheriff", (), "", "AL", "US", "2024-01-02")
    result = import_accounts(loaded, [renamed], NOW, log=log)
    assert [c.fields for c in result.updated] == [("name", "city", "state")]
    screen_accounts(loaded, log, NOW, account_ids=["agency-1"])
    view = show_account(loaded, "agency-1", AS_OF).to_json()
    assert view["organization"]["id"] == "ori:AL0200000"  # screened as it is now
    assert view["match"]["status"] == "accepted"
    with loaded.transaction(write=False) as tx:
        from daylight.registry.store import RegistryStore
        kept = RegistryStore(tx).judgements("agency-1")
    assert [j.verdict for j in kept] == ["different"]  # still recorded, no longer deciding


def test_judgements_recorded_before_reviewers_were_kept_stay_as_they_were(
        database_url: str) -> None:
    """A home made before registry migration 0004: its judgements keep their rows (no reviewer,
    '') after the upgrade, and still decide; nothing is rewritten."""
    from daylight.core.database import migrate
    from daylight.home import all_migrations
    from daylight.registry.store import RegistryStore

    database = Database(database_url)
    try:
        before = [m for m in all_migrations() if (m.component, m.version) != ("registry", 4)]
        assert len(before) == len(all_migrations()) - 1  # the migration that added `reviewer`
        migrate(database, before)
        with database.transaction() as tx:
            RegistryStore(tx).add_accounts([ACCOUNTS[0]], "2026-11-01T00:00:00Z")
            tx.execute("INSERT INTO registry_judgement (account_id, organization_id, verdict, note, "
                       "decided_at, log_index) VALUES (?, ?, ?, ?, ?, ?)",
                       (ACCOUNTS[0].account_id, "ori:IN0870000", "different", "SYNTHETIC: old",
                        "2026-11-01T00:00:00Z", 7))
        migrate(database, all_migrations())
        with database.transaction(write=False) as tx:
            (kept,) = RegistryStore(tx).judgements()
        assert (kept.verdict, kept.note, kept.log_index, kept.reviewer) == (
            "different", "SYNTHETIC: old", 7, "")
    finally:
        database.close()


def test_a_judgement_note_is_printable_and_a_bad_verdict_is_named(
        loaded: Database, log: TransparencyLog) -> None:
    """A note is logged (public) and shown by `review` commands: an escape sequence, a C1
    control or a bidirectional override in it was accepted (the probe of issue 14); a bad
    verdict's error named no field. Nothing is stored or logged for either."""
    import_accounts(loaded, ACCOUNTS, NOW)
    screen_accounts(loaded, log, NOW)
    (item,) = [queued.to_json() for queued in review_queue(loaded)]
    candidate = item["candidate"]["id"]
    size = log.checkpoint().tree_size
    for note in ["x\x1b]0;pwned\x07", "x\x9b31m", "x\u202egnp.exe"]:
        with pytest.raises(InputError, match="control characters") as caught:
            record_judgement(loaded, log, "ambiguous", candidate, "same", note, NOW,
                             reviewer=REVIEWER)
        assert caught.value.where == "--note"
    with pytest.raises(InputError, match="must be one of") as caught:
        record_judgement(loaded, log, "ambiguous", candidate, "nope", "x", NOW, reviewer=REVIEWER)
    assert caught.value.where == "verdict"
    assert log.checkpoint().tree_size == size and review_queue(loaded)
