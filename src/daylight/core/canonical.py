"""Canonical JSON (RFC 8785, JCS) for everything Daylight hashes or signs.

Parsing is strict I-JSON (RFC 7493): duplicate object keys, NaN and Infinity, and integers outside
the IEEE-754 exact range are refused, because two readers must never disagree on what a hashed
document says. Canonicalisation itself is done by the ``rfc8785`` package (Trail of Bits).
"""

from __future__ import annotations

import json
import re
from typing import Any

import rfc8785

from daylight.core.errors import InputError

JsonObject = dict[str, Any]


class CanonicalJson(bytes):
    """Bytes that ``canonical_json`` produced, so known to be RFC 8785 canonical: a consumer
    that requires canonical JSON need not check these again (plain ``bytes`` it must check)."""


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            # Parsers disagree on which of two equal keys counts, so neither is guessed.
            raise InputError(f"invalid JSON: the key `{key}` appears twice in one object")
        obj[key] = value
    return obj


def _refuse_constant(name: str) -> Any:
    raise InputError(f"invalid JSON: `{name}` is not a JSON value")


def parse_json(text: str | bytes, *, where: str | None = None) -> Any:
    """Parse strict I-JSON; InputError naming ``where`` for anything that is not plain JSON: a
    syntax error, text that is not UTF-8, a key that appears twice in one object, ``NaN`` or
    ``Infinity``, a number too long to convert, or nesting too deep to read. Never any other
    exception."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        return json.loads(
            text, object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid JSON: not UTF-8 at byte {exc.start}", where=where) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where=where
        ) from exc
    except InputError as exc:  # from the hooks: a key given twice, or a constant
        raise InputError(exc.message, where=where) from exc
    except ValueError as exc:  # an integer over Python's limit on digits
        raise InputError("invalid JSON: a number has too many digits", where=where) from exc
    except RecursionError as exc:
        raise InputError("invalid JSON: nested too deeply", where=where) from exc


def parse_json_object(text: str | bytes, *, where: str | None = None) -> JsonObject:
    """Parse strict I-JSON that must be an object."""
    value = parse_json(text, where=where)
    if not isinstance(value, dict):
        raise InputError(
            f"expected a JSON object, got {type(value).__name__}", where=where
        )
    return value


_SAFE_INT = 2**53 - 1


def _is_plain(value: Any) -> bool:
    """True if ``value`` holds only what Python's json encoder writes exactly as RFC 8785 does:
    str keys without code points at or above U+E000 (where code-point order and JCS's UTF-16
    order can differ), integers within ±(2^53 - 1), strings, booleans, null, lists, objects.
    Floats take the slow path: JCS formats numbers as ECMAScript does."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) or item is None or isinstance(item, bool):
            continue
        if isinstance(item, int):
            if -_SAFE_INT <= item <= _SAFE_INT:
                continue
            return False
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str) or (key and max(key) >= "\ue000"):
                    return False
                stack.append(child)
            continue
        if isinstance(item, list):
            stack.extend(item)
            continue
        return False
    return True


_PLAIN_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)


def _plain_json(value: Any) -> bytes:
    return _PLAIN_ENCODER.encode(value).encode("utf-8")


def canonical_json(value: Any, *, where: str | None = None) -> CanonicalJson:
    """The RFC 8785 canonical UTF-8 bytes of ``value``.

    Values ``_is_plain`` accepts are encoded by the C json encoder (a property test checks it
    agrees with ``rfc8785`` byte for byte); everything else goes through ``rfc8785``.
    """
    if _is_plain(value):
        try:
            return CanonicalJson(_plain_json(value))
        except UnicodeEncodeError:
            pass  # a lone surrogate: let rfc8785 refuse it with its own message
    try:
        return CanonicalJson(rfc8785.dumps(value))
    except rfc8785.IntegerDomainError as exc:
        raise InputError(
            "an integer is outside the exact range of JSON numbers (±2^53)", where=where
        ) from exc
    except rfc8785.CanonicalizationError as exc:
        raise InputError(f"cannot canonicalise: {exc}", where=where) from exc
    except RecursionError as exc:
        raise InputError("cannot canonicalise: nested too deeply", where=where) from exc


# UTF-8 lead bytes of U+E000 and above: where code-point order and JCS's UTF-16 order of keys
# can differ. Text containing any of them is checked on the slow path.
_HIGH_CODE_POINTS = re.compile(rb"[\xee-\xf4]")


def is_canonical_json_object(data: bytes) -> bool:
    """True if ``data`` is exactly the canonical encoding of a JSON object.

    ``CanonicalJson`` bytes are canonical by construction: only their kind (object) is checked.

    Fast path in C for the usual entry (no floats, integers within ±(2^53 - 1), no code points
    at or above U+E000): parse, re-encode, compare. A duplicate key, stray whitespace or any
    other difference makes the re-encoding differ from ``data``.
    """
    if isinstance(data, CanonicalJson):
        return data.startswith(b"{")
    unusual = False

    def on_number(text: str) -> float:
        nonlocal unusual
        unusual = True  # ECMAScript number formatting: leave it to rfc8785
        return float(text)

    def on_int(text: str) -> int:
        nonlocal unusual
        value = int(text)
        if len(text) > 15 and not -_SAFE_INT <= value <= _SAFE_INT:
            unusual = True
        return value

    if _HIGH_CODE_POINTS.search(data):
        unusual = True
    try:
        value = json.loads(data, parse_float=on_number, parse_int=on_int,
                           parse_constant=on_number)
    except (ValueError, RecursionError):  # includes JSONDecodeError and UnicodeDecodeError
        return False
    if not isinstance(value, dict):
        return False
    if not unusual:
        try:
            return _plain_json(value) == data
        except UnicodeEncodeError:  # a lone surrogate: never canonical
            return False
    def as_double(text: str) -> int | float:
        value = int(text)
        return value if -_SAFE_INT <= value <= _SAFE_INT else float(text)  # JSON numbers are doubles

    try:
        exact = json.loads(data, object_pairs_hook=_refuse_duplicates, parse_int=as_double)
        return canonical_json(exact) == data
    except (ValueError, RecursionError, InputError):
        return False
