"""`daylight report build` and `daylight verify` through the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from daylight.cli.main import app


def test_verify_says_which_key_it_used_and_fails_with_where(published: Path,
                                                            tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["verify", str(published)])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["verified"] is True
    assert "using the key published beside the log" in result.stderr
    copy = tmp_path / "copy"
    shutil.copytree(published, copy)
    path = copy / "data" / "organizations.csv"
    path.write_text(path.read_text().replace("Gainesville", "Gainsville"))
    result = runner.invoke(app, ["verify", str(copy), "--key", str(copy / "log.vkey")])
    assert result.exit_code == 6
    assert "data/organizations.csv:" in result.stderr and "organization_name" in result.stderr
    assert "using the key published" not in result.stderr


def test_report_build_needs_a_home(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--home", str(tmp_path / "none"), "report", "build",
                                      "--period", "2026-10", "--out", str(tmp_path / "r")])
    assert result.exit_code == 3
    assert "daylight init" in result.stderr


def test_a_bad_period_is_one_line_naming_the_option(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert CliRunner().invoke(app, ["--home", str(home), "init", "--origin",
                                    "test.daylight.invalid/log"]).exit_code == 0
    result = CliRunner().invoke(app, ["--home", str(home), "report", "build", "--period",
                                      "2026-13", "--out", str(tmp_path / "r")])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --period: period `2026-13`")


LONG_NAME = "x" * 300  # one name over the filesystem's 255 bytes: ENAMETOOLONG, not ENOENT


def test_a_name_too_long_for_the_filesystem_is_one_line_naming_it(published: Path,
                                                                  tmp_path: Path) -> None:
    """`--home`, `report build --out` and a `--witness` that is not a key, each one name of
    300 characters: Path.exists/is_file raise OSError for it, which the commands printed as
    tracebacks (the probe of issue 14)."""
    runner = CliRunner()
    result = runner.invoke(app, ["--home", str(tmp_path / LONG_NAME), "token", "list"])
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.stderr
    assert "daylight.toml: cannot read" in result.stderr and len(result.stderr.splitlines()) == 1
    home = tmp_path / "home"
    assert runner.invoke(app, ["--home", str(home), "init", "--origin",
                               "test.daylight.invalid/log"]).exit_code == 0
    result = runner.invoke(app, ["--home", str(home), "report", "build", "--period", "2026-10",
                                 "--out", str(tmp_path / LONG_NAME)])
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.stderr
    assert "--out" in result.stderr and len(result.stderr.splitlines()) == 1
    result = runner.invoke(app, ["verify", str(published), "--witness", LONG_NAME])
    assert result.exit_code == 2 and result.stderr.startswith("error: "), result.stderr
    assert "--witness" in result.stderr
