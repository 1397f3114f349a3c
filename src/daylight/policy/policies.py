"""Cedar policy text → a validated, parsed policy set whose policies are named by their ``@id``.

Every policy MUST carry ``@id("<pack>/<name>")`` and a human ``@reason("...")``; ids are unique
across everything published together. Policies are parsed by Cedar, validated against the Cedar
schema (strict mode), and turned into a ``cedarpy.PolicySet`` whose policy ids are the ``@id``
values, so that Cedar's diagnostics name the policies the way people do. Any problem is refused
with an ``InputError`` carrying Cedar's message and the file; nothing is skipped.

Before Cedar sees a text, its size is bounded (``verify_cedar_bounds``): Cedar's parser,
validator and evaluator recurse over the expression tree, and a deep enough tree overflows the
native stack (a segmentation fault, not an error: 1,000 nested parentheses, or 20,000 terms
joined by ``&&``, did so with cedarpy 4.12). So brackets nest at most ``MAX_CEDAR_NESTING``
deep and one policy has at most ``MAX_CEDAR_OPERATORS`` operators (each binary or unary
operator, ``.`` access, ``in``, ``has``, ``like``, ``is`` and ``if``), an order of magnitude
below where the crashes start and far above what a readable policy needs (a long list of
alternatives is a set: ``[..].contains(x)``). The count is a hand-written scan of Cedar's
tokens, since nothing else reads Cedar without building the tree that overflows.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from daylight.core.errors import InputError
from daylight.policy.schema import PolicySchema

if TYPE_CHECKING:
    import cedarpy

POLICY_ID = re.compile(r"[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9.-]*")
MAX_REASON_CHARS = 500
MAX_CEDAR_NESTING = 64
MAX_CEDAR_OPERATORS = 256

_CEDAR_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|//[^\n]*|[A-Za-z_][A-Za-z0-9_]*|&&|\|\||==|!=|<=|>='
                          r"|[-+*<>!.()\[\]{};]")
_OPENING, _CLOSING = frozenset("([{"), frozenset(")]}")
_OPERATORS = frozenset({"&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "!", ".",
                        "in", "has", "like", "is", "if"})


@dataclass(frozen=True)
class PolicyText:
    """Cedar text from one file, with where it came from (for error messages)."""

    where: str
    text: str


@dataclass(frozen=True)
class Rule:
    """One Cedar policy: its id, effect (permit/forbid) and the reason people read."""

    id: str
    effect: str
    reason: str


@dataclass(frozen=True)
class CompiledPolicies:
    """A validated policy set, parsed once, with the rules it contains."""

    text: str
    rules: Mapping[str, Rule]
    policy_set: cedarpy.PolicySet
    schema: PolicySchema

    @property
    def sha256(self) -> str:
        return policy_text_sha256(self.text)


def policy_text_sha256(text: str) -> str:
    """The SHA-256 (hex) of policy text as UTF-8: the hash logged with each version."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def join_texts(parts: Sequence[PolicyText]) -> str:
    """One text of several files, each headed by a comment naming it (the text that is hashed)."""
    return "".join(f"// file: {p.where}\n{p.text.rstrip()}\n\n" for p in parts)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def verify_cedar_bounds(part: PolicyText) -> None:
    """InputError naming the file and line if brackets nest deeper than ``MAX_CEDAR_NESTING``
    or a policy (text up to a ``;`` outside brackets) has more than ``MAX_CEDAR_OPERATORS``
    operators. Strings and comments are skipped."""
    depth = operators = 0
    policy_start = 0
    for token in _CEDAR_TOKEN.finditer(part.text):
        value = token.group()
        if value in _OPENING:
            depth += 1
            if depth > MAX_CEDAR_NESTING:
                raise InputError(f"brackets nest more than {MAX_CEDAR_NESTING} deep: Cedar "
                                 "could not read it safely",
                                 where=f"{part.where}:{_line(part.text, token.start())}")
        elif value in _CLOSING:
            depth = max(depth - 1, 0)
        elif value == ";" and depth == 0:
            operators, policy_start = 0, token.end()
        elif value in _OPERATORS:
            operators += 1
            if operators > MAX_CEDAR_OPERATORS:
                raise InputError(f"a policy has more than {MAX_CEDAR_OPERATORS} operators: Cedar "
                                 "could not read it safely (a long list of alternatives is a "
                                 "set: `[...].contains(x)`)",
                                 where=f"{part.where}:{_line(part.text, policy_start)}")


