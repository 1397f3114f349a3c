"""Validate and test policy packs: a pack's policies against the Cedar schema built from the
service catalog, and its Given/When/Then corpus against those policies."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from daylight.core.errors import InputError, NotFoundError, VerificationError
from daylight.policy.catalog import Catalog
from daylight.policy.corpus import CaseResult, failures, parse_corpus, run_corpus
from daylight.policy.pack import PolicyPack
from daylight.policy.policies import CompiledPolicies, compile_policies
from daylight.policy.schema import PolicySchema, build_schema


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
