"""Shared strategies for hostile input: strings that have broken parsers and terminals before
(controls, bidirectional overrides, lone surrogates, formula prefixes, homoglyphs, huge numbers)
mixed with arbitrary text."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.api.conftest import catalog, gate  # noqa: F401  (fixtures shared with the API tests)
from tests.usage.conftest import events, ingest, operations, store  # noqa: F401

FUZZ = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

HOSTILE_STRINGS = [
    "", " ", "\t", "\x00", "\x1b]0;pwned\x07", "\x1b[2J", "\u202egnp.exe", "\ud800", "\udfff",
    "=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "SYNTHETIC-shop", "SYNTHETIC-\u0455hop",
    "ЅYNTHETIC-shop", "a" * 129, "x" * 5000, "face.search", "face.search ", "FACE.SEARCH",
    "compute.instance", "../../etc/passwd", "%s%s%n", "{}", "[]", "null", "\ufeff", "\uffff",
    "1" * 400, "9" * 30, "-0", "1e309", "NaN", "\r\n", "🙂", "東京", "\u0000a",
]

hostile_text = st.one_of(st.sampled_from(HOSTILE_STRINGS),
                         st.text(st.characters(codec=None, exclude_categories=()), max_size=40))

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                         hostile_text)
json_values = st.recursive(json_scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(hostile_text, children, max_size=4)),
    max_leaves=12)

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def is_printable(text: str) -> bool:
    """No character that may reach a terminal as a control (what ``printable`` escapes)."""
    return _UNPRINTABLE.search(text) is None