def _parse(part: PolicyText) -> dict[str, Any]:
    import cedarpy  # heavy: loaded where used, not at start-up

    verify_cedar_bounds(part)
    try:
        est: dict[str, Any] = json.loads(cedarpy.policies_to_json_str(part.text))
    except ValueError as exc:
        raise InputError(f"invalid Cedar: {_one_line(exc)}", where=part.where) from exc
    except RecursionError as exc:  # the policy's tree in JSON, nested as deep as the tree
        raise InputError("invalid Cedar: a policy is nested too deeply", where=part.where) from exc
    if est.get("templates"):
        raise InputError("templates (policies with ?principal or ?resource) are not supported: "
                         "put per-account facts in entity attributes", where=part.where)
    return est


def _rule(raw: Mapping[str, Any], where: str, position: int) -> Rule:
    annotations = raw.get("annotations") or {}
    policy_id = annotations.get("id")
    reason = annotations.get("reason")
    label = f"policy {position + 1}"
    if not isinstance(policy_id, str) or not POLICY_ID.fullmatch(policy_id):
        raise InputError(f"{label} needs @id(\"<pack>/<name>\") matching `{POLICY_ID.pattern}`, "
                         f"got `{policy_id}`", where=where)
    if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON_CHARS:
        raise InputError(f"policy `{policy_id}` needs a @reason(\"...\") of 1 to "
                         f"{MAX_REASON_CHARS} characters that people can read", where=where)
    return Rule(policy_id, str(raw["effect"]), " ".join(reason.split()))


def _validate(part: PolicyText, schema: PolicySchema) -> None:
    import cedarpy  # heavy: loaded where used, not at start-up

    result = cedarpy.validate_policies(part.text, schema.handle)
    if result.validation_passed:
        return
    names = result.id_annotations_by_policy_id
    problems = [f"{names.get(e.policy_id, e.policy_id) or 'policies'}: {_one_line(e.error)}"
                for e in result.errors]
    raise InputError(f"policies do not validate against the Cedar schema: {problems[0]}"
                     + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                     where=part.where, evidence={"errors": problems})


def compile_policies(parts: Sequence[PolicyText], schema: PolicySchema, *,
                     text: str | None = None) -> CompiledPolicies:
    """Parse, check annotations, validate against ``schema`` and build the policy set.

    ``text`` is the text the result is known by (and hashed as); by default the parts joined
    with ``join_texts``. A stored version passes its stored text as the one part and as ``text``.

    Raises InputError naming the file for a parse error, a missing ``@id``/``@reason``, a
    duplicate id, or a policy the schema's validator refuses.
    """
    import cedarpy  # heavy: loaded where used, not at start-up

    rules: dict[str, Rule] = {}
    static: dict[str, Any] = {}
    for part in parts:
        est = _parse(part)
        _validate(part, schema)
        for position, raw in enumerate(est.get("staticPolicies", {}).values()):
            rule = _rule(raw, part.where, position)
            if rule.id in rules:
                raise InputError(f"policy id `{rule.id}` is used twice", where=part.where)
            rules[rule.id] = rule
            static[rule.id] = raw
    if not rules:
        raise InputError("no policies: an empty policy set would deny everything silently",
                         where=", ".join(p.where for p in parts) or None)
    document = json.dumps({"staticPolicies": static, "templates": {}, "templateLinks": []})
    try:
        policy_set = cedarpy.PolicySet.from_json_str(document)
    except ValueError as exc:
        deepest = max(static, key=lambda rule_id: _json_depth(static[rule_id]))
        if _json_depth(static[deepest]) >= _CEDAR_JSON_DEPTH:
            raise InputError(f"policy `{deepest}` nests its expressions too deeply for Cedar "
                             f"(each chained operator is one level; at most about "
                             f"{_CEDAR_JSON_DEPTH // 2})", where=", ".join(p.where for p in parts)
                             ) from exc
        raise InputError(f"cedar refused the policy set: {_one_line(exc)}") from exc
    return CompiledPolicies(join_texts(parts) if text is None else text, MappingProxyType(rules),
                            policy_set, schema)


_CEDAR_JSON_DEPTH = 120  # Cedar reads a policy set's JSON with serde_json's limit of 128 levels


def _json_depth(value: Any) -> int:
    """How deep lists and objects nest in ``value`` (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in
                         (item.values() if isinstance(item, dict) else item))
    return deepest


def _one_line(value: object) -> str:
    text = str(value).strip()
    return " ".join(text.split()) if text else type(value).__name__
