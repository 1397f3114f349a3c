"""The docs stay honest: every command is documented, and the README keeps its two commands."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from daylight.cli.main import app

ROOT = Path(__file__).parents[1]


def subcommands(command: object) -> dict[str, Any]:
    """A group's commands, loaded (the top-level group loads its commands when asked)."""
    if not isinstance(command, typer.core.TyperGroup):
        return {}
    ctx = typer.Context(command)
    return {name: command.get_command(ctx, name) for name in command.list_commands(ctx)}


def command_paths() -> list[str]:
    """Every leaf command, as it is typed: `daylight log prove inclusion`."""
    paths: list[str] = []

    def walk(command: object, prefix: str) -> None:
        found = subcommands(command)
        if found:
            for name, sub in found.items():
                walk(sub, f"{prefix} {name}")
        else:
            paths.append(prefix)

    walk(typer.main.get_command(app), "daylight")
    return paths


def test_every_command_has_a_section_in_the_cli_docs() -> None:
    docs = (ROOT / "docs" / "cli.md").read_text()
    headings = set(re.findall(r"^## `([^`]+)`", docs, flags=re.MULTILINE))
    missing = [path for path in command_paths() if path not in headings]
    assert missing == []
    assert len(command_paths()) >= 10


def test_every_command_has_help() -> None:
    def walk(command: typer.core.TyperGroup | object, prefix: str) -> list[str]:
        found = []
        for name, sub in subcommands(command).items():
            if not (getattr(sub, "help", None) or getattr(sub, "callback", None).__doc__):
                found.append(f"{prefix} {name}")
            found += walk(sub, f"{prefix} {name}")
        return found

    assert walk(typer.main.get_command(app), "daylight") == []


def test_the_readme_gives_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "scripts/demo" in readme and "scripts/test" in readme
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()
