"""``PolicyEngine``: decisions against one policy version and one entity store, both parsed
once. An engine is immutable; ``Gate`` swaps in a new one when the registry or the policies
change.

``decide`` MUST NOT allow a request that any policy could not evaluate: Cedar skips a policy
that errors (an unknown entity, a missing attribute), which could turn a forbid into an allow,
so any error makes the decision a deny that carries the error.

Speed (issue 14: decisions without the decision cache). What Cedar costs per request is
Cedar's: evaluating the policies and parsing the request's context from JSON (cedarpy 4.12 has
no native context or request object; ``cedar-python``, which has them, needs Python 3.12). What
the engine adds is kept small, by hand, because cedarpy's public ``is_authorized`` spends about
a quarter of a decision around the call: it copies the request, re-serialises the context,
parses Cedar's JSON answer and wraps it in objects. So the engine

- calls the extension function that wrapper calls, ``cedarpy._internal.is_authorized[_batch]``
  (typed by cedarpy's own stub; cedarpy is pinned to 4.12.x for that reason), with the
  already-parsed policy set and entities and the request built from parts made once: the
  action and resource per operation, the context's JSON text per distinct context;
- reads Cedar's answer once per distinct answer text: the answer is a pure function of its
  text, so the ``Decision`` it makes is kept by that text (less the timing metrics) — Cedar is
  still asked every time, this is not the decision cache;
- decides many requests in one call (``decide_many``): one crossing into Rust for the batch;
- gives Cedar, for each operation, only the policies whose action scope can match it. A policy
  whose scope excludes the request's action is neither satisfied nor in error (the scope is
  checked first and cannot fail), so leaving it out changes no decision, reason or error, and
  saves Cedar ~1.3 µs per such policy per request. Which scopes match is asked of Cedar itself
  (a probe policy set of each policy's action scope alone, against the same entity store), once
  per operation, on first use;
- for a context seen often (``_SPECIALIZE_AFTER`` times with one operation), gives Cedar a policy
  set with that context written in and an empty context (``policy/specialize.py``): Cedar then
  no longer parses the context's JSON on each call, a third of a decision's cost. Specialised
  sets are kept per (operation, context), at most ``_SPECIALIZED`` of them; contexts seen
  rarely (free-text references) keep the general path and cost nothing more.

``bench/policy`` measures each of these against bare cedarpy in one run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from daylight.core.errors import NotFoundError
from daylight.core.identifier import is_account_id, verify_account_id
from daylight.policy.catalog import Catalog
from daylight.policy.context import DEFAULT_CONTEXT, normalize_context
from daylight.policy.decision import (
    DECLARATION,
    DEFAULT_DENY,
    NO_POLICY_VERSION,
    POLICY_ERROR,
    UNKNOWN_ACCOUNT,
    Decision,
    Reason,
    denied,
    gate_reason,
)
from daylight.policy.entities import AccountFacts, Declarations, build_entities
from daylight.policy.policies import CompiledPolicies
from daylight.policy.schema import build_schema
from daylight.policy.specialize import request_tests, specialize

if TYPE_CHECKING:
    from cedarpy import _internal

DEFAULT_CACHE_ENTRIES = 65_536
_DEFAULT_CONTEXT_JSON = json.dumps(DEFAULT_CONTEXT)
_DEFAULT_KEY = tuple(DEFAULT_CONTEXT.values())
_PURPOSE = list(DEFAULT_CONTEXT).index("purpose")  # where the purpose is in a context key
# distinct context texts and Cedar answer texts kept (each table cleared when full)
_CONTEXT_TEXTS = 4_096
_ANSWERS = 4_096  # ~700 bytes each: ~3 MB at most per engine
# a policy set specialised to a context is built (~1 ms) once the (operation, context) pair has
# been seen this often; at most _SPECIALIZED sets are kept (each ~50 KB), sightings of at most
# _SIGHTINGS pairs (each table cleared when full)
_SPECIALIZE_AFTER = 8
_SPECIALIZED = 512
_SIGHTINGS = 16_384
_EMPTY_CONTEXT = "{}"
# Cedar's answer ends with its timing metrics (names to whole microseconds): the only part that
# differs between two answers that mean the same thing. Cut only when the tail is exactly that.
_METRICS_TAIL = re.compile(r',"metrics":\{(?:"[a-z_]+":[0-9]+,?)*\}\}\Z')

Request = tuple[str, str, Mapping[str, Any] | None]
"""(account id, operation, context) as given to ``PolicyEngine.decide``."""


class PolicyEngine:
    """Decides requests against ``policies`` (None: nothing in force) for the given accounts."""

    def __init__(self, policies: CompiledPolicies | None, version: int | None,
                 facts: Iterable[AccountFacts], declarations: Declarations,
                 catalog: Catalog, *, cache_entries: int = DEFAULT_CACHE_ENTRIES,
                 load_error: str | None = None) -> None:
        """``load_error``: the version in force (``version``) could not be loaded; every
        request is then denied with ``daylight:policy-error`` and that error."""
        self.policies = policies
        self.version = version
        self.load_error = load_error
        self.catalog = catalog
        facts = list(facts)
        schema = policies.schema if policies is not None else build_schema(catalog)
        self.entities = build_entities(facts, declarations, catalog, schema)
        self.accounts = frozenset(f.account_id for f in facts)
        self.declarations = declarations
        self._requests = {
            op_id: ({"type": "Action", "id": op_id}, {"type": "Service", "id": op.service})
            for op_id, op in catalog.operations.items()}
        self._reasons = ({rule_id: Reason(rule_id, rule.reason)
                          for rule_id, rule in policies.rules.items()} if policies else {})
        # Decisions are a pure function of (account, operation, context) for one engine: the
        # policies and entities never change under it. Cleared when full, dropped with it.
        self._cache: dict[tuple[Any, ...], Decision] = {}
        self._cache_entries = cache_entries
        self._contexts: dict[tuple[Any, ...], str] = {_DEFAULT_KEY: _DEFAULT_CONTEXT_JSON}
        self._answers: dict[str, Decision] = {}
        self._native: _internal.Entities = self.entities._inner
        self._scopes: dict[str | None, Any] | None = None  # policy id → its parsed form
        self._slices: dict[str, _internal.PolicySet] = {}  # operation → what Cedar gets for it
        self._kept: dict[str, dict[Any, Any] | None] = {}  # operation → its slice as EST
        # (operation, context values) → the slice with that context written in (None: cannot)
        self._specialized: dict[tuple[str, tuple[Any, ...]], _internal.PolicySet | None] = {}
        self._sightings: dict[tuple[str, tuple[Any, ...]], int] = {}
        self._tests: dict[str, dict[str, bool]] = {}  # operation → Cedar's answer to each test

    def decide(self, account_id: str, operation: str,
               context: Mapping[str, Any] | None = None) -> Decision:
        """May ``account_id`` call ``operation`` in ``context``?

        Raises InputError for a malformed account id or context and NotFoundError for an
        operation the catalog does not have; every other outcome is a returned Decision.
        """
        from cedarpy import _internal  # heavy: loaded where used, not at start-up

        ready = self._prepare(account_id, operation, context)
        if isinstance(ready, Decision):
            return ready
        key, request, policy_set = ready
        decision = self._naming_declarations(key, self._answer(_internal.is_authorized(
            request, policy_set, self._native, None, False)))
        self._remember(key, decision)
        return decision

    def decide_many(self, requests: Iterable[Request]) -> list[Decision]:
        """``decide`` for each request, in order, with one call into Cedar for all of them (one
        per distinct policy set, when operations get different slices of the policies).

        Raises as ``decide`` would for the first malformed request, deciding none.
        """
        from cedarpy import _internal  # heavy: loaded where used, not at start-up

        decisions: list[Decision | None] = []
        # one call per policy set: requests whose operations share one go together
        pending: dict[int, tuple[_internal.PolicySet, list[tuple[int, tuple[Any, ...]]],
                                 list[dict[str, Any]]]] = {}
        for account_id, operation, context in requests:
            ready = self._prepare(account_id, operation, context)
            if isinstance(ready, Decision):
                decisions.append(ready)
                continue
            policy_set = ready[2]
            _, keys, batch = pending.setdefault(id(policy_set), (policy_set, [], []))
            keys.append((len(decisions), ready[0]))
            batch.append(ready[1])
            decisions.append(None)
        for policy_set, keys, batch in pending.values():
            answers = _internal.is_authorized_batch(batch, policy_set, self._native, None, False)
            for (slot, key), text in zip(keys, answers, strict=True):
                decision = decisions[slot] = self._naming_declarations(key, self._answer(text))
                self._remember(key, decision)
        return [d for d in decisions if d is not None]

    def _policy_set(self, operation: str) -> _internal.PolicySet:
        """The policies Cedar gets for ``operation``: those whose action scope can match it."""
        policy_set = self._slices.get(operation)
        if policy_set is None:
            policy_set = self._slices[operation] = self._slice(operation)
        return policy_set

    def _specialized_set(self, operation: str, values: tuple[Any, ...],
                         context: Mapping[str, Any]) -> _internal.PolicySet | None:
        """The policies for ``operation`` with ``context`` written in, once that pair has been
        seen ``_SPECIALIZE_AFTER`` times; None until then, or if they cannot be."""
        pair = (operation, values)
        if pair in self._specialized:
            return self._specialized[pair]
        seen = self._sightings.get(pair, 0) + 1
        if seen < _SPECIALIZE_AFTER:
            if len(self._sightings) >= _SIGHTINGS:
                self._sightings.clear()
            self._sightings[pair] = seen
            return None
        self._sightings.pop(pair, None)
        import cedarpy  # heavy: loaded where used, not at start-up

        self._policy_set(operation)  # the slice's EST, kept by _slice
        base = self._kept.get(operation)
        if base is not None and operation not in self._tests:
            self._tests[operation] = self._answer_tests(operation, base)
        policy_set = None
        try:  # anything unexpected: the general path, which is always right
            folded = (specialize(base, context, self._tests[operation]) if base is not None
                      else None)
            if folded is not None:
                policy_set = cedarpy.PolicySet.from_json_str(json.dumps(
                    {"staticPolicies": folded, "templates": {}, "templateLinks": []}))
        except (ValueError, KeyError, TypeError):
            policy_set = None
        if len(self._specialized) >= _SPECIALIZED:
            self._specialized.clear()
        self._specialized[pair] = policy_set
        return policy_set

    def _answer_tests(self, operation: str, policies: Mapping[Any, Any]) -> dict[str, bool]:
        """Cedar's answer, for ``operation``'s action and resource, to each test of the action
        or resource against literals in ``policies`` (each test a probe policy of its own);
        none if Cedar reports an error."""
        import cedarpy  # heavy: loaded where used, not at start-up

        tests = list(request_tests(policies).items())
        if not tests:
            return {}
        probe = cedarpy.PolicySet.from_json_str(json.dumps({"staticPolicies": {
            f"test-{n}": {"effect": "permit", "principal": {"op": "All"},
                          "action": {"op": "All"}, "resource": {"op": "All"},
                          "conditions": [{"kind": "when", "body": node}]}
            for n, (_, node) in enumerate(tests)}, "templates": {}, "templateLinks": []}))
        action, resource = self._requests[operation]
        answer = json.loads(cedarpy._internal.is_authorized(
            {"principal": {"type": "Account", "id": "-"}, "action": action,
             "resource": resource, "context": _EMPTY_CONTEXT}, probe, self._native, None, False))
        diagnostics = answer.get("diagnostics", {})
        if diagnostics.get("errors") or answer.get("decision") not in ("Allow", "Deny"):
            return {}
        holding = set(diagnostics.get("reason", []))
        return {key: f"test-{n}" in holding for n, (key, _) in enumerate(tests)}

    def _slice(self, operation: str) -> _internal.PolicySet:
        import cedarpy  # heavy: loaded where used, not at start-up

        assert self.policies is not None  # only asked once a request reaches Cedar
        full = self.policies.policy_set
        self._kept[operation] = None
        if self._scopes is None:
            try:  # the text parsed when it was compiled; anything unexpected: no slicing
                est = json.loads(cedarpy.policies_to_json_str(self.policies.text))
            except ValueError:
                est = {}
            self._scopes = {(raw.get("annotations") or {}).get("id"): raw
                            for raw in est.get("staticPolicies", {}).values()}
        if set(self._scopes) != set(self.policies.rules):
            return full  # not the policies compiled: neither sliced nor specialised
        self._kept[operation] = self._scopes
        scoped = {pid: raw for pid, raw in self._scopes.items()
                  if raw.get("action", {}).get("op") != "All"}
        if not scoped:
            return full
        # each scoped policy's action scope alone, as a permit: Cedar says which match
        probe = cedarpy.PolicySet.from_json_str(json.dumps({"staticPolicies": {
            pid: {"effect": "permit", "principal": {"op": "All"}, "action": raw["action"],
                  "resource": {"op": "All"}, "conditions": []} for pid, raw in scoped.items()},
            "templates": {}, "templateLinks": []}))
        action, resource = self._requests[operation]
        answer = json.loads(cedarpy._internal.is_authorized(
            {"principal": {"type": "Account", "id": "-"}, "action": action,
             "resource": resource}, probe, self._native, None, False))
        diagnostics = answer.get("diagnostics", {})
        if diagnostics.get("errors") or answer.get("decision") not in ("Allow", "Deny"):
            return full
        matching = set(diagnostics.get("reason", []))
        kept = {pid: raw for pid, raw in self._scopes.items()
                if pid not in scoped or pid in matching}
        self._kept[operation] = kept
        if len(kept) == len(self._scopes):
            return full
        # none kept is fine: Cedar with no policies denies by default, as with none that apply
        return cedarpy.PolicySet.from_json_str(json.dumps(
            {"staticPolicies": kept, "templates": {}, "templateLinks": []}))

    def _prepare(self, account_id: str, operation: str, context: Mapping[str, Any] | None
                 ) -> Decision | tuple[tuple[Any, ...], dict[str, Any], _internal.PolicySet]:
        """A Decision when the gate's rules (or the decision cache) decide; otherwise the
        cache key, the request for Cedar and the policies to give it."""
        action, resource = self._operations(operation)
        if not is_account_id(account_id):  # the rule ingest and import apply, no looser
            verify_account_id(account_id, where="account_id")
        # only None and {} mean "no context": any other falsy value ([], "", 0) is malformed
        full = None if context is None or context == {} else normalize_context(context)
        if self.load_error is not None:
            return denied(POLICY_ERROR, self.version, (self.load_error,))
        if self.policies is None:
            return denied(NO_POLICY_VERSION, None)
        if account_id not in self.accounts:
            return denied(UNKNOWN_ACCOUNT, self.version)
        values = tuple(full.values()) if full else _DEFAULT_KEY
        key = (account_id, operation, values)
        if self._cache_entries:
            cached = self._cache.get(key)
            if cached is not None:
                return cached
        policy_set = self._specialized_set(operation, values, full or DEFAULT_CONTEXT)
        if policy_set is not None:
            text = _EMPTY_CONTEXT  # the context is written into the policies
        else:
            policy_set = self._policy_set(operation)
            known = self._contexts.get(values)
            if known is None:
                if len(self._contexts) >= _CONTEXT_TEXTS:
                    self._contexts = {_DEFAULT_KEY: _DEFAULT_CONTEXT_JSON}
                known = self._contexts[values] = json.dumps(full)
            text = known
        return key, {"principal": {"type": "Account", "id": account_id}, "action": action,
                     "resource": resource, "context": text}, policy_set

    def _remember(self, key: tuple[Any, ...], decision: Decision) -> None:
        if self._cache_entries:
            if len(self._cache) >= self._cache_entries:
                self._cache.clear()
            self._cache[key] = decision

    def _answer(self, text: str) -> Decision:
        """The Decision for Cedar's answer ``text``, read once per distinct answer."""
        tail = _METRICS_TAIL.search(text)
        meaning = text[:tail.start()] if tail else text
        decision = self._answers.get(meaning)
        if decision is None:
            answer = json.loads(text)
            diagnostics = answer.get("diagnostics", {})
            decision = self._decision(answer["decision"] == "Allow",
                                      diagnostics.get("reason", []),
                                      diagnostics.get("errors", []))
            if len(self._answers) >= _ANSWERS:
                self._answers.clear()
            self._answers[meaning] = decision
        return decision

    def _operations(self, operation: str) -> tuple[dict[str, str], dict[str, str]]:
        request = self._requests.get(operation) if isinstance(operation, str) else None
        if request is None:
            raise NotFoundError(f"unknown operation `{operation}`: not in the service catalog",
                                where="operation")
        return request

    def _decision(self, allowed: bool, reasons: Sequence[str],
                  errors: Sequence[str]) -> Decision:
        matched = sorted(reasons)
        if errors:
            forbids = [] if allowed else [self._reason(i) for i in matched]
            return Decision(False, (*forbids, gate_reason(POLICY_ERROR)), self.version,
                            tuple(errors))
        if allowed:
            return Decision(True, tuple(self._reason(i) for i in matched), self.version)
        if matched:
            return Decision(False, tuple(self._reason(i) for i in matched), self.version)
        return Decision(False, (gate_reason(DEFAULT_DENY),), self.version)

    def _naming_declarations(self, key: tuple[Any, ...], decision: Decision) -> Decision:
        """``decision`` (for the request ``key``: account, operation, context values) with a
        reason for each approved declaration an allow may rest on: one of the operation's
        capabilities, declared for the request's purpose or registered."""
        if not decision.allowed:
            return decision
        account_id, operation, values = key
        purpose = values[_PURPOSE]
        capabilities = self.catalog.operations[operation].capabilities
        used = [d for d in self.declarations.get(account_id, ())
                if d.capability in capabilities and (d.purpose == purpose or d.registration)]
        if not used:
            return decision
        named = tuple(Reason(DECLARATION, f"approved declaration `{d.id}`: {d.capability} for "
                                          f"`{d.purpose}`"
                                          + (f", registration `{d.registration}`"
                                             if d.registration else ""))
                      for d in used)
        return Decision(decision.allowed, decision.reasons + named, decision.policy_version,
                        decision.errors)

    def _reason(self, policy_id: str) -> Reason:
        reason = self._reasons.get(policy_id)
        return reason if reason is not None else Reason(policy_id, "(policy without a reason)")
