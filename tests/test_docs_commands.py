"""The docs say what a new user will meet: the options they name exist, their links resolve, and
the provider walkthrough (docs/provider.md) runs as written, with the outcomes its comments give."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from daylight.cli.main import app
from tests.test_docs import subcommands

ROOT = Path(__file__).parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "docs/samples/README.md"]


def command_options(path: str) -> set[str] | None:
    """The options of `daylight <path>` (a command's own and the global ones), or None."""
    root = typer.main.get_command(app)
    options = {opt for param in root.params for opt in (*param.opts, *param.secondary_opts)}
    command: object = root
    for word in path.split():
        command = subcommands(command).get(word)
        if command is None:
            return None
    params = getattr(command, "params", [])
    return options | {opt for param in params for opt in (*param.opts, *param.secondary_opts)}


def test_every_option_the_cli_docs_name_is_an_option_of_that_command() -> None:
    sections = re.split(r"^## `daylight ([^`]+)`\s*$", (ROOT / "docs/cli.md").read_text(),
                        flags=re.MULTILINE)
    wrong = []
    for name, body in zip(sections[1::2], sections[2::2], strict=True):
        options = command_options(name)
        assert options is not None, f"docs/cli.md names `daylight {name}`, which does not exist"
        for span in re.findall(r"`(daylight [^`]+)`", body):
            usage = re.sub(r"^daylight (--home \S+ )?", "", span)
            if usage.startswith(name):
                wrong += [f"{name}: {option}" for option in
                          re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", usage)
                          if option not in options | {"--help"}]
    assert wrong == []


def anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_between_the_docs_resolves() -> None:
    broken = []
    for doc in DOCS:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            path, _, fragment = target.partition("#")
            linked = (doc.parent / path).resolve() if path else doc
            if not linked.exists():
                broken.append(f"{doc.name}: {target}")
            elif fragment and linked.suffix == ".md":
                headings = re.findall(r"^#+\s+(.*)$", linked.read_text(), flags=re.MULTILINE)
                if fragment not in {anchor(heading) for heading in headings}:
                    broken.append(f"{doc.name}: {target}")
    assert broken == []


def walkthrough_commands() -> list[list[str]]:
    """The `daylight ...` lines of docs/provider.md's shell blocks, as arguments, in order
    (comments dropped, continued lines joined), except `serve`, which runs until stopped."""
    text = (ROOT / "docs/provider.md").read_text()
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words[:1] == ["daylight"] and words[1] != "serve":
                commands.append(words[1:])
    return commands


@pytest.mark.slow
def test_the_provider_walkthrough_runs_as_written(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the walkthrough names docs/samples/... from the repository's root
    outputs: dict[str, str] = {}
    for words in walkthrough_commands():
        result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), *words],
                                    env={"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": None},
                                    catch_exceptions=False)
        assert result.exit_code == 0, f"daylight {shlex.join(words)}: {result.stderr}"
        outputs[shlex.join(words)] = result.stdout
    assert len(outputs) >= 15
    assert json.loads(outputs["accounts import docs/samples/accounts.csv"])["imported"] == 9
    assert json.loads(outputs["screen"])["screened"] == 9
    assert json.loads(outputs["decide SYNTHETIC-0004 face.search"])["allowed"] is False
    assert json.loads(outputs["decide SYNTHETIC-0001 compute.instance"])["allowed"] is True
    findings = [json.loads(line) for line in outputs["audit --period 2026-06"].splitlines()]
    assert {(f["account_id"], f["operation"]) for f in findings} == {
        ("SYNTHETIC-0003", "storage.object"), ("SYNTHETIC-0004", "face.search")}


def test_the_readme_log_commands_run_as_written(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text()
    block = next(b for b in re.findall(r"^```sh\n(.*?)^```", readme, flags=re.MULTILINE | re.DOTALL)
                 if "log verify" in b)
    daylight = Path(sys.executable).with_name("daylight")  # the console script beside this Python
    script = block.replace(".venv/bin/daylight", shlex.quote(str(daylight)))
    env = {key: value for key, value in os.environ.items() if not key.startswith("DAYLIGHT_")}
    run = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    verified = json.loads(run.stdout.splitlines()[-1])
    assert verified["verified"] is True and verified["consistent_with"] == 1
