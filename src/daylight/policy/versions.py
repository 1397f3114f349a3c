"""Policy versions: publish the union of tested packs as a numbered version with its text hash
in the transparency log, and find the version in force at a time.

A version is the union of one or more packs, validated against the Cedar schema built from the
service catalog. ``publish`` MUST NOT publish a pack whose corpus fails. Each version has an
``effective_from`` time (by default its publication): the version in force at a time is the one
with the latest ``effective_from`` not after it, and effective times never go backwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from daylight.core.clock import parse_utc_text, utc_text
from daylight.core.database import Database
from daylight.core.entry_types import POLICY_VERSION
from daylight.core.errors import ConflictError, InputError
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.pack import PolicyPack
from daylight.policy.policies import compile_policies
from daylight.policy.schema import build_schema
from daylight.policy.store import (
    PolicyVersion,
    insert_version,
    latest_version,
    read_version,
    read_versions,
)
from daylight.policy.validation import PackTest, run_pack_tests, verify_pack


def list_versions(database: Database) -> list[PolicyVersion]:
    """Every published version, oldest first."""
    return read_versions(database)


def get_version(database: Database, version: int) -> PolicyVersion:
    """One published version; NotFoundError if there is none with that number."""
    return read_version(database, version)


def version_in_force(versions: Sequence[PolicyVersion], at: datetime) -> PolicyVersion | None:
    """The version in force at ``at``: the latest whose effective time is not after it."""
    moment = at.astimezone(UTC)
    current = None
    for version in versions:
        if parse_utc_text(version.effective_from) <= moment:
            current = version
    return current


@dataclass(frozen=True)
class Publication:
    """What ``publish`` did: the version in force for these packs, and whether it is new."""

    version: PolicyVersion
    published: bool
    tests: tuple[PackTest, ...]

    def to_json(self) -> dict[str, Any]:
        return {**self.version.to_json(), "published": self.published,
                "corpus": {t.pack.name: {"cases": len(t.results),
                                         "passed": sum(r.passed for r in t.results)}
                           for t in self.tests}}


def publish(database: Database, log: TransparencyLog, packs: Sequence[PolicyPack], catalog: Catalog,
            now: datetime, *, effective_from: datetime | None = None) -> Publication:
    """Validate and test every pack, validate their union, and publish it as a new version
    (its text hash in the log, atomically with the row). Publishing the text of the latest
    version again publishes nothing and returns that version."""
    if not packs:
        raise InputError("name at least one pack to publish")
    names = [p.name for p in packs]
    if len(set(names)) != len(names):
        raise InputError(f"a pack is named twice: {names}")
    schema = build_schema(catalog)
    tests = tuple(run_pack_tests(pack, catalog, schema) for pack in packs)
    for result in tests:
        verify_pack(result)
    union = compile_policies([f for p in packs for f in p.files], schema)
    effective = effective_from or now
    if effective.tzinfo is None:
        raise InputError("the effective time must carry a time zone", where="--effective")
    packs_json = [{"name": t.pack.name, "title": t.pack.title, "sha256": t.pack.sha256,
                   "policies": sorted(t.policies.rules)} for t in tests]
    with database.transaction() as tx:
        tx.lock("policy.version")
        latest = latest_version(tx)
        if (latest is not None and latest.policy_sha256 == union.sha256
                and latest.schema_sha256 == schema.sha256):
            return Publication(latest, False, tests)
        if latest is not None and effective < parse_utc_text(latest.effective_from):
            raise ConflictError(f"version {latest.version} is in force from {latest.effective_from}; "
                                "a new version cannot take effect before it", where="--effective")
        number = 1 if latest is None else latest.version + 1
        payload = {"version": number, "policy_sha256": union.sha256,
                   "schema_sha256": schema.sha256, "packs": packs_json,
                   "corpus": {t.pack.name: len(t.results) for t in tests},
                   "effective_from": utc_text(effective)}
        index = log.sequence_in(tx, [LogEntry(POLICY_VERSION, now, payload).encode()])
        version = PolicyVersion(number, tuple(packs_json), union.text, union.sha256, schema.text,
                                schema.sha256, utc_text(now), utc_text(effective), index)
        insert_version(tx, version)
    log.integrate()
    return Publication(version, True, tests)
