"""The one rule for free text that Daylight publishes or logs as it was typed (objection
statements, declaration rationales, correction claims, review notes)."""

from __future__ import annotations

import re

from daylight.core.errors import InputError

# every space separator but U+0020 (no-break, ideographic, thin...), which str.isprintable()
# counts as unprintable although a page shows each as a space: "東京都　警察" is typed so
_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\t\n]")


def is_printable_text(text: str) -> bool:
    """True if every character of ``text`` is printable, spaces of every kind, new lines and
    tabs aside: no C0 or C1 control, DEL, bidirectional override or other format character, no
    line separator but ``\\n`` (published texts reach terminals and pages as they are)."""
    return _SPACES.sub(" ", text).isprintable()


def check_printable_text(text: str, where: str) -> None:
    """InputError naming ``where`` unless ``is_printable_text(text)``."""
    if not is_printable_text(text):
        raise InputError("control characters are not allowed", where=where)


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 organisation', '2 organisations', '1,000 companies' (plural given when not noun + s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
