"""A process that appends batches forever and acknowledges each one on stdout, for the
crash-safety test to kill at random points. Usage: crash_appender.py DATABASE_URL KEY_FILE RUN."""

from __future__ import annotations

import random
import sys

from daylight.core.database import Database
from daylight.log.note import Signer
from daylight.log.service import TransparencyLog


def batch_entries(run: int, batch: int, count: int) -> list[bytes]:
    """The entries of one batch; the test regenerates them to check what was acknowledged."""
    return [b'{"batch":%d,"i":%d,"run":%d}' % (batch, i, run) for i in range(count)]


def main() -> None:
    url, key_file, run = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(key_file, encoding="utf-8") as handle:
        signer = Signer.from_skey(handle.read())
    rng = random.Random(run)
    with Database(url) as database:
        log = TransparencyLog(database, signer)
        print("READY", flush=True)
        batch = 0
        while True:
            count = rng.choice([1, 2, 7, 64, 255, 300])
            result = log.append_canonical(batch_entries(run, batch, count))
            print(f"ACK {run} {batch} {count} {result.first_index} {result.tree_size}", flush=True)
            batch += 1


if __name__ == "__main__":
    main()
