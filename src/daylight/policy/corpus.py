"""Given/When/Then corpora: requests with the decision and reasons a pack must give.

``corpus.json`` of a pack::

    {"pack": "employee-demands",
     "note": "SYNTHETIC ...",
     "accounts": {"SYNTHETIC-...": {"sector", "supports", "jurisdiction", "organization",
                                    "resolution", "candidate_sector"?, "candidate_supports"?,
                                    "declarations": [{"id", "capability", "purpose",
                                    "registration"?}]}},
     "cases": [{"name": "...",
                "given": {"account": "SYNTHETIC-..."},
                "when": {"operation": "face.search", "context": {...}},
                "then": {"allowed": false, "reasons": ["employee-demands/..."]}}]}

An account may also give its support by kind directly (``"support": {"immigration_enforcement":
{"detention_and_custody": {"amount_usd": 2500000, "awards": 3}}}``), the sectors it shares data
with (``"shares_data_with"``), or — to test time — the relationships it would have
(``"relationships"``: support edges with ``sector``, ``kind``, ``start``, ``end``,
``ongoing_as_of``, ``amount``), the day it is asked about (``"as_of"``), optionally a look-back
window (``"window_days"``), a staleness horizon (``"staleness_days"``) and accepted
corrections (``"corrections"``: ``effective``, ``reason``, ``sectors``?); ``supports`` and
``support`` are then computed by the registry's
``support_during``, the function the gate uses.

Every account in a corpus is SYNTHETIC (its id starts with ``SYNTHETIC-``): a hypothetical
customer with the attributes the registry would give it, never a statement that a real
organisation used a service. ``then.reasons`` is the exact set of policy ids the decision must
name (the ``daylight:declaration`` reasons that name the declarations an allow may rest on are
not policies, and are not compared). The same corpus runs in the unit tests, in
``daylight policy test`` and through the HTTP API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog
from daylight.policy.context import normalize_context
from daylight.policy.decision import DECLARATION, Decision
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import (
    AccountFacts,
    ApprovedDeclaration,
    SupportQuestion,
    SupportWeights,
    support_facts,
)
from daylight.policy.policies import CompiledPolicies
from daylight.registry.support import DEFAULT_STALENESS_DAYS, DEFAULT_WINDOW_DAYS, Override, SupportEdge

SYNTHETIC_PREFIX = "SYNTHETIC-"
_ACCOUNT_KEYS = {"sector", "supports", "jurisdiction", "organization", "resolution", "declarations",
                 "candidate_sector", "candidate_supports", "support", "shares_data_with",
                 "relationships", "as_of", "window_days", "staleness_days", "corrections"}
_EDGE_KEYS = {"sector", "kind", "start", "end", "ongoing_as_of", "amount", "dates"}


@dataclass(frozen=True)
class Case:
    """One request and what the pack must answer."""

    name: str
    account_id: str
    operation: str
    context: Mapping[str, Any]
    allowed: bool
    reasons: frozenset[str]


@dataclass(frozen=True)
class Corpus:
    """A pack's accounts and cases."""

    pack: str
    facts: tuple[AccountFacts, ...]
    declarations: Mapping[str, tuple[ApprovedDeclaration, ...]]
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class CaseResult:
    """A case and the decision the policies gave."""

    case: Case
    decision: Decision

    @property
    def passed(self) -> bool:
        named = frozenset(self.decision.policy_ids) - {DECLARATION}
        return self.decision.allowed == self.case.allowed and named == self.case.reasons

    def to_json(self) -> dict[str, Any]:
        return {"name": self.case.name, "passed": self.passed,
                "expected": {"allowed": self.case.allowed, "reasons": sorted(self.case.reasons)},
                "decision": self.decision.to_json()}


class _Reader:
    def __init__(self, where: str) -> None:
        self.where = where

    def fail(self, key: str, message: str) -> InputError:
        return InputError(message, where=f"{self.where}: {key}")

    def obj(self, value: Any, key: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected an object")
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise self.fail(f"{key}.{unknown[0]}", f"unknown key `{unknown[0]}`")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(f"{key}.{missing[0]}", f"missing key `{missing[0]}`")
        return value

    def text(self, value: Any, key: str) -> str:
        if not isinstance(value, str):
            raise self.fail(key, "expected a string")
        return value

    def texts(self, value: Any, key: str) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "expected an array of strings")
        return list(value)


