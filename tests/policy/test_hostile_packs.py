"""Regressions from the outside probe of hostile policy packs: a TOML manifest nested 5,000 deep,
a pack name longer than a file name may be, and Cedar text deep enough to overflow Cedar's native
stack (a segmentation fault before the bounds). The Cedar cases run `daylight` in a child
process, so that a regression fails the test instead of killing the test run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from daylight.core.errors import InputError, NotFoundError
from daylight.policy.pack import load_pack
from daylight.policy.policies import (
    MAX_CEDAR_NESTING,
    MAX_CEDAR_OPERATORS,
    PolicyText,
    compile_policies,
    verify_cedar_bounds,
)
from daylight.policy.schema import PolicySchema

HEAD = 'name = "hostile"\ntitle = "t"\nsummary = "s"\n'


def _policy(condition: str) -> str:
    return ('@id("hostile/p") @reason("a hostile policy")\n'
            f"permit (principal, action, resource) when {{ {condition} }};\n")


def _pack(folder: Path, cedar: str, manifest: str = HEAD) -> Path:
    folder.mkdir()
    (folder / "pack.toml").write_text(manifest)
    (folder / "p.cedar").write_text(cedar)
    return folder


def test_a_manifest_nested_5000_deep_is_refused(tmp_path: Path) -> None:
    folder = _pack(tmp_path / "deep", _policy("true"), HEAD + "x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match="nested too deeply") as caught:
        load_pack(str(folder))
    assert caught.value.where == f"{folder}/pack.toml"


def test_a_pack_name_longer_than_a_file_name_is_refused_and_shortened() -> None:
    with pytest.raises((InputError, NotFoundError)) as caught:
        load_pack("a" * 5000)
    assert len(str(caught.value)) < 600
    assert "5000 characters" in str(caught.value)


@pytest.mark.parametrize(("condition", "problem", "line"), [
    ("(" * 20_000 + "true" + ")" * 20_000, f"nest more than {MAX_CEDAR_NESTING} deep", 2),
    (" && ".join(["true"] * 50_000), f"more than {MAX_CEDAR_OPERATORS} operators", 1),
    ("[" * 5_000 + "1" + "]" * 5_000 + " == 1", f"nest more than {MAX_CEDAR_NESTING} deep", 2),
    ("context" + ".a" * 10_000 + " == 1", f"more than {MAX_CEDAR_OPERATORS} operators", 1),
])
def test_cedar_deep_enough_to_crash_cedar_is_bounded_first(
        condition: str, problem: str, line: int) -> None:
    with pytest.raises(InputError, match=problem) as caught:
        verify_cedar_bounds(PolicyText("hostile/p.cedar", _policy(condition)))
    assert caught.value.where == f"hostile/p.cedar:{line}"


def test_the_bounds_skip_strings_and_comments(schema: PolicySchema) -> None:
    text = ('// ' + "(" * 1000 + " && " * 1000 + "\n"
            '@id("hostile/p") @reason("' + "(&&" * 400 + '")\n'
            'permit (principal, action, resource) when { context.purpose == "' + "[" * 500 + '" };\n')
    verify_cedar_bounds(PolicyText("p.cedar", text))


def test_the_bounds_count_each_policy_apart() -> None:
    one = _policy(" && ".join(["true"] * (MAX_CEDAR_OPERATORS // 2)))
    verify_cedar_bounds(PolicyText("p.cedar", one * 10))


def test_a_chain_too_long_for_cedars_json_is_a_clear_error(schema: PolicySchema) -> None:
    text = _policy(" && ".join(["true"] * 200))
    with pytest.raises(InputError, match="nests its expressions too deeply"):
        compile_policies([PolicyText("hostile/p.cedar", text)], schema)


@pytest.mark.parametrize("command", ["validate", "test"])
@pytest.mark.parametrize("condition", ["(" * 20_000 + "true" + ")" * 20_000,
                                       " && ".join(["true"] * 50_000)])
def test_policy_commands_refuse_crashing_cedar_with_one_line(
        tmp_path: Path, command: str, condition: str) -> None:
    folder = _pack(tmp_path / "crash", _policy(condition))
    run = subprocess.run([sys.executable, "-m", "daylight.cli.main", "--home", str(tmp_path / "h"),
                          "policy", command, str(folder)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 2, (run.returncode, run.stderr[-500:])
    assert run.stderr.startswith("error: hostile/p.cedar:")
    assert len(run.stderr.splitlines()) == 1
