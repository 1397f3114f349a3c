"""Declarations: the file is read strictly, the lifecycle is kept (two different reviewers for a
sensitive capability, no approval of one's own organisation's account, no approval twice, no
step after the end), every step is logged, and a refused step writes nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, DaylightError, InputError, NotFoundError
from daylight.flows.declare import (
    DeclarationRequest,
    ReviewRequest,
    declare,
    list_declarations,
    review_declaration,
    show_declaration,
)
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.voice.reads import read_declarations
from tests.voice.conftest import NOW, SENSITIVE_FIELDS, counts, declaration_file


def _declare(voice: Database, log: TransparencyLog, catalog: Catalog, document: bytes,
             account: str = "SYNTHETIC-office",
             capability: str = "biometric_identification") -> str:
    return declare(voice, log, catalog, DeclarationRequest(account, capability, document),
                   NOW).declaration_id


def _review(voice: Database, log: TransparencyLog, declaration_id: str, by: str,
            decision: str = "approve", when: timedelta = timedelta(0)) -> str:
    return review_declaration(voice, log, ReviewRequest(declaration_id, by, decision, "why"),
                              NOW + when).status


@pytest.mark.parametrize("document, where, message", [
    (b'{"expires": "2027-01-01"}', "DECL.json: purpose", "missing field `purpose`"),
    (b'{"purpose": "touchless_access_control"}', "DECL.json: expires", "missing field"),
    (declaration_file("touchless_access_control", colour="blue"), "DECL.json: colour",
     "unknown field `colour`"),
    (declaration_file("selling_ads"), "purpose", "unknown purpose `selling_ads`"),
    (declaration_file("touchless_access_control", "2026-11-19"), "expires", "has passed"),
    (declaration_file("touchless_access_control", "next year"), "expires", "not a date"),
    (declaration_file("touchless_access_control", contact_role="jane.doe@office.example"),
     "contact_role", "expected a role"),
    (declaration_file("touchless_access_control", contact_role="+1 555 010 0199"),
     "contact_role", "expected a role"),
    (declaration_file("touchless_access_control", retention_days=-1), "retention_days",
     "whole number"),
    (declaration_file("touchless_access_control", deployment={"real_time": "yes",
                                                              "public_space": False}),
     "deployment.real_time", "true or false"),
    (b'{"purpose": "touchless_access_control", "purpose": "personalization"}', "DECL.json",
     "twice"),
    (b"[1, 2]", "DECL.json", "expected a JSON object"),
    (json.dumps({"purpose": "touchless_access_control", "expires": "2027-01-01"}).encode(),
     "DECL.json: contact_role", "missing field `contact_role`"),  # sensitive: more required
])
def test_a_bad_declaration_file_is_refused_naming_the_field_and_nothing_is_written(
        voice: Database, log: TransparencyLog, catalog: Catalog, document: bytes, where: str,
        message: str) -> None:
    before = counts(voice, log)
    with pytest.raises(InputError) as caught:
        _declare(voice, log, catalog, document)
    assert where in str(caught.value) and message in caught.value.message
    assert "\n" not in str(caught.value)
    assert counts(voice, log) == before


@pytest.mark.parametrize("account, capability, error", [
    ("SYNTHETIC-nobody", "biometric_identification", NotFoundError),
    ("SYNTHETIC-office", "mind_reading", NotFoundError),
])
def test_unknown_accounts_and_capabilities_are_refused(
        voice: Database, log: TransparencyLog, catalog: Catalog, account: str, capability: str,
        error: type[DaylightError]) -> None:
    before = counts(voice, log)
    with pytest.raises(error, match=account if account.endswith("nobody") else capability):
        _declare(voice, log, catalog, declaration_file("touchless_access_control"), account,
                 capability)
    assert counts(voice, log) == before


def test_the_lifecycle_is_logged_step_by_step_with_reviewers_by_pseudonym(
        voice: Database, log: TransparencyLog, catalog: Catalog) -> None:
    declaration_id = _declare(voice, log, catalog, declaration_file("touchless_access_control"))
    assert _review(voice, log, declaration_id, "R.One@Provider.example") == "submitted"
    assert _review(voice, log, declaration_id, "r.two@provider.example") == "approved"
    view = show_declaration(voice, declaration_id, NOW)
    shown = view.to_json()
    assert {k: shown[k] for k in ("declaration_id", "account_id", "capability", "purpose",
                                  "status", "approvals")} == {
        "declaration_id": declaration_id, "account_id": "SYNTHETIC-office",
        "capability": "biometric_identification", "purpose": "touchless_access_control",
        "status": "approved", "approvals": 2}
    entries = [LogEntry.from_json(json.loads(log.entry(i))) for i in range(log.tree_size())]
    assert [e.type for e in entries] == ["voice.declaration", "voice.declaration_review",
                                         "voice.declaration_review"]
    assert entries[0].payload["declaration"]["contact_role"] == SENSITIVE_FIELDS["contact_role"]
    reviewers = [e.payload["reviewer"] for e in entries[1:]]
    assert all(r.startswith("reviewer-") for r in reviewers) and len(set(reviewers)) == 2
    text = b"".join(log.entry(i) for i in range(log.tree_size())).decode()
    assert "provider.example" not in text and "r.one" not in text
    assert [r.status for r in read_declarations(voice, NOW)] == ["approved"]
    assert read_declarations(voice, NOW)[0].reviews[1].log_index == 2


def test_one_reviewer_cannot_approve_twice_nor_approve_their_own_organisations_account(
        voice: Database, log: TransparencyLog, catalog: Catalog) -> None:
    declaration_id = _declare(voice, log, catalog, declaration_file("touchless_access_control"))
    _review(voice, log, declaration_id, "r1@provider.example")
    before = counts(voice, log)
    with pytest.raises(ConflictError, match="already approved"):
        _review(voice, log, declaration_id, " R1@PROVIDER.example")  # another spelling
    with pytest.raises(ConflictError, match="own organisation"):
        _review(voice, log, declaration_id, "it@office.example")
    with pytest.raises(ConflictError, match="own organisation"):
        _review(voice, log, declaration_id, "cio@hq.office.example")
    with pytest.raises(ConflictError, match="own organisation"):  # the organisation's web domain
        _review(voice, log, declaration_id, "ceo@officegroup.example")
    with pytest.raises(InputError, match="name@domain"):
        _review(voice, log, declaration_id, "r2")
    with pytest.raises(InputError, match="decision `maybe`"):
        _review(voice, log, declaration_id, "r2@provider.example", "maybe")
    assert counts(voice, log) == before
    assert _review(voice, log, declaration_id, "r2@provider.example") == "approved"
    with pytest.raises(ConflictError, match="approved: it takes no further approve"):
        _review(voice, log, declaration_id, "r3@provider.example")


@pytest.mark.parametrize("decision, status", [("reject", "rejected"),
                                              ("needs-changes", "needs-changes")])
def test_reject_and_needs_changes_end_a_declaration(
        voice: Database, log: TransparencyLog, catalog: Catalog, decision: str,
        status: str) -> None:
    declaration_id = _declare(voice, log, catalog, declaration_file("touchless_access_control"))
    assert _review(voice, log, declaration_id, "r1@provider.example", decision) == status
    with pytest.raises(ConflictError, match=status):
        _review(voice, log, declaration_id, "r2@provider.example")
    with pytest.raises(ConflictError, match="only an approved declaration can be revoked"):
        _review(voice, log, declaration_id, "r2@provider.example", "revoke")
    assert [v.declaration.declaration_id for v in list_declarations(voice, NOW, status=status)] \
        == [declaration_id]
    assert list_declarations(voice, NOW, account_id="SYNTHETIC-shop") == []


def test_an_expired_declaration_reads_expired_and_takes_no_review(
        voice: Database, log: TransparencyLog, catalog: Catalog) -> None:
    declaration_id = _declare(voice, log, catalog,
                              declaration_file("touchless_access_control", "2026-12-01"))
    later = timedelta(days=12)
    assert show_declaration(voice, declaration_id, NOW + later).status == "expired"
    with pytest.raises(ConflictError, match="expired"):
        _review(voice, log, declaration_id, "r1@provider.example", when=later)
    assert [v.status for v in list_declarations(voice, NOW + later, status="expired")] == ["expired"]
    with pytest.raises(InputError, match="status `gone`"):
        list_declarations(voice, NOW, status="gone")


def test_unknown_declarations_are_not_found(voice: Database, log: TransparencyLog) -> None:
    with pytest.raises(NotFoundError):
        show_declaration(voice, "decl-0000", NOW)
    with pytest.raises(NotFoundError):
        _review(voice, log, "decl-0000", "r1@provider.example")
