"""`report build --witness`: witnesses (C2SP tlog-witness, in process through the transport
seam) cosign the checkpoint the rows are proven against and the published `log/checkpoint`; the
front page names them; `verify --witness --quorum` checks them; a re-build asks nobody again."""

from __future__ import annotations

import base64
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daylight.cli.main import app
from daylight.core.clock import fixed_clock
from daylight.core.database import Database, migrate
from daylight.core.errors import VerificationError
from daylight.flows.report import ReportRequest, build_report
from daylight.home import all_migrations
from daylight.log.cosignatures import Transport, local_transport
from daylight.log.note import CosignatureSigner
from daylight.log.witness import WitnessService
from daylight.policy.catalog import default_catalog
from daylight.report.verify import verify_report
from tests.report.conftest import NOW, World

WITNESS = CosignatureSigner("witness.daylight.invalid", b"w" * 32)
URL = "http://witness.invalid"


def in_process(service: WitnessService, asked: list[str]) -> Transport:
    """The witness in this process (``local_transport``), counting the requests."""
    local = local_transport(service)

    def post(url: str, body: bytes) -> tuple[int, str, bytes]:
        asked.append(url)
        return local(url, body)

    return post


@pytest.fixture
def witness(world: World, tmp_path: Path) -> WitnessService:
    database = Database(f"sqlite:///{tmp_path / 'witness.db'}")
    migrate(database, all_migrations())
    return WitnessService(WITNESS, {world.log.origin: world.log.verifier}, database,
                          clock=fixed_clock(datetime.fromtimestamp(1_800_000_000, UTC)))


def test_the_published_checkpoints_carry_the_witnesses_cosignatures(
        world: World, witness: WitnessService, tmp_path: Path) -> None:
    asked: list[str] = []
    request = ReportRequest("2026-10", tmp_path / "report", witnesses=(URL,),
                            witness_transport=in_process(witness, asked))
    result = build_report(world.database, world.log, default_catalog(), request, NOW)
    assert [a.cosigned for a in result.witness_answers] == [True, True]
    assert result.to_json()["witnesses"][0]["witnesses"] == ["witness.daylight.invalid"]
    (cosignature,) = result.report.cosignatures
    assert (cosignature.witness, cosignature.timestamp) == ("witness.daylight.invalid",
                                                            1_800_000_000)
    out = tmp_path / "report"
    assert "— witness.daylight.invalid " in (out / "log" / "checkpoint").read_text()
    proof = next((out / "proofs").iterdir()).read_text()
    assert "— witness.daylight.invalid " in proof  # the proven checkpoint, cosigned
    assert "Cosigned by witness <code>witness.daylight.invalid</code>" in \
        (out / "index.html").read_text()
    checked = verify_report(out, witnesses=[WITNESS.verifier().vkey], quorum=1)
    assert checked.cosigned_by == ("witness.daylight.invalid",)
    assert checked.cosignatures_not_checked == ()
    # Without --witness, a reader is told that the checkpoint carries a cosignature nobody
    # checked, and whose: the front page names the witness; verify must not stay silent.
    unchecked = verify_report(out)
    assert unchecked.cosigned_by == () and unchecked.cosignatures_not_checked == (
        "witness.daylight.invalid",)
    assert unchecked.to_json()["cosignatures_not_checked"] == ["witness.daylight.invalid"]

    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    size, posts = world.log.tree_size(), len(asked)  # the second time with a consistency proof
    again = build_report(world.database, world.log, default_catalog(), request, NOW)
    assert again.witness_answers == () and len(asked) == posts  # nobody asked twice
    assert world.log.tree_size() == size
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_witness_that_refuses_is_reported_and_the_report_still_stands(
        world: World, tmp_path: Path) -> None:
    def refusing(url: str, body: bytes) -> tuple[int, str, bytes]:
        return 403, "application/json", b'{"error": "untrusted"}'

    request = ReportRequest("2026-10", tmp_path / "report", witnesses=(URL,),
                            witness_transport=refusing)
    result = build_report(world.database, world.log, default_catalog(), request, NOW)
    assert [a.status for a in result.witnesses_refused] == [403, 403]
    assert result.report.cosignatures == ()
    verify_report(tmp_path / "report")
    with pytest.raises(VerificationError, match="cosigned by 0 of the 1"):
        verify_report(tmp_path / "report", witnesses=[WITNESS.verifier().vkey])


@pytest.mark.parametrize("name", ["witness[/x]", "[link=https://x.invalid]w[/link]", "[bold]w"])
def test_an_unchecked_cosigners_name_is_printed_as_text(published: Path, tmp_path: Path,
                                                         name: str) -> None:
    """The names come from the report being checked: one with a closing tag was a MarkupError
    traceback after the report verified, and markup could restyle or link the line (the
    review). A note with a control character is refused by the mirror's verifier."""
    report = tmp_path / "report"
    shutil.copytree(published, report)
    checkpoint = report / "log" / "checkpoint"
    signature = base64.b64encode(b"\x01\x02\x03\x04" + bytes(64)).decode()
    checkpoint.write_text(checkpoint.read_text() + f"\u2014 {name} {signature}\n")
    result = CliRunner().invoke(app, ["verify", str(report)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["cosignatures_not_checked"] == [name]
    assert name in result.stderr


def test_a_line_in_the_logs_name_by_another_key_is_said_not_checked(published: Path,
                                                                    tmp_path: Path) -> None:
    """Unchecked lines are those not made by the log's key, whatever name they bear: one in the
    log's own name by another key was skipped as if it were the log's (the review)."""
    report = tmp_path / "report"
    shutil.copytree(published, report)
    checkpoint = report / "log" / "checkpoint"
    origin = checkpoint.read_text().split("\n", 1)[0]
    signature = base64.b64encode(b"\x01\x02\x03\x04" + bytes(64)).decode()
    checkpoint.write_text(checkpoint.read_text() + f"\u2014 {origin} {signature}\n")
    assert verify_report(report).cosignatures_not_checked == (origin,)
