"""Decisions are values: deny by default, forbid wins, a policy that errors fails closed, and
bad input is an error or a deny with its reason — never an allow by accident."""

from __future__ import annotations

import re

import pytest

from daylight.core.errors import InputError, NotFoundError
from daylight.policy.catalog import Catalog
from daylight.policy.decision import Decision, Reason
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import AccountFacts, ApprovedDeclaration
from daylight.policy.policies import CompiledPolicies, PolicyText, compile_policies
from daylight.policy.schema import PolicySchema, build_schema_text, parse_schema

PERMIT_ALL = '@id("t/allow") @reason("allowed unless forbidden") permit (principal, action, resource);\n'
FORBID_POLICE = ('@id("t/no-police") @reason("no biometrics for police") forbid (principal, action '
                 'in Action::"biometric_identification", resource) when '
                 '{ principal.sector == "law_enforcement" };\n')
# For purpose "overflow", overflows a Cedar Long once hours_since_start >= 923: an evaluation
# error, not a type error.
ERRING_FORBID = ('@id("t/overflow") @reason("a forbid that errors") forbid (principal, action, resource) '
                 'when { context.purpose == "overflow" && '
                 'context.hours_since_start * 10000000000000000 > 0 };\n')
OVERFLOW = {"purpose": "overflow", "hours_since_start": 5000}
FACTS = [AccountFacts("SYNTHETIC-police", "law_enforcement", jurisdiction="US"),
         AccountFacts("SYNTHETIC-shop", "commercial", jurisdiction="US")]


def _engine(text: str, schema: PolicySchema, catalog: Catalog, version: int | None = 7,
            declarations: dict[str, tuple[ApprovedDeclaration, ...]] | None = None) -> PolicyEngine:
    compiled: CompiledPolicies = compile_policies([PolicyText("t.cedar", text)], schema)
    return PolicyEngine(compiled, version, FACTS, declarations or {}, catalog)


def test_allow_names_the_permits_and_the_version(schema: PolicySchema, catalog: Catalog) -> None:
    decision = _engine(PERMIT_ALL + FORBID_POLICE, schema, catalog).decide("SYNTHETIC-shop", "face.search")
    assert decision == Decision(True, (Reason("t/allow", "allowed unless forbidden"),), 7, ())
    assert decision.to_json() == {"allowed": True, "reasons": [
        {"policy": "t/allow", "reason": "allowed unless forbidden"}], "policy_version": 7, "errors": []}


def test_forbid_wins_over_permit(schema: PolicySchema, catalog: Catalog) -> None:
    decision = _engine(PERMIT_ALL + FORBID_POLICE, schema, catalog).decide("SYNTHETIC-police", "face.search")
    assert not decision.allowed
    assert decision.policy_ids == ("t/no-police",)
    assert decision.reasons[0].reason == "no biometrics for police"


def test_deny_by_default(schema: PolicySchema, catalog: Catalog) -> None:
    decision = _engine(FORBID_POLICE, schema, catalog).decide("SYNTHETIC-shop", "compute.instance")
    assert not decision.allowed
    assert decision.policy_ids == ("daylight:default-deny",)


def test_a_policy_that_errors_fails_closed_with_the_error(schema: PolicySchema, catalog: Catalog) -> None:
    engine = _engine(PERMIT_ALL + ERRING_FORBID, schema, catalog)
    fine = engine.decide("SYNTHETIC-shop", "compute.instance", {"purpose": "overflow",
                                                                "hours_since_start": 0})
    assert fine.allowed
    # Cedar skips a policy that errors; on its own that would turn this forbid into an allow.
    decision = engine.decide("SYNTHETIC-shop", "compute.instance", OVERFLOW)
    assert not decision.allowed
    assert decision.policy_ids == ("daylight:policy-error",)
    assert len(decision.errors) == 1 and "t/overflow" in decision.errors[0]


