"""Homoglyphs: text that disguises one script as another, checked with ICU's SpoofChecker
(Unicode TS #39 confusables and restriction levels, through PyICU).

Two tests per word, both ICU's data, no table of ours:

- the word's scripts are not *highly restrictive* (TS #39 5.2): Latin mixed with Cyrillic or
  Greek (``Pоlice`` with a Cyrillic о) fails; Japanese (Han, Hiragana, Katakana), Korean (Han,
  Hangul) and Chinese (Han, Bopomofo), with or without Latin, pass; invisible characters and
  mixed digit systems fail too;
- a word written in another script whose TS #39 *skeleton* is plain ASCII (``ІСЕ`` in Cyrillic
  is ``lCE``; ``Москва`` is ``Mocĸʙa``, not ASCII, and reads as Russian) is a whole-script
  confusable: refused unless a word of the same text shows a letter Latin lacks (``ООО
  Ромашка`` is Russian, ``ООО`` with it).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _checker() -> Any:
    """ICU's SpoofChecker, built once on first use (PyICU is heavy: not loaded at start-up)."""
    import icu

    checker = icu.SpoofChecker()
    checker.setChecks(icu.USpoofChecks.RESTRICTION_LEVEL | icu.USpoofChecks.INVISIBLE
                      | icu.USpoofChecks.MIXED_NUMBERS)
    checker.setRestrictionLevel(icu.URestrictionLevel.HIGHLY_RESTRICTIVE)
    return checker


def _scripts(text: str) -> set[str]:
    from rigour.text.scripts import codepoint_script  # heavy: loaded where used

    scripts = {codepoint_script(ord(c)) for c in text if c.isalpha()}
    return {s for s in scripts if s not in (None, "Common", "Inherited")}


@lru_cache(maxsize=65536)
def _is_mixed(word: str) -> bool:
    return bool(_checker().check(word))


@lru_cache(maxsize=65536)
def _looks_latin(word: str) -> bool:
    """A word in another script whose confusable skeleton is all Latin letters."""
    if not _scripts(word) - {"Latin"}:
        return False
    skeleton = _checker().getSkeleton(0, word)
    return skeleton.isascii() and any(c.isalpha() for c in skeleton)


def homoglyph_word(text: str) -> str | None:
    """The first word of ``text`` that disguises one script as another, or None."""
    words = text.split()
    for word in words:
        if _is_mixed(word):
            return word
    lookalike = [w for w in words if _looks_latin(w)]
    genuine = [w for w in words if _scripts(w) - {"Latin"} and w not in lookalike]
    if lookalike and not genuine:
        return lookalike[0]
    return None
