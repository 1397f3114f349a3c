"""Policy sets specialised to a context (``policy/specialize.py``) decide exactly as Cedar does
with the context passed: the same decision, reasons and errors as cedarpy's public
``is_authorized`` with every policy, for the shipped packs and for contexts of every field."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.policy.catalog import Catalog
from daylight.policy.decision import DECLARATION
from daylight.policy.engine import _SPECIALIZE_AFTER, PolicyEngine
from daylight.policy.entities import AccountFacts
from daylight.policy.policies import PolicyText, compile_policies
from daylight.policy.schema import PolicySchema
from daylight.policy.specialize import specialize
from tests.policy.cedar_reference import cedar_public_answer, shipped_packs

FACTS = [AccountFacts("SYNTHETIC-police", "law_enforcement", jurisdiction="US", resolution="accepted"),
         AccountFacts("SYNTHETIC-de-police", "law_enforcement", jurisdiction="DE", resolution="accepted"),
         AccountFacts("SYNTHETIC-shop", "commercial", jurisdiction="FR", resolution="accepted"),
         AccountFacts("SYNTHETIC-ice-vendor", "commercial", frozenset({"immigration_enforcement"}),
                      "US", resolution="accepted")]
OPERATIONS = ("face.search", "face.compare", "face.detect", "video.stream_analysis",
              "emotion.analyze", "compute.instance")
CONTEXTS: list[dict[str, Any] | None] = [
    None, {"purpose": "identity_verification"}, {"setting": "workplace", "country": "DE"},
    {"real_time": True, "public_space": True, "country": "DE"},
    {"real_time": True, "public_space": True, "country": "FR", "article5_ground": "imminent_threat",
     "authorization_reference": "SYNTHETIC-ref"},
    {"real_time": True, "public_space": True, "country": "DE", "urgency": True,
     "article5_ground": "victims_missing_persons", "authorization_request_reference": "r",
     "hours_since_start": 10},
    {"real_time": True, "public_space": True, "urgency": True, "hours_since_start": 30,
     "article5_ground": "serious_crime_suspect", "country": "IT"},
    {"image_source": "untargeted_internet_scraping"}, {"setting": "education"}]
ERRING = ('@id("t/allow") @reason("allowed") permit (principal, action, resource);\n'
          '@id("t/overflow") @reason("errs") forbid (principal, action, resource) when '
          '{ context.purpose == "overflow" && context.hours_since_start * 10000000000000000 > 0 };\n'
          '@id("t/never") @reason("folds away") forbid (principal, action, resource) when '
          '{ context.real_time && principal.sector == "commercial" };\n'
          '@id("t/if") @reason("if on the context") forbid (principal, action, resource) when '
          '{ if context.urgency then context.hours_since_start <= 24 else !context.public_space };\n')


def _agrees(engine: PolicyEngine, catalog: Catalog, account: str, operation: str,
            context: dict[str, Any] | None) -> None:
    decision = engine.decide(account, operation, context)
    allowed, reasons, errors = cedar_public_answer(engine, catalog, account, operation, context)
    named = [p for p in decision.policy_ids if p not in (DECLARATION, "daylight:policy-error")]
    assert (decision.allowed, named, list(decision.errors)) == (
        allowed, reasons if reasons or errors else ["daylight:default-deny"], errors)


def test_specialised_packs_decide_as_cedar(schema: PolicySchema, catalog: Catalog) -> None:
    engine = PolicyEngine(shipped_packs(schema), 3, FACTS, {}, catalog, cache_entries=0)
    requests = list(itertools.product([f.account_id for f in FACTS], OPERATIONS, CONTEXTS))
    for _ in range(_SPECIALIZE_AFTER // len(FACTS) + 1):  # until every pair is specialised
        for request in requests:
            _agrees(engine, catalog, *request)
    specialised = [s for s in engine._specialized.values() if s is not None]
    assert len(specialised) == len(OPERATIONS) * len(CONTEXTS)
    # with the context and the action written in, the policies about other capabilities go
    assert any(len(s) < len(engine._policy_set(op)) for (op, _), s in engine._specialized.items()
               if s is not None)
    assert engine._tests["face.search"] and not all(engine._tests["face.search"].values())
    assert engine.decide_many(requests) == [engine.decide(*r) for r in requests]


def test_errors_and_folds_are_cedars(schema: PolicySchema, catalog: Catalog) -> None:
    engine = PolicyEngine(compile_policies([PolicyText("t.cedar", ERRING)], schema), 1, FACTS, {},
                          catalog, cache_entries=0)
    contexts: list[dict[str, Any] | None] = [
        {"purpose": "overflow", "hours_since_start": 5000}, {"purpose": "overflow", "hours_since_start": 0},
        {"real_time": True}, {"urgency": True, "hours_since_start": 3}, {"urgency": True},
        {"public_space": True}, None]
    for _ in range(_SPECIALIZE_AFTER + 1):
        for context in contexts:
            for fact in FACTS:
                _agrees(engine, catalog, fact.account_id, "compute.instance", context)
    erring = engine.decide("SYNTHETIC-shop", "compute.instance",
                           {"purpose": "overflow", "hours_since_start": 5000})
    assert not erring.allowed and "t/overflow" in erring.errors[0]
    assert all(s is not None for s in engine._specialized.values())


CONTEXT_VALUES = st.fixed_dictionaries({}, optional={
    "real_time": st.booleans(), "public_space": st.booleans(), "urgency": st.booleans(),
    "purpose": st.sampled_from(["", "missing_children", "identity_verification", "medical"]),
    "setting": st.sampled_from(["", "workplace", "education"]),
    "country": st.sampled_from(["", "DE", "FR", "US"]),
    "image_source": st.sampled_from(["", "targeted", "consented", "untargeted_cctv_scraping"]),
    "article5_ground": st.sampled_from(["", "victims_missing_persons", "imminent_threat",
                                        "serious_crime_suspect"]),
    "authorization_reference": st.sampled_from(["", "SYNTHETIC-a"]),
    "authorization_request_reference": st.sampled_from(["", "SYNTHETIC-r"]),
    "hours_since_start": st.sampled_from([0, 23, 24, 25, 71, 72, 73, 1_000_000])})


@settings(max_examples=60, deadline=None)
@given(context=CONTEXT_VALUES, operation=st.sampled_from(OPERATIONS))
def test_any_context_specialised_decides_as_cedar(schema: PolicySchema, catalog: Catalog,
                                                  context: dict[str, Any], operation: str) -> None:
    engine = PolicyEngine(shipped_packs(schema), 3, FACTS, {}, catalog, cache_entries=0)
    for _ in range(_SPECIALIZE_AFTER // len(FACTS) + 1):
        for fact in FACTS:
            _agrees(engine, catalog, fact.account_id, operation, context)
    assert any(s is not None for s in engine._specialized.values())


def test_a_policy_using_the_whole_context_is_not_specialised() -> None:
    whole = {"p": {"effect": "permit", "principal": {"op": "All"}, "action": {"op": "All"},
                   "resource": {"op": "All"},
                   "conditions": [{"kind": "when", "body": {"==": {
                       "left": {"Var": "context"}, "right": {"Record": {}}}}}]}}
    assert specialize(whole, {"purpose": ""}) is None
    missing = {"p": {**whole["p"], "conditions": [{"kind": "when", "body": {".": {
        "left": {"Var": "context"}, "attr": "elsewhere"}}}]}}
    assert specialize(missing, {"purpose": ""}) is None
    # a comparison of literals of two types is left to Cedar
    mixed = {"p": {**whole["p"], "conditions": [{"kind": "when", "body": {"==": {
        "left": {".": {"left": {"Var": "context"}, "attr": "purpose"}}, "right": {"Value": 1}}}}]}}
    assert specialize(mixed, {"purpose": ""}) == {"p": {**whole["p"], "conditions": [
        {"kind": "when", "body": {"==": {"left": {"Value": ""}, "right": {"Value": 1}}}}]}}
