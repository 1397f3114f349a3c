"""Policies specialised to one request context: each ``context.FIELD`` replaced by its value.

Cedar parses a request's context from JSON on every call (cedarpy 4.12 has no native context
object): for the 11 fields of ``policy.context`` that is about a third of a decision. A gateway
sends few distinct contexts, so for a context seen often the engine asks Cedar with an empty
context and a policy set in which that context is already written in: every ``context.FIELD``
(and ``context has FIELD``) of the policies' JSON form (Cedar's EST) becomes the literal value.

Why this decides exactly as the unspecialised set does: the context the engine passes is a
record with every field present (``normalize_context``), and ``context.FIELD`` of such a record
evaluates to that value, never to an error; a literal evaluates to the same value. Then only
what Cedar itself would short-circuit is folded, so no error that Cedar would raise is hidden:
``false && X`` and ``true || X`` (X is never evaluated), ``!`` of a boolean, ``if`` on a
boolean, ``true && b`` and ``false || b`` for a boolean literal b, and
``==``/``!=``/``<``/``<=``/``>``/``>=`` between two literals of the same scalar type.

The same set serves one operation, so its action and resource are known too: a test of either
against literals (``action in [Action::"biometric_identification", ...]``) is replaced by the
answer Cedar itself gives for that action and resource (the engine asks it once per operation,
with each test as a probe policy), which lets the policies about other capabilities go.
A condition that folds to "always holds" is dropped; a policy whose first remaining condition
can never hold is dropped (it is neither satisfied nor in error, as with the engine's slicing by
action scope). A policy that uses ``context`` in any other way (the whole record, a field the
context lacks) makes ``specialize`` return None: the engine then passes the context as before.

Written by hand (about 100 lines) because cedarpy offers no constant folding; its partial
evaluation is an experimental Cedar feature whose results "MUST NOT be used as a final
authorization decision". ``tests/policy/test_specialize.py`` checks every decision of the
shipped packs against the unspecialised set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from daylight.core.errors import DaylightError

_CONTEXT = {"Var": "context"}
_COMPARE = {"==", "!=", "<", "<=", ">", ">="}


class _Unfoldable(DaylightError):
    """A policy uses ``context`` in a way this module does not replace (internal: never
    leaves the module)."""


def request_tests(policies: Mapping[Any, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every test of the request's action or resource against literals (``action in [...]``,
    ``resource == Service::"..."``) in the policies' conditions, by ``test_key``."""
    found: dict[str, dict[str, Any]] = {}

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if _is_request_test(node):
                found[test_key(node)] = node
            for key, value in node.items():
                if key != "Value":
                    visit(value)

    for policy in policies.values():
        for condition in policy.get("conditions", []):
            visit(condition["body"])
    return found


def test_key(node: Mapping[str, Any]) -> str:
    """The key of a request test in ``request_tests`` and in ``specialize``'s ``tests``."""
    return json.dumps(node, sort_keys=True)


def _is_request_test(node: Mapping[str, Any]) -> bool:
    if len(node) != 1:
        return False
    ((op, arg),) = node.items()
    return (op in ("in", "==") and isinstance(arg, dict)
            and arg.get("left") in ({"Var": "action"}, {"Var": "resource"})
            and '"Var"' not in json.dumps(arg.get("right")))


def specialize(policies: Mapping[Any, Mapping[str, Any]], context: Mapping[str, Any],
               tests: Mapping[str, bool] | None = None) -> dict[Any, dict[str, Any]] | None:
    """``policies`` (EST by policy id) with ``context`` (every field present) written in, and
    with each test of the request's action or resource whose answer ``tests`` gives (by
    ``test_key``: Cedar's own answer for the one action and resource the set serves); the
    policies that can never hold then are left out. None if a policy uses ``context``
    otherwise than by field."""
    try:
        specialized = {}
        for policy_id, policy in policies.items():
            folded = _policy(policy, context, tests or {})
            if folded is not None:
                specialized[policy_id] = folded
        return specialized
    except _Unfoldable:
        return None


