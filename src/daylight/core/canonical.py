"""Canonical JSON (RFC 8785, JCS) for everything Daylight hashes or signs.

Parsing is strict I-JSON (RFC 7493): duplicate object keys, NaN and Infinity, and integers outside
the IEEE-754 exact range are refused, because two readers must never disagree on what a hashed
document says. Canonicalisation is ``rfc8785`` (Trail of Bits); orjson writes the common case
(no floats, no big integers, no keys at or above U+E000) byte for byte the same, in C.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
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


# A surrogate escape (``\\ud800``..``\\udfff``) or a raw surrogate: the text may hold a lone one.
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]|[\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(value: Any) -> str | None:
    """The first lone surrogate in ``value``'s strings and keys (a pair decodes to one
    character, so any surrogate left in a ``str`` is alone), or None."""
    if isinstance(value, str):
        found = _SURROGATE.search(value)
        return found.group() if found else None
    if isinstance(value, dict):
        for key, child in value.items():
            found_in = _lone_surrogate(key) or _lone_surrogate(child)
            if found_in:
                return found_in
    if isinstance(value, list):
        for child in value:
            found_in = _lone_surrogate(child)
            if found_in:
                return found_in
    return None


# One decoder for every call: ``json.loads`` with hooks builds a new one (and its scanner) each
# time, which cost more than parsing a short document.
_STRICT_DECODER = json.JSONDecoder(object_pairs_hook=_refuse_duplicates,
                                   parse_constant=_refuse_constant)


def parse_json(text: str | bytes, *, where: str | None = None) -> Any:
    """Parse strict I-JSON; InputError naming ``where`` for anything that is not plain JSON: a
    syntax error, text that is not UTF-8, a key that appears twice in one object, ``NaN`` or
    ``Infinity``, a number too long to convert, a lone surrogate (``"\\ud800"``: not a character,
    so it cannot be written as UTF-8; RFC 7493 2.1), or nesting too deep to read. Never any
    other exception."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if text.startswith("\ufeff"):  # as json.loads says it (the decoder alone does not)
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", text, 0)
        value = _STRICT_DECODER.decode(text)
        if _MAYBE_SURROGATE.search(text):
            lone = _lone_surrogate(value)
            if lone is not None:
                raise InputError(f"invalid JSON: a lone surrogate `\\u{ord(lone):04x}` is not a "
                                 "character (expected a pair, or none)")
        return value
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid JSON: not UTF-8 at byte {exc.start}", where=where) from exc
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where=where
        ) from exc
    except InputError as exc:  # from the hooks (a key given twice, a constant), or a surrogate
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
_HIGH_KEY = "\ue000"


_SCALARS = frozenset({str, bool, int, type(None)})
_CONTAINERS = frozenset({dict, list})
_PLAIN = _SCALARS | _CONTAINERS
_STR = frozenset({str})


def _plain_keys(value: dict[Any, Any]) -> bool:
    """True if ``value``'s keys are str without code points at or above U+E000 (where
    code-point order and JCS's UTF-16 order can differ)."""
    if value and {*map(type, value)} != _STR:
        return False
    keys = "".join(value)
    return keys.isascii() or max(keys) < _HIGH_KEY


def _is_plain(value: Any) -> bool:
    """True if ``value`` holds only what orjson writes exactly as RFC 8785 does: str keys
    (``_plain_keys``), integers, strings, booleans, null, lists, objects. Exact types only;
    floats and subclasses take another path (JCS formats numbers as ECMAScript does). Integers
    outside ±(2^53 - 1) are refused by ``_plain_json`` (orjson's strict integers), not here.

    Each container's members are judged by their set of types (one pass in C), so a row of
    scalars costs a few calls instead of one per member (this ran for every logged row)."""
    kind = type(value)
    if kind is dict:
        if not _plain_keys(value):
            return False
        children: Any = value.values()
    elif kind is list:
        children = value
    else:
        return kind in _SCALARS
    kinds = {*map(type, children)}
    if kinds <= _SCALARS:
        return True
    if not kinds <= _PLAIN:
        return False
    return all(_is_plain(child) for child in children if type(child) in _CONTAINERS)


_NOT_PLAIN = object()


