"""The command-line contracts of issue 12, tested from outside: what each command prints, and
that bad input is one line on stderr, a non-zero exit, and nothing recorded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.voice.conftest import ReviewKey, declaration_file

ACCOUNTS = ("account_id,name,email_domains,city,state,country,created_at\n"
            "SYNTHETIC-office,SYNTHETIC Office,office.example,,,US,2026-01-01\n")


@pytest.fixture
def home(tmp_path: Path, database_url: str, review_key: ReviewKey) -> Cli:
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "voice.daylight.invalid/log")
    (tmp_path / "accounts.csv").write_text(ACCOUNTS)
    cli("accounts", "import", str(tmp_path / "accounts.csv"))
    return cli


def _keyed(review_key: ReviewKey, *args: str) -> tuple[str, ...]:
    return ("--review-key", review_key.public, *args)


def _tree_size(cli: Cli) -> int:
    return int(cli("log", "checkpoint").stdout.split("\n")[1])


def test_declare_review_show_list(home: Cli, tmp_path: Path) -> None:
    decl = tmp_path / "DECL.json"
    decl.write_bytes(declaration_file("touchless_access_control"))
    created = home.json("declare", "--account", "SYNTHETIC-office", "--capability",
                        "biometric_identification", "--file", str(decl))
    assert list(created) == ["declaration_id"]
    declaration_id = created["declaration_id"]
    first = home.json("declarations", "review", declaration_id, "--by", "r1@provider.example",
                      "--decision", "approve", "--rationale", "SYNTHETIC: checked")
    assert (first["status"], first["approvals"]) == ("submitted", 1)
    second = home.json("declarations", "review", declaration_id, "--by", "r2@provider.example",
                       "--decision", "approve", "--rationale", "SYNTHETIC: checked too")
    assert (second["status"], second["approvals"]) == ("approved", 2)
    shown = home.json("declarations", "show", declaration_id)
    assert {"declaration_id", "account_id", "capability", "purpose", "status",
            "approvals"} <= set(shown)
    assert (shown["account_id"], shown["capability"], shown["purpose"], shown["status"]) == (
        "SYNTHETIC-office", "biometric_identification", "touchless_access_control", "approved")
    lines = home("declarations", "list", "--account", "SYNTHETIC-office", "--status",
                 "approved").stdout.splitlines()
    assert [json.loads(line)["declaration_id"] for line in lines] == [declaration_id]
    assert home("declarations", "list", "--status", "revoked").stdout == ""
    decision = home.json("decide", "SYNTHETIC-office", "face.search")  # no policy yet: a deny
    assert decision["allowed"] is False


def test_objection_file_sign_show_list_resolve_and_refusal(
        home: Cli, review_key: ReviewKey, tmp_path: Path) -> None:
    filed = home.json(*_keyed(review_key, "objection", "file", "--by", "Filer@provider.example",
                              "--about", "account:SYNTHETIC-office", "--statement",
                              "SYNTHETIC: stop selling face search here", "--threshold", "2"))
    objection_id = filed["objection_id"]
    receipt = home.json(*_keyed(review_key, "objection", "sign", objection_id, "--by",
                                "cosigner@provider.example"))
    assert set(receipt) == {"objection_id", "commitment", "salt", "leaf_index", "tree_size",
                            "inclusion_proof", "tlog_proof"}
    assert receipt["tlog_proof"].startswith("c2sp.org/tlog-proof@v1\n")
    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    (tmp_path / "log.vkey").write_text(home("log", "key").stdout)
    checked = home.json("objection", "check-receipt", str(tmp_path / "receipt.json"), "--by",
                        "COSIGNER@provider.example", "--key", str(tmp_path / "log.vkey"))
    assert checked["verified"] is True
    wrong = home("objection", "check-receipt", str(tmp_path / "receipt.json"), "--by",
                 "filer@provider.example", "--key", str(tmp_path / "log.vkey"), ok=False)
    assert wrong.exit_code == 6
    shown = home("objection", "show", objection_id).stdout
    value = json.loads(shown)
    assert {k: value[k] for k in ("objection_id", "about", "signatures", "threshold",
                                  "status")} == {
        "objection_id": objection_id, "about": "account:SYNTHETIC-office", "signatures": 2,
        "threshold": 2, "status": "review"}
    assert "filer" not in shown.lower() and "cosigner" not in shown.lower()
    assert [json.loads(line)["objection_id"] for line in
            home("objection", "list").stdout.splitlines()] == [objection_id]
    resolved = home.json(*_keyed(review_key, "objection", "resolve", objection_id, "--by",
                                 "ombuds@provider.example", "--outcome", "SYNTHETIC: suspended",
                                 "--rationale", "SYNTHETIC: the review agreed"))
    assert (resolved["status"], resolved["outcome"], resolved["rationale"]) == (
        "resolved", "SYNTHETIC: suspended", "SYNTHETIC: the review agreed")
    refusal = home.json(*_keyed(review_key, "refusal", "record", "--by", "filer@provider.example",
                                "--about", "capability:biometric_identification"))
    assert refusal["refusals"] == 1 and "filer" not in json.dumps(refusal)
    (tmp_path / "review.key").write_text(review_key.private)
    signers = [json.loads(line) for line in home(
        "objection", "signers", objection_id, "--key-file", str(tmp_path / "review.key")
    ).stdout.splitlines()]
    assert [s["identity"] for s in signers] == ["filer@provider.example",
                                                "cosigner@provider.example"]


BAD = [
    # (what, arguments after the review key, exit code, words in the error)
    ("unknown account", ("declare", "--account", "SYNTHETIC-nobody", "--capability",
                         "biometric_identification", "--file", "{decl}"), 3, "SYNTHETIC-nobody"),
    ("unknown capability", ("declare", "--account", "SYNTHETIC-office", "--capability",
                            "mind_reading", "--file", "{decl}"), 3, "mind_reading"),
    ("unknown field", ("declare", "--account", "SYNTHETIC-office", "--capability",
                       "biometric_identification", "--file", "{bad_decl}"), 2, "colour"),
    ("missing file", ("declare", "--account", "SYNTHETIC-office", "--capability",
                      "biometric_identification", "--file", "{missing}"), 3, "--file"),
    ("statement too long", ("objection", "file", "--by", "e@provider.example", "--about",
                            "account:SYNTHETIC-office", "--statement", "x" * 4001), 2,
     "at most 4000"),
    ("empty identity", ("objection", "file", "--by", " ", "--about",
                        "account:SYNTHETIC-office", "--statement", "s"), 2, "--by"),
    ("control character", ("objection", "file", "--by", "e\x1b@provider.example", "--about",
                           "account:SYNTHETIC-office", "--statement", "s"), 2, "--by"),
    ("unknown kind", ("objection", "file", "--by", "e@provider.example", "--about",
                      "customer:SYNTHETIC-office", "--statement", "s"), 2, "KIND:ID"),
    ("unknown objection", ("objection", "sign", "obj-0", "--by", "e@provider.example"), 3,
     "obj-0"),
    ("refusal of nothing", ("refusal", "record", "--by", "e@provider.example", "--about",
                            "account:SYNTHETIC-nobody"), 3, "SYNTHETIC-nobody"),
]


@pytest.mark.parametrize("what, args, code, words", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_a_non_zero_exit_and_nothing_recorded(
        home: Cli, review_key: ReviewKey, tmp_path: Path, what: str, args: tuple[str, ...],
        code: int, words: str) -> None:
    (tmp_path / "decl.json").write_bytes(declaration_file("touchless_access_control"))
    (tmp_path / "bad.json").write_bytes(declaration_file("touchless_access_control",
                                                         colour="blue"))
    paths = {"decl": str(tmp_path / "decl.json"), "bad_decl": str(tmp_path / "bad.json"),
             "missing": str(tmp_path / "nope.json")}
    before = _tree_size(home)
    result = home(*_keyed(review_key, *(a.format(**paths) for a in args)), ok=False)
    assert result.exit_code == code, result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr.splitlines()) == 1
    assert words in result.stderr
    assert result.stdout == ""
    assert _tree_size(home) == before
    assert home("declarations", "list").stdout == "" and home("objection", "list").stdout == ""


def test_twice_is_refused_and_recorded_once(home: Cli, review_key: ReviewKey,
                                            tmp_path: Path) -> None:
    objection_id = home.json(*_keyed(review_key, "objection", "file", "--by", "e@provider.example",
                                     "--about", "account:SYNTHETIC-office", "--statement",
                                     "SYNTHETIC", "--threshold", "1"))["objection_id"]
    before = _tree_size(home)
    again = home(*_keyed(review_key, "objection", "sign", objection_id, "--by",
                         "E@Provider.Example"), ok=False)
    assert again.exit_code == 4 and "already signed" in again.stderr
    home(*_keyed(review_key, "objection", "resolve", objection_id, "--by", "o@provider.example",
                 "--outcome", "SYNTHETIC", "--rationale", "SYNTHETIC"))
    twice = home(*_keyed(review_key, "objection", "resolve", objection_id, "--by",
                         "o@provider.example", "--outcome", "x", "--rationale", "y"), ok=False)
    assert twice.exit_code == 4 and "already resolved" in twice.stderr
    assert _tree_size(home) == before + 1
    decl = tmp_path / "DECL.json"
    decl.write_bytes(declaration_file("touchless_access_control"))
    declaration_id = home.json("declare", "--account", "SYNTHETIC-office", "--capability",
                               "biometric_identification", "--file", str(decl))["declaration_id"]
    own = home("declarations", "review", declaration_id, "--by", "it@office.example",
               "--decision", "approve", "--rationale", "mine", ok=False)
    assert own.exit_code == 4 and "own organisation" in own.stderr
    assert home.json("declarations", "show", declaration_id)["approvals"] == 0


def test_objections_need_a_review_key(home: Cli) -> None:
    result = home("objection", "file", "--by", "e@provider.example", "--about",
                  "account:SYNTHETIC-office", "--statement", "s", ok=False)
    assert result.exit_code == 2 and "review_key" in result.stderr
