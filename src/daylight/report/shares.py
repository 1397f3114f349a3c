"""Work split into contiguous shares, one per process: the verifier's per-file checks, and the
build's organisation pages.

A report at full size has ten thousand pages to write or parse; on a machine with more than one
core, the shares after the first are done by forked children, which read what the work closes
over (the report, the proven rows) from this process's memory without copying it, and answer a
picklable list. Where ``fork`` is not available, or there is little work, everything runs in
this process. (``concurrent.futures`` pickles the work and its items to send them to a worker;
a fork hands the child both as they are, which is the point here.)
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from daylight.core.errors import DaylightError, VerificationError

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_SHARE = 200
"""Fewer items than this a share are not worth a process."""


def can_fork() -> bool:
    """Whether forking a child is available and safe now: not while another thread of this
    process runs (a progress display's, a server's), because a fork copies only the calling
    thread and a lock the other held would stay held in the child (Python 3.12 warns of such
    forks)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def processes_for(items: int) -> int:
    """How many processes to use for ``items``: one per core, each with ``MIN_SHARE`` or more;
    one where a fork is not safe (``can_fork``)."""
    if not can_fork():
        return 1
    return max(1, min(os.cpu_count() or 1, items // MIN_SHARE))


class ForkedShare(Generic[Result]):
    """``work(items)`` running in a forked child from now on; ``result()`` waits for its list.
    ``work`` MUST NOT use a database connection or a thread of this process, and its results
    MUST be picklable. A child that fails is a ``failure`` naming what it raised; ``close``
    (also on the way out of ``result``) ends a child still running."""

    def __init__(self, work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], *,
                 failure: type[DaylightError] = VerificationError,
                 what: str = "could not check a share of the files",
                 where: str | None = None) -> None:
        self.failure, self.what, self.where = failure, what, where
        context = multiprocessing.get_context("fork")
        self._answer, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_answer, args=(sender, work, items), daemon=True,
                                      name="daylight-share")
        self._child.start()
        sender.close()

    def result(self) -> list[Result]:
        try:
            try:
                ok, value = self._answer.recv()
            except EOFError:
                ok, value = False, "the process ended without an answer"
            if not ok:
                raise self.failure(f"{self.what}: {value}", where=self.where)
            return list(value)
        finally:
            self.close()

    def close(self) -> None:
        self._answer.close()
        if self._child.is_alive():
            self._child.terminate()
        self._child.join()


def in_shares(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item],
              processes: int, *, meanwhile: Callable[[], object] | None = None,
              failure: type[DaylightError] = VerificationError,
              what: str = "could not check a share of the files") -> list[Result]:
    """``work`` over ``items`` in ``processes`` contiguous shares; the results in the items'
    order, as if ``work(items)`` had run (see ``ForkedShare`` for what ``work`` may do, and
    ``failure`` and ``what`` for a child that fails). ``meanwhile`` is other work of this
    process, done first while the children start on theirs; this process's share is then half
    of a child's."""
    if processes < 2 or len(items) < 2:
        if meanwhile is not None:
            meanwhile()
        return work(items)
    # shares of 2 units for each child, 1 for this process if it has other work, 2 if not
    units = 2 * processes - (1 if meanwhile is not None else 0)
    mine = -(-len(items) * (units - 2 * (processes - 1)) // units)
    size = max(1, -(-(len(items) - mine) // (processes - 1)))
    children: list[ForkedShare[Result]] = []
    try:
        for start in range(mine, len(items), size):  # a failed fork closes those started
            children.append(ForkedShare(work, items[start:start + size], failure=failure,
                                        what=what))
        if meanwhile is not None:
            meanwhile()
        results = work(items[:mine])
        for child in children:
            results.extend(child.result())
        return results
    finally:
        for child in children:
            child.close()


def _answer(sender: Any, work: Callable[[Sequence[Any]], list[Any]], share: Sequence[Any]) -> None:
    # No garbage collection in the child: collecting an object it inherited (a database
    # connection the parent no longer references) would close the parent's connection too.
    gc.disable()
    code = 0
    try:
        sender.send((True, work(share)))
    except BaseException as exc:  # reported to the parent, which raises it as its own
        sender.send((False, f"{type(exc).__name__}: {exc}"))
        code = 1
    finally:
        sender.close()
        # Ended here, not by multiprocessing, which flushes the standard streams on the way out:
        # a stream's lock held by another thread of the parent when it forked (a progress bar's
        # refresh) is held forever in the child. The child writes nothing there anyway.
        os._exit(code)
