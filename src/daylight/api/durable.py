"""Group commit for decision records: an answer leaves only once its record is committed.

``DurableRecords.wait`` is awaited by a request after its decision was recorded (in memory,
by the gate); one flusher task writes everything recorded so far in one transaction and then
releases every request that was waiting for it. Requests that arrive while a flush runs wait
for the next one, so under load each transaction carries many records (one fsync for all of
them) and when idle a request waits for one flush of its own. If the flush fails, the waiting
requests are answered 503 (``StorageError``): their records stay buffered and are written by a
later flush, so nothing acknowledged is lost, but a client that retries may be counted twice.

The workers of one service write to one database. On SQLite only one may write at a time, and a
writer that finds the database locked sleeps and retries on SQLite's own schedule (1, 2, 5, 10,
15, 20, 25, ... 100 ms): under load one worker's flusher could lose the race again and again for
seconds while its requests waited (measured: bench/policy/README.md). So each flush first takes
its turn (``FlushTurn``: an ``flock`` on the database file, which SQLite itself does not use),
and a waiting flusher is woken by the kernel the moment the other's commit is done.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from daylight.core.database import Database
from daylight.core.errors import DaylightError, StorageError
from daylight.policy.gate import Gate

_log = logging.getLogger("daylight.api")


class FlushTurn:
    """One writer of decision records at a time among the processes serving one SQLite
    database (no-op on PostgreSQL, whose writers do not exclude each other, and for a database
    without a file)."""

    def __init__(self, database: Database) -> None:
        path = database.path
        self.path = path if path is not None and path.is_file() else None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Wait for the turn (in the kernel: woken as soon as the holder is done), hold it."""
        if self.path is None:
            yield
            return
        descriptor = os.open(self.path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def flush(self, gate: Gate) -> None:
        """``gate.flush()`` in turn."""
        with self.held():
            gate.flush()


class DurableRecords:
    """Releases each waiting request once a flush that covers its record has committed."""

    def __init__(self, gate: Gate, turn: FlushTurn | None = None) -> None:
        self.gate = gate
        self.turn = turn or FlushTurn(gate.database)
        self._waiting: list[asyncio.Future[None]] = []
        self._wanted: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the flusher (in the running event loop)."""
        self._wanted = asyncio.Event()
        self._task = asyncio.create_task(self._flusher())

    async def stop(self) -> None:
        """Stop the flusher; requests still waiting are released by one last flush."""
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task
        if self._waiting:
            await self._flush()

    async def wait(self) -> None:
        """Return once every decision recorded before this call is committed; StorageError if
        the flush failed."""
        if self._wanted is None:  # no lifespan (an in-process test client): flush right here
            await self._flush_now()
            return
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append(done)
        self._wanted.set()
        await done

    async def _flush_now(self) -> None:
        try:
            await asyncio.to_thread(self.turn.flush, self.gate)
        except DaylightError as error:
            raise StorageError(f"the decision was not recorded durably: {error.message}") from error

    async def _flusher(self) -> None:
        assert self._wanted is not None
        while True:
            await self._wanted.wait()
            self._wanted.clear()
            await self._flush()

    async def _flush(self) -> None:
        waiting, self._waiting = self._waiting, []
        try:
            await asyncio.to_thread(self.turn.flush, self.gate)
        except Exception as error:  # every waiting request gets the failure, none a 200
            _log.warning("flushing decision records failed: %s", error)
            failure = StorageError("the decision was not recorded durably: retry")
            for done in waiting:
                if not done.done():
                    done.set_exception(failure)
            return
        for done in waiting:
            if not done.done():
                done.set_result(None)
