"""The top-level command group is lazy: `daylight --help` lists every command from the table in
``cli/main.py`` without importing the command modules, so the table must say what they say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer
from typer.testing import CliRunner

import daylight.cli
from daylight.cli.main import COMMANDS, SUBCOMMANDS, DaylightGroup, app, first_paragraph


def _group() -> DaylightGroup:
    group = typer.main.get_command(app)
    assert isinstance(group, DaylightGroup)
    return group


def test_the_help_table_says_what_each_command_says() -> None:
    group = _group()
    ctx = typer.Context(group)
    for name, entry in COMMANDS.items():
        command = group.get_command(ctx, name)
        assert command is not None and command.name == name
        assert first_paragraph(entry.help) == first_paragraph(command.short_help or command.help or ""), name


def test_every_command_module_is_in_the_table() -> None:
    modules = {path.stem for path in Path(daylight.cli.__file__).parent.glob("*.py")}
    named = {entry.module for entry in [*COMMANDS.values(), *SUBCOMMANDS.values()]}
    assert modules - named == {"__init__", "main", "output"}
    assert named <= modules


def test_subcommands_kept_in_other_modules_join_their_group() -> None:
    group = _group()
    ctx = typer.Context(group)
    for (parent, name), _entry in SUBCOMMANDS.items():
        sub = group.get_command(ctx, parent)
        assert isinstance(sub, typer.core.TyperGroup)
        assert name in sub.list_commands(ctx)


def test_the_help_lists_every_command_and_loads_none_of_them(tmp_path: Path) -> None:
    code = ("import sys\nfrom daylight.cli.main import main\nsys.argv = ['daylight', '--help']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith('daylight.') and m != 'daylight.cli.main'"
            " and m.count('.') > 1 and not m.startswith('daylight.core.')))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=True, env={"COLUMNS": "200", "PATH": ""})
    *help_lines, loaded = done.stdout.splitlines()
    assert loaded == "[]"
    listed = [line.split()[1] for line in help_lines if line.startswith("│ ") and
              line.split()[1] in COMMANDS]
    assert listed == list(COMMANDS)


def test_a_mistyped_command_is_told_the_nearest_one() -> None:
    result = CliRunner().invoke(app, ["lgo"], prog_name="daylight")
    assert result.exit_code == 2
    assert "No such command 'lgo'. Did you mean 'log'?" in result.stderr
