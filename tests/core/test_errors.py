"""The error tree: one base class, one JSON shape."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import daylight
from daylight.core.errors import DaylightError, InputError, ProofError, printable


def _all_modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(daylight.__path__, "daylight.")]


def test_every_exception_class_in_the_package_derives_from_daylight_error() -> None:
    offenders = []
    for name in _all_modules():
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if (cls.__module__ == name and issubclass(cls, BaseException)
                    and not issubclass(cls, DaylightError)):
                offenders.append(f"{name}.{cls.__name__}")
    assert offenders == []


def test_the_one_json_error_shape() -> None:
    error = ProofError("inclusion proof fails", where="tile/0/000",
                       evidence={"root_hash": b"\x01\x02", "sizes": (1, 2)})
    assert error.to_json() == {"error": {
        "code": "invalid_proof", "message": "inclusion proof fails", "where": "tile/0/000",
        "evidence": {"root_hash": "AQI=", "sizes": [1, 2]},
    }}
    assert InputError("bad").to_json() == {"error": {"code": "invalid_input", "message": "bad"}}


def test_str_names_where_then_what() -> None:
    assert str(InputError("expected an object", where="in.jsonl:3")) == "in.jsonl:3: expected an object"
    assert ProofError("x", evidence={"a": 1}).diagnostics() == "x\n  a: 1"
    assert ProofError("x", evidence={"h": b"\x01\x02", "note": "a\nb\n"}).diagnostics() == (
        "x\n  h: AQI=\n  note: \n    a\n    b")


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"),
    ("nul\x00byte", "nul\\x00byte"),
    ("line\nbreak", "line\\nbreak"),
    ("\x9b31m", "\\x9b31m"),
    ("\u202eevil\u2066", "\\u202eevil\\u2066"),
    ("lone \ud800", "lone \\ud800"),
    ("plain `text` é 東京", "plain `text` é 東京"),
])
def test_errors_escape_what_must_not_reach_a_terminal(raw: str, shown: str) -> None:
    error = InputError(f"unknown column `{raw}`", where=f"file{raw}:1")
    assert error.message == f"unknown column `{shown}`"
    assert str(error) == f"file{shown}:1: unknown column `{shown}`"
    str(error).encode("utf-8")
    assert printable(raw) == shown


def test_evidence_is_escaped_in_diagnostics_line_by_line() -> None:
    error = InputError("bad", evidence={"text": "one\x1b[2J\ntwo"})
    assert error.diagnostics() == "bad\n  text: \n    one\\x1b[2J\n    two"
