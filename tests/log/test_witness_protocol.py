"""C2SP tlog-witness `add-checkpoint`, in process, on both backends: each refusal with the
spec's status, the latest cosigned checkpoint persisted, a fork refused with its evidence kept,
and the HTTP answers' exact shapes."""

from __future__ import annotations

import itertools
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.api.witness import WitnessApp
from daylight.core.clock import Clock
from daylight.core.database import Database, migrate
from daylight.core.errors import DaylightError, InputError
from daylight.home import all_migrations
from daylight.log.checkpoint import open_checkpoint
from daylight.log.note import CosignatureSigner, Note, Signer, verify_cosignatures
from daylight.log.service import TransparencyLog
from daylight.log.witness import (
    AddCheckpoint,
    ForkError,
    InconsistentProofError,
    OldSizeBeyondNewError,
    OldSizeConflictError,
    UnknownOriginError,
    UntrustedCheckpointError,
    WitnessService,
    parse_logs,
)
from tests.api.conftest import call_app

WITNESS = CosignatureSigner("witness.daylight.invalid", b"w" * 32)


def grow(log: TransparencyLog, start: int, count: int, tag: str = "n") -> str:
    log.append_canonical([b'{"%s":%d}' % (tag.encode(), i) for i in range(start, start + count)])
    return log.checkpoint().note


def ticking_clock(start: int) -> Clock:
    """A clock one second later at every reading (refusals are kept in the order received)."""
    ticks = itertools.count(start)
    return lambda: datetime.fromtimestamp(next(ticks), UTC)


@pytest.fixture
def witness(database: Database, log: TransparencyLog) -> WitnessService:
    return WitnessService(WITNESS, {log.origin: log.verifier}, database,
                          clock=ticking_clock(1_800_000_000))


@pytest.fixture
def fork(tmp_path: Path, signer: Signer) -> TransparencyLog:
    """Another log with the same key and origin: the same history can be told differently."""
    database = Database(f"sqlite:///{tmp_path / 'fork.db'}")
    migrate(database, all_migrations())
    return TransparencyLog.create(database, signer)


def add(witness: WitnessService, old: int, proof: tuple[bytes, ...], note: str) -> str:
    return witness.add_checkpoint(AddCheckpoint(old, proof, note).to_body())


def test_a_growing_log_is_cosigned_and_the_latest_persisted(
        witness: WitnessService, log: TransparencyLog, signer: Signer) -> None:
    line = add(witness, 0, (), grow(log, 0, 10))
    assert line.startswith("— witness.daylight.invalid ") and line.endswith("\n")
    second = grow(log, 10, 90)
    line = add(witness, 10, log.consistency_proof(10, 100).proof, second)
    cosigned = Note.from_text(second + line)
    assert verify_cosignatures(cosigned, [WITNESS.verifier()], 1) == ["witness.daylight.invalid"]
    open_checkpoint(second + line, signer.verifier(), cosigners=[WITNESS.verifier()])
    latest = witness.latest(log.origin)
    assert latest is not None and latest.startswith(log.origin + "\n100\n")
    again = WitnessService(WITNESS, witness.logs, witness.database)  # a restart
    with pytest.raises(OldSizeConflictError) as conflict:
        add(again, 0, (), second)
    assert conflict.value.latest_size == 100 and conflict.value.status == 409


def test_each_refusal_has_the_status_the_spec_gives(
        witness: WitnessService, log: TransparencyLog, signer: Signer) -> None:
    first = grow(log, 0, 5)
    add(witness, 0, (), first)
    second = grow(log, 5, 5)
    proof = log.consistency_proof(5, 10).proof
    cases: list[tuple[bytes, type[DaylightError], int]] = [
        (b"old 5\n\nnot a note", InputError, 400),
        (b"nonsense", InputError, 400),
        (b"old 05\n\n" + second.encode(), InputError, 400),
        (AddCheckpoint(11, proof, second).to_body(), OldSizeBeyondNewError, 400),
        (AddCheckpoint(3, proof, second).to_body(), OldSizeConflictError, 409),
        (AddCheckpoint(5, proof[:-1], second).to_body(), InconsistentProofError, 422),
        (AddCheckpoint(5, proof, second.replace(log.origin, "elsewhere.invalid/log", 1))
         .to_body(), UnknownOriginError, 404),
        (AddCheckpoint(5, proof, _resigned(second, Signer.generate(log.origin))).to_body(),
         UntrustedCheckpointError, 403),
        (b"old 5\n" + b"AAAA\n" * 64 + b"\n" + second.encode(), InputError, 400),
    ]
    for body, error, status in cases:
        with pytest.raises(error) as raised:
            witness.add_checkpoint(body)
        assert raised.value.status == status, (body[:40], raised.value)
    assert add(witness, 5, proof, second)  # none of the refusals moved the witness


def _resigned(note: str, signer: Signer) -> str:
    """The same checkpoint text signed by another key that claims the log's name."""
    text = Note.from_text(note).text
    return Note(text, (signer.sign(text),)).to_text()


