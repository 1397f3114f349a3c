"""Strict I-JSON parsing and RFC 8785 canonical encoding."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.core.canonical import (
    canonical_json,
    is_canonical_json_object,
    parse_json,
    parse_json_object,
)
from daylight.core.errors import InputError


def test_rfc8785_example_ordering_and_numbers() -> None:
    value = parse_json('{"b": [1.0, 1e30, -0.0, "\\u20ac"], "a": {"z": true, "y": null}}')
    assert canonical_json(value) == '{"a":{"y":null,"z":true},"b":[1,1e+30,0,"€"]}'.encode()


@pytest.mark.parametrize("text, problem", [
    ('{"a": 1, "a": 2}', "the key `a` appears twice"),
    ('{"a": NaN}', "`NaN` is not a JSON value"),
    ('{"a": Infinity}', "`Infinity` is not a JSON value"),
    ('{"a": ' + "1" * 5000 + "}", "a number has too many digits"),
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    ('{"a": ', "invalid JSON"),
    ('{"a": "x\\ud800"}', "lone surrogate `\\ud800`"),
    ('{"\\udfff": 1}', "lone surrogate `\\udfff`"),
    ('[["\\ude00\\ud83d"]]', "lone surrogate `\\ude00`"),
])
def test_strict_parsing_refuses(text: str, problem: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_json(text, where="f.jsonl:7")
    assert problem in raised.value.message
    assert raised.value.where == "f.jsonl:7"


def test_non_objects_and_non_utf8_are_refused() -> None:
    with pytest.raises(InputError, match="expected a JSON object, got list"):
        parse_json_object("[1]")
    with pytest.raises(InputError, match="not UTF-8"):
        parse_json_object(b'{"a": "\xff"}')


def test_integers_beyond_two_to_the_53_are_refused() -> None:
    with pytest.raises(InputError, match="an integer is outside the exact range"):
        canonical_json({"n": 2**53 + 1})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_canonical_json_round_trips(value: dict[str, object]) -> None:
    encoded = canonical_json(value)
    assert parse_json_object(encoded) == value
    assert canonical_json(parse_json_object(encoded)) == encoded
    assert is_canonical_json_object(encoded)
    if value:
        assert not is_canonical_json_object(b" " + encoded)


any_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=1000)
@given(any_json)
def test_the_fast_path_agrees_with_rfc8785_byte_for_byte(value: object) -> None:
    import rfc8785

    try:
        reference = bytes(rfc8785.dumps(value))
    except (rfc8785.CanonicalizationError, RecursionError):
        with pytest.raises(InputError):
            canonical_json(value)
        return
    assert canonical_json(value) == reference


@pytest.mark.parametrize("key", ["\U0001f600", "\ufb01", "\ue000x", "a\u2028b", "\x7f", "\x1f"])
def test_keys_that_sort_differently_in_utf16_are_exact(key: str) -> None:
    import rfc8785

    value = {key: 1, "\uffff": 2, "\U00010000": 3, "z": [key]}
    assert canonical_json(value) == bytes(rfc8785.dumps(value))


@settings(max_examples=1000)
@given(any_json, st.sampled_from(["", " ", "x"]))
def test_the_canonical_check_agrees_with_rfc8785(value: object, noise: str) -> None:
    import json

    import rfc8785

    if not isinstance(value, dict):
        value = {"v": value}
    try:
        reference = bytes(rfc8785.dumps(value))
    except rfc8785.CanonicalizationError:
        return
    assert is_canonical_json_object(reference)
    altered = json.dumps(value).encode() + noise.encode()
    assert is_canonical_json_object(altered) == (altered == reference)


@pytest.mark.parametrize("text", [
    b'{"a":1e-7}', b'{"a":1.0}', b'{"a":9007199254740993}', b'{"a":NaN}', b'{"a":"\\ud800"}',
    b'{"\xef\xac\x81":1,"\xf0\x9f\x98\x80":2}', b'{"a":1,"a":1}', b'{"a":-0}',
    b'{"a":[1,{"b":1,"b":1}]}', b'{"a":"\\u00e9"}', b'{"a":"\xc3\xa9\xe2\x80\xa8"}',
])
def test_unusual_entries_are_judged_by_rfc8785(text: bytes) -> None:
    import rfc8785

    try:
        expected = bytes(rfc8785.dumps(parse_json_object(text))) == text
    except (rfc8785.CanonicalizationError, InputError):
        expected = False
    assert is_canonical_json_object(text) == expected


@pytest.mark.parametrize(("text", "canonical"), [
    (b'{"a":9007199254740994}', True),  # 2^53 + 2 is a double, written so by JCS
    (b'{"a":9007199254740993}', False),  # no such double: JCS writes ...992
    (b'{"a":100000000000000000000}', True),  # 1e20: JCS writes doubles below 1e21 in full
    (b'{"a":18446744073709551616}', False),  # 2^64: JCS writes 18446744073709552000
    (b'{"a":1000000000000000000000}', False),  # 1e21: JCS writes 1e+21
])
def test_large_integers_are_read_as_doubles_as_rfc8785_says(text: bytes, canonical: bool) -> None:
    assert is_canonical_json_object(text) is canonical


def test_a_lone_surrogate_in_a_key_is_an_input_error() -> None:
    with pytest.raises(InputError, match="lone surrogate"):
        canonical_json({"\ud800": 1, "a": 2})


def test_a_surrogate_pair_is_one_character() -> None:
    assert parse_json('{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}


class _Text(str):
    pass


@pytest.mark.parametrize("value", [
    {"n": 2**53 - 1, "m": -(2**53 - 1)},  # the edges of the exact range, on the fast path
    {"a": [{"b": [1, "x", None, True]}], "c": {}},
    {"a": [1, 2.5]}, {"a": {"b": [0.0]}}, {"a": (1, 2)}, {"a": [_Text("x")]},
    {_Text("k"): 1}, {"\ue000": [1]}, {"a": [{"\U0001f600": 1, "\uffff": 2}]},
    # floats, written in ECMAScript's form (exponents from 1e21 and below 1e-6, no ".0")
    {"f": [1e21, 1e20, 1e-7, 1e-6, -0.0, 100.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2]},
    {"a": [{"score": 0.99, "n": 3}], "b": {"c": [1.5, {"d": 2.0}]}},
])
def test_nested_members_of_any_kind_give_rfc8785_bytes(value: dict[str, object]) -> None:
    # the plain-value check judges each container by the set of its members' types
    import rfc8785

    assert canonical_json(value) == bytes(rfc8785.dumps(value))


@pytest.mark.parametrize("value", [{"n": float("nan")}, {"a": [{"n": float("inf")}]}])
def test_a_nan_or_an_infinity_is_an_input_error(value: dict[str, object]) -> None:
    with pytest.raises(InputError, match="cannot canonicalise"):
        canonical_json(value)


@pytest.mark.parametrize("value", [{"n": 2**53}, {"a": [{"n": -(2**53)}]}])
def test_integers_just_outside_the_exact_range_are_refused_when_nested(value: object) -> None:
    with pytest.raises(InputError, match="an integer is outside the exact range"):
        canonical_json(value)


def test_a_byte_order_mark_is_refused_as_json_loads_refuses_it() -> None:
    with pytest.raises(InputError, match="Unexpected UTF-8 BOM") as raised:
        parse_json("\ufeff{}", where="f.json:1")
    assert raised.value.where == "f.json:1"
