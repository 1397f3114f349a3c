"""The engine's fast path (cedarpy's extension called directly, answers read once per distinct
text, many requests in one call, each operation given only the policies whose action scope can
match it) decides exactly as cedarpy's public ``is_authorized`` does with every policy."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from daylight.core.errors import InputError, NotFoundError
from daylight.policy.catalog import Catalog
from daylight.policy.decision import DECLARATION, Decision
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import AccountFacts, ApprovedDeclaration
from daylight.policy.policies import PolicyText, compile_policies
from daylight.policy.schema import PolicySchema
from tests.policy.cedar_reference import cedar_public_answer, shipped_packs

FACTS = [AccountFacts("SYNTHETIC-police", "law_enforcement", jurisdiction="US", resolution="accepted"),
         AccountFacts("SYNTHETIC-de-police", "law_enforcement", jurisdiction="DE", resolution="accepted"),
         AccountFacts("SYNTHETIC-shop", "commercial", jurisdiction="FR", resolution="accepted"),
         AccountFacts("SYNTHETIC-new", "commercial", jurisdiction="US"),
         AccountFacts("SYNTHETIC-ice-vendor", "commercial", frozenset({"immigration_enforcement"}),
                      "US", resolution="accepted")]
DECLARATIONS = {"SYNTHETIC-shop": (ApprovedDeclaration("SYNTHETIC-d1", "biometric_verification",
                                                       "identity_verification"),)}
CONTEXTS: list[dict[str, Any] | None] = [
    None, {}, {"purpose": "identity_verification"}, {"setting": "workplace", "country": "DE"},
    {"real_time": True, "public_space": True, "country": "DE"}]
ERRING = ('@id("t/allow") @reason("allowed") permit (principal, action, resource);\n'
          '@id("t/overflow") @reason("errs") forbid (principal, action, resource) when '
          '{ context.purpose == "overflow" && context.hours_since_start * 10000000000000000 > 0 };\n')


def test_decisions_agree_with_cedarpys_public_api(schema: PolicySchema, catalog: Catalog) -> None:
    engine = PolicyEngine(shipped_packs(schema), 3, FACTS, DECLARATIONS, catalog, cache_entries=0)
    requests = list(itertools.product([f.account_id for f in FACTS], sorted(catalog.operations),
                                      CONTEXTS))
    outcomes = set()
    for account, operation, context in requests:
        decision = engine.decide(account, operation, context)
        allowed, reasons, errors = cedar_public_answer(engine, catalog, account, operation, context)
        named = [p for p in decision.policy_ids if p != DECLARATION]  # voice's, not Cedar's
        assert (decision.allowed, named, list(decision.errors)) == (
            allowed, reasons if reasons else ["daylight:default-deny"], errors)
        outcomes.add(decision.allowed)
    assert outcomes == {True, False}
    # Cedar got fewer policies where action scopes exclude the operation, and all where not
    assert engine.policies is not None
    assert len(engine._policy_set("compute.instance")) < len(engine.policies.rules)
    assert engine._policy_set("face.search") is not engine.policies.policy_set
    # the same requests again, in one batch: the same decisions, in order
    assert engine.decide_many(requests) == [engine.decide(*r) for r in requests]


def test_answers_read_once_mean_the_same(schema: PolicySchema, catalog: Catalog) -> None:
    """An answer read from the memo of answer texts equals one read afresh, though Cedar's
    timing metrics (and the order of its sets) differ from call to call."""
    requests = [(f.account_id, op, c) for f in FACTS for op in ("face.search", "compute.instance")
                for c in CONTEXTS]
    warm = PolicyEngine(shipped_packs(schema), 3, FACTS, DECLARATIONS, catalog, cache_entries=0)
    first = warm.decide_many(requests)
    assert warm.decide_many(requests) == first == [
        PolicyEngine(shipped_packs(schema), 3, FACTS, DECLARATIONS, catalog, cache_entries=0).decide(*r)
        for r in requests]
    assert 0 < len(warm._answers) <= 2 * len(requests)


def test_an_erring_policy_fails_closed_in_a_batch(schema: PolicySchema, catalog: Catalog) -> None:
    engine = PolicyEngine(compile_policies([PolicyText("t.cedar", ERRING)], schema), 1, FACTS, {},
                          catalog)
    fine, erring, unknown = engine.decide_many([
        ("SYNTHETIC-shop", "compute.instance", {"purpose": "overflow", "hours_since_start": 0}),
        ("SYNTHETIC-shop", "compute.instance", {"purpose": "overflow", "hours_since_start": 5000}),
        ("SYNTHETIC-nobody", "compute.instance", None)])
    assert fine.allowed and fine.policy_ids == ("t/allow",)
    assert not erring.allowed and erring.policy_ids == ("daylight:policy-error",)
    assert len(erring.errors) == 1 and "t/overflow" in erring.errors[0]
    assert unknown == Decision(False, unknown.reasons, 1) and \
        unknown.policy_ids == ("daylight:unknown-account",)


def test_a_malformed_request_in_a_batch_decides_none(schema: PolicySchema, catalog: Catalog) -> None:
    engine = PolicyEngine(shipped_packs(schema), 3, FACTS, {}, catalog)
    with pytest.raises(InputError, match=r"context\.setting"):
        engine.decide_many([("SYNTHETIC-shop", "face.search", None),
                            ("SYNTHETIC-shop", "face.search", {"setting": "Workplace"})])
    with pytest.raises(NotFoundError, match=r"face\.nothing"):
        engine.decide_many([("SYNTHETIC-shop", "face.nothing", None)])
    assert engine._cache == {}
    assert engine.decide_many([]) == []
