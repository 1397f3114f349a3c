"""Every command starts fast: the heavy libraries load in the commands that use them.

Each check runs a fresh interpreter (the test process has long since imported everything) and
lists which heavy top-level packages ended up in ``sys.modules``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("followthemoney", "duckdb", "pyspark", "fastapi", "starlette", "uvicorn", "pyarrow",
         "psycopg", "cedarpy", "rigour", "nacl")

REPORT = """
import atexit, json, sys
heavy = {heavy!r}
atexit.register(lambda: print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & set(heavy)))))
"""


def _loaded(code: str, tmp_path: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAYLIGHT_")}
    done = subprocess.run([sys.executable, "-c", REPORT.format(heavy=HEAVY) + code], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True)
    loaded: list[str] = json.loads(done.stdout.splitlines()[-1])
    return loaded


def test_importing_the_command_line_loads_no_heavy_library(tmp_path: Path) -> None:
    assert _loaded("import daylight.cli.main", tmp_path) == []


def test_a_sanity_check_that_the_probe_sees_an_import(tmp_path: Path) -> None:
    assert _loaded("import daylight.cli.main, duckdb", tmp_path) == ["duckdb"]


def test_log_checkpoint_loads_no_heavy_library(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run = ("from daylight.cli.main import main\n"
           f"sys.argv = ['daylight', '--home', {str(home)!r}, {{args}}]\n"
           "try:\n    main()\nexcept SystemExit as exit:\n    assert not exit.code, exit.code\n")
    assert _loaded(run.format(args="'init', '--origin', 'startup.daylight.invalid/log'"), tmp_path) \
        == []
    assert _loaded(run.format(args="'log', 'checkpoint'"), tmp_path) == []
