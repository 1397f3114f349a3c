"""The log service against both storage backends: the storage contract of the log."""

from __future__ import annotations

import threading

import pytest

from daylight.core.database import Database
from daylight.core.errors import (
    ConfigError,
    ConflictError,
    EntryTooLargeError,
    InputError,
    NotFoundError,
)
from daylight.log import merkle
from daylight.log.checkpoint import open_checkpoint
from daylight.log.entry import LogEntry
from daylight.log.note import Signer
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.service import TransparencyLog


def entries(start: int, count: int) -> list[bytes]:
    return [b'{"n":%d}' % i for i in range(start, start + count)]


def test_a_new_log_has_a_signed_empty_checkpoint(log: TransparencyLog, signer: Signer) -> None:
    checkpoint = log.checkpoint()
    assert checkpoint.tree_size == 0
    assert checkpoint.root_hash == merkle.EMPTY_ROOT
    signed = open_checkpoint(checkpoint.note, signer.verifier())
    assert signed.checkpoint.origin == signer.name


def test_append_returns_indices_and_a_checkpoint_that_covers_them(
    log: TransparencyLog, signer: Signer
) -> None:
    first = log.append_canonical(entries(0, 3))
    second = log.append_canonical(entries(3, 300))
    assert (first.first_index, first.count, first.tree_size) == (0, 3, 3)
    assert (second.first_index, second.count, second.tree_size) == (3, 300, 303)
    checkpoint = open_checkpoint(log.checkpoint().note, signer.verifier()).checkpoint
    assert checkpoint.tree_size == 303
    assert checkpoint.root_hash == merkle.root_from_leaf_hashes(
        [merkle.leaf_hash(e) for e in entries(0, 303)])
    assert log.entry(300) == b'{"n":300}'
    assert [c.tree_size for c in log.checkpoints()] == [0, 3, 303]


