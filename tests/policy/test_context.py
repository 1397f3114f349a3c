"""The request context: one table of fields feeds validation, the Cedar schema and the docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError
from daylight.policy.context import (
    CONTEXT_FIELDS,
    DEFAULT_CONTEXT,
    MAX_HOURS,
    cedar_context_type,
    normalize_context,
    parse_context_json,
)

ROOT = Path(__file__).parents[2]


def test_defaults_fill_every_field() -> None:
    assert normalize_context(None) == DEFAULT_CONTEXT
    full = normalize_context({"purpose": "missing_children", "real_time": True})
    assert full == {**DEFAULT_CONTEXT, "purpose": "missing_children", "real_time": True}
    assert parse_context_json('{"hours_since_start": 3}')["hours_since_start"] == 3
    assert parse_context_json(None) == parse_context_json("  ") == DEFAULT_CONTEXT


@pytest.mark.parametrize(("context", "where", "message"), [
    ({"real_time": 1}, "context.real_time", "expected true or false"),
    ({"real_time": "true"}, "context.real_time", "expected true or false"),
    ({"hours_since_start": True}, "context.hours_since_start", "expected a whole number"),
    ({"hours_since_start": 1.5}, "context.hours_since_start", "expected a whole number"),
    ({"hours_since_start": -1}, "context.hours_since_start", "out of range"),
    ({"purpose": None}, "context.purpose", "expected a string"),
    ({"purpose": "x" * 201}, "context.purpose", "printable characters"),
    ({"purpose": "a\nb"}, "context.purpose", "printable characters"),
    ({"purpse": "typo"}, "context.purpse", "unknown field `purpse`"),
    # variants of the values that trigger a refusal would slip past it
    ({"setting": "Workplace"}, "context.setting", "is not one of `workplace`, `education`"),
    ({"setting": "workplace "}, "context.setting", "no leading or trailing spaces"),
    ({"setting": "w\u043erkplace"}, "context.setting", "is not one of"),  # a Cyrillic o
    ({"setting": "\uff57orkplace"}, "context.setting", "is not one of"),  # a fullwidth w
    ({"image_source": "untargeted internet scraping"}, "context.image_source", "is not one of"),
    ({"country": "de"}, "context.country", "does not have the form"),
    ({"country": "DEU"}, "context.country", "does not have the form"),
    ({"country": "\uff24\uff25"}, "context.country", "does not have the form"),  # fullwidth DE
    # a blank reference is not a reference
    ({"authorization_reference": " "}, "context.authorization_reference", "leading or trailing"),
    ({"authorization_request_reference": " SYNTHETIC-REQ-1"},
     "context.authorization_request_reference", "leading or trailing"),
])
def test_malformed_contexts_are_refused_naming_the_field(context: dict[str, object], where: str,
                                                        message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        normalize_context(context)
    assert caught.value.where == where


def test_defaults_never_complete_an_exemption() -> None:
    """An urgency whose start is not given is past the 24-hour window, not at hour 0."""
    assert DEFAULT_CONTEXT["hours_since_start"] == MAX_HOURS
    assert normalize_context({"urgency": True})["hours_since_start"] == MAX_HOURS
    assert normalize_context({"setting": "", "country": "", "image_source": "consented"})


def test_non_objects_and_bad_json_are_refused() -> None:
    with pytest.raises(InputError, match="expected an object"):
        normalize_context([1, 2])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="invalid JSON") as caught:
        parse_context_json("{purpose: 1}")
    assert caught.value.where == "--context"


@pytest.mark.parametrize(("text", "message"), [
    ('{"purpose": "a", "purpose": "find_missing_children"}', "the key `purpose` appears twice"),
    ('{"a": {"b": 1, "b": 2}}', "the key `b` appears twice"),
    ('{"hours_since_start": ' + "1" * 5000 + "}", "a number has too many digits"),
    ('{"hours_since_start": Infinity}', "`Infinity` is not a JSON value"),
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    (b"{\"purpose\": \"\xff\"}", "not UTF-8"),
])
def test_only_plain_json_is_read(text: str | bytes, message: str) -> None:
    """Duplicate keys (parsers disagree on which wins), NaN/Infinity, numbers too long to
    convert and deep nesting are InputErrors naming where, never another exception."""
    with pytest.raises(InputError, match=message) as caught:
        parse_json(text, where="body")
    assert caught.value.where == "body"


def test_the_schema_declares_every_field_with_its_type() -> None:
    declared = cedar_context_type()
    for field in CONTEXT_FIELDS:
        assert f"  {field.name}: {field.cedar_type}," in declared


def test_every_context_field_is_documented() -> None:
    docs = (ROOT / "docs" / "policy.md").read_text()
    missing = [f.name for f in CONTEXT_FIELDS if f"`{f.name}`" not in docs]
    assert missing == []
