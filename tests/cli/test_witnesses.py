"""A log and two witnesses as separate processes on loopback (the log's commands run in the
test's process, each witness is `daylight witness serve` in its own): the log's checkpoints are
cosigned and verify with a quorum; a forked copy of the log (same key, other entries) is refused
by both witnesses, which keep the evidence; the witnesses stop cleanly on SIGTERM."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from typer.testing import Result

from daylight.core.database import Database
from daylight.log.witness_store import WitnessStore
from tests.cli.conftest import Cli
from tests.servers import daylight_command, free_port, serving

ORIGIN = "witnessed.daylight.invalid/log"


def daylight(home: Path, *args: str, input: bytes | None = None, check: bool = True) -> Result:
    return Cli(home, None)(*args, input=input, ok=check)


def _append(home: Path, tag: str, count: int) -> None:
    lines = b"".join(b'{"%s": %d}\n' % (tag.encode(), i) for i in range(count))
    daylight(home, "log", "append", "-", input=lines)


@pytest.fixture
def witnesses(tmp_path: Path) -> Iterator[list[tuple[str, str, Path, subprocess.Popen[bytes]]]]:
    """The log's home (made first, so the witnesses know its key) and two witness processes:
    (url, verifier key, home, process) each."""
    log_home = tmp_path / "log"
    daylight(log_home, "init", "--origin", ORIGIN)
    log_vkey = daylight(log_home, "log", "key").stdout.strip()
    with ExitStack() as running:
        started = []
        for name in ("w1.daylight.invalid", "w2.daylight.invalid"):
            home, port = tmp_path / name, free_port()
            vkey = daylight(home, "witness", "key", "--name", name).stdout.strip()
            command = daylight_command(home, "witness", "serve", "--log", f"{ORIGIN}={log_vkey}",
                                       "--host", "127.0.0.1", "--port", str(port))
            witness = running.enter_context(serving(command, port, tmp_path / f"{name}.stderr",
                                                    ready="/add-checkpoint"))  # a GET: 405
            started.append((witness.url, vkey, home, witness.process))
        yield started


def test_two_witnesses_cosign_the_log_and_refuse_a_fork(
        tmp_path: Path, witnesses: list[tuple[str, str, Path, subprocess.Popen[bytes]]]) -> None:
    log_home = tmp_path / "log"
    urls = [option for url, _, _, _ in witnesses for option in ("--witness", url)]
    vkeys = [option for _, vkey, _, _ in witnesses for option in ("--witness", vkey)]

    _append(log_home, "entry", 5)
    shutil.copytree(log_home, tmp_path / "fork")  # the same key and the same five entries
    published = json.loads(daylight(log_home, "log", "publish", *urls).stdout)
    assert published["tree_size"] == 5
    assert [a["cosigned"] for a in published["witnesses"]] == [True, True]
    _append(log_home, "entry", 3)
    published = json.loads(daylight(log_home, "log", "publish", *urls).stdout)  # with a proof
    assert published["tree_size"] == 8 and all(a["cosigned"] for a in published["witnesses"])

    daylight(log_home, "log", "export", str(tmp_path / "mirror"))
    verified = json.loads(daylight(log_home, "log", "verify", str(tmp_path / "mirror"),
                                   *vkeys, "--quorum", "2").stdout)
    assert verified["cosigned_by"] == ["w1.daylight.invalid", "w2.daylight.invalid"]

    # The fork: the log's key, the first five entries, then another three.
    _append(tmp_path / "fork", "forged", 3)
    refused = daylight(tmp_path / "fork", "log", "publish", *urls, check=False)
    assert refused.exit_code == 6, refused.stderr
    answers = json.loads(refused.stdout)["witnesses"]
    assert [a["status"] for a in answers] == [409, 409]  # size 8 already cosigned, another root
    assert "did not cosign" in refused.stderr
    daylight(tmp_path / "fork", "log", "export", str(tmp_path / "fork-mirror"))
    unwitnessed = daylight(tmp_path / "fork", "log", "verify", str(tmp_path / "fork-mirror"),
                           *vkeys, "--quorum", "1", check=False)
    assert unwitnessed.exit_code == 6
    assert "cosigned by 0 of the 2 witnesses" in unwitnessed.stderr

    for _, _, home, process in witnesses:
        process.terminate()
        assert process.wait(timeout=30) == 0  # a graceful stop
        database = Database(f"sqlite:///{home / 'daylight.db'}")
        try:
            with database.transaction(write=False) as tx:
                store = WitnessStore(tx)
                evidence = store.refusals(ORIGIN)
                latest = store.latest(ORIGIN)
        finally:
            database.close()
        assert len(evidence) == 1 and evidence[0].status == 409
        assert b'"forged"' not in evidence[0].request.encode()  # the checkpoint, not entries
        assert evidence[0].request.split("\n\n", 1)[1].startswith(f"{ORIGIN}\n8\n")
        assert latest is not None and latest.startswith(f"{ORIGIN}\n8\n")
        assert latest.split("\n")[2] == published["root_hash"]  # still the true log's root
