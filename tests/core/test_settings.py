"""Settings: one table feeds flags, environment, the TOML file and the docs."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from daylight.cli.main import app
from daylight.core.errors import ConfigError
from daylight.core.settings import SETTINGS, build_settings, settings_environment

DOCS = Path(__file__).parents[2] / "docs"


def test_precedence_is_flag_then_environment_then_file_then_default(tmp_path: Path) -> None:
    (tmp_path / "daylight.toml").write_text("batch_max_entries = 10\nbatch_interval_ms = 5\n")
    environ = {"DAYLIGHT_HOME": str(tmp_path), "DAYLIGHT_BATCH_MAX_ENTRIES": "20"}
    settings = build_settings({"batch_max_entries": 30}, environ)
    assert settings.batch_max_entries == 30
    settings = build_settings({}, environ)
    assert settings.batch_max_entries == 20
    assert settings.batch_interval_ms == 5.0
    assert settings.pending_max_entries == 1_000_000
    assert settings.home == tmp_path


@pytest.mark.parametrize("flags, environ, problem", [
    ({"batch_max_entries": "0"}, {}, "must be a positive integer"),
    ({}, {"DAYLIGHT_BATCH_INTERVAL_MS": "soon"}, "invalid value `soon`"),
    ({"colour": "red"}, {}, "unknown setting `colour`"),
])
def test_invalid_settings_are_errors(flags: dict[str, str], environ: dict[str, str],
                                     problem: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=problem):
        build_settings(flags, {"DAYLIGHT_HOME": str(tmp_path), **environ})


@pytest.mark.parametrize("flags, environ, where", [
    ({"database_url": "sqlite:////tmp/x\x01.db"}, {}, "--database-url"),
    ({}, {"DAYLIGHT_DATABASE_URL": "postgresql://u:pw@db/x\n"}, "DAYLIGHT_DATABASE_URL"),
    ({"home": "/tmp/home\x1b[31m"}, {}, "--home"),
    ({}, {"DAYLIGHT_HOME": "/tmp/home\x07"}, "DAYLIGHT_HOME"),
    ({"serve_reports_dir": "/srv/\u202ereports"}, {}, "--serve-reports-dir"),
])
def test_a_path_or_url_with_a_control_character_is_refused_before_anything_is_created(
        flags: dict[str, str], environ: dict[str, str], where: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="control characters") as caught:
        build_settings(flags, {"DAYLIGHT_HOME": str(tmp_path), **environ})
    assert caught.value.where == where
    assert "pw@" not in str(caught.value)


@pytest.mark.parametrize("name", ["home\u3000folder", "home\u00a0folder"])
def test_a_home_named_with_a_space_other_than_u0020_is_not_a_control_character(
        name: str, tmp_path: Path) -> None:
    """str.isprintable() is False for every space but U+0020: a home with an ideographic space
    (common in Japanese folder names) was refused as holding 'control characters'."""
    settings = build_settings({"home": str(tmp_path / name)}, {})
    assert settings.home == tmp_path / name


def test_unknown_keys_in_the_file_are_errors(tmp_path: Path) -> None:
    (tmp_path / "daylight.toml").write_text("home = '/elsewhere'\n")
    with pytest.raises(ConfigError, match="`home` cannot be set in the file it lives in: pass "
                                          "--home or set DAYLIGHT_HOME"):
        build_settings({}, {"DAYLIGHT_HOME": str(tmp_path)})
    (tmp_path / "daylight.toml").write_text("batch_max_entrie = 5\n")  # a typo says what is known
    with pytest.raises(ConfigError, match="unknown setting `batch_max_entrie`: expected one of "
                                          "batch_interval_ms, batch_max_entries, ") as refused:
        build_settings({}, {"DAYLIGHT_HOME": str(tmp_path)})
    assert "home" not in refused.value.message.split(": expected one of ")[1].split(", ")


def test_the_database_password_never_shows(tmp_path: Path) -> None:
    settings = build_settings({"database_url": "postgresql://u:hunter2@db/x"},
                              {"DAYLIGHT_HOME": str(tmp_path)})
    assert "hunter2" not in repr(settings)
    result = CliRunner().invoke(app, ["--help"])
    assert "hunter2" not in result.output


def test_every_setting_is_a_flag_and_documented() -> None:
    help_text = CliRunner().invoke(app, ["--help"], terminal_width=200).output
    docs = (DOCS / "settings.md").read_text()
    for setting in SETTINGS:
        assert setting.flag in help_text, setting.name
        assert f"`{setting.name}`" in docs and setting.env in docs, setting.name


def test_a_child_process_environment_reproduces_the_settings(tmp_path: Path) -> None:
    (tmp_path / "daylight.toml").write_text("batch_max_entries = 7\n")
    parent = build_settings({"home": str(tmp_path), "batch_interval_ms": "3.5",
                             "database_url": "postgresql://u:secret@db/x"}, {})
    child_environment = settings_environment(parent)
    (tmp_path / "daylight.toml").unlink()  # the child must not depend on re-reading it
    assert build_settings({}, child_environment) == parent
    assert "DAYLIGHT_DATABASE_URL" not in settings_environment(build_settings(
        {"home": str(tmp_path)}, {}))