def _policy(policy: Mapping[str, Any], context: Mapping[str, Any], tests: Mapping[str, bool]
            ) -> dict[str, Any] | None:
    """The policy with ``context`` folded in, or None if it can never hold."""
    conditions: list[dict[str, Any]] = []
    for condition in policy.get("conditions", []):
        body = _fold(condition["body"], context, tests)
        holds = condition["kind"] == "when"
        if _is_bool(body, holds):
            continue  # always holds: nothing to evaluate
        if _is_bool(body, not holds) and not conditions:
            return None  # evaluated first and never holds: never satisfied, never in error
        conditions.append({**condition, "body": body})
    return {**policy, "conditions": conditions}


def _is_bool(node: Any, value: bool) -> bool:
    if not isinstance(node, dict) or len(node) != 1 or "Value" not in node:
        return False
    literal = node["Value"]
    return type(literal) is bool and literal is value


def _literal(node: Any) -> tuple[bool, Any]:
    if isinstance(node, dict) and len(node) == 1 and "Value" in node:
        value = node["Value"]
        if type(value) in (bool, int, str):
            return True, value
    return False, None


def _fold(node: Any, context: Mapping[str, Any], tests: Mapping[str, bool]) -> Any:
    if isinstance(node, list):
        return [_fold(item, context, tests) for item in node]
    if not isinstance(node, dict):
        return node
    if len(node) != 1:
        return {key: _fold(value, context, tests) for key, value in node.items()}
    ((op, arg),) = node.items()
    if op == "Value":
        return node  # a literal: nothing of the request inside
    if op == "Record" and isinstance(arg, dict):  # its keys are names, not operators
        return {op: {key: _fold(value, context, tests) for key, value in arg.items()}}
    if op == "Var":
        if arg == "context":
            raise _Unfoldable("the whole context is used")
        return node
    if op in (".", "has") and isinstance(arg, dict) and arg.get("left") == _CONTEXT:
        name = arg.get("attr")
        if not isinstance(name, str) or name not in context:
            raise _Unfoldable(f"the context has no field `{name}`")
        return {"Value": context[name]} if op == "." else {"Value": True}
    if tests and _is_request_test(node):
        known = tests.get(test_key(node))
        if known is not None:
            return {"Value": known}
    if op in ("&&", "||") and isinstance(arg, dict):
        left = _fold(arg["left"], context, tests)
        if _is_bool(left, op == "||"):  # false && X, true || X: X is never evaluated
            return left
        right = _fold(arg["right"], context, tests)
        if _is_bool(left, op == "&&") and (_is_bool(right, True) or _is_bool(right, False)):
            return right  # true && b, false || b, b a boolean: b
        return {op: {"left": left, "right": right}}
    if op == "!" and isinstance(arg, dict):
        operand = _fold(arg["arg"], context, tests)
        known, value = _literal(operand)
        if known and type(value) is bool:
            return {"Value": not value}
        return {op: {"arg": operand}}
    if op == "if-then-else" and isinstance(arg, dict):
        test = _fold(arg["if"], context, tests)
        known, value = _literal(test)
        if known and type(value) is bool:
            return _fold(arg["then"] if value else arg["else"], context, tests)
        return {op: {"if": test, "then": _fold(arg["then"], context, tests),
                     "else": _fold(arg["else"], context, tests)}}
    folded = {op: _fold(arg, context, tests)}
    if op in _COMPARE:
        return _compare(op, folded[op]) or folded
    return folded


def _compare(op: str, arg: Any) -> dict[str, Any] | None:
    """A comparison of two literals of one scalar type, evaluated as Cedar would; else None."""
    if not isinstance(arg, dict):
        return None
    known_left, left = _literal(arg.get("left"))
    known_right, right = _literal(arg.get("right"))
    if not (known_left and known_right) or type(left) is not type(right):
        return None
    if op == "==":
        return {"Value": left == right}
    if op == "!=":
        return {"Value": left != right}
    if type(left) is not int:  # Cedar orders only numbers here (strings: a type error)
        return None
    result = {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[op]
    return {"Value": result}
