"""What the CLI prints on stdout: one JSON value a line, safe to show on a terminal."""

from __future__ import annotations

import json

import pytest

from daylight.cli.output import print_json


@pytest.mark.parametrize("raw", ["\x9b31m", "\x7f", "\x85", "\u202eevil", "\u2028", "\u2066x",
                                 "\udcff", "\u061cx"])
def test_print_json_escapes_what_a_terminal_would_obey_and_keeps_the_value(
        raw: str, capsys: pytest.CaptureFixture[str]) -> None:
    value = {"name": f"Sheriff {raw} Office", "nested": [raw]}
    print_json(value)
    out = capsys.readouterr().out
    assert raw not in out
    assert out.endswith("\n") and out.count("\n") == 1
    assert json.loads(out) == value


def test_print_json_writes_other_text_as_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    print_json({"name": "Comisaría de Policía 日本 — ✓"})
    assert "Comisaría de Policía 日本 — ✓" in capsys.readouterr().out


def test_print_json_of_a_lone_surrogate_is_utf_8(capfdbinary: pytest.CaptureFixture[bytes]
                                                 ) -> None:
    """A path with a byte that is not UTF-8 (``\\udcff`` under surrogateescape) was written
    raw: not UTF-8, and a stdout with strict errors raised UnicodeEncodeError."""
    print_json({"directory": "copy\udcff"})
    assert json.loads(capfdbinary.readouterr().out.decode("utf-8")) == {"directory": "copy\udcff"}
