"""Reference updates on real data slices (rows of the shipped reference): a newer build that merged a
duplicate agency and dropped a company. Old ids keep resolving, accounts follow, every change is
logged as a correction naming what it corrects, and nothing stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

from daylight.core.database import Database
from daylight.flows.accounts import show_account
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account
from daylight.registry.facts import account_standings
from daylight.registry.organization import Organization
from daylight.registry.reference.shipped import Reference
from daylight.registry.service import (
    import_accounts,
    load_reference,
    record_judgement,
    reference_diff,
    screen_accounts,
)
from daylight.registry.store import RegistryStore
from tests.cli.conftest import Cli
from tests.registry.conftest import NOW

# The duplicate an older build made of the roster's Alachua Police Department (ori:FL0010800)
# from another source's row: same name, no identifier (as the Atlas's agencies were before the
# roster-twin merge).
DUPLICATE = Organization("atlas:alachua-police-department-fl", "Alachua Police Department",
                         "law_enforcement", role="police", state="FL", city="Alachua",
                         sources=("atlas:AOS0000",))
CLEARVIEW = "company:clearview-ai"
ACCOUNTS = [Account("dup", "Alachua Police Dept", (), "Alachua", "FL", "US", "2024-01-02"),
            Account("cv", "CLEARVIEW AI, INC.", ("clearview.ai",), "", "", "US", "2024-01-02")]


def _builds(subset: Reference) -> tuple[Reference, Reference]:
    old = Reference((*subset.organizations, DUPLICATE), subset.relationships)
    new = Reference(tuple(o for o in subset.organizations if o.id != CLEARVIEW),
                    tuple(r for r in subset.relationships if CLEARVIEW not in (r.source_id, r.target_id)))
    return old, new


def _entries(log: TransparencyLog) -> list[dict[str, object]]:
    return [json.loads(log.entry(i)) for i in range(log.tree_size())]


def test_a_newer_build_redirects_withdraws_and_reclassifies(
        database: Database, log: TransparencyLog, subset: Reference) -> None:
    old, new = _builds(subset)
    load_reference(database, log, old, NOW)
    import_accounts(database, ACCOUNTS, NOW)
    screen_accounts(database, log, NOW)
    record_judgement(database, log, "dup", DUPLICATE.id, "same",
                     "SYNTHETIC: the account manager confirmed", NOW, reviewer="reviewer-SYNTHETIC")
    assert show_account(database, "dup", "2026-11-23").to_json()["organization"]["id"] == DUPLICATE.id
    cv_before = show_account(database, "cv", "2026-11-23").to_json()
    assert cv_before["organization"]["id"] == CLEARVIEW
    assert cv_before["classification"]["supports"][0]["sector"] == "immigration_enforcement"
    with database.transaction(write=False) as tx:
        org_ids = {r[0] for r in tx.query("SELECT id FROM registry_organization")}
        rel_ids = {r[0] for r in tx.query("SELECT id FROM registry_relationship")}

    diff = reference_diff(database, new)
    assert diff.loaded == old.digest and diff.digest == new.digest
    assert dict(diff.merged) == {DUPLICATE.id: "ori:FL0010800"}
    assert diff.withdrawn == (CLEARVIEW,)
    ended = tuple(sorted(r.id for r in subset.relationships if r.source_id == CLEARVIEW))
    assert len(ended) == 3 and diff.relationships_ended == ended
    assert diff.added == () and diff.relationships_added == ()

    size = log.tree_size()
    summary = load_reference(database, log, new, NOW).to_json()
    assert summary["organizations_merged"] == 1 and summary["organizations_withdrawn"] == 1
    assert summary["relationships_ended"] == 3 and summary["replaces"] == old.digest
    assert summary["accounts_redirected"] == 1 and summary["accounts_to_review"] == 1
    assert summary["accounts_reclassified"] == 2

    # the old id keeps resolving, and the account follows it
    dup = show_account(database, "dup", "2026-11-23").to_json()
    assert dup["organization"]["id"] == "ori:FL0010800"
    assert dup["match"]["status"] == "judged"
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        followed = store.organization(DUPLICATE.id)
        assert followed is not None and followed.id == "ori:FL0010800"
        # nothing stored is lost: every organisation and relationship row is still there
        assert {r[0] for r in tx.query("SELECT id FROM registry_organization")} == org_ids
        assert {r[0] for r in tx.query("SELECT id FROM registry_relationship")} == rel_ids
        marks = dict(tx.query("SELECT id, withdrawn_by FROM registry_organization "
                              "WHERE withdrawn_by IS NOT NULL"))
        assert marks == {CLEARVIEW: new.digest}
        assert {o.id for o in store.organizations()} == {o.id for o in new.organizations}
    # the company the new build dropped: its account goes back to review, unclassified
    cv = show_account(database, "cv", "2026-11-23").to_json()
    assert cv["match"]["status"] == "review" and cv["organization"] is None
    assert cv["classification"]["sector"] == "unknown" and cv["classification"]["supports"] == []
    # fail-safe, as any match in review: until a reviewer decides, the packs still see what it
    # was classified as (provisional candidate facts), so it is not hosted meanwhile
    assert cv["match"]["provisional"]["organization_id"] == CLEARVIEW
    standing = {s.account_id: s for s in account_standings(database)}["cv"]
    assert standing.status == "review" and standing.candidate_sector == "commercial"
    assert standing.candidate_supports == frozenset({"immigration_enforcement"})

    logged = _entries(log)[size:]
    types = [e["type"] for e in logged]
    assert types.count("registry.redirect") == 1 and types.count("registry.withdrawal") == 1
    assert types.count("registry.relationship_ended") == 3
    corrections = [e["payload"] for e in logged if e["type"] == "registry.classification"]
    assert {c["account_id"] for c in corrections} == {"dup", "cv"}  # type: ignore[index]
    earlier = {e["payload"]["account_id"]: i for i, e in enumerate(_entries(log)[:size])  # type: ignore[index]
               if e["type"] == "registry.classification"}
    for correction in corrections:
        assert correction["corrects"] == earlier[correction["account_id"]]  # type: ignore[index]
    # loading the same build again changes nothing
    assert load_reference(database, log, new, NOW).loaded is False


def test_reference_diff_command(tmp_path: Path, database_url: str, subset: Reference) -> None:
    old, new = _builds(subset)
    folders = {}
    for name, build in (("old", old), ("new", new)):
        folder = folders[name] = tmp_path / name
        folder.mkdir()
        (folder / "organizations.csv").write_text(build.organizations_csv(), encoding="utf-8")
        (folder / "relationships.csv").write_text(build.relationships_csv(), encoding="utf-8")
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "registry.daylight.invalid/log")
    cli("reference", "load", "--from", str(folders["old"]))
    shown = cli.json("reference", "diff", "--from", str(folders["new"]), "--limit", "1")
    assert shown["counts"]["organizations_merged"] == 1
    assert shown["counts"]["relationships_ended"] == 3 and len(shown["relationships_ended"]) == 1
    assert shown["organizations_merged"] == [{"id": DUPLICATE.id, "into": "ori:FL0010800"}]
    loaded = cli.json("reference", "load", "--from", str(folders["new"]))
    assert loaded["organizations_withdrawn"] == 1
