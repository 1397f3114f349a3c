"""Work split between forked processes gives what one process gives, in order; a failure in a
child is an error, not a share silently lost."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pytest

from daylight.core.errors import VerificationError
from daylight.report.shares import in_shares


def test_shares_in_other_processes_come_back_in_order() -> None:
    parent = os.getpid()

    def work(share: Sequence[int]) -> list[tuple[int, bool]]:
        return [(n * n, os.getpid() == parent) for n in share]

    found = in_shares(work, list(range(1000)), 3)
    assert [n for n, _ in found] == [n * n for n in range(1000)]
    assert [here for _, here in found] == [True] * 334 + [False] * 666


def test_a_failing_share_is_an_error_naming_what_it_raised() -> None:
    def work(share: Sequence[int]) -> list[int]:
        if 999 in share:
            raise ValueError("no such page")
        return list(share)

    with pytest.raises(VerificationError, match="ValueError: no such page"):
        in_shares(work, list(range(1000)), 2)


def test_no_fork_while_another_thread_runs() -> None:
    import threading

    from daylight.report.shares import processes_for

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert processes_for(10_000) == 1
    finally:
        stop.set()
        other.join()


def test_a_process_with_one_thread_can_fork() -> None:
    """What the proof writer's tests force (other tests of a session may leave a thread running):
    alone, as `daylight report build` runs, a fork is allowed."""
    import subprocess
    import sys

    found = subprocess.run([sys.executable, "-c", "import threading; "
                            "from daylight.report.shares import can_fork; "
                            "print(threading.active_count(), can_fork())"],
                           check=True, capture_output=True, text=True).stdout.split()
    assert found == ["1", "True"]
