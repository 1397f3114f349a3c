"""In-process decision latency and throughput: Daylight's ``PolicyEngine.decide`` and
``Gate.decide`` (which also records each decision) against bare ``cedarpy.is_authorized`` on the
same parsed policies and entities, in the same run, for 20, 200 and 2,000 policies.

    .venv/bin/python -m bench.policy.decide [--accounts 1000] [--decisions 20000] [--rounds 3]
        [--policies 20 200 2000] [--batch 64]

(``--decisions`` is per path and round at 20 policies; it is scaled down in proportion for
larger policy sets, to at least 1,000).

"cedarpy's extension, raw" is the floor under any Python caller of cedarpy: the function
cedarpy's wrapper calls (and ``PolicyEngine`` too), given the request with its context already
as JSON text, its answer left unread.

Bare cedarpy always gets every policy; the engine gives Cedar, per operation, only the policies
whose action scope can match it (the same decisions: the run checks them against bare cedarpy).

Bare Cedar gets the request already built (principal, action, resource and the full context as
a dict); Daylight's paths start from (account id, operation, caller's context) and do everything
a caller gets: validation of the context, the gate's own rules, reasons with their text, and for
``Gate`` the in-memory records. Runs are interleaved (bare, engine, gate, bare, ...) so that
background load affects them alike; the load average is printed before and after.

Each path is timed two ways: wall clock per call (p50, p99) and CPU time of the whole loop
(``time.process_time``, ``cpu_us``/``cpu_per_second``), because the machine is shared: wall
clock counts the time other processes hold the core, CPU time does not.

Batched paths (``--batch`` requests per call) decide the same requests in one call into Cedar:
bare ``cedarpy.is_authorized_batch`` against ``PolicyEngine.decide_many``; their per-decision
figures are the call's divided by the batch size.

``cedar-python`` (bindings with native entities, contexts and requests kept between calls)
has wheels for Python >= 3.12 only, and Daylight runs on 3.11: with ``--cedar-python PYTHON``
(an interpreter that has it; ``bench/policy/run`` makes ``.venv-cedar-python`` from a
``python3.12`` if it finds one) each round also runs ``bench/policy/cedar_python.py`` under it
on the same policies (Cedar's JSON form), entities and requests, and its first 500 decisions
are checked against bare cedarpy's.

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
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cedarpy
from cedarpy import _internal

from bench.policy.world import Request, accounts, machine, policy_set, requests
from daylight.core.database import Database, migrate
from daylight.home import all_migrations
from daylight.policy.catalog import Catalog, default_catalog
from daylight.policy.context import normalize_context
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import AccountFacts, _omitted, entity_json
from daylight.policy.gate import Gate
from daylight.policy.policies import CompiledPolicies
from daylight.policy.schema import build_schema


def _timed(call: Callable[[int], Any], count: int, per_call: int = 1) -> tuple[list[float], float]:
    """Per-decision wall-clock samples (µs) of ``count`` calls deciding ``per_call`` requests
    each, and the CPU time (s) of the whole loop."""
    samples = []
    clock = time.perf_counter_ns
    cpu = time.process_time()
    for i in range(count):
        start = clock()
        call(i)
        samples.append((clock() - start) / 1000 / per_call)
    return samples, time.process_time() - cpu


def _summary(samples: list[float], cpu_s: float, decisions: int) -> dict[str, float]:
    ordered = sorted(samples)
    cpu_us = cpu_s * 1e6 / decisions
    return {"p50_us": round(ordered[len(ordered) // 2], 1),
            "p99_us": round(ordered[int(len(ordered) * 0.99)], 1),
            "mean_us": round(statistics.fmean(ordered), 1),
            "per_second": round(1e6 / statistics.fmean(ordered)),
            "cpu_us": round(cpu_us, 1),
            "cpu_per_second": round(1e6 / cpu_us) if cpu_us else 0}


def _world_file(path: Path, compiled: CompiledPolicies, facts: list[AccountFacts],
                reqs: list[Request], catalog: Catalog) -> None:
    """What ``bench/policy/cedar_python.py`` needs: the same policies, entities and requests."""
    schema = build_schema(catalog)
    est = json.loads(cedarpy.policies_to_json_str(compiled.text))
    est["staticPolicies"] = {(raw.get("annotations") or {}).get("id"): raw
                             for raw in est["staticPolicies"].values()}
    path.write_text(json.dumps({
        "schema": schema.text, "policies": json.dumps(est),
        "entities": entity_json(facts, {}, catalog, omit=_omitted(schema.text)),
        "requests": [[r.account_id, r.operation, catalog.operations[r.operation].service,
                      normalize_context(r.context)] for r in reqs]}), encoding="utf-8")


def _cedar_python_round(python: str, world: Path) -> dict[str, Any]:
    done = subprocess.run([python, "-m", "bench.policy.cedar_python", str(world), "1"],
                          check=True, capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(total_policies: int | None, account_count: int, decisions: int, rounds: int,
        batch: int, cedar_python: str | None = None) -> dict[str, Any]:
    catalog = default_catalog()
    compiled = policy_set(total_policies, catalog)
    facts = accounts(account_count)
    reqs = requests(facts, decisions)
    engine = PolicyEngine(compiled, 1, facts, {}, catalog, cache_entries=0)
    cached = PolicyEngine(compiled, 1, facts, {}, catalog)
    hot = [(reqs[j].account_id, reqs[j].operation, reqs[j].context)
           for j in (i % 500 for i in range(decisions))]  # 500 distinct requests, repeating
    bare = [{"principal": {"type": "Account", "id": r.account_id},
             "action": {"type": "Action", "id": r.operation},
             "resource": {"type": "Service", "id": catalog.operations[r.operation].service},
             "context": normalize_context(r.context)} for r in reqs]
    triples = [(r.account_id, r.operation, r.context) for r in reqs]
    raw = [{**b, "context": json.dumps(b["context"])} for b in bare]
    native = engine.entities._inner
    batches = decisions // batch
    database = Database("sqlite:///:memory:")
    migrate(database, all_migrations())
    gate = Gate(database, catalog, facts=lambda _database, _question: facts, refresh_interval_s=None)
    gate.engine = engine  # the same parsed policies and entities as the other paths
    hot_bare = [bare[i % 500] for i in range(decisions)]
    paths: dict[str, tuple[Callable[[int], Any], int]] = {
        "bare cedarpy.is_authorized": (lambda i: cedarpy.is_authorized(
            bare[i], compiled.policy_set, engine.entities), 1),
        "cedarpy's extension, raw (context as JSON text, answer unread)": (
            lambda i: _internal.is_authorized(raw[i], compiled.policy_set, native, None, False), 1),
        "PolicyEngine.decide": (lambda i: engine.decide(*triples[i]), 1),
        "Gate.decide (records)": (lambda i: gate.decide(*triples[i]), 1),
        f"bare cedarpy.is_authorized_batch ({batch} per call)": (
            lambda i: cedarpy.is_authorized_batch(bare[i * batch:(i + 1) * batch],
                                                  compiled.policy_set, engine.entities), batch),
        f"PolicyEngine.decide_many ({batch} per call)": (
            lambda i: engine.decide_many(triples[i * batch:(i + 1) * batch]), batch),
        "hot: bare cedarpy.is_authorized": (lambda i: cedarpy.is_authorized(
            hot_bare[i], compiled.policy_set, engine.entities), 1),
        "hot: PolicyEngine.decide with its decision cache": (
            lambda i: cached.decide(*hot[i]), 1),
    }
    # the engine's first pass over the requests, once: it specialises the policy set to each
    # (operation, context) seen often (a one-off cost per pair, reported, not in the paths)
    first = time.process_time()
    for triple in triples:
        engine.decide(*triple)
    first_pass_us = (time.process_time() - first) * 1e6 / len(triples)
    specialised = sum(1 for s in engine._specialized.values() if s is not None)
    for call, size in paths.values():  # warm up
        _timed(call, max(1, 200 // size), size)
    expected = [cedarpy.is_authorized(b, compiled.policy_set, engine.entities) for b in bare[:500]]
    for i, decision in enumerate(engine.decide_many(triples[:500])):  # the answers agree
        assert decision.allowed == expected[i].allowed and decision == engine.decide(*triples[i])
    samples: dict[str, list[float]] = {name: [] for name in paths}
    cpu: dict[str, float] = dict.fromkeys(paths, 0.0)
    other: dict[str, float] = {}
    scratch = tempfile.TemporaryDirectory(prefix="daylight-bench-decide-")
    world = Path(scratch.name) / "world.json"
    if cedar_python:
        _world_file(world, compiled, facts, reqs, catalog)
    for _ in range(rounds):  # interleaved, so that background load affects every path alike
        for name, (call, size) in paths.items():
            taken, seconds = _timed(call, decisions // size, size)
            samples[name] += taken
            cpu[name] += seconds
        if cedar_python:  # in its own process: its CPU per decision, added up over rounds
            answer = _cedar_python_round(cedar_python, world)
            for name, figures in answer["paths"].items():
                other[name] = other.get(name, 0.0) + figures["cpu_us"] / rounds
            for i, (allowed, reasons, _) in enumerate(answer["decisions"]):  # they agree
                assert allowed == expected[i].allowed
                assert reasons == sorted(expected[i].diagnostics.reasons)
    scratch.cleanup()
    result = {name: _summary(samples[name], cpu[name], (decisions // size) * size * rounds)
              for name, (_, size) in paths.items()}
    for name, cpu_us in other.items():  # CPU only: its wall clock is not comparable
        result[name] = {"cpu_us": round(cpu_us, 1), "cpu_per_second": round(1e6 / cpu_us),
                        "p50_us": float("nan")}
    base = result["bare cedarpy.is_authorized"]
    for name in result:
        reference = result["hot: bare cedarpy.is_authorized"] if name.startswith("hot") else base
        result[name]["p50_vs_bare"] = round(result[name]["p50_us"] / reference["p50_us"], 2) \
            if result[name]["p50_us"] == result[name]["p50_us"] else None
        result[name]["cpu_vs_bare"] = round(result[name]["cpu_us"] / reference["cpu_us"], 2)
    database.close()
    return {"policies": len(compiled.rules), "accounts": account_count,
            "engine_first_pass_cpu_us": round(first_pass_us, 1),
            "specialised_policy_sets": specialised,
            "decisions_per_path": decisions * rounds, "batches_per_path": batches * rounds,
            "cedar-python": (f"compared, under {cedar_python}" if cedar_python else
                             "not compared: give --cedar-python PYTHON (an interpreter >= 3.12 "
                             "with cedar-python installed)"), "paths": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--decisions", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--policies", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--batch", type=int, default=64, help="requests per batched call")
    parser.add_argument("--cedar-python", default=None, metavar="PYTHON",
                        help="an interpreter (>= 3.12) with cedar-python, to compare it too")
    args = parser.parse_args()
    print(json.dumps({"machine_at_start": machine()}))
    for total in args.policies:
        # Cedar's cost grows with the policy count: fewer decisions keep each size to minutes
        count = max(1000, args.decisions * 20 // max(20, total))
        print(json.dumps(run(total, args.accounts, count, args.rounds, args.batch,
                             args.cedar_python)), flush=True)
    print(json.dumps({"machine_at_end": machine()}))


if __name__ == "__main__":
    main()
