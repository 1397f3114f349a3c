"""Support in time and in kind, on the full shipped reference registry.

(1) Before/after: organisations supporting each sector as the registry counted them before
time and kind (any relationship, ever) and after (``support_during`` as of a date, with the
default look-back window), by kind of support, and how many of the companies supporting
immigration enforcement the shipped ``employee-demands`` rule refuses (a 287(g) agreement, or more
than $250,000 of a directly enabling kind).
(2) Speed: deciding the support of 1,000,000 SYNTHETIC accounts as of a date (each account
resolved to an organisation of the registry that supports something, drawn at random with a fixed
seed), from the support edges the classification stores — what the gate does when it builds its
entity store. Compared with today's screening (bench/registry/README.md: 2,428 accounts/s).

Run: bench/registry/run support [AS_OF] [N]   (defaults 2026-12-01 1000000)
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter, defaultdict

from daylight.policy.entities import SupportQuestion, support_facts
from daylight.registry.classification import Graph
from daylight.registry.reference.shipped import read_reference
from daylight.registry.support import SUPPORT_KINDS, summarize

AS_OF = sys.argv[1] if len(sys.argv) > 1 else "2026-12-01"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
DIRECT = ("detention_and_custody", "removal_transport", "surveillance_and_biometrics",
          "data_analytics_and_it", "enforcement_equipment")
DE_MINIMIS = 250_000


def main() -> None:
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()} (shared machine)")
    reference = read_reference()
    graph = Graph(reference.organizations, reference.relationships)
    edges = {}
    for org in reference.organizations:
        found = [e for _, _, es in graph.supports(org.id) for e in es]
        if found:
            edges[org.id] = found
    schema = {o.id: o.schema for o in reference.organizations}
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    kinds_before: dict[str, Counter[str]] = defaultdict(Counter)
    kinds_after: dict[str, Counter[str]] = defaultdict(Counter)
    refused = 0
    for org_id, org_edges in edges.items():
        if schema[org_id] != "Company":
            continue
        summary = summarize(org_edges, AS_OF)
        for sector in {e.sector for e in org_edges}:
            before[sector] += 1
            for kind in {e.kind for e in org_edges if e.sector == sector}:
                kinds_before[sector][kind] += 1
        for verdict in summary.verdicts:
            if not verdict.supported:
                continue
            after[verdict.sector] += 1
            for kind in verdict.by_kind:
                kinds_after[verdict.sector][kind] += 1
            if verdict.sector == "immigration_enforcement":
                weights = verdict.by_kind
                if "enforcement_agreement" in weights or any(
                        weights[k].award_total > DE_MINIMIS for k in DIRECT if k in weights):
                    refused += 1
    print(f"\ncompanies supporting each sector: before (any relationship, ever) -> after "
          f"(in force as of {AS_OF}, 365-day window)")
    for sector in sorted(before):
        print(f"  {sector}: {before[sector]:,} -> {after[sector]:,}")
        for kind in SUPPORT_KINDS:
            if kinds_before[sector][kind]:
                print(f"    {kind}: {kinds_before[sector][kind]:,} -> {kinds_after[sector][kind]:,}")
    print(f"  refused by employee-demands (287(g), or > ${DE_MINIMIS:,} of {', '.join(DIRECT)}): "
          f"{refused:,} of {after['immigration_enforcement']:,} companies supporting immigration "
          f"enforcement as of {AS_OF} (before: every one of {before['immigration_enforcement']:,})")

    rng = random.Random(11)
    org_ids = sorted(edges)
    accounts = [edges[rng.choice(org_ids)] for _ in range(N)]
    question = SupportQuestion(AS_OF)
    started = time.perf_counter()
    supporting = 0
    for account_edges in accounts:
        sectors, _ = support_facts(account_edges, question)
        supporting += bool(sectors)
    elapsed = time.perf_counter() - started
    print(f"\n{N:,} SYNTHETIC accounts (each resolved to one of {len(org_ids):,} organisations with "
          f"support edges) decided as of {AS_OF} in {elapsed:.1f} s ({N / elapsed:,.0f} accounts/s, "
          f"one process); {supporting:,} support a sector then. Screening today: 2,428 accounts/s "
          "on 2 processes.")


if __name__ == "__main__":
    main()