def test_proofs_at_every_checkpoint_verify(log: TransparencyLog) -> None:
    for start, count in [(0, 1), (1, 255), (256, 1), (257, 600)]:
        log.append_canonical(entries(start, count))
    checkpoints = log.checkpoints()
    latest = checkpoints[-1]
    for checkpoint in checkpoints[1:]:
        size = checkpoint.tree_size
        for index in {0, size // 2, size - 1}:
            answer = log.inclusion_proof(index, size)
            assert answer.root_hash == checkpoint.root_hash
            verify_inclusion(index, size, merkle.leaf_hash(log.entry(index)), answer.proof,
                             checkpoint.root_hash)
        consistency = log.consistency_proof(size, latest.tree_size)
        verify_consistency(size, latest.tree_size, checkpoint.root_hash, latest.root_hash,
                           consistency.proof)


def test_append_entries_writes_typed_canonical_entries(log: TransparencyLog) -> None:
    from datetime import UTC, datetime

    entry = LogEntry("test.fact", datetime(2026, 11, 23, 12, 0, tzinfo=UTC), {"b": 2, "a": 1})
    result = log.append_entries([entry])
    assert log.entry(result.first_index) == (
        b'{"payload":{"a":1,"b":2},"time":"2026-11-23T12:00:00Z","type":"test.fact"}')


def test_an_oversized_entry_refuses_the_whole_batch(log: TransparencyLog) -> None:
    batch = [*entries(0, 2), b'{"x":"' + b"y" * 65528 + b'"}']
    with pytest.raises(EntryTooLargeError) as raised:
        log.append_canonical(batch)
    assert raised.value.where == "entry 3"
    assert log.meta().sequenced_size == 0
    assert log.tree_size() == 0
    log.append_canonical([b'{"x":"' + b"y" * 65527 + b'"}'])  # exactly 65,535 bytes is fine
    assert log.tree_size() == 1


def test_sequenced_but_unintegrated_entries_are_integrated_by_the_next_writer(
    database: Database, log: TransparencyLog, signer: Signer
) -> None:
    """A crash between sequencing and integration loses nothing: any later integration, even by
    another process with its own cache, covers the entries."""
    log.append_canonical(entries(0, 10))
    log.sequence(entries(10, 5))  # durable, not yet in a checkpoint
    assert log.meta().sequenced_size == 15
    assert log.tree_size() == 10
    other = TransparencyLog(database, signer)
    result = other.append_canonical(entries(15, 1))
    assert result.tree_size == 16
    assert log.tree_size() == 16
    assert log.entry(12) == b'{"n":12}'
    expected = merkle.root_from_leaf_hashes([merkle.leaf_hash(e) for e in entries(0, 16)])
    assert log.checkpoint().root_hash == expected


def test_sequence_in_commits_with_the_callers_writes_or_not_at_all(
    database: Database, log: TransparencyLog
) -> None:
    with database.transaction() as tx:
        tx.execute("CREATE TABLE fact (n INTEGER)")
    with pytest.raises(InputError), database.transaction() as tx:
        tx.execute("INSERT INTO fact (n) VALUES (1)")
        log.sequence_in(tx, entries(0, 1))
        raise InputError("the caller changed its mind")
    with database.transaction(write=False) as tx:
        assert tx.query("SELECT n FROM fact") == []
    assert log.meta().sequenced_size == 0
    with database.transaction() as tx:
        tx.execute("INSERT INTO fact (n) VALUES (2)")
        log.sequence_in(tx, entries(0, 1))
    assert log.integrate() is not None
    assert log.tree_size() == 1


def test_entries_that_are_not_canonical_json_objects_are_refused(log: TransparencyLog) -> None:
    for bad in [b'{"b":1,"a":2}', b'{"a": 1}', b"[1]", b"one", b'{"a":1.0}', b'{"a":1,"a":1}']:
        with pytest.raises(InputError, match="not the canonical JSON"):
            log.append_canonical([*entries(0, 1), bad])
    assert log.meta().sequenced_size == 0


def test_integration_is_batched_into_several_checkpoints(database: Database, signer: Signer) -> None:
    log = TransparencyLog.create(database, signer, integrate_max_entries=100)
    result = log.append_canonical(entries(0, 250))
    assert result.tree_size == 250
    assert [c.tree_size for c in log.checkpoints()] == [0, 100, 200, 250]


def test_a_log_can_be_created_only_once(database: Database, log: TransparencyLog) -> None:
    with pytest.raises(ConflictError):
        TransparencyLog.create(database, Signer.generate("another.invalid/log"))


def test_the_wrong_key_cannot_append(database: Database, log: TransparencyLog) -> None:
    with pytest.raises(ConfigError):
        TransparencyLog(database, Signer.generate(log.origin))
    reader = TransparencyLog(database)
    with pytest.raises(ConfigError):
        reader.append_canonical(entries(0, 1))


def test_reading_beyond_the_log_is_not_found(log: TransparencyLog) -> None:
    log.append_canonical(entries(0, 4))
    with pytest.raises(NotFoundError):
        log.entry(4)
    with pytest.raises(NotFoundError, match="no entry"):  # past SQL's BIGINT: still not found
        log.entry(10**20)  # (`daylight log entry 99999999999999999999`, probe of issue 14)
    with pytest.raises(NotFoundError):
        log.inclusion_proof(4)
    with pytest.raises(NotFoundError):
        log.inclusion_proof(0, 5)
    with pytest.raises(NotFoundError):
        log.consistency_proof(3, 5)
    with pytest.raises(NotFoundError, match="beyond the latest checkpoint"):
        log.consistency_proof(5)  # the log may grow to it
    with pytest.raises(NotFoundError):
        log.checkpoint(2)


@pytest.mark.parametrize("old, new", [(0, 4), (3, 2), (5, 3)])
def test_a_consistency_proof_no_tree_has_is_a_bad_request(log: TransparencyLog, old: int,
                                                            new: int) -> None:
    """From size 0, or from a larger size to a smaller: not a proof the log lacks yet (404), a
    request that is wrong (400, exit 2), naming the old size."""
    log.append_canonical(entries(0, 4))
    with pytest.raises(InputError, match="need 1 <= old <= new") as caught:
        log.consistency_proof(old, new)
    assert caught.value.where == "old_size"


def test_concurrent_appenders_never_share_an_index(
    database_url: str, log: TransparencyLog, signer: Signer
) -> None:
    """Four writers, each with its own connection, append concurrently; every entry gets one
    index and the final tree holds all of them."""
    results: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            with Database(database_url) as db:
                own = TransparencyLog(db, signer)
                for batch in range(5):
                    data = [b'{"b":%d,"i":%d,"w":%d}' % (batch, i, worker) for i in range(7)]
                    result = own.append_canonical(data)
                    results.append((result.first_index, result.count))
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    covered = sorted(i for first, count in results for i in range(first, first + count))
    assert covered == list(range(140))
    assert log.tree_size() == 140
    all_entries = log.entries(0, 140)
    assert merkle.root_from_leaf_hashes([merkle.leaf_hash(e) for e in all_entries]) == (
        log.checkpoint().root_hash)


def test_checkpoints_are_dated_as_every_instant_is(database: Database, signer: Signer) -> None:
    from datetime import UTC, datetime

    from daylight.core.clock import fixed_clock

    at = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    log = TransparencyLog.create(database, signer, clock=fixed_clock(at))
    assert log.checkpoint().created_at == "2026-11-03T09:30:00Z"
    log.append_entries([LogEntry("test.entry", at, {"n": 1})])
    assert log.checkpoint().created_at == "2026-11-03T09:30:00Z"
