"""The same decisions through `cedar-python` (PyPI; Python >= 3.12 only), whose entities,
contexts and requests are native objects kept between calls.

Run by ``bench.policy.decide --cedar-python PYTHON`` under an interpreter that has it (Daylight
itself runs on 3.11, where no wheel installs); standard library and ``cedar`` only:

    PYTHON -m bench.policy.cedar_python WORLD.json ROUNDS

WORLD.json (written by ``bench.policy.decide``): the Cedar schema text, the policies in Cedar's
JSON form, the entities as Cedar JSON and the requests (account, operation, service, full
context). Prints one JSON line: CPU µs per decision for each path and, for the first 500
requests, each decision (allowed, policy ids) so the caller can check they agree with cedarpy.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import cedar  # type: ignore[import-not-found]


def _uid(ref: dict[str, str]) -> Any:
    return cedar.EntityUid(ref["type"], ref["id"])


def _value(value: Any) -> Any:
    """Cedar JSON attribute values as cedar-python takes them (sets as lists, records as
    dicts, entity references as EntityUid)."""
    if isinstance(value, dict):
        if set(value) == {"__entity"}:
            return _uid(value["__entity"])
        return {k: _value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def main() -> None:
    world = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    rounds = int(sys.argv[2])
    schema = cedar.Schema.from_cedarschema(world["schema"])
    entities = [cedar.Entity(_uid(e["uid"]), _value(e["attrs"]), [_uid(p) for p in e["parents"]])
                for e in world["entities"]]
    authorizer = cedar.Authorizer(entities, schema)
    policies = cedar.PolicySet.from_json(world["policies"])
    requests = world["requests"]
    principals = {a: cedar.EntityUid("Account", a) for a, *_ in requests}
    actions = {op: cedar.EntityUid("Action", op) for _, op, *_ in requests}
    resources = {s: cedar.EntityUid("Service", s) for *_, s, _ in requests}
    contexts: dict[str, Any] = {}
    native = []
    for account, operation, service, context in requests:
        key = json.dumps(context, sort_keys=True)
        if key not in contexts:
            contexts[key] = cedar.Context(context)
        native.append((principals[account], actions[operation], resources[service], contexts[key]))

    def parts_per_call() -> None:  # native parts kept; the Request built per call
        for p, a, r, c in native:
            answer = authorizer.is_authorized(cedar.Request(p, a, r, c), policies)
            answer.allowed, answer.reason, answer.errors  # noqa: B018  (read, as a caller would)

    prebuilt = [cedar.Request(*n) for n in native]

    def requests_kept() -> None:  # whole requests kept (a cache of requests, for the floor)
        for request in prebuilt:
            answer = authorizer.is_authorized(request, policies)
            answer.allowed, answer.reason, answer.errors  # noqa: B018

    def context_per_call() -> None:  # the context built from its dict per call, as cedarpy parses it
        for (p, a, r, _), (*_, context) in zip(native, requests, strict=True):
            answer = authorizer.is_authorized(cedar.Request(p, a, r, cedar.Context(context)), policies)
            answer.allowed, answer.reason, answer.errors  # noqa: B018

    paths = {"cedar-python: native entities, context and ids kept; Request per call": parts_per_call,
             "cedar-python: native Context built from the dict per call": context_per_call,
             "cedar-python: whole native Requests kept (floor)": requests_kept}
    for path in paths.values():
        path()  # warm up
    cpu = dict.fromkeys(paths, 0.0)
    for _ in range(rounds):
        for name, path in paths.items():
            start = time.process_time()
            path()
            cpu[name] += time.process_time() - start
    decisions = []
    for request in prebuilt[:500]:
        answer = authorizer.is_authorized(request, policies)
        decisions.append([answer.allowed, sorted(answer.reason), len(answer.errors)])
    count = len(requests) * rounds
    print(json.dumps({"version": cedar.__version__, "python": sys.version.split()[0],
                      "paths": {name: {"cpu_us": round(seconds * 1e6 / count, 1),
                                       "cpu_per_second": round(count / seconds) if seconds else 0}
                                for name, seconds in cpu.items()},
                      "decisions": decisions}))


if __name__ == "__main__":
    main()