def test_a_fork_is_refused_and_its_evidence_kept(
        witness: WitnessService, log: TransparencyLog, fork: TransparencyLog) -> None:
    grow(fork, 0, 3, "other")  # the same key tells another story from the start
    add(witness, 0, (), grow(log, 0, 10))
    told = grow(fork, 3, 7, "other")  # size 10, another root
    with pytest.raises(ForkError):
        add(witness, 10, (), told)
    longer = grow(fork, 10, 20, "other")
    with pytest.raises(InconsistentProofError):
        add(witness, 10, fork.consistency_proof(10, 30).proof, longer)
    refusals = witness.refusals(log.origin)
    assert [r.status for r in refusals] == [409, 422]
    assert refusals[0].request.endswith(told) and refusals[1].request.endswith(longer)
    assert refusals[0].cosigned_note.startswith(log.origin + "\n10\n")
    assert witness.latest(log.origin) == refusals[1].cosigned_note  # not moved by the fork


def test_the_http_answers(witness: WitnessService, log: TransparencyLog) -> None:
    app = WitnessApp(witness)
    note = grow(log, 0, 4)
    ok = call_app(app, "POST", "/add-checkpoint", content=AddCheckpoint(0, (), note).to_body())
    assert ok.status_code == 200 and ok.headers["content-type"] == "text/plain; charset=utf-8"
    assert ok.text.startswith("— witness.daylight.invalid ")
    stale = call_app(app, "POST", "/add-checkpoint", content=AddCheckpoint(0, (), note).to_body())
    assert (stale.status_code, stale.headers["content-type"], stale.text) == (
        409, "text/x.tlog.size", "4\n")
    bad = call_app(app, "POST", "/add-checkpoint", content=b"old x\n\n")
    assert bad.status_code == 400 and bad.json()["error"]["where"] == "body:1"
    assert call_app(app, "GET", "/add-checkpoint").status_code == 405
    assert call_app(app, "POST", "/elsewhere").json()["error"]["code"] == "not_found"
    big = call_app(app, "POST", "/add-checkpoint", content=b"x" * 70_000)
    assert big.status_code == 413


def test_log_arguments_are_checked(log: TransparencyLog) -> None:
    assert set(parse_logs([f"{log.origin}={log.verifier.vkey}"])) == {log.origin}
    for bad in ["no-equals", f"{log.origin}=nonsense", f"={log.verifier.vkey}"]:
        with pytest.raises(InputError) as raised:
            parse_logs([bad])
        assert raised.value.where == "--log"


def test_concurrent_requests_cannot_roll_the_witness_back(
        witness: WitnessService, log: TransparencyLog) -> None:
    """The spec's race: A (size N) and B (size N+K) checked, B stored, then A stored would roll
    back K leaves. The check and the update are one transaction, so one of them is refused."""
    add(witness, 0, (), grow(log, 0, 4))
    small, large = grow(log, 4, 4), grow(log, 8, 8)
    bodies = [AddCheckpoint(4, log.consistency_proof(4, 8).proof, small).to_body(),
              AddCheckpoint(4, log.consistency_proof(4, 16).proof, large).to_body()]
    outcomes: list[str] = []

    def offer(body: bytes) -> None:
        try:
            witness.add_checkpoint(body)
            outcomes.append("cosigned")
        except OldSizeConflictError:
            outcomes.append("409")

    threads = [threading.Thread(target=offer, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["409", "cosigned"]
    latest = witness.latest(log.origin)
    assert latest is not None
    size = int(latest.split("\n")[1])
    assert size in (8, 16)
    if size == 8:  # A won: B must now come from 8, and does
        add(witness, 8, log.consistency_proof(8, 16).proof, large)
    assert int((witness.latest(log.origin) or "").split("\n")[1]) == 16


@pytest.mark.parametrize("url", ["\x1b]0;pwned\x07", "http://" + "a" * 300, "http://[::1",
                                 "file:///etc/passwd", "ftp://witness.invalid", "http://",
                                 "http://user:s3cret@witness.invalid", "http://witness.invalid:x",
                                 "http://witness.invalid/ a", "http://witness.invalid:0"])
def test_a_witness_url_is_http_with_a_host_and_no_credentials(url: str) -> None:
    """What `log publish --witness` and `report build --witness` take: urllib raised
    ValueError/UnicodeError tracebacks for malformed URLs, followed `file:` URLs, and the
    answers printed a password given in one (the probe of issue 14)."""
    from daylight.log.cosignatures import http_post, verify_witness_url
    with pytest.raises(InputError) as caught:
        verify_witness_url(url)
    assert caught.value.where == "--witness" and "s3cret" not in caught.value.message
    with pytest.raises(InputError):
        http_post(url, b"")  # the transport itself follows no other URL
    assert verify_witness_url("https://witness.invalid:8443/prefix") == \
        "https://witness.invalid:8443/prefix"
