"""``PolicyEngine``: decisions against one policy version and one entity store, both parsed
once. An engine is immutable; ``Gate`` swaps in a new one when the registry or the policies
change.

``decide`` MUST NOT allow a request that any policy could not evaluate: Cedar skips a policy
that errors (an unknown entity, a missing attribute), which could turn a forbid into an allow,
so any error makes the decision a deny that carries the error.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from daylight.core.errors import InputError, NotFoundError
from daylight.policy.catalog import Catalog
from daylight.policy.context import DEFAULT_CONTEXT, normalize_context
from daylight.policy.decision import (
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

if TYPE_CHECKING:
    import cedarpy

MAX_ACCOUNT_ID_CHARS = 128
DEFAULT_CACHE_ENTRIES = 65_536
_DEFAULT_CONTEXT_JSON = json.dumps(DEFAULT_CONTEXT)
_DEFAULT_KEY = tuple(DEFAULT_CONTEXT.values())


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
        self._requests = {
            op_id: ({"type": "Action", "id": op_id}, {"type": "Service", "id": op.service})
            for op_id, op in catalog.operations.items()}
        self._reasons = ({rule_id: Reason(rule_id, rule.reason)
                          for rule_id, rule in policies.rules.items()} if policies else {})
        # Decisions are a pure function of (account, operation, context) for one engine: the
        # policies and entities never change under it. Cleared when full, dropped with it.
        self._cache: dict[tuple[Any, ...], Decision] = {}
        self._cache_entries = cache_entries

    def decide(self, account_id: str, operation: str,
               context: Mapping[str, Any] | None = None) -> Decision:
        """May ``account_id`` call ``operation`` in ``context``?

        Raises InputError for a malformed account id or context and NotFoundError for an
        operation the catalog does not have; every other outcome is a returned Decision.
        """
        import cedarpy  # heavy: loaded where used, not at start-up

        request = self._operations(operation)
        if not isinstance(account_id, str) or not 0 < len(account_id) <= MAX_ACCOUNT_ID_CHARS \
                or not account_id.isprintable():
            raise InputError(f"expected an account id of 1 to {MAX_ACCOUNT_ID_CHARS} printable "
                             "characters", where="account_id")
        # only None and {} mean "no context": any other falsy value ([], "", 0) is malformed
        full = None if context is None or context == {} else normalize_context(context)
        if self.load_error is not None:
            return denied(POLICY_ERROR, self.version, (self.load_error,))
        if self.policies is None:
            return denied(NO_POLICY_VERSION, None)
        if account_id not in self.accounts:
            return denied(UNKNOWN_ACCOUNT, self.version)
        key = (account_id, operation, tuple(full.values()) if full else _DEFAULT_KEY)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        action, resource = request
        result = cedarpy.is_authorized(
            {"principal": {"type": "Account", "id": account_id}, "action": action,
             "resource": resource, "context": json.dumps(full) if full else _DEFAULT_CONTEXT_JSON},
            self.policies.policy_set, self.entities)
        decision = self._decision(result)
        if self._cache_entries:
            if len(self._cache) >= self._cache_entries:
                self._cache.clear()
            self._cache[key] = decision
        return decision

    def _operations(self, operation: str) -> tuple[dict[str, str], dict[str, str]]:
        request = self._requests.get(operation) if isinstance(operation, str) else None
        if request is None:
            raise NotFoundError(f"unknown operation `{operation}`: not in the service catalog",
                                where="operation")
        return request

    def _decision(self, result: cedarpy.AuthzResult) -> Decision:
        diagnostics = result.diagnostics
        errors = tuple(diagnostics.errors)
        matched = sorted(diagnostics.reasons)
        if errors:
            forbids = [] if result.allowed else [self._reason(i) for i in matched]
            return Decision(False, (*forbids, gate_reason(POLICY_ERROR)), self.version, errors)
        if result.allowed:
            return Decision(True, tuple(self._reason(i) for i in matched), self.version)
        if matched:
            return Decision(False, tuple(self._reason(i) for i in matched), self.version)
        return Decision(False, (gate_reason(DEFAULT_DENY),), self.version)

    def _reason(self, policy_id: str) -> Reason:
        reason = self._reasons.get(policy_id)
        return reason if reason is not None else Reason(policy_id, "(policy without a reason)")
