"""Voice at a provider's scale: what a co-signature costs, and what approved declarations cost
the policy gate.

1. Signatures: N employees co-sign one objection on SQLite (WAL, synchronous=FULL), each call a
   durable transaction (tag check, sealed box, log entry), a new signed checkpoint and an
   inclusion proof for the receipt — the signer waits for all of it.
2. The gate: D approved declarations in the voice tables; the time of one read of the gate's
   declarations source (done at each refresh, once a second in `daylight serve`), the engine
   rebuild an approval triggers, and a decision that names a declaration, cached and not.

Run from the repository root:
    .venv/bin/python -m bench.voice [--signatures 500] [--declarations 2000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from daylight.core.database import Database, migrate
from daylight.flows.declare import declarations_source
from daylight.flows.object import ObjectionRequest, SignatureRequest, file_objection, sign_objection
from daylight.home import all_migrations
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack
from daylight.policy.versions import publish
from daylight.registry.accounts import Account
from daylight.registry.resolution import Classification, Resolution
from daylight.registry.store import RegistryStore
from daylight.voice.declaration import APPROVED, Declaration
from daylight.voice.privacy import VoiceKeys, generate_review_key, unb64
from daylight.voice.store import VoiceStore, utc_text

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _accounts(database: Database, count: int) -> list[str]:
    ids = [f"SYNTHETIC-bench-{i:06d}" for i in range(count)]
    when = "2026-11-01T00:00:00Z"
    with database.transaction() as tx:
        store = RegistryStore(tx)
        store.add_accounts([Account(a, f"SYNTHETIC {a}", (), "", "", "US", "2026-01-01")
                            for a in ids], when)
        store.put_resolutions([Resolution(a, "accepted", "SYNTHETIC-org", 0.99, {}, when)
                               for a in ids])
        store.put_classifications([Classification(a, "commercial", [], when, None) for a in ids])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signatures", type=int, default=500)
    parser.add_argument("--declarations", type=int, default=2000)
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; load average at start {os.getloadavg()[0]:.2f}")
    catalog = default_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        database = Database(f"sqlite:///{Path(tmp) / 'voice.db'}")
        migrate(database, all_migrations())
        log = TransparencyLog.create(database, Signer.generate("bench.daylight.invalid/voice"))
        ids = _accounts(database, args.declarations)
        keys = VoiceKeys(unb64(generate_review_key()[0], where="key"), os.urandom(32))

        objection_id = file_objection(database, log, catalog, keys, ObjectionRequest(
            "filer@provider.invalid", f"account:{ids[0]}", "SYNTHETIC", 10**6), 10, NOW).objection_id
        times = []
        for i in range(args.signatures):
            start = time.perf_counter()
            sign_objection(database, log, keys, SignatureRequest(
                objection_id, f"synthetic-{i}@provider.invalid"), NOW)
            times.append(time.perf_counter() - start)
        times.sort()
        print(f"co-signature with receipt, {args.signatures} signers on SQLite: p50 "
              f"{statistics.median(times) * 1e3:.1f} ms, p95 {times[int(0.95 * len(times))] * 1e3:.1f} "
              f"ms, {len(times) / sum(times):.0f}/s one at a time")

        with database.transaction() as tx:
            store = VoiceStore(tx)
            for i, account in enumerate(ids):
                store.add_declaration(Declaration(
                    f"decl-bench-{i:06d}", account, "biometric_identification",
                    "touchless_access_control", {}, 2, APPROVED, NOW + timedelta(days=365),
                    utc_text(NOW), i))
        source = declarations_source(database, lambda: NOW)
        start = time.perf_counter()
        declared = source()
        first_ms = (time.perf_counter() - start) * 1e3
        start = time.perf_counter()
        for _ in range(100):
            source()
        again_ms = (time.perf_counter() - start) / 100 * 1e3
        print(f"gate's declarations read, {len(declared)} accounts with an approved declaration: "
              f"{first_ms:.1f} ms after a review or an expiry, {again_ms:.2f} ms otherwise "
              "(each refresh)")
        publish(database, log, [load_pack("azure-face-limited-access")], catalog,
                NOW - timedelta(hours=1))
        start = time.perf_counter()
        gate = Gate(database, catalog, declarations=source, refresh_interval_s=None,
                    now=lambda: NOW)
        build_ms = (time.perf_counter() - start) * 1e3
        print(f"engine build with {len(ids)} accounts and their declarations: {build_ms:.0f} ms "
              "(what an approval, revocation or expiry triggers)")
        context = {"purpose": "touchless_access_control"}
        decision = gate.decide(ids[1], "face.search", context)
        assert decision.allowed and "daylight:declaration" in decision.policy_ids
        uncached = Gate(database, catalog, declarations=source, refresh_interval_s=None,
                        now=lambda: NOW, cache_entries=0)
        for label, engine in (("cached", gate.engine), ("through Cedar", uncached.engine)):
            start = time.perf_counter()
            for _ in range(2000):
                engine.decide(ids[1], "face.search", context)
            per = (time.perf_counter() - start) / 2000 * 1e6
            print(f"decision naming its declaration ({label}): {per:.0f} µs")
        database.close()


if __name__ == "__main__":
    main()
