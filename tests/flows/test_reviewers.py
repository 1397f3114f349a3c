"""A reviewer is accountable under one pseudonym and never named: their match judgements,
correction reviews and declaration reviews carry the same ``reviewer-…`` in the log and in what
the flows return, and their identity appears in none of them. Everything here is SYNTHETIC."""

from __future__ import annotations

import json

import pytest

from daylight.core.database import Database
from daylight.core.errors import InputError, NotFoundError
from daylight.flows.correction import (
    CorrectionFiling,
    CorrectionReview,
    file_correction,
    review_correction,
)
from daylight.flows.declare import DeclarationRequest, ReviewRequest, declare, review_declaration
from daylight.flows.review import Verdict, judge, judge_all
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.registry.store import RegistryStore
from tests.voice.conftest import NOW, add_accounts, declaration_file

IDENTITY = "SYNTHETIC.Reviewer@provider.example"
OFFICE_ORG = "SYNTHETIC-org-SYNTHETIC-office"


def _payloads(log: TransparencyLog) -> list[dict[str, object]]:
    return [json.loads(log.entry(i)) for i in range(log.tree_size())]


def test_one_pseudonym_across_judgements_corrections_and_declarations(
        database: Database, log: TransparencyLog) -> None:
    add_accounts(database)
    judged = judge(database, log, "SYNTHETIC-office", OFFICE_ORG, "same",
                   "SYNTHETIC: the contract names it", reviewer=IDENTITY, clock=lambda: NOW)
    pseudonym = judged.judgement.reviewer
    assert pseudonym.startswith("reviewer-") and judged.to_json()["reviewer"] == pseudonym
    with database.transaction(write=False) as tx:
        (stored,) = RegistryStore(tx).judgements("SYNTHETIC-office")
    assert stored.reviewer == pseudonym
    filed = file_correction(database, log, CorrectionFiling(
        f"organization:{OFFICE_ORG}", "SYNTHETIC: it supports no agency"), NOW)
    # another spelling of the same address is the same reviewer (the canonical identity)
    reviewed = review_correction(database, log, CorrectionReview(
        filed.correction.correction_id, "  synthetic.reviewer@PROVIDER.example", "reject",
        "SYNTHETIC: the award is current"), NOW)
    assert reviewed.correction.reviewer == pseudonym
    submitted = declare(database, log, default_catalog(), DeclarationRequest(
        "SYNTHETIC-shop", "biometric_identification", declaration_file("touchless_access_control")), NOW)
    declared = review_declaration(database, log, ReviewRequest(
        submitted.declaration_id, IDENTITY, "reject", "SYNTHETIC: not enough oversight"), NOW)
    assert declared.reviews[-1].reviewer == pseudonym
    entries = _payloads(log)
    by_type = {e["type"]: e["payload"] for e in entries}
    assert by_type["registry.judgement"]["reviewer"] == pseudonym  # type: ignore[index]
    assert by_type["registry.correction_review"]["reviewer"] == pseudonym  # type: ignore[index]
    assert "provider.example" not in json.dumps(entries).lower()


def test_a_refused_judgement_or_review_writes_nothing(database: Database,
                                                      log: TransparencyLog) -> None:
    add_accounts(database)
    size = log.tree_size()
    with pytest.raises(NotFoundError):
        judge(database, log, "SYNTHETIC-nobody", OFFICE_ORG, "same", "x", reviewer=IDENTITY,
              clock=lambda: NOW)
    for reviewer in ("", "two words", "a\u200bb@provider.example"):
        with pytest.raises(InputError) as refused:
            judge(database, log, "SYNTHETIC-office", OFFICE_ORG, "same", "x", reviewer=reviewer,
                  clock=lambda: NOW)
        assert refused.value.where == "--by"
    assert log.tree_size() == size
    with database.transaction(write=False) as tx:
        assert RegistryStore(tx).judgements() == []
        # nor was a pseudonym made for the reviewer whose judgement was refused
        assert tx.query("SELECT COUNT(*) FROM voice_reviewer") == [(0,)]


def test_judgements_made_together_are_all_recorded_or_none(database: Database,
                                                          log: TransparencyLog) -> None:
    add_accounts(database)
    size = log.tree_size()
    with pytest.raises(NotFoundError):
        judge_all(database, log, [
            Verdict("SYNTHETIC-office", OFFICE_ORG, "same", "SYNTHETIC: the contract names it"),
            Verdict("SYNTHETIC-nobody", OFFICE_ORG, "same", "SYNTHETIC: no such account")],
            reviewer=IDENTITY, clock=lambda: NOW)
    assert log.tree_size() == size
    with database.transaction(write=False) as tx:
        assert RegistryStore(tx).judgements() == []
    (record,) = judge_all(database, log, [
        Verdict("SYNTHETIC-office", OFFICE_ORG, "same", "SYNTHETIC: the contract names it")],
        reviewer=IDENTITY, clock=lambda: NOW)
    assert record.status == "judged" and log.tree_size() > size
    assert judge_all(database, log, [], reviewer=IDENTITY) == []
