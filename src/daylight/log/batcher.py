"""Batching for concurrent appenders: many threads submit single entries, one background thread
sequences and integrates them in batches (one transaction and one checkpoint per batch).

A submitted entry's future resolves to its index only after the batch is durable and covered by
a signed checkpoint. When more than ``pending_max_entries`` wait, ``submit`` refuses with
PushbackError (HTTP 503 with Retry-After) instead of queueing without bound.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

from daylight.core.errors import ConfigError, EntryTooLargeError, PushbackError
from daylight.log.service import TransparencyLog
from daylight.log.tiles import MAX_ENTRY_BYTES


class BatchingAppender:
    """Gathers appends from many threads into batches for one ``TransparencyLog``."""

    def __init__(
        self,
        log: TransparencyLog,
        *,
        batch_interval_ms: float,
        batch_max_entries: int,
        pending_max_entries: int,
    ) -> None:
        if not log.is_writable:
            raise ConfigError("batching appends needs the log's signing key")
        self._log = log
        self._interval_s = batch_interval_ms / 1000
        self._batch_max = batch_max_entries
        self._pending_max = pending_max_entries
        self._pending: list[tuple[bytes, Future[int]]] = []
        self._condition = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="daylight-log-batcher", daemon=True)
        self._thread.start()

    def submit(self, entry: bytes) -> Future[int]:
        """Queue one canonical entry; the future gives its index once it is checkpointed."""
        if len(entry) > MAX_ENTRY_BYTES:  # refused alone, before it can fail a whole batch
            raise EntryTooLargeError(f"entry is {len(entry)} bytes, more than {MAX_ENTRY_BYTES}")
        future: Future[int] = Future()
        with self._condition:
            if self._closed or not self._thread.is_alive():
                raise ConfigError("the batching appender is closed")
            if len(self._pending) >= self._pending_max:
                raise PushbackError(
                    f"{len(self._pending)} entries are waiting to be sequenced",
                    retry_after_s=max(self._interval_s * 2, 0.1),
                )
            self._pending.append((entry, future))
            self._condition.notify()
        return future

    def append(self, entries: Sequence[bytes]) -> list[int]:
        """Submit entries and wait for their indices (not atomic across entries: use
        ``TransparencyLog.append_canonical`` for all-or-none)."""
        futures = [self.submit(e) for e in entries]
        return [f.result() for f in futures]

    def _take_batch(self) -> list[tuple[bytes, Future[int]]]:
        with self._condition:
            while not self._pending and not self._closed:
                self._condition.wait()
            deadline = time.monotonic() + self._interval_s
            while len(self._pending) < self._batch_max and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._condition.wait(remaining)
            batch, self._pending = (self._pending[: self._batch_max],
                                    self._pending[self._batch_max :])
        # A waiter that gave up (cancelled its future) has its entry dropped, never appended.
        return [(entry, future) for entry, future in batch if future.set_running_or_notify_cancel()]

    def _run(self) -> None:
        while True:
            batch = self._take_batch()
            if not batch:
                with self._condition:
                    if self._closed and not self._pending:
                        return  # closed and drained
                continue
            try:
                result = self._log.append_canonical([entry for entry, _ in batch])
            except BaseException as exc:  # every waiter learns why its entry was not appended
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for offset, (_, future) in enumerate(batch):
                future.set_result(result.first_index + offset)

    def close(self) -> None:
        """Append what is pending, then stop the background thread."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._thread.join()
