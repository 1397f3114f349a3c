"""The request context a decision is made in: one table of fields (name, type, default, help)
that feeds the Cedar schema, the validation of callers' JSON and the documentation.

A caller sends a JSON object with any of these fields; absent fields take their defaults, so
every policy sees every field (Cedar's validator would otherwise demand ``has`` checks). Unknown
fields, wrong types and oversized values are refused with an ``InputError`` naming
``context.<field>``: a typo in a field that grants an exemption must never be silently dropped.

Defaults MUST NOT complete an exemption: ``hours_since_start`` defaults to "unknown" (the
largest value), so an urgency whose start is not given is past any window. Fields that trigger
a refusal (``setting``, ``image_source``, ``country``) accept only their documented values: a
variant (``Workplace``, ``de``, ``workplace `` or a look-alike letter) would otherwise slip past
the policy that looks for the real one. Free text never has leading or trailing spaces, so a
reference of ``" "`` is not a reference.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from daylight.core.canonical import parse_json
from daylight.core.errors import InputError

MAX_TEXT_CHARS = 200
MAX_HOURS = 1_000_000


@dataclass(frozen=True)
class ContextField:
    """One field of the request context."""

    name: str
    type: type
    default: bool | int | str
    help: str
    choices: tuple[str, ...] = ()  # a string field's only values (empty: any text)
    pattern: str | None = None  # a string field's form (empty is always accepted)

    @property
    def cedar_type(self) -> str:
        return {bool: "Bool", int: "Long", str: "String"}[self.type]


CONTEXT_FIELDS: tuple[ContextField, ...] = (
    ContextField("real_time", bool, False,
                 "The operation runs on live video or on images as they are captured."),
    ContextField("public_space", bool, False,
                 "The images come from a publicly accessible space."),
    ContextField("purpose", str, "",
                 "The purpose the caller declares for this request, e.g. `find_missing_children`, "
                 "`identity_verification`, `medical`."),
    ContextField("setting", str, "",
                 "Where the system is deployed: `workplace`, `education`, or empty.",
                 choices=("", "workplace", "education")),
    ContextField("country", str, "",
                 "ISO 3166-1 alpha-2 code (upper case) of the country where the operation is "
                 "used, if known.", pattern=r"[A-Z]{2}"),
    ContextField("image_source", str, "",
                 "Where the images come from: `untargeted_internet_scraping`, "
                 "`untargeted_cctv_scraping`, `targeted`, `consented`, or empty.",
                 choices=("", "untargeted_internet_scraping", "untargeted_cctv_scraping",
                          "targeted", "consented")),
    ContextField("article5_ground", str, "",
                 "EU AI Act art. 5(1)(h) objective: `victims_missing_persons`, `imminent_threat`, "
                 "`serious_crime_suspect`, or empty."),
    ContextField("authorization_reference", str, "",
                 "Reference of a prior authorisation by a judicial or independent administrative "
                 "authority."),
    ContextField("urgency", bool, False,
                 "A duly justified urgency: use starts before the authorisation is granted."),
    ContextField("authorization_request_reference", str, "",
                 "Reference of the request for authorisation made in an urgency."),
    ContextField("hours_since_start", int, MAX_HOURS,
                 "Hours since the urgent use started (0 to 1,000,000); absent: unknown, taken "
                 "as 1,000,000, past any window."),
)

FIELDS_BY_NAME = {f.name: f for f in CONTEXT_FIELDS}
DEFAULT_CONTEXT: dict[str, Any] = {f.name: f.default for f in CONTEXT_FIELDS}


def _check(field: ContextField, value: Any) -> bool | int | str:
    where = f"context.{field.name}"
    if field.type is bool:
        if not isinstance(value, bool):
            raise InputError(f"expected true or false, got {_kind(value)}", where=where)
        return value
    if field.type is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"expected a whole number, got {_kind(value)}", where=where)
        if not 0 <= value <= MAX_HOURS:
            raise InputError(f"`{value}` is out of range: expected 0 to {MAX_HOURS}", where=where)
        return value
    if not isinstance(value, str):
        raise InputError(f"expected a string, got {_kind(value)}", where=where)
    if len(value) > MAX_TEXT_CHARS or not value.isprintable():
        raise InputError(f"expected at most {MAX_TEXT_CHARS} printable characters", where=where)
    if value != value.strip():
        raise InputError("expected no leading or trailing spaces", where=where)
    if field.choices and value not in field.choices:
        named = ", ".join(f"`{c}`" for c in field.choices if c)
        raise InputError(f"`{value}` is not one of {named} (or empty)", where=where)
    if field.pattern and value and not re.fullmatch(field.pattern, value, flags=re.ASCII):
        raise InputError(f"`{value}` does not have the form `{field.pattern}`", where=where)
    return value


def _kind(value: Any) -> str:
    return {type(None): "null", bool: "a boolean", int: "a number", float: "a number",
            str: "a string", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def normalize_context(context: Mapping[str, Any] | None) -> dict[str, Any]:
    """The full context (every field, defaults filled in) for a caller's context object.

    Raises InputError for anything that is not an object of known fields with the right types.
    """
    if context is None:
        return dict(DEFAULT_CONTEXT)
    if not isinstance(context, Mapping):
        raise InputError(f"expected an object, got {_kind(context)}", where="context")
    full = dict(DEFAULT_CONTEXT)
    for name, value in context.items():
        field = FIELDS_BY_NAME.get(name) if isinstance(name, str) else None
        if field is None:
            raise InputError(f"unknown field `{name}`; expected one of {sorted(FIELDS_BY_NAME)}",
                             where=f"context.{name}")
        full[name] = _check(field, value)
    return full


def parse_context_json(text: str | None, *, where: str = "--context") -> dict[str, Any]:
    """The full context for a JSON text (as given to ``daylight decide --context``)."""
    if text is None or not text.strip():
        return dict(DEFAULT_CONTEXT)
    return normalize_context(parse_json(text, where=where))


def cedar_context_type() -> str:
    """The Cedar schema declaration of the context record."""
    lines = [f"  {f.name}: {f.cedar_type}," for f in CONTEXT_FIELDS]
    return "type RequestContext = {\n" + "\n".join(lines) + "\n};\n"
