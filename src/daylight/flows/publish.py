"""Publish a policy: validate packs, run their corpora, and publish their union as a numbered
version in the log; list the shipped packs and the published versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.pack import PolicyPack, load_pack, shipped_pack_names
from daylight.policy.policies import CompiledPolicies
from daylight.policy.schema import PolicySchema, build_schema
from daylight.policy.store import PolicyVersion
from daylight.policy.validation import PackTest, compile_pack, run_pack_tests
from daylight.policy.versions import Publication, list_versions, publish, version_in_force


@dataclass(frozen=True)
class PackValidation:
    """A pack whose policies are valid against the Cedar schema of the shipped catalog."""

    pack: PolicyPack
    schema: PolicySchema
    policies: CompiledPolicies

    def to_json(self) -> dict[str, Any]:
        """What ``daylight policy validate`` prints."""
        return {"pack": self.pack.name, "sha256": self.pack.sha256,
                "schema_sha256": self.schema.sha256, "valid": True,
                "policies": [{"id": r.id, "effect": r.effect, "reason": r.reason}
                             for r in self.policies.rules.values()]}


def validate_pack(pack: str) -> PackValidation:
    """Parse the pack (a shipped name or a directory) and validate it; InputError if invalid."""
    loaded = load_pack(pack)
    schema = build_schema(default_catalog())
    return PackValidation(loaded, schema, compile_pack(loaded, schema))


def check_pack(pack: str) -> PackTest:
    """Validate the pack and run its Given/When/Then corpus (the result says which cases fail)."""
    return run_pack_tests(load_pack(pack), default_catalog())



def publish_packs(database: Database, log: TransparencyLog, packs: Sequence[str], *,
                  clock: Clock = utc_now, effective_from: datetime | None = None) -> Publication:
    """Validate and test the packs, then publish their union as a new version (nothing new if
    it is the text of the latest version)."""
    return publish(database, log, [load_pack(p) for p in packs], default_catalog(), clock(),
                   effective_from=effective_from)


@dataclass(frozen=True)
class PolicyListing:
    """The shipped packs, the published versions, and the one in force."""

    packs: tuple[dict[str, Any], ...]
    versions: tuple[PolicyVersion, ...]
    in_force: PolicyVersion | None

    def to_json(self) -> dict[str, Any]:
        """What ``daylight policy list`` prints."""
        return {"packs": list(self.packs),
                "in_force": self.in_force.to_json() if self.in_force else None,
                "versions": [v.to_json() for v in self.versions]}


def list_policies(database: Database, *, clock: Clock = utc_now) -> PolicyListing:
    """The shipped packs and every published version, with the one in force now."""
    versions = list_versions(database)
    return PolicyListing(tuple(load_pack(name).describe() for name in shipped_pack_names()),
                         tuple(versions), version_in_force(versions, clock()))
