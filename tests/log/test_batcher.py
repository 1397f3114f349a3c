"""Batching concurrent appends: indices are unique, batches share checkpoints, overload pushes
back, failures reach every waiter."""

from __future__ import annotations

import threading

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConfigError, EntryTooLargeError, PushbackError, StorageError
from daylight.log import merkle
from daylight.log.batcher import BatchingAppender
from daylight.log.service import TransparencyLog


def test_concurrent_submits_are_batched_under_few_checkpoints(log: TransparencyLog) -> None:
    appender = BatchingAppender(log, batch_interval_ms=50, batch_max_entries=10_000,
                                pending_max_entries=100_000)
    indices: list[int] = []
    lock = threading.Lock()

    def client(worker: int) -> None:
        got = appender.append([b'{"i":%d,"w":%d}' % (i, worker) for i in range(50)])
        with lock:
            indices.extend(got)

    threads = [threading.Thread(target=client, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    appender.close()
    assert sorted(indices) == list(range(400))
    assert log.tree_size() == 400
    assert len(log.checkpoints()) - 1 < 400 // 10  # far fewer checkpoints than entries
    stored = log.entries(0, 400)
    assert merkle.root_from_leaf_hashes([merkle.leaf_hash(e) for e in stored]) == (
        log.checkpoint().root_hash)


def test_overload_is_pushed_back_not_queued_without_bound(log: TransparencyLog) -> None:
    appender = BatchingAppender(log, batch_interval_ms=10_000, batch_max_entries=1_000,
                                pending_max_entries=3)
    futures = [appender.submit(b'{"n":%d}' % i) for i in range(3)]
    with pytest.raises(PushbackError) as raised:
        appender.submit(b'{"n":3}')
    assert raised.value.status == 503 and raised.value.retry_after_s > 0
    appender.close()  # drains what was accepted
    assert [f.result() for f in futures] == [0, 1, 2]
    with pytest.raises(ConfigError):
        appender.submit(b'{"n":4}')


def test_an_oversized_entry_is_refused_alone(log: TransparencyLog) -> None:
    appender = BatchingAppender(log, batch_interval_ms=50, batch_max_entries=100,
                                pending_max_entries=100)
    good = appender.submit(b'{"ok":true}')
    with pytest.raises(EntryTooLargeError):
        appender.submit(b"x" * 70_000)
    appender.close()
    assert good.result() == 0


def test_a_failed_batch_fails_every_waiter(database: Database, log: TransparencyLog) -> None:
    with database.transaction() as tx:
        tx.execute("DROP TABLE log_entry")  # storage breaks under the appender
    appender = BatchingAppender(log, batch_interval_ms=100, batch_max_entries=100,
                                pending_max_entries=100)
    futures = [appender.submit(b'{"n":%d}' % i) for i in range(3)]
    appender.close()
    for future in futures:
        with pytest.raises(StorageError):
            future.result()
    assert log.tree_size() == 0


def test_a_cancelled_waiter_is_dropped_and_the_appender_keeps_working(log: TransparencyLog) -> None:
    appender = BatchingAppender(log, batch_interval_ms=300, batch_max_entries=100,
                                pending_max_entries=100)
    kept = appender.submit(b'{"n":1}')
    gave_up = appender.submit(b'{"n":2}')
    assert gave_up.cancel()
    assert kept.result(timeout=10) == 0
    later = appender.submit(b'{"n":3}')
    assert later.result(timeout=10) == 1
    appender.close()
    assert log.entries(0, 2) == [b'{"n":1}', b'{"n":3}']