def _account(read: _Reader, account_id: str,
             body: Any) -> tuple[AccountFacts, tuple[ApprovedDeclaration, ...]]:
    key = f"accounts.{account_id}"
    if not account_id.startswith(SYNTHETIC_PREFIX):
        raise read.fail(key, f"corpus account ids must start with `{SYNTHETIC_PREFIX}`")
    body = read.obj(body, key, _ACCOUNT_KEYS, {"sector"})
    declarations = []
    for i, item in enumerate(body.get("declarations", [])):
        dkey = f"{key}.declarations[{i}]"
        item = read.obj(item, dkey, {"id", "capability", "purpose", "registration"},
                        {"id", "capability", "purpose"})
        declarations.append(ApprovedDeclaration(
            read.text(item["id"], f"{dkey}.id"), read.text(item["capability"], f"{dkey}.capability"),
            read.text(item["purpose"], f"{dkey}.purpose"),
            read.text(item.get("registration", ""), f"{dkey}.registration")))
    supports = frozenset(read.texts(body.get("supports", []), f"{key}.supports"))
    support = _support(read, body.get("support", {}), f"{key}.support")
    if "relationships" in body:
        supports, support = _timed_support(read, body, key)
    facts = AccountFacts(
        account_id, read.text(body["sector"], f"{key}.sector"), supports,
        read.text(body.get("jurisdiction", ""), f"{key}.jurisdiction"),
        read.text(body.get("organization", ""), f"{key}.organization"),
        read.text(body.get("resolution", "accepted"), f"{key}.resolution"),
        read.text(body.get("candidate_sector", "unknown"), f"{key}.candidate_sector"),
        frozenset(read.texts(body.get("candidate_supports", []), f"{key}.candidate_supports")),
        support, frozenset(read.texts(body.get("shares_data_with", []), f"{key}.shares_data_with")))
    return facts, tuple(declarations)


