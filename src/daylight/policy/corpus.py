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

Every account in a corpus is SYNTHETIC (its id starts with ``SYNTHETIC-``): a hypothetical
customer with the attributes the registry would give it, never a statement that a real
organisation used a service. ``then.reasons`` is the exact set of policy ids the decision must
name. The same corpus runs in the unit tests, in ``daylight policy test`` and through the HTTP
API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog
from daylight.policy.context import normalize_context
from daylight.policy.decision import Decision
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import AccountFacts, ApprovedDeclaration
from daylight.policy.policies import CompiledPolicies

SYNTHETIC_PREFIX = "SYNTHETIC-"
_ACCOUNT_KEYS = {"sector", "supports", "jurisdiction", "organization", "resolution", "declarations",
                 "candidate_sector", "candidate_supports"}


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
        return (self.decision.allowed == self.case.allowed
                and frozenset(self.decision.policy_ids) == self.case.reasons)

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
    facts = AccountFacts(
        account_id, read.text(body["sector"], f"{key}.sector"),
        frozenset(read.texts(body.get("supports", []), f"{key}.supports")),
        read.text(body.get("jurisdiction", ""), f"{key}.jurisdiction"),
        read.text(body.get("organization", ""), f"{key}.organization"),
        read.text(body.get("resolution", "accepted"), f"{key}.resolution"),
        read.text(body.get("candidate_sector", "unknown"), f"{key}.candidate_sector"),
        frozenset(read.texts(body.get("candidate_supports", []), f"{key}.candidate_supports")))
    return facts, tuple(declarations)


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
