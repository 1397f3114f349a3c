"""The CLI contract of `daylight init` and `daylight log ...`, on both backends."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

from daylight.log import merkle
from daylight.log.checkpoint import open_checkpoint
from daylight.log.note import verifier_from_vkey
from daylight.log.proof import verify_consistency, verify_inclusion
from tests.cli.conftest import Cli, JsonLines


def b64(text: str) -> bytes:
    return base64.b64decode(text)


def test_init_creates_a_private_key_and_refuses_to_overwrite(cli: Cli) -> None:
    created = cli.json("init", "--origin", "cli.daylight.invalid/log")
    key_file = cli.home / "log.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    secret = key_file.read_text().strip().split("+", 4)[4]  # the key itself may hold "+"
    assert len(secret) > 40
    assert created["vkey"] == cli("log", "key").stdout.strip()
    assert secret not in json.dumps(created)
    again = cli("init", "--origin", "cli.daylight.invalid/log", ok=False)
    assert again.exit_code == 4
    assert "refusing to overwrite" in again.stderr
    assert key_file.read_text().strip().split("+", 4)[4] == secret


def test_init_refuses_an_origin_that_cannot_name_a_key(cli: Cli) -> None:
    result = cli("init", "--origin", "has space", ok=False)
    assert result.exit_code == 2
    assert "origin `has space`" in result.stderr
    assert not (cli.home / "log.key").exists()


def test_append_prints_where_entries_landed(initialised: Cli, jsonl: JsonLines) -> None:
    first = initialised.json("log", "append", "-", input=jsonl([{"b": 1, "a": 2}, {"n": 2}]))
    assert first == {"first_index": 0, "count": 2, "tree_size": 2}
    second = initialised.json("log", "append", "-", input=jsonl([{"n": 3}]))
    assert second == {"first_index": 2, "count": 1, "tree_size": 3}
    assert initialised("log", "entry", "0").stdout_bytes == b'{"a":2,"b":1}'


def test_append_from_a_file(initialised: Cli, jsonl: JsonLines, tmp_path: Path) -> None:
    path = tmp_path / "facts.jsonl"
    path.write_text(jsonl([{"n": i} for i in range(300)]))
    assert initialised.json("log", "append", str(path)) == {
        "first_index": 0, "count": 300, "tree_size": 300}


def test_a_file_that_cannot_be_opened_is_one_line_naming_it(initialised: Cli,
                                                            tmp_path: Path) -> None:
    """A link that loops (ELOOP) and a name over the filesystem's limit (ENAMETOOLONG) were
    tracebacks of `log append` (the probe of issue 14)."""
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    for path in (str(loop), str(tmp_path / ("x" * 300))):
        result = initialised("log", "append", path, ok=False)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith(f"error: {path}: cannot read: "), result.stderr
    assert "\n0\n" in initialised("log", "checkpoint").stdout


def test_one_bad_line_appends_nothing_and_is_named(
    initialised: Cli, jsonl: JsonLines, tmp_path: Path
) -> None:
    path = tmp_path / "facts.jsonl"
    path.write_text(jsonl([{"n": 1}, {"n": 2}]) + "[3]\n" + jsonl([{"n": 4}]))
    result = initialised("log", "append", str(path), ok=False)
    assert result.exit_code == 2
    assert result.stderr == f"error: {path}:3: expected a JSON object, got list\n"
    for bad, problem in [('{"a": 1, "a": 2}\n', "the key `a` appears twice"),
                         ('{"a": 1}\n\n', "<stdin>:2: empty line"),
                         ('{"n": 9007199254740993}\n', "outside the exact range"),
                         ('{"x": "' + "y" * 70000 + '"}\n', "more than 65535")]:
        result = initialised("log", "append", "-", input=bad, ok=False)
        assert result.exit_code == 2 and problem in result.stderr, result.stderr
    assert "\n0\n" in initialised("log", "checkpoint").stdout


def test_checkpoint_is_the_signed_note_byte_for_byte(initialised: Cli, jsonl: JsonLines) -> None:
    initialised("log", "append", "-", input=jsonl([{"n": 1}]))
    text = initialised("log", "checkpoint").stdout
    verifier = verifier_from_vkey(initialised("log", "key").stdout)
    signed = open_checkpoint(text, verifier)
    assert signed.to_text() == text
    assert signed.checkpoint.tree_size == 1
    assert signed.checkpoint.root_hash == merkle.leaf_hash(b'{"n":1}')


def test_proofs_have_the_contracted_shape_and_verify(initialised: Cli, jsonl: JsonLines) -> None:
    initialised("log", "append", "-", input=jsonl([{"n": i} for i in range(5)]))
    initialised("log", "append", "-", input=jsonl([{"n": i} for i in range(5, 13)]))
    inclusion = initialised.json("log", "prove", "inclusion", "3")
    assert set(inclusion) == {"leaf_index", "tree_size", "leaf_hash", "root_hash", "proof"}
    assert inclusion["tree_size"] == 13
    assert b64(inclusion["leaf_hash"]) == merkle.leaf_hash(b'{"n":3}')
    verify_inclusion(3, 13, b64(inclusion["leaf_hash"]), [b64(p) for p in inclusion["proof"]],
                     b64(inclusion["root_hash"]))
    at_five = initialised.json("log", "prove", "inclusion", "3", "--size", "5")
    assert at_five["tree_size"] == 5
    consistency = initialised.json("log", "prove", "consistency", "5", "13")
    assert set(consistency) == {"old_size", "new_size", "old_root", "new_root", "proof"}
    assert consistency["old_root"] == at_five["root_hash"]
    assert consistency["new_root"] == inclusion["root_hash"]
    verify_consistency(5, 13, b64(consistency["old_root"]), b64(consistency["new_root"]),
                       [b64(p) for p in consistency["proof"]])


def test_proofs_beyond_the_log_are_not_found(initialised: Cli, jsonl: JsonLines) -> None:
    initialised("log", "append", "-", input=jsonl([{"n": 1}]))
    assert initialised("log", "prove", "inclusion", "1", ok=False).exit_code == 3
    assert initialised("log", "prove", "consistency", "1", "2", ok=False).exit_code == 3
    assert initialised("log", "entry", "5", ok=False).stderr == "error: no entry at index 5\n"


def test_export_then_verify_with_a_kept_checkpoint(
    initialised: Cli, jsonl: JsonLines, tmp_path: Path
) -> None:
    initialised("log", "append", "-", input=jsonl([{"n": i} for i in range(100)]))
    kept = tmp_path / "kept-checkpoint"
    kept.write_text(initialised("log", "checkpoint").stdout)
    initialised("log", "append", "-", input=jsonl([{"n": i} for i in range(100, 400)]))
    mirror = tmp_path / "mirror"
    exported = initialised.json("log", "export", str(mirror))
    assert exported["tree_size"] == 400
    assert (mirror / "tile/0/000").stat().st_size == 256 * 32
    assert (mirror / "tile/0/001.p/144").stat().st_size == 144 * 32
    assert (mirror / "tile/1/000.p/1").stat().st_size == 32
    assert (mirror / "tile/entries/001.p/144").is_file()
    vkey = tmp_path / "log.vkey"
    vkey.write_text(initialised("log", "key").stdout)
    report = initialised.json("log", "verify", str(mirror), "--key", str(vkey), "--since", str(kept))
    assert report == {"verified": True, "origin": "cli.daylight.invalid/log", "tree_size": 400,
                      "root_hash": exported["root_hash"], "entries_checked": 400,
                      "consistent_with": 100, "cosigned_by": []}


def test_verify_without_a_key_anywhere_says_what_to_pass(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "no-home", None)
    result = cli("log", "verify", str(tmp_path), ok=False)
    assert result.exit_code == 2
    assert "pass --key" in result.stderr


def test_a_kept_checkpoint_that_cannot_be_read_is_named_in_one_plain_line(
    initialised: Cli, tmp_path: Path
) -> None:
    mirror, vkey = tmp_path / "mirror", tmp_path / "log.vkey"
    initialised("log", "export", str(mirror))
    vkey.write_text(initialised("log", "key").stdout)
    binary = tmp_path / "binary"
    binary.write_bytes(b"\xff\xfe")
    for since, problem in [(tmp_path / "missing", "cannot read earlier checkpoint: No such file "
                            "or directory"), (binary, "earlier checkpoint is not UTF-8 text")]:
        result = initialised("log", "verify", str(mirror), "--key", str(vkey), "--since",
                             str(since), ok=False)
        assert result.exit_code == 2
        assert result.stderr == f"error: {since}: {problem}\n"  # no Python errno text


def test_checkpoint_bytes_do_not_depend_on_the_terminal_encoding(initialised: Cli) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "latin-1", "LC_ALL": "C"}
    args = ["--home", str(initialised.home)]
    if initialised.database_url:
        args += ["--database-url", initialised.database_url]
    result = subprocess.run([sys.executable, "-m", "daylight.cli.main", *args, "log", "checkpoint"],
                            capture_output=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == initialised("log", "checkpoint").stdout_bytes
    assert "\u2014".encode() in result.stdout


def test_integrate_covers_entries_left_by_a_crash(initialised: Cli, jsonl: JsonLines) -> None:
    from daylight.core.database import Database
    from daylight.home import read_signer
    from daylight.log.service import TransparencyLog

    initialised("log", "append", "-", input=jsonl([{"n": 1}]))
    url = initialised.database_url or f"sqlite:///{initialised.home / 'daylight.db'}"
    with Database(url) as database:
        TransparencyLog(database, read_signer(initialised.home / "log.key")).sequence([b'{"n":2}'])
    pending = initialised("log", "entry", "1", ok=False)
    assert pending.exit_code == 3 and "not yet covered by a checkpoint" in pending.stderr
    assert initialised.json("log", "integrate") == {"integrated": 1, "tree_size": 2}
    assert initialised("log", "entry", "1").stdout_bytes == b'{"n":2}'
    assert initialised.json("log", "integrate") == {"integrated": 0, "tree_size": 2}


def test_init_leaves_nothing_behind_when_it_fails(cli: Cli) -> None:
    cli.home.mkdir(parents=True)
    if cli.database_url is None:
        (cli.home / "daylight.db").write_bytes(b"not mine")
        result = cli("init", "--origin", "cli.daylight.invalid/log", ok=False)
        assert result.exit_code == 4
        assert (cli.home / "daylight.db").read_bytes() == b"not mine"
    else:
        cli("init", "--origin", "cli.daylight.invalid/log")
        (cli.home / "log.key").unlink()  # a second home pointing at a database that has a log
        result = cli("init", "--origin", "cli.daylight.invalid/log", ok=False)
        assert result.exit_code == 4 and "already holds a log" in result.stderr
    assert not (cli.home / "log.key").exists()


def test_usage_errors_are_one_line_like_every_other_error(cli: Cli) -> None:
    for args, says in ((("log", "prove", "inclusion"), "Missing argument"),
                       (("log", "entry", "seven"), "Invalid value for 'index'"),
                       (("no-such-command",), "No such command"),
                       (("--no-such-option",), "No such option")):
        result = cli(*args, ok=False)
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith("error: daylight") and says in line


def test_log_publish_refuses_a_bad_witness_url_before_touching_the_log(
        initialised: Cli, jsonl: JsonLines) -> None:
    initialised("log", "append", "-", input=jsonl([{"n": 1}]))
    before = initialised("log", "checkpoint").stdout
    for url in ["http://[::1", "file:///etc/passwd", "http://user:s3cret@127.0.0.1:1"]:
        result = initialised("log", "publish", "--witness", url, ok=False)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("error: --witness: ") and "s3cret" not in result.stderr
        assert len(result.stderr.splitlines()) == 1, result.stderr
    assert initialised("log", "checkpoint").stdout == before
