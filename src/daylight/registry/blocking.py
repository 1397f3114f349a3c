"""Blocking: the reference words a query's long word may meet, so that only organisations
with such a word are scored.

A typo keeps a long word's first four letters or its last four, and a word joined from two
("lasalle" for "la salle") shares one of them with its long part; so the reference words that
could meet a query word are among those sharing its 4-letter prefix or suffix (or, below,
a one-letter deletion). Scoring every
organisation that has such a word made three quarters of screening's candidates, of which about
one in two thousand scored anywhere near a match (bench/registry/README.md). Instead the words
themselves are compared here, once per query word (kept), and only the words that meet it —
a typo of it (``matching.is_typo``) or its beginning or end — bring their organisations, with
the query's adjacent words joined (``matching.joined``).
A one-letter typo in a short word can change both ("polce" for "police"), so each word is
also indexed by its one-letter deletions (SymSpell's trick: two words one edit apart share
one); two typos at both ends of a long word are not reached.
Hand-written: record-linkage libraries block on keys, not on a word's relations, and this is
the blocking ``matching.compare_cores`` needs, no wider and no narrower.
"""

from __future__ import annotations

from collections import defaultdict

from daylight.registry.matching import is_typo

MIN_LENGTH = 5  # shorter words meet only exactly (a typo needs five letters, see matching)
_AFFIX = 4
_KEPT = 1 << 17  # query words whose relations are kept (cleared when full)


def _affixes(word: str) -> tuple[str, str]:
    return "<" + word[:_AFFIX], ">" + word[-_AFFIX:]


def _deletions(word: str) -> set[str]:
    """The word with one letter left out, each way: two words one edit apart share one."""
    return {"-" + word[:i] + word[i + 1:] for i in range(len(word))}


class WordBlocks:
    """The reference's long words by 4-letter prefix and suffix, and by each one-letter
    deletion (a typo in a short word can change both affixes: "polce" for "police")."""

    def __init__(self) -> None:
        self._by_affix: dict[str, set[str]] = defaultdict(set)
        self._related: dict[str, frozenset[str]] = {}

    def add(self, word: str) -> None:
        if len(word) >= MIN_LENGTH:
            for affix in (*_affixes(word), *_deletions(word), "-" + word):
                self._by_affix[affix].add(word)
            self._related.clear()

    def related(self, word: str) -> frozenset[str]:
        """The reference words other than ``word`` that ``word`` may meet in a name: its typos,
        and the words it begins or ends with ("salle" of "lasalle", joined from "la salle");
        empty for a short word. (A reference word joined from the query's words is one of
        the query's adjacent pairs joined: ``joined``.)"""
        found = self._related.get(word)
        if found is None:
            if len(word) < MIN_LENGTH:
                return frozenset()
            pool: set[str] = set()
            for affix in (*_affixes(word), *_deletions(word), "-" + word):
                pool |= self._by_affix.get(affix, set())
            found = frozenset(other for other in pool if other != word and (
                word.startswith(other) or word.endswith(other) or is_typo(word, other)))
            if len(self._related) >= _KEPT:
                self._related.clear()
            self._related[word] = found
        return found

