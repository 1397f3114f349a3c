"""Crash safety: an appending process killed with SIGKILL at random points, many times, never
loses an acknowledged entry; the log verifies and stays consistent with every checkpoint seen
before each kill."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from daylight.core.database import Database
from daylight.log.checkpoint import open_checkpoint
from daylight.log.export import export_mirror
from daylight.log.note import Signer
from daylight.log.proof import verify_consistency
from daylight.log.service import TransparencyLog
from daylight.log.verifier import verify_mirror
from tests.log.crash_appender import batch_entries

APPENDER = Path(__file__).with_name("crash_appender.py")
ROOT = Path(__file__).parents[2]


def run_and_kill(url: str, key_file: Path, run: int, delay_s: float) -> list[str]:
    """Start the appender, let it work for ``delay_s`` after it is ready, SIGKILL it; return the
    lines it printed (everything it acknowledged before dying)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, str(APPENDER), url, str(key_file), str(run)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout is not None
    ready = process.stdout.readline()
    assert ready == b"READY\n", process.stderr.read() if process.stderr else ready
    time.sleep(delay_s)
    process.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL, err.decode()
    return out.decode().splitlines()


def test_sigkill_at_random_points_loses_nothing_acknowledged(
    database_url: str, database: Database, log: TransparencyLog, signer: Signer, tmp_path: Path
) -> None:
    key_file = tmp_path / "log.key"
    key_file.write_text(signer.to_skey())
    rng = random.Random(6962)
    runs = 20 if database_url.startswith("sqlite") else 12
    acknowledged: dict[int, bytes] = {}
    seen_checkpoints: list[str] = []
    for run in range(runs):
        for line in run_and_kill(database_url, key_file, run, rng.uniform(0.0, 0.6)):
            _, run_text, batch, count, first_index, tree_size = line.split()
            data = batch_entries(int(run_text), int(batch), int(count))
            assert int(tree_size) >= int(first_index) + int(count)
            for offset, entry in enumerate(data):
                acknowledged[int(first_index) + offset] = entry
        seen_checkpoints.append(TransparencyLog(database).checkpoint().note)

    # A writer after the last crash integrates whatever was sequenced but not yet integrated.
    survivor = TransparencyLog(database, signer)
    survivor.integrate()
    meta = survivor.meta()
    assert meta.integrated_size == meta.sequenced_size
    assert len(acknowledged) > 0
    stored = survivor.entries(0, meta.integrated_size)
    for index, entry in acknowledged.items():
        assert stored[index] == entry, f"acknowledged entry {index} changed or lost"

    mirror = tmp_path / "mirror"
    export_mirror(survivor, mirror)
    verify_mirror(mirror, signer.verifier(), since=seen_checkpoints[0])
    latest = survivor.checkpoint()
    for kept in seen_checkpoints:
        old = open_checkpoint(kept, signer.verifier()).checkpoint
        if old.tree_size == 0:
            continue
        proof = survivor.consistency_proof(old.tree_size, latest.tree_size)
        verify_consistency(old.tree_size, latest.tree_size, old.root_hash, latest.root_hash,
                           proof.proof)