def test_unknown_accounts_are_denied_with_the_reason(schema: PolicySchema, catalog: Catalog) -> None:
    decision = _engine(PERMIT_ALL, schema, catalog).decide("SYNTHETIC-nobody", "compute.instance")
    assert not decision.allowed and decision.policy_ids == ("daylight:unknown-account",)
    assert decision.policy_version == 7


def test_no_version_in_force_denies(catalog: Catalog) -> None:
    engine = PolicyEngine(None, None, FACTS, {}, catalog)
    decision = engine.decide("SYNTHETIC-shop", "compute.instance")
    assert not decision.allowed and decision.policy_ids == ("daylight:no-policy-version",)
    assert decision.policy_version is None


@pytest.mark.parametrize(("account", "operation", "context", "error", "where"), [
    ("SYNTHETIC-shop", "face.telepathy", None, NotFoundError, "operation"),
    ("SYNTHETIC-shop", 42, None, NotFoundError, "operation"),
    ("", "face.search", None, InputError, "account_id"),
    ("x" * 129, "face.search", None, InputError, "account_id"),
    ("a\x00b", "face.search", None, InputError, "account_id"),
    # what usage ingest and account import refuse, the gate refuses too (one rule)
    (" ", "face.search", None, InputError, "account_id"),
    ("SYNTHETIC shop", "face.search", None, InputError, "account_id"),
    (" SYNTHETIC-shop", "face.search", None, InputError, "account_id"),
    ("SYNTHETIC-\u0455hop", "face.search", None, InputError, "account_id"),
    ("=cmd|' /C calc'!A0", "face.search", None, InputError, "account_id"),
    ("=cmd|x", "face.search", None, InputError, "account_id"),
    ("@SUM(1)", "face.search", None, InputError, "account_id"),
    ("SYNTHETIC-shop", "face.search", {"urgency": "yes"}, InputError, "context.urgency"),
    ("SYNTHETIC-shop", "face.search", {"unknown": 1}, InputError, "context.unknown"),
    ("SYNTHETIC-shop", "face.search", [], InputError, "context"),
    ("SYNTHETIC-shop", "face.search", "", InputError, "context"),
    ("SYNTHETIC-shop", "face.search", 0, InputError, "context"),
])
def test_malformed_requests_are_errors_not_decisions(
        account: str, operation: str, context: dict[str, object] | None, error: type[Exception],
        where: str, schema: PolicySchema, catalog: Catalog) -> None:
    with pytest.raises(error) as caught:
        _engine(PERMIT_ALL, schema, catalog).decide(account, operation, context)
    assert getattr(caught.value, "where", None) == where


def test_declarations_reach_the_policies_as_attributes(schema: PolicySchema, catalog: Catalog) -> None:
    text = PERMIT_ALL + (
        '@id("t/registered-only") @reason("identification needs an approved declaration for the purpose") '
        'forbid (principal, action in Action::"biometric_identification", resource) unless '
        '{ principal.declarations.biometric_identification.purposes.contains(context.purpose) };\n')
    declared = {"SYNTHETIC-shop": (ApprovedDeclaration("SYNTHETIC-d1", "biometric_identification",
                                                       "touchless_access_control"),)}
    engine = _engine(text, schema, catalog, declarations=declared)
    assert engine.decide("SYNTHETIC-shop", "face.search", {"purpose": "touchless_access_control"}).allowed
    assert not engine.decide("SYNTHETIC-shop", "face.search", {"purpose": "marketing"}).allowed
    assert not engine.decide("SYNTHETIC-police", "face.search",
                             {"purpose": "touchless_access_control"}).allowed
    with pytest.raises(InputError, match="unknown capability `telepathy`"):
        _engine(text, schema, catalog,
                declarations={"SYNTHETIC-shop": (ApprovedDeclaration("d", "telepathy", "x"),)})


def test_decisions_round_trip_through_json() -> None:
    decision = Decision(False, (Reason("a/b", "because"),), 3, ("boom",))
    assert Decision.from_json(decision.to_json()) == decision
    with pytest.raises(InputError, match="not a decision"):
        Decision.from_json({"allowed": "yes", "reasons": [], "policy_version": 1, "errors": []})
    with pytest.raises(InputError, match="not a decision"):
        Decision.from_json({"allowed": True})