def _floats_as_fragments(value: Any) -> Any:
    """``value`` with every float as an ``orjson.Fragment`` of its RFC 8785 text (``rfc8785``
    formats a lone number as ECMAScript does; a NaN or an infinity raises its error), which
    orjson then writes exactly as RFC 8785 does; or ``_NOT_PLAIN`` if it holds anything else
    ``_is_plain`` refuses. Containers are copied (this runs only for values with floats)."""
    kind = type(value)
    if kind is float:
        return orjson.Fragment(rfc8785.dumps(value))
    if kind in _SCALARS:
        return value
    if kind is dict:
        if not _plain_keys(value):
            return _NOT_PLAIN
        ready: Any = {}
        for key, child in value.items():
            ready[key] = found = _floats_as_fragments(child)
            if found is _NOT_PLAIN:
                return _NOT_PLAIN
        return ready
    if kind is list:
        ready = []
        for child in value:
            ready.append(found := _floats_as_fragments(child))
            if found is _NOT_PLAIN:
                return _NOT_PLAIN
        return ready
    return _NOT_PLAIN


def _orjson_ready(value: Any) -> Any:
    """``value`` in a form orjson writes exactly as RFC 8785 does, or ``_NOT_PLAIN``."""
    return value if _is_plain(value) else _floats_as_fragments(value)


# orjson refuses integers outside ±(2^53 - 1) with these (JCS's exact range)
_PLAIN_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_STRICT_INTEGER


def _plain_json(value: Any) -> bytes:
    return orjson.dumps(value, option=_PLAIN_OPTIONS)


def canonical_json(value: Any, *, where: str | None = None) -> CanonicalJson:
    """The RFC 8785 canonical UTF-8 bytes of ``value``.

    Values ``_orjson_ready`` accepts are encoded by orjson (a property test checks it agrees
    with ``rfc8785`` byte for byte); everything else goes through ``rfc8785``.
    """
    try:
        ready = _orjson_ready(value)
        if ready is not _NOT_PLAIN:
            return CanonicalJson(_plain_json(ready))
    except (orjson.JSONEncodeError, RecursionError, rfc8785.CanonicalizationError):
        pass  # a lone surrogate, deep nesting, a NaN: let rfc8785 refuse it with its own message
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
    except UnicodeEncodeError as exc:  # a lone surrogate in a key, met while sorting keys
        raise InputError("cannot canonicalise: a string holds a lone surrogate", where=where) from exc


# UTF-8 lead bytes of U+E000 and above: where code-point order and JCS's UTF-16 order of keys
# can differ. Text containing any of them is checked on the slow path.
_HIGH_CODE_POINTS = re.compile(rb"[\xee-\xf4]")


def is_canonical_json_object(data: bytes) -> bool:
    """True if ``data`` is exactly the canonical encoding of a JSON object.

    ``CanonicalJson`` bytes are canonical by construction: only their kind (object) is checked.

    Fast path for the usual entry (integers within ±(2^53 - 1), no code points at or above
    U+E000; floats in JCS's form, see ``_orjson_ready``): parse and re-encode with orjson,
    compare. A duplicate key, stray whitespace or
    any other difference makes the re-encoding differ from ``data``. Anything else is parsed
    as doubles and re-encoded by ``rfc8785``.
    """
    if isinstance(data, CanonicalJson):
        return data.startswith(b"{")
    try:
        value = orjson.loads(data)
        if type(value) is not dict:
            return False
        if data.isascii() or not _HIGH_CODE_POINTS.search(data):
            ready = _orjson_ready(value)
            if ready is not _NOT_PLAIN:
                return _plain_json(ready) == data
    except (orjson.JSONDecodeError, orjson.JSONEncodeError, RecursionError,
            rfc8785.CanonicalizationError):
        pass  # orjson's limits (integers over 64 bits, nesting): decide on the slow path

    def as_double(text: str) -> int | float:
        value = int(text)
        return value if -_SAFE_INT <= value <= _SAFE_INT else float(text)  # JSON numbers are doubles

    try:
        exact = json.loads(data, object_pairs_hook=_refuse_duplicates, parse_int=as_double)
        return isinstance(exact, dict) and canonical_json(exact) == data
    except (ValueError, RecursionError, InputError):
        return False
