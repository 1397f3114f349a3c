"""In-process decision latency and throughput: Daylight's ``PolicyEngine.decide`` and
``Gate.decide`` (which also records each decision) against bare ``cedarpy.is_authorized`` on the
same parsed policies and entities, in the same run, for 20, 200 and 2,000 policies.

    .venv/bin/python -m bench.policy.decide [--accounts 1000] [--decisions 20000] [--rounds 2]

(``--decisions`` is per path and round at 20 policies; it is scaled down in proportion for
larger policy sets, to at least 1,000).

Bare Cedar gets the request already built (principal, action, resource and the full context as
a dict); Daylight's paths start from (account id, operation, caller's context) and do everything
a caller gets: validation of the context, the gate's own rules, reasons with their text, and for
``Gate`` the in-memory records. Runs are interleaved (bare, engine, gate, bare, ...) so that
background load affects them alike; the load average is printed before and after.

The first three paths decide 20,000 random requests (1,000 accounts × 8 operations × 6 contexts)
with ``PolicyEngine``'s decision cache off: every decision goes through Cedar. The two "hot" paths
repeat 500 distinct requests, the pattern of a gateway whose customers call the same operations
again and again: bare Cedar against the engine with its cache (a decision is a pure function of
account, operation and context for one engine snapshot).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import cedarpy

from bench.policy.world import accounts, machine, policy_set, requests
from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.policy.catalog import default_catalog
from daylight.policy.context import normalize_context
from daylight.policy.engine import PolicyEngine
from daylight.policy.gate import Gate


def _timed(call: Callable[[int], Any], count: int) -> list[float]:
    samples = []
    clock = time.perf_counter_ns
    for i in range(count):
        start = clock()
        call(i)
        samples.append((clock() - start) / 1000)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_us": round(ordered[len(ordered) // 2], 1),
            "p99_us": round(ordered[int(len(ordered) * 0.99)], 1),
            "mean_us": round(statistics.fmean(ordered), 1),
            "per_second": round(1e6 / statistics.fmean(ordered))}


def run(total_policies: int, account_count: int, decisions: int, rounds: int) -> dict[str, Any]:
    catalog = default_catalog()
    compiled = policy_set(total_policies, catalog)
    facts = accounts(account_count)
    reqs = requests(facts, decisions)
    engine = PolicyEngine(compiled, 1, facts, {}, catalog, cache_entries=0)
    cached = PolicyEngine(compiled, 1, facts, {}, catalog)
    hot = [reqs[i % 500] for i in range(decisions)]  # 500 distinct requests, repeating
    bare = [{"principal": {"type": "Account", "id": r.account_id},
             "action": {"type": "Action", "id": r.operation},
             "resource": {"type": "Service", "id": catalog.operations[r.operation].service},
             "context": normalize_context(r.context)} for r in reqs]
    database = Database("sqlite:///:memory:")
    migrate(database, all_migrations())
    gate = Gate(database, catalog, facts=lambda _: facts, refresh_interval_s=None)
    gate.engine = engine  # the same parsed policies and entities as the other paths
    hot_bare = [bare[i % 500] for i in range(decisions)]
    paths: dict[str, Callable[[int], Any]] = {
        "bare cedarpy.is_authorized": lambda i: cedarpy.is_authorized(
            bare[i], compiled.policy_set, engine.entities),
        "PolicyEngine.decide": lambda i: engine.decide(reqs[i].account_id, reqs[i].operation,
                                                       reqs[i].context),
        "Gate.decide (records)": lambda i: gate.decide(reqs[i].account_id, reqs[i].operation,
                                                       reqs[i].context),
        "hot: bare cedarpy.is_authorized": lambda i: cedarpy.is_authorized(
            hot_bare[i], compiled.policy_set, engine.entities),
        "hot: PolicyEngine.decide with its decision cache": lambda i: cached.decide(
            hot[i].account_id, hot[i].operation, hot[i].context),
    }
    for call in paths.values():  # warm up, and check that the answers agree
        _timed(call, 200)
    for i in range(200):
        assert engine.decide(reqs[i].account_id, reqs[i].operation, reqs[i].context).allowed == \
            cedarpy.is_authorized(bare[i], compiled.policy_set, engine.entities).allowed
    samples: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, call in paths.items():
            samples[name] += _timed(call, decisions)
    result = {name: _summary(s) for name, s in samples.items()}
    base = result["bare cedarpy.is_authorized"]["p50_us"]
    for name in result:
        reference = result["hot: bare cedarpy.is_authorized"]["p50_us"] if name.startswith("hot") else base
        result[name]["p50_vs_bare"] = round(result[name]["p50_us"] / reference, 2)
    database.close()
    return {"policies": len(compiled.rules), "accounts": account_count,
            "decisions_per_path": decisions * rounds, "paths": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--policies", type=int, nargs="+", default=[20, 200, 2000])
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}))
    for total in args.policies:
        # Cedar's cost grows with the policy count: fewer decisions keep each size to minutes
        count = max(1000, args.decisions * 20 // max(20, total))
        print(json.dumps(run(total, args.accounts, count, args.rounds)), flush=True)
    print(json.dumps({"machine_at_end": machine()}))


if __name__ == "__main__":
    main()
