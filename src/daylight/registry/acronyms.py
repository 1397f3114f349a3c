"""Initialisms of agency names, generated from the reference names themselves: ``NYPD``,
``LAPD``, ``LVMPD``, ``LASD``, ``MCSO``, ``CHP``, ``NYSP``, ``FHP``.

Agencies are known by initialisms nobody lists: the first letters of their place and of their
role, with or without the jurisdiction word (``LACSD`` and ``LASD`` for the Los Angeles County
Sheriff's Department; ``NYCPD`` and ``NYPD``). Two generators, both over the reference's own
names and aliases, never a hand-typed list of cities:

- the initials of every word of a name (``Las Vegas Metropolitan Police Department`` → ``lvmpd``),
  with and without its ``city``/``county`` words, and with and without its small words (``of``,
  ``and``: ``AFARP`` and ``AFRP`` for the Albuquerque Fire and Rescue Police);
- the initials of the place (the ``NameKey`` core: the roster's short name ``Los Angeles``) followed
  by the usual initials of the body's role (police ``pd``; sheriff ``so``/``sd``; state police
  ``sp``/``hp``/``shp``; ...).

An initialism of fewer than three letters is never generated (``PD`` names every police
department). Whether an initialism names *one* agency is the screener's business (state, email
domain, margin): this module only says which initialisms a name has. Written by hand because no
library generates agency initialisms; the word splitting is ``names.clean_text``'s.
"""

from __future__ import annotations

from functools import lru_cache

from daylight.registry.names import clean_text, name_key

_SKIPPED = frozenset({"of", "the", "and", "for", "de"})
_ARTICLES = frozenset({"the"})
_JURISDICTION_WORDS = frozenset({"city", "county", "parish"})
_ROLE_INITIALS: dict[str, tuple[str, ...]] = {
    "police": ("pd",),
    "sheriff": ("so", "sd"),
    "state_police": ("sp", "hp", "shp"),
    "public_safety": ("dps",),
    "corrections": ("doc",),
    "investigation": ("bi",),
    "marshal": ("mo",),
    "constable": ("co",),
}
MIN_LENGTH = 3
MAX_LENGTH = 8


def _words(name: str, skipped: frozenset[str] = _SKIPPED) -> list[str]:
    words: list[str] = []
    for raw in clean_text(name).replace("-", " ").replace("/", " ").split():
        word = raw.strip(".,;:()'\"").lower()
        if word.endswith("'s"):
            word = word[:-2]
        word = word.replace("'", "")
        # dotted initials are one letter each: "U.S. Marshals Service" is USMS, not UMS
        letters = word.split(".")
        parts = letters if len(letters) > 1 and all(len(p) == 1 for p in letters) else [word]
        words.extend(p for p in parts if p and p[0].isalpha() and p not in skipped)
    return words


@lru_cache(maxsize=65536)
def initialisms(name: str) -> frozenset[str]:
    """The lower-case initialisms of an agency's ``name`` (empty for a one-word name)."""
    out: set[str] = set()
    # with and without the small words: "AFRP" and "AFARP" (Albuquerque Fire and Rescue Police)
    for words in (_words(name), _words(name, _ARTICLES)):
        if len(words) >= 2:
            out.add("".join(w[0] for w in words))
            bare = [w for w in words if w not in _JURISDICTION_WORDS]
            if len(bare) >= 2:
                out.add("".join(w[0] for w in bare))
    key = name_key(name)
    if key.role in _ROLE_INITIALS and key.core:
        place = "".join(w[0] for w in key.core)
        county = "c" if "county" in key.jurisdictions else ""
        for suffix in _ROLE_INITIALS[key.role]:
            out.add(place + suffix)
            if county:
                out.add(place + county + suffix)
    return frozenset(a for a in out if MIN_LENGTH <= len(a) <= MAX_LENGTH)


_ORGANISATION_WORDS = frozenset({"bureau", "office", "department", "administration", "agency",
                                 "service", "united", "states", "us", "u", "s"})


def national_initialisms(name: str) -> frozenset[str]:
    """A national agency's initialisms without its organisation words, and their prefixes of
    three letters or more: ``Bureau of Alcohol, Tobacco, Firearms, and Explosives`` is ``atfe``
    and ``atf``. Only for national agencies, which are few: a shared one goes to review. A
    component named under its parent ("U.S. Department of Health and Human Services Office of
    Inspector General") has its whole initialism only: a prefix would be the parent's (``hhs``)."""
    all_words = _words(name)
    words = [w for w in all_words if w not in _ORGANISATION_WORDS]
    if len(words) < 3:
        return frozenset()
    full = "".join(w[0] for w in words)
    # a name word, organisation words, then a name word again: a body named under another
    # ("... Services Office of Inspector General"; also a national agency's offices, "Drug
    # Enforcement Administration Atlanta Division", whose prefix "dea" is the DEA's own)
    kinds = "".join("o" if w in _ORGANISATION_WORDS else "w" for w in all_words)
    if "wo" in kinds.rstrip("o") and "ow" in kinds[kinds.index("wo"):]:
        return frozenset({full}) if len(full) <= MAX_LENGTH else frozenset()
    return frozenset(full[:n] for n in range(MIN_LENGTH, min(len(full), MAX_LENGTH) + 1))


def role_initialisms(core: tuple[str, ...], role: str | None, county: bool) -> frozenset[str]:
    """Initialisms of a body known by its place and role alone (the FBI roster names an agency
    ``Los Angeles``, type City, role police)."""
    if role not in _ROLE_INITIALS or not core:
        return frozenset()
    place = "".join(w[0] for w in core)
    out = {place + suffix for suffix in _ROLE_INITIALS[role]}
    if county:
        out |= {place + "c" + suffix for suffix in _ROLE_INITIALS[role]}
    return frozenset(a for a in out if MIN_LENGTH <= len(a) <= MAX_LENGTH)


def place_initials(core: tuple[str, ...]) -> str:
    """``la`` for ``("los", "angeles")``: the initials of a place of two or more words."""
    return "".join(w[0] for w in core) if len(core) >= 2 else ""
