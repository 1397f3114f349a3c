"""Running the `daylight` command line in-process against a home on either backend."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from daylight.cli.main import app


@dataclass
class Cli:
    """Runs commands with ``--home`` (and ``--database-url`` for PostgreSQL) already set."""

    home: Path
    database_url: str | None

    def __call__(self, *args: str, input: str | bytes | None = None, ok: bool = True) -> Result:
        options = ["--home", str(self.home)]
        if self.database_url:
            options += ["--database-url", self.database_url]
        env = {"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": None}
        result = CliRunner().invoke(app, [*options, *args], input=input, env=env,
                                    catch_exceptions=False)
        if ok:
            assert result.exit_code == 0, result.stderr
        return result

    def json(self, *args: str, input: str | bytes | None = None) -> Any:
        return json.loads(self(*args, input=input).stdout)


@pytest.fixture
def cli(tmp_path: Path, database_url: str) -> Cli:
    """A CLI on a not-yet-initialised home (SQLite inside the home, or a PostgreSQL schema)."""
    url = None if database_url.startswith("sqlite") else database_url
    return Cli(tmp_path / "home", url)


@pytest.fixture
def initialised(cli: Cli) -> Cli:
    cli("init", "--origin", "cli.daylight.invalid/log")
    return cli


JsonLines = Callable[[list[dict[str, Any]]], str]


@pytest.fixture
def jsonl() -> JsonLines:
    return lambda objects: "".join(json.dumps(o) + "\n" for o in objects)
