"""Work split into contiguous shares, one per process, for the verifier's per-file checks.

A report at full size has ten thousand pages to parse; on a machine with more than one core,
the shares after the first are done by forked children, which read what the work closes over
(the proven rows) from this process's memory without copying it, and answer a picklable list.
Where ``fork`` is not available, or there is little work, everything runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from daylight.core.errors import VerificationError

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_SHARE = 200
"""Fewer items than this a share are not worth a process."""


def processes_for(items: int) -> int:
    """How many processes to use for ``items``: one per core, each with ``MIN_SHARE`` or more."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, items // MIN_SHARE))


def in_shares(work: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item],
              processes: int) -> list[Result]:
    """``work`` over ``items`` in ``processes`` contiguous shares; the results in the items'
    order, as if ``work(items)`` had run. ``work`` MUST NOT use a database connection or a
    thread of this process, and its results MUST be picklable. A child that fails is a
    VerificationError naming what it raised."""
    if processes < 2 or len(items) < 2:
        return work(items)
    size = -(-len(items) // processes)
    shares = [items[start:start + size] for start in range(0, len(items), size)]
    context = multiprocessing.get_context("fork")
    children = []
    for share in shares[1:]:
        answer, sender = context.Pipe(duplex=False)
        child = context.Process(target=_answer, args=(sender, work, share), daemon=True,
                                name="daylight-verify-share")
        child.start()
        sender.close()
        children.append((child, answer))
    try:
        results = work(shares[0])
        for _child, answer in children:
            try:
                ok, value = answer.recv()
            except EOFError:
                ok, value = False, "the process ended without an answer"
            if not ok:
                raise VerificationError(f"could not check a share of the files: {value}")
            results.extend(value)
        return results
    finally:
        for child, answer in children:
            answer.close()
            if child.is_alive():
                child.terminate()
            child.join()


def _answer(sender: Any, work: Callable[[Sequence[Any]], list[Any]], share: Sequence[Any]) -> None:
    try:
        sender.send((True, work(share)))
    except BaseException as exc:  # reported to the parent, which raises it as its own
        sender.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        sender.close()
