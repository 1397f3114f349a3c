"""A decision is a value: allowed or not, the policies that decided (with their reasons), the
policy version it was made under, and any errors. A deny is never an exception.

Besides the Cedar policies of a version, four gate rules can decide; their ids start with
``daylight:`` (pack policy ids cannot):

- ``daylight:default-deny``    no policy permits the request (Cedar's deny by default);
- ``daylight:policy-error``    a policy could not be evaluated: the decision fails closed;
- ``daylight:unknown-account`` the account is not in the registry;
- ``daylight:no-policy-version`` no policy version is in force.

An allowed decision that rests on a customer's approved declaration also names it, with the
reason ``daylight:declaration`` (one per declaration: its id, capability and purpose).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from daylight.core.errors import InputError

DEFAULT_DENY = "daylight:default-deny"
POLICY_ERROR = "daylight:policy-error"
UNKNOWN_ACCOUNT = "daylight:unknown-account"
NO_POLICY_VERSION = "daylight:no-policy-version"
DECLARATION = "daylight:declaration"

GATE_REASONS = {
    DEFAULT_DENY: "no policy permits this request: Daylight denies by default",
    POLICY_ERROR: "a policy could not be evaluated, so the gate fails closed; see errors",
    UNKNOWN_ACCOUNT: "the account is not in the registry: unknown accounts are denied until "
                     "they are imported and screened",
    NO_POLICY_VERSION: "no policy version is in force: publish one with `daylight policy publish`",
}


@dataclass(frozen=True)
class Reason:
    """A policy that decided, and why, in words."""

    policy: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"policy": self.policy, "reason": self.reason}


def gate_reason(policy: str) -> Reason:
    """The reason of one of the gate's own rules."""
    return Reason(policy, GATE_REASONS[policy])


@dataclass(frozen=True)
class Decision:
    """The answer to "may this account call this operation now?"."""

    allowed: bool
    reasons: tuple[Reason, ...]
    policy_version: int | None
    errors: tuple[str, ...] = ()

    @property
    def outcome(self) -> str:
        return "allow" if self.allowed else "deny"

    @property
    def policy_ids(self) -> tuple[str, ...]:
        return tuple(r.policy for r in self.reasons)

    def to_json(self) -> dict[str, Any]:
        """The shape `daylight decide` prints and `POST /v1/decisions` answers."""
        return {"allowed": self.allowed, "reasons": [r.to_json() for r in self.reasons],
                "policy_version": self.policy_version, "errors": list(self.errors)}

    @classmethod
    def from_json(cls, value: Any) -> Decision:
        """Read the shape ``to_json`` writes; InputError if it is not that shape."""
        try:
            if set(value) != {"allowed", "reasons", "policy_version", "errors"}:
                raise ValueError(f"keys {sorted(value)}")
            allowed, version = value["allowed"], value["policy_version"]
            if not isinstance(allowed, bool) or not (version is None or type(version) is int):
                raise ValueError("allowed must be a boolean and policy_version an integer or null")
            reasons = tuple(Reason(str(r["policy"]), str(r["reason"])) for r in value["reasons"])
            errors = tuple(str(e) for e in value["errors"])
        except (TypeError, KeyError, ValueError) as exc:
            raise InputError(f"not a decision: {exc}") from exc
        return cls(allowed, reasons, version, errors)


def denied(policy: str, version: int | None, errors: Sequence[str] = ()) -> Decision:
    """A deny by one of the gate's own rules."""
    return Decision(False, (gate_reason(policy),), version, tuple(errors))
