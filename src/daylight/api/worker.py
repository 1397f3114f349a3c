"""How a ``daylight serve`` worker process is set up for a short latency tail.

Measured causes of long pauses in a worker (bench/policy/README.md), and what is done about them
while the service runs (``worker_tuning``), undone when it stops:

- **The garbage collector.** A worker holds ~75,000 objects made at start-up (the policy
  engine, the catalog, FastAPI's routes, imported modules) that live as long as it does. Every
  full collection walks all of them (tens of milliseconds, holding the event loop). They are
  collected once and then frozen (``gc.freeze``): later collections see only what was allocated
  since. What the frozen objects hold is freed by reference counting as usual; only a reference
  cycle among them (none is expected: the first engine, when a refresh replaces it) stays.
- **The GIL hand-over.** Decision records are written, and the engine refreshed, in threads.
  When a thread holds the GIL, the event loop waits for it up to the interpreter's switch
  interval (5 ms by default) before it may answer again; the flusher, waiting to take the GIL
  back after a commit's fsync, waits as long for the busy event loop. A 0.5 ms interval bounds
  each of those waits to 0.5 ms (a GIL hand-over costs a few microseconds).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL_S = 0.0005


@contextmanager
def worker_tuning(switch_interval_s: float = SWITCH_INTERVAL_S) -> Iterator[None]:
    """Freeze what exists now out of the garbage collector's reach and shorten the GIL switch
    interval, for the duration of the block (a serving worker's life). Call it once start-up is
    done, so that the long-lived objects are among the frozen ones."""
    previous = sys.getswitchinterval()
    gc.collect()
    gc.freeze()
    sys.setswitchinterval(switch_interval_s)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)
        gc.unfreeze()
