"""``RateLimiter``: a token bucket per key (an API token, or a client address), in memory.

Each key may make ``burst`` requests at once and ``rate_per_s`` a second sustained; a request
over that is refused with the seconds until the next one would pass (the ``Retry-After`` of a
429). The limiter lives in one worker process: with N workers a key would get up to N times
the rate, so each is given 1/N of it (``daylight.api.guard``). It keeps at most ``max_keys``
buckets, forgetting the least recently used (a forgotten key starts again with a full bucket:
memory stays bounded whatever addresses a flood comes from). Written by hand because the rule
is ten lines and is on the decision hot path; the libraries for it (limits, slowapi) add
storage back-ends and framework hooks it does not need.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

MAX_KEYS = 100_000


class RateLimiter:
    """Token buckets of ``burst`` requests, refilled at ``rate_per_s`` (0: never refuses)."""

    def __init__(self, rate_per_s: float, burst: float, *, max_keys: int = MAX_KEYS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate_per_s = rate_per_s
        self.burst = max(1.0, burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def retry_after_s(self, key: Hashable) -> int:
        """0 if a request by ``key`` may pass now (and counts it); else the whole seconds, at
        least 1, until one may."""
        if self.rate_per_s <= 0:
            return 0
        now = self.clock()
        buckets = self._buckets
        level, then = buckets.pop(key, (self.burst, now))
        level = min(self.burst, level + (now - then) * self.rate_per_s)
        if level >= 1.0:
            buckets[key] = (level - 1.0, now)
            wait = 0
        else:
            buckets[key] = (level, now)
            wait = max(1, math.ceil((1.0 - level) / self.rate_per_s))
        if len(buckets) > self.max_keys:
            buckets.popitem(last=False)
        return wait
