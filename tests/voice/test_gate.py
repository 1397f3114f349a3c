"""The policy gate obeys what reviewers approved: under the Azure Face Limited Access and the EU
AI Act packs a decision flips from deny to allow on a sensitive declaration's second approval,
and back to deny on its revocation and on its expiry (a test clock). The gate refreshes on
every decision here, so "at once" means the very next decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from daylight.core.database import Database
from daylight.flows.declare import (
    DeclarationRequest,
    ReviewRequest,
    declarations_source,
    declare,
    review_declaration,
)
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.decision import DECLARATION
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack
from daylight.policy.versions import publish
from tests.voice.conftest import NOW, declaration_file

AZURE = ("azure-face-limited-access", "SYNTHETIC-office", "biometric_identification",
         "touchless_access_control", "face.search", {"purpose": "touchless_access_control"},
         {}, "azure-face-limited-access/identification-needs-approved-registration")
EU = ("eu-ai-act-article-5", "SYNTHETIC-eu-police", "real_time_remote_biometric_identification",
      "victims_missing_persons", "video.stream_analysis",
      {"real_time": True, "public_space": True, "article5_ground": "victims_missing_persons",
       "authorization_reference": "SYNTHETIC-court-order-1"},
      {"registration": "SYNTHETIC-EU-DB-0001",
       "authorization_reference": "SYNTHETIC-court-order-1"},
      "eu-ai-act-article-5/real-time-remote-biometric-identification")


@pytest.mark.parametrize("pack, account, capability, purpose, operation, context, extra, forbid",
                         [AZURE, EU], ids=["azure", "eu"])
def test_deny_allow_on_second_approval_deny_on_revocation_and_expiry(
        voice: Database, log: TransparencyLog, catalog: Catalog, pack: str, account: str,
        capability: str, purpose: str, operation: str, context: dict[str, object],
        extra: dict[str, str], forbid: str) -> None:
    clock = [NOW]
    publish(voice, log, [load_pack(pack)], catalog, NOW - timedelta(hours=1))
    gate = Gate(voice, catalog, declarations=declarations_source(voice, lambda: clock[0]),
                refresh_interval_s=0.0, now=lambda: clock[0])

    def decide() -> tuple[bool, tuple[str, ...], list[str]]:
        decision = gate.decide(account, operation, context)
        named = [r.reason for r in decision.reasons if r.policy == DECLARATION]
        return decision.allowed, decision.policy_ids, named

    assert decide() == (False, (forbid,), [])

    def declared(expires: str) -> str:
        request = DeclarationRequest(account, capability,
                                     declaration_file(purpose, expires, **extra))
        return declare(voice, log, catalog, request, clock[0]).declaration_id

    def review(declaration_id: str, by: str, decision: str) -> str:
        return review_declaration(voice, log, ReviewRequest(declaration_id, by, decision,
                                                            "SYNTHETIC rationale"), clock[0]).status

    first = declared("2027-06-30")
    assert decide()[0] is False  # submitted is not approved
    assert review(first, "r1@provider.example", "approve") == "submitted"
    assert decide()[0] is False  # one approval of a sensitive capability is not enough
    assert review(first, "r2@provider.example", "approve") == "approved"
    allowed, _, named = decide()
    assert allowed is True
    assert len(named) == 1 and f"`{first}`" in named[0]
    assert review(first, "r3@provider.example", "revoke") == "revoked"
    assert decide() == (False, (forbid,), [])

    second = declared((NOW + timedelta(days=2)).date().isoformat())
    review(second, "r1@provider.example", "approve")
    review(second, "r2@provider.example", "approve")
    allowed, _, named = decide()
    assert allowed is True and f"`{second}`" in named[0]
    clock[0] = NOW + timedelta(days=1, hours=11)
    assert decide()[0] is True  # not yet: it expires at 00:00 UTC two days on
    clock[0] = NOW + timedelta(days=2)
    assert decide() == (False, (forbid,), [])


def test_a_non_sensitive_capability_needs_one_approval(
        voice: Database, log: TransparencyLog, catalog: Catalog) -> None:
    request = DeclarationRequest("SYNTHETIC-shop", "text_recognition",
                                 b'{"purpose": "identity_verification", "expires": "2027-01-01"}')
    declaration_id = declare(voice, log, catalog, request, NOW).declaration_id
    view = review_declaration(voice, log, ReviewRequest(declaration_id, "r1@provider.example",
                                                        "approve", "fine"), NOW)
    assert (view.status, view.approvals, view.declaration.approvals_required) == ("approved", 1, 1)
    source = declarations_source(voice, lambda: NOW)
    assert [d.id for d in source()["SYNTHETIC-shop"]] == [declaration_id]
