"""The one rule for free text that Daylight publishes or logs as it was typed (objection
statements, declaration rationales, correction claims, review notes)."""

from __future__ import annotations


def is_printable_text(text: str) -> bool:
    """True if every character of ``text`` is printable, new lines and tabs aside: no C0 or C1
    control, DEL, bidirectional override or other format character, no line separator but
    ``\\n`` (published texts reach terminals and pages as they are)."""
    return text.replace("\n", " ").replace("\t", " ").isprintable()
