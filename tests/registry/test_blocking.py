"""Blocking: a query reaches every organisation whose name ``compare_cores`` could match, and
the shortcut that answers "no word in common" agrees with the full alignment."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from daylight.registry import matching
from daylight.registry.blocking import WordBlocks
from daylight.registry.matching import compare_cores, joined

# Words shaped like names': shared stems, typos, joins and short parts ("la", "salle").
_WORDS = ["la", "salle", "lasalle", "field", "fields", "springfield", "spring", "logistics",
          "logistical", "analytics", "statistics", "robotics", "copper", "cooper", "coppers",
          "northwood", "southwood", "county", "counties", "cnty", "mc", "allen", "mcallen",
          "sheriff", "sherif", "sherrif", "police", "polce", "de", "kalb", "dekalb", "pima",
          "pina", "ccc", "community", "commodity", "college", "los", "angeles", "lo", "an"]
_cores = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4).map(tuple)


def _blocks(words: WordBlocks, core: tuple[str, ...]) -> set[str]:
    return set(core) | joined(core) | {r for w in core for r in words.related(w)}


def test_related_words_are_typos_and_parts_not_shared_affixes() -> None:
    words = WordBlocks()
    for word in _WORDS:
        words.add(word)
    assert "logistical" in words.related("logistics")  # one edit in ten letters
    assert "analytics" not in words.related("logistics")  # the same suffix, another word
    assert "statistics" not in words.related("logistics")
    assert "sherif" in words.related("sheriff")
    assert "salle" in words.related("lasalle")  # "lasalle" ends with "salle" ("la salle")
    assert "lasalle" not in words.related("salle")  # the query's "la salle" joins itself
    assert "lasalle" in joined(("la", "salle"))
    assert "springfield" not in words.related("field")  # a part, but "spring" is not typed
    assert words.related("pima") == frozenset()  # short words meet only exactly
    assert "polce" in words.related("police")  # one edit changes both affixes of a short word


def _share_an_affix(query: tuple[str, ...], name: tuple[str, ...]) -> bool:
    """What blocking was before WordBlocks: a word, or a long word's 4-letter prefix or suffix,
    in common."""
    def keys(core: tuple[str, ...]) -> set[str]:
        return set(core) | {k for w in core if len(w) >= 5 for k in ("<" + w[:4], ">" + w[-4:])}
    return bool(keys(query) & keys(name))


@settings(max_examples=500, deadline=None)
@given(query=_cores, name=_cores)
def test_every_name_the_affix_blocks_reached_and_compare_cores_matches_is_reached(
        query: tuple[str, ...], name: tuple[str, ...]) -> None:
    words = WordBlocks()
    for word in name:
        words.add(word)
    if compare_cores(query, name, initials=False).matched and _share_an_affix(query, name):
        assert _blocks(words, query) & set(name), (query, name)


@settings(max_examples=400, deadline=None)
@given(left=_cores, right=_cores, initials=st.booleans())
def test_the_no_common_word_shortcut_agrees_with_the_full_alignment(
        left: tuple[str, ...], right: tuple[str, ...], initials: bool) -> None:
    fast = compare_cores(left, right, initials=initials)
    saved = matching._meet
    matching._meet = lambda *_: True  # type: ignore[assignment]
    try:
        full = compare_cores(left, right, initials=initials)
    finally:
        matching._meet = saved
    assert fast == full


@settings(max_examples=300, deadline=None)
@given(word=st.sampled_from([w for w in _WORDS if len(w) >= 5]), position=st.integers(0, 20),
       letter=st.sampled_from("aeiouxyz"), edit=st.sampled_from(["drop", "swap", "add"]))
def test_a_one_letter_typo_of_a_long_word_is_reached(word: str, position: int, letter: str,
                                                      edit: str) -> None:
    i = position % len(word)
    typo = {"drop": word[:i] + word[i + 1:], "swap": word[:i] + letter + word[i + 1:],
            "add": word[:i] + letter + word[i:]}[edit]
    words = WordBlocks()
    words.add(word)
    if typo != word and compare_cores((typo,), (word,), initials=False).matched:
        assert word in words.related(typo)