def test_cached_decisions_are_the_same_decisions(schema: PolicySchema, catalog: Catalog) -> None:
    text = PERMIT_ALL + FORBID_POLICE + ERRING_FORBID
    compiled = compile_policies([PolicyText("t.cedar", text)], schema)
    requests = [("SYNTHETIC-police", "face.search", None), ("SYNTHETIC-shop", "face.search", None),
                ("SYNTHETIC-shop", "compute.instance", OVERFLOW),
                ("SYNTHETIC-shop", "compute.instance", {"purpose": "overflow", "hours_since_start": 1}),
                ("SYNTHETIC-police", "compute.instance", {})]
    uncached = PolicyEngine(compiled, 1, FACTS, {}, catalog, cache_entries=0)
    expected = [uncached.decide(*r) for r in requests]
    assert [d.allowed for d in expected] == [False, True, False, False, True]
    assert expected[2].errors and not expected[3].errors  # an error, then a plain forbid
    for entries in (1, 2, 100):
        cached = PolicyEngine(compiled, 1, FACTS, {}, catalog, cache_entries=entries)
        for _ in range(3):
            assert [cached.decide(*r) for r in requests] == expected


def test_a_version_published_before_support_attributes_still_decides(catalog: Catalog) -> None:
    """Its stored schema has no `support` or `shares_data_with`: the entities leave them out."""
    text = build_schema_text(catalog)
    text = text.replace("  support: SupportBySector,\n", "").replace(
        "  shares_data_with: Set<String>,\n", "")
    text = re.sub(r"type (SupportWeight|SupportByKind|SupportBySector) = \{[^}]*\};\n", "", text)
    text = "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip().startswith("//"))
    assert "SupportByKind" not in text and "support:" not in text
    old = parse_schema(text)
    facts = [*FACTS, AccountFacts(
        "SYNTHETIC-contractor", "commercial", frozenset({"immigration_enforcement"}), "US",
        support={"immigration_enforcement": {"detention_and_custody": (9, 1)}})]
    compiled = compile_policies([PolicyText("t.cedar", PERMIT_ALL + FORBID_POLICE)], old)
    engine = PolicyEngine(compiled, 1, facts, {}, catalog)
    assert engine.decide("SYNTHETIC-contractor", "compute.instance").allowed
    assert not engine.decide("SYNTHETIC-police", "face.search").allowed


def test_a_version_published_before_candidate_attributes_still_decides(catalog: Catalog) -> None:
    """Its stored schema has no `candidate_sector` or `candidate_supports` (and, older still, no
    support attributes either): the entities leave them out."""
    text = build_schema_text(catalog).replace("  candidate_sector: String,\n", "").replace(
        "  candidate_supports: Set<String>,\n", "")
    assert "candidate_" not in "".join(line for line in text.splitlines()
                                       if not line.lstrip().startswith("//"))
    older = text.replace("  support: SupportBySector,\n", "").replace(
        "  shares_data_with: Set<String>,\n", "")
    older = re.sub(r"type (SupportWeight|SupportByKind|SupportBySector) = \{[^}]*\};\n", "", older)
    older = "".join(line for line in older.splitlines(keepends=True)
                    if not line.lstrip().startswith("//"))
    facts = [*FACTS, AccountFacts("SYNTHETIC-in-review", "unknown", jurisdiction="US",
                                  resolution="review", candidate_sector="immigration_enforcement")]
    for schema_text in (text, older):
        compiled = compile_policies([PolicyText("t.cedar", PERMIT_ALL + FORBID_POLICE)],
                                    parse_schema(schema_text))
        engine = PolicyEngine(compiled, 1, facts, {}, catalog)
        assert engine.decide("SYNTHETIC-in-review", "compute.instance").allowed
        assert not engine.decide("SYNTHETIC-police", "face.search").allowed
