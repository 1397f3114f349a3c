"""What the engine's answers are checked against: the shipped packs compiled as the gate compiles
them, and Cedar's own public API (``cedarpy.is_authorized``) on the same policies and entities."""

from __future__ import annotations

from typing import Any

import cedarpy

from daylight.policy.catalog import Catalog
from daylight.policy.context import normalize_context
from daylight.policy.engine import PolicyEngine
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.policies import CompiledPolicies, compile_policies
from daylight.policy.schema import PolicySchema


def shipped_packs(schema: PolicySchema) -> CompiledPolicies:
    return compile_policies([f for name in shipped_pack_names() for f in load_pack(name).files],
                            schema)


def cedar_public_answer(engine: PolicyEngine, catalog: Catalog, account: str, operation: str,
                        context: dict[str, Any] | None) -> tuple[bool, list[str], list[str]]:
    """(allowed, reasons, errors) from cedarpy's public API for the engine's policies."""
    assert engine.policies is not None
    result = cedarpy.is_authorized(
        {"principal": {"type": "Account", "id": account},
         "action": {"type": "Action", "id": operation},
         "resource": {"type": "Service", "id": catalog.operations[operation].service},
         "context": normalize_context(context)},
        engine.policies.policy_set, engine.entities)
    return result.allowed, sorted(result.diagnostics.reasons), list(result.diagnostics.errors)