def _count(read: _Reader, value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise read.fail(key, "expected an integer")
    return value


def _support(read: _Reader, value: Any, key: str) -> SupportWeights:
    if not isinstance(value, dict):
        raise read.fail(key, "expected an object")
    out: dict[str, dict[str, tuple[int, ...]]] = {}
    for sector, kinds in value.items():
        if not isinstance(kinds, dict):
            raise read.fail(f"{key}.{sector}", "expected an object")
        for kind, weight in kinds.items():
            wkey = f"{key}.{sector}.{kind}"
            weight = read.obj(weight, wkey, {"amount_usd", "awards", "award_total_usd"},
                              {"amount_usd", "awards"})
            amount = _count(read, weight["amount_usd"], f"{wkey}.amount_usd")
            out.setdefault(sector, {})[kind] = (
                amount, _count(read, weight["awards"], f"{wkey}.awards"),
                _count(read, weight.get("award_total_usd", amount), f"{wkey}.award_total_usd"))
    return out


def _timed_support(read: _Reader, body: dict[str, Any],
                   key: str) -> tuple[frozenset[str], SupportWeights]:
    if "as_of" not in body:
        raise read.fail(f"{key}.as_of", "accounts with relationships need `as_of`")
    edges = []
    items = body["relationships"]
    if not isinstance(items, list):
        raise read.fail(f"{key}.relationships", "expected an array")
    for i, item in enumerate(items):
        ekey = f"{key}.relationships[{i}]"
        item = read.obj(item, ekey, _EDGE_KEYS, {"sector", "kind"})
        amount = item.get("amount")
        if amount is not None and not isinstance(amount, int | float):
            raise read.fail(f"{ekey}.amount", "expected a number")
        edges.append(SupportEdge(
            f"SYNTHETIC-edge-{i}", read.text(item["sector"], f"{ekey}.sector"), "",
            read.text(item["kind"], f"{ekey}.kind"), "corpus",
            start=read.text(item.get("start", ""), f"{ekey}.start"),
            end=read.text(item.get("end", ""), f"{ekey}.end"),
            ongoing_as_of=read.text(item.get("ongoing_as_of", ""), f"{ekey}.ongoing_as_of"),
            dates=read.text(item.get("dates", ""), f"{ekey}.dates"),
            amount=float(amount) if amount is not None else None))
    overrides = []
    corrections = body.get("corrections", [])
    if not isinstance(corrections, list):
        raise read.fail(f"{key}.corrections", "expected an array")
    for i, item in enumerate(corrections):
        ckey = f"{key}.corrections[{i}]"
        item = read.obj(item, ckey, {"effective", "reason", "sectors"}, {"effective", "reason"})
        overrides.append(Override(
            f"SYNTHETIC-correction-{i}", "", read.text(item["effective"], f"{ckey}.effective"),
            tuple(read.texts(item.get("sectors", []), f"{ckey}.sectors")),
            read.text(item["reason"], f"{ckey}.reason")))
    window = _count(read, body.get("window_days", DEFAULT_WINDOW_DAYS), f"{key}.window_days")
    staleness = _count(read, body.get("staleness_days", DEFAULT_STALENESS_DAYS),
                       f"{key}.staleness_days")
    question = SupportQuestion(read.text(body["as_of"], f"{key}.as_of"), None, window, staleness)
    try:
        return support_facts(edges, question, overrides)
    except InputError as exc:
        raise read.fail(key, exc.message) from exc


def _case(read: _Reader, index: int, body: Any) -> Case:
    key = f"cases[{index}]"
    body = read.obj(body, key, {"name", "given", "when", "then"}, {"name", "given", "when", "then"})
    given = read.obj(body["given"], f"{key}.given", {"account"}, {"account"})
    when = read.obj(body["when"], f"{key}.when", {"operation", "context"}, {"operation"})
    then = read.obj(body["then"], f"{key}.then", {"allowed", "reasons"}, {"allowed", "reasons"})
    if not isinstance(then["allowed"], bool):
        raise read.fail(f"{key}.then.allowed", "expected true or false")
    context = when.get("context", {})
    try:
        normalize_context(context)
    except InputError as exc:
        raise read.fail(f"{key}.when.{exc.where}", exc.message) from exc
    return Case(read.text(body["name"], f"{key}.name"), read.text(given["account"], f"{key}.given.account"),
                read.text(when["operation"], f"{key}.when.operation"), context, then["allowed"],
                frozenset(read.texts(then["reasons"], f"{key}.then.reasons")))


def parse_corpus(text: str, *, where: str = "corpus.json") -> Corpus:
    """Parse and check a corpus; InputError naming the key of the first problem."""
    data = parse_json(text, where=where)  # a key given twice (`then.allowed`!) is refused
    read = _Reader(where)
    data = read.obj(data, "corpus", {"pack", "note", "accounts", "cases"}, {"pack", "accounts", "cases"})
    if not isinstance(data["accounts"], dict) or not isinstance(data["cases"], list) or not data["cases"]:
        raise read.fail("corpus", "expected an object of accounts and a non-empty array of cases")
    accounts = [_account(read, account_id, body) for account_id, body in data["accounts"].items()]
    cases = tuple(_case(read, i, c) for i, c in enumerate(data["cases"]))
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise read.fail("cases", "two cases have the same name")
    return Corpus(read.text(data["pack"], "pack"), tuple(f for f, _ in accounts),
                  {f.account_id: d for f, d in accounts if d}, cases)


def run_corpus(corpus: Corpus, policies: CompiledPolicies, catalog: Catalog,
               version: int | None = None) -> list[CaseResult]:
    """Decide every case of ``corpus`` with ``policies``."""
    engine = PolicyEngine(policies, version, corpus.facts, corpus.declarations, catalog)
    return [CaseResult(case, engine.decide(case.account_id, case.operation, case.context))
            for case in corpus.cases]


def failures(results: Sequence[CaseResult]) -> list[dict[str, Any]]:
    """The cases that did not get the expected decision, as JSON."""
    return [r.to_json() for r in results if not r.passed]
