"""The benchmark world: SYNTHETIC accounts as Cedar entities, the shipped packs plus generated
per-organisation policies to reach a policy count, and a fixed mix of requests."""

from __future__ import annotations

import json
import os
import platform
import random
from dataclasses import dataclass
from typing import Any

from daylight.policy.catalog import Catalog, default_catalog
from daylight.policy.entities import AccountFacts
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.policies import CompiledPolicies, PolicyText, compile_policies
from daylight.policy.schema import build_schema

SECTORS = ("commercial",) * 16 + ("law_enforcement", "immigration_enforcement", "military", "unknown")
OPERATIONS = ("face.search", "face.compare", "face.detect", "compute.instance", "storage.object",
              "video.stream_analysis", "emotion.analyze", "analytics.query")
CONTEXTS: tuple[dict[str, Any] | None, ...] = (
    None, None, None, {"purpose": "identity_verification"},
    {"real_time": True, "public_space": True, "country": "DE"}, {"setting": "workplace"})


def machine() -> dict[str, Any]:
    """What the figures were measured on, and how busy it was."""
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "python": platform.python_version(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def accounts(count: int, seed: int = 3) -> list[AccountFacts]:
    """``count`` SYNTHETIC accounts with a realistic mix of sectors."""
    rng = random.Random(seed)
    facts = []
    for n in range(count):
        sector = rng.choice(SECTORS)
        supports = frozenset({"immigration_enforcement"}) if rng.random() < 0.03 else frozenset()
        facts.append(AccountFacts(f"SYNTHETIC-{n:07d}", sector, supports,
                                  rng.choice(("US", "US", "US", "DE", "FR", "GB")),
                                  f"SYNTHETIC-org-{n:07d}", "accepted"))
    return facts


def policy_set(total: int | None, catalog: Catalog | None = None) -> CompiledPolicies:
    """The four shipped packs plus generated forbids (one per SYNTHETIC organisation: the pattern
    to avoid, measured to show what it costs) up to ``total`` policies (None: the packs alone,
    as `daylight serve` has them in the HTTP benchmark)."""
    catalog = catalog or default_catalog()
    files = [f for name in shipped_pack_names() for f in load_pack(name).files]
    base = compile_policies(files, build_schema(catalog))
    extra = 0 if total is None else total - len(base.rules)
    if extra < 0:
        raise ValueError(f"the shipped packs alone have {len(base.rules)} policies")
    generated = "".join(
        f'@id("bench/org-{n:05d}") @reason("a per-organisation refusal (benchmark)")\n'
        f'forbid (principal, action in Action::"biometric_identification", resource) '
        f'when {{ principal.organization == "SYNTHETIC-org-{9_000_000 + n:07d}" }};\n'
        for n in range(extra))
    parts = [*files, PolicyText("bench/generated.cedar", generated)] if extra else files
    return compile_policies(parts, build_schema(catalog))


@dataclass(frozen=True)
class Request:
    account_id: str
    operation: str
    context: dict[str, Any] | None


def requests(facts: list[AccountFacts], count: int, seed: int = 5) -> list[Request]:
    rng = random.Random(seed)
    return [Request(rng.choice(facts).account_id, rng.choice(OPERATIONS), rng.choice(CONTEXTS))
            for _ in range(count)]


def bodies(reqs: list[Request]) -> list[bytes]:
    """The requests as `POST /v1/decisions` bodies."""
    return [json.dumps({"account_id": r.account_id, "operation": r.operation,
                        **({"context": r.context} if r.context else {})}).encode() for r in reqs]
