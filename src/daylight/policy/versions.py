"""Policy versions: validate and test packs, publish their union as a numbered version with its
text hash in the transparency log, and find the version in force at a time.

A version is the union of one or more packs, validated against the Cedar schema built from the
service catalog. ``publish`` MUST NOT publish a pack whose corpus fails. Each version has an
``effective_from`` time (by default its publication): the version in force at a time is the one
with the latest ``effective_from`` not after it, and effective times never go backwards.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from daylight.core.database import Database, Migration, Transaction, load_migrations
from daylight.core.errors import ConflictError, InputError, NotFoundError, VerificationError
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import Catalog
from daylight.policy.corpus import CaseResult, failures, parse_corpus, run_corpus
from daylight.policy.pack import PolicyPack
from daylight.policy.policies import CompiledPolicies, PolicyText, compile_policies
from daylight.policy.schema import PolicySchema, build_schema, parse_schema

VERSION_ENTRY = "policy.version"
_COLUMNS = ("version", "packs", "policy_text", "policy_sha256", "schema_text", "schema_sha256",
            "published_at", "effective_from", "log_index")


def policy_migrations() -> list[Migration]:
    """The policy layer's schema migrations."""
    return load_migrations("policy", "daylight.policy")


def utc_text(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class PolicyVersion:
    """A published version, with the texts it was published with."""

    version: int
    packs: tuple[dict[str, Any], ...]
    policy_text: str
    policy_sha256: str
    schema_text: str
    schema_sha256: str
    published_at: str
    effective_from: str
    log_index: int

    def to_json(self) -> dict[str, Any]:
        """The version as `daylight policy list` shows it (without the texts)."""
        return {"version": self.version, "policy_sha256": self.policy_sha256,
                "schema_sha256": self.schema_sha256, "packs": list(self.packs),
                "published_at": self.published_at, "effective_from": self.effective_from,
                "log_index": self.log_index}

    def compile(self) -> CompiledPolicies:
        """Parse the stored texts again (they were valid when published)."""
        schema = parse_schema(self.schema_text, where=f"policy version {self.version} schema")
        return compile_policies([PolicyText(f"policy version {self.version}", self.policy_text)],
                                schema, text=self.policy_text)


def compile_pack(pack: PolicyPack, schema: PolicySchema) -> CompiledPolicies:
    """A pack's policies, validated; every id must start with the pack's name."""
    compiled = compile_policies(pack.files, schema)
    for rule_id in compiled.rules:
        if not rule_id.startswith(f"{pack.name}/"):
            raise InputError(f"policy `{rule_id}` must have an id starting with `{pack.name}/`",
                             where=pack.location)
    return compiled


@dataclass(frozen=True)
class PackTest:
    """A pack and the results of its corpus."""

    pack: PolicyPack
    policies: CompiledPolicies
    results: tuple[CaseResult, ...]

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    def summary(self) -> dict[str, Any]:
        return {"pack": self.pack.name, "sha256": self.pack.sha256,
                "policies": len(self.policies.rules), "cases": len(self.results),
                "passed": sum(r.passed for r in self.results), "failures": failures(self.results)}


def run_pack_tests(pack: PolicyPack, catalog: Catalog, schema: PolicySchema | None = None) -> PackTest:
    """Validate ``pack`` and run its corpus (a pack without a corpus cannot be tested)."""
    schema = schema or build_schema(catalog)
    policies = compile_pack(pack, schema)
    if pack.corpus_text is None:
        raise NotFoundError(f"pack `{pack.name}` has no corpus.json: every pack needs its "
                            "Given/When/Then cases", where=pack.location)
    corpus = parse_corpus(pack.corpus_text, where=f"{pack.location}/corpus.json")
    if corpus.pack != pack.name:
        raise InputError(f"the corpus is for pack `{corpus.pack}`, not `{pack.name}`",
                         where=f"{pack.location}/corpus.json")
    return PackTest(pack, policies, tuple(run_corpus(corpus, policies, catalog)))


def verify_pack(result: PackTest) -> None:
    """Raise VerificationError (with the failing cases) unless every case passed."""
    if not result.passed:
        failed = failures(result.results)
        raise VerificationError(f"pack `{result.pack.name}` fails {len(failed)} of "
                                f"{len(result.results)} corpus cases: {failed[0]['name']}",
                                evidence={"failures": json.dumps(failed)})


def _row(row: Sequence[Any]) -> PolicyVersion:
    return PolicyVersion(int(row[0]), tuple(json.loads(row[1])), row[2], row[3], row[4], row[5],
                         row[6], row[7], int(row[8]))


def _latest(tx: Transaction) -> PolicyVersion | None:
    row = tx.query_one(f"SELECT {', '.join(_COLUMNS)} FROM policy_version "
                       "ORDER BY version DESC LIMIT 1")
    return _row(row) if row is not None else None


def list_versions(database: Database) -> list[PolicyVersion]:
    """Every published version, oldest first."""
    with database.transaction(write=False) as tx:
        rows = tx.query(f"SELECT {', '.join(_COLUMNS)} FROM policy_version ORDER BY version")
    return [_row(r) for r in rows]


def version_in_force(versions: Sequence[PolicyVersion], at: datetime) -> PolicyVersion | None:
    """The version in force at ``at``: the latest whose effective time is not after it."""
    moment = at.astimezone(UTC)
    current = None
    for version in versions:
        if parse_time(version.effective_from) <= moment:
            current = version
    return current


def get_version(database: Database, version: int) -> PolicyVersion:
    with database.transaction(write=False) as tx:
        row = tx.query_one(f"SELECT {', '.join(_COLUMNS)} FROM policy_version WHERE version = ?",
                           (version,))
    if row is None:
        raise NotFoundError(f"no policy version {version}")
    return _row(row)


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
        latest = _latest(tx)
        if (latest is not None and latest.policy_sha256 == union.sha256
                and latest.schema_sha256 == schema.sha256):
            return Publication(latest, False, tests)
        if latest is not None and effective < parse_time(latest.effective_from):
            raise ConflictError(f"version {latest.version} is in force from {latest.effective_from}; "
                                "a new version cannot take effect before it", where="--effective")
        number = 1 if latest is None else latest.version + 1
        payload = {"version": number, "policy_sha256": union.sha256,
                   "schema_sha256": schema.sha256, "packs": packs_json,
                   "corpus": {t.pack.name: len(t.results) for t in tests},
                   "effective_from": utc_text(effective)}
        index = log.sequence_in(tx, [LogEntry(VERSION_ENTRY, now, payload).encode()])
        version = PolicyVersion(number, tuple(packs_json), union.text, union.sha256, schema.text,
                                schema.sha256, utc_text(now), utc_text(effective), index)
        tx.execute(f"INSERT INTO policy_version ({', '.join(_COLUMNS)}) VALUES "
                   f"({', '.join('?' for _ in _COLUMNS)})",
                   (version.version, json.dumps(packs_json), version.policy_text,
                    version.policy_sha256, version.schema_text, version.schema_sha256,
                    version.published_at, version.effective_from, version.log_index))
    log.integrate()
    return Publication(version, True, tests)

