"""The one rule for free text that Daylight publishes or logs as it was typed (objection
statements, declaration rationales, correction claims, review notes)."""

from __future__ import annotations

from daylight.core.errors import InputError


def is_printable_text(text: str) -> bool:
    """True if every character of ``text`` is printable, new lines and tabs aside: no C0 or C1
    control, DEL, bidirectional override or other format character, no line separator but
    ``\\n`` (published texts reach terminals and pages as they are)."""
    return text.replace("\n", " ").replace("\t", " ").isprintable()


def check_printable_text(text: str, where: str) -> None:
    """InputError naming ``where`` unless ``is_printable_text(text)``."""
    if not is_printable_text(text):
        raise InputError("control characters are not allowed", where=where)


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """'1 organisation', '2 organisations', '1,000 companies' (plural given when not noun + s)."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
