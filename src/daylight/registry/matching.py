"""Comparing one name with another, feature by feature, each with its weight and reason.

A score is the logistic of the summed feature weights (log-odds, as in Fellegi–Sunter record
linkage), so every point of a score can be traced to a feature. The weights were set on the
evaluation data in ``bench/registry`` and favour precision: a wrong "this is a police customer"
costs more than a missed one, so any contradiction (another state, another kind of body, an
extra distinguishing word) outweighs a perfect name.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass
from typing import Any, NamedTuple

from rapidfuzz.distance import Levenshtein

from daylight.registry.names import NameKey, role_group, state_name_tokens

PRIOR_WEIGHT = -2.0
_GENERIC_EXTRAS = frozenset({"regional", "area", "metropolitan", "consolidated", "joint", "adult",
                             "criminal", "public", "safety", "enforcement", "law", "unit", "bureau",
                             "general", "government", "district", "local", "municipal", "central"})
_COMPASS = ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
_COMPATIBLE_ROLES = {
    frozenset({"police", "public_safety"}): 0.5,
    frozenset({"state_police", "public_safety"}): 0.5,
    frozenset({"sheriff", "county_le"}): 1.5,
    frozenset({"police", "county_le"}): 0.0,
    frozenset({"law_enforcement", "county_le"}): 0.5,
    frozenset({"law_enforcement", "investigation"}): 0.0,
    frozenset({"state_police", "law_enforcement"}): 0.0,
}


@dataclass(frozen=True)
class Feature:
    """One piece of evidence: its log-odds weight and a sentence saying why."""

    weight: float
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"weight": round(self.weight, 3), "detail": self.detail}


class CoreComparison(NamedTuple):
    """How two cores align: similarity of the matched words, and the words left unmatched.
    (A named tuple: made for every candidate's every name, and a frozen dataclass costs a
    microsecond more to make.)"""

    similarity: float
    matched: int
    unmatched_left: tuple[str, ...]
    unmatched_right: tuple[str, ...]


_TYPO_SIMILARITY = 0.8  # below this two words are different words, not a typo
_INITIALS_SIMILARITY = 0.9  # "LA" for "Los Angeles": likely, not certain (a name's weight 3)


@functools.lru_cache(maxsize=1 << 16)
def _compass_prefixes(word: str) -> frozenset[str]:
    return frozenset(c for c in _COMPASS if word.startswith(c))


@functools.lru_cache(maxsize=1 << 18)  # words repeat across names (logistics, analytics)
def _token_similarity(a: str, b: str) -> float:
    """Similarity of two words as a typo of one another; 0.0 below ``_TYPO_SIMILARITY``."""
    if a == b:
        return 1.0
    if min(len(a), len(b)) < 5:  # short words: one letter changes the place (Pima, Pina)
        return 0.0
    # The edit distance (in C, with an early exit) rules out most pairs before the Python checks.
    # (The cutoff sits below the threshold: at exactly 0.8, e.g. one edit in five letters,
    # rapidfuzz's float arithmetic exits early; compare_cores applies the threshold itself.)
    similarity = float(Levenshtein.normalized_similarity(a, b, score_cutoff=_TYPO_SIMILARITY - 0.01))
    if similarity and _compass_prefixes(a) != _compass_prefixes(b):  # Northwestern, Northeastern
        return 0.0
    return similarity


def is_typo(a: str, b: str) -> bool:
    """Whether two different words are typos of one another (``compare_cores`` matches them)."""
    return _token_similarity(a, b) >= _TYPO_SIMILARITY


def joined(core: tuple[str, ...]) -> set[str]:
    """A core's adjacent words joined ("la salle" → "lasalle"), as ``compare_cores`` joins them."""
    return {a + b for a, b in itertools.pairwise(core)}


@dataclass(frozen=True, slots=True)
class _Reach:
    """What of a core another core's words could meet: its words, its adjacent pairs joined
    ("la salle" meets "lasalle"), its 2–3-letter words (a place's initials), the initials of
    its spans of two or three words, and its words long enough for a typo."""

    words: frozenset[str]
    joined: frozenset[str]
    short: frozenset[str]
    spans: frozenset[str]
    long: tuple[str, ...]


@functools.lru_cache(maxsize=1 << 17)
def _reach(core: tuple[str, ...]) -> _Reach:
    spans = {"".join(w[0] for w in core[i:i + n]) for n in (2, 3) for i in range(len(core) - n + 1)
             if all(len(w) > 1 for w in core[i:i + n])}
    return _Reach(frozenset(core), frozenset(joined(core)),
                  frozenset(w for w in core if 2 <= len(w) <= 3), frozenset(spans),
                  tuple(w for w in core if len(w) >= 5))


def _meet(left: tuple[str, ...], right: tuple[str, ...], initials: bool) -> bool:
    """Whether ``compare_cores`` could match any word of the two cores (False: it matches
    none). Most pairs a search compares share only a blocking prefix or suffix and no word;
    this answers them without aligning (a third of screening's time went to aligning them)."""
    one, other = _reach(left), _reach(right)
    if not one.words.isdisjoint(other.words) or not one.joined.isdisjoint(other.words) \
            or not other.joined.isdisjoint(one.words):
        return True
    if initials and (not one.short.isdisjoint(other.spans)
                     or not other.short.isdisjoint(one.spans)):
        return True
    return any(is_typo(a, b) for a in one.long for b in other.long)


def compare_cores(left: tuple[str, ...], right: tuple[str, ...], *,
                  initials: bool = True) -> CoreComparison:
    """Align the words of two cores: exact first, then joined ("la salle"), then a place's
    initials ("la" for "los angeles"), then typos."""
    if left == right and left:  # the same words: every one matched exactly
        return CoreComparison(1.0, len(left), (), ())
    if not _meet(left, right, initials):
        return CoreComparison(0.0, 0, left, right)
    rest_left = list(left)
    rest_right = list(right)
    sims: list[tuple[float, int]] = []
    for word in left:
        if word in rest_right:
            rest_left.remove(word)
            rest_right.remove(word)
            sims.append((1.0, len(word)))
    for one, other in ((rest_left, rest_right), (rest_right, rest_left)):
        for i in range(len(one) - 1):
            joined = one[i] + one[i + 1]
            if joined in other:
                other.remove(joined)
                del one[i:i + 2]
                sims.append((1.0, len(joined)))
                break
    for one, other in ((rest_left, rest_right), (rest_right, rest_left)) if initials else ():
        for word in list(one):  # a place's initials: "la" for "los angeles"
            if not 2 <= len(word) <= 3:
                continue
            for i in range(len(other) - len(word) + 1):
                span = other[i:i + len(word)]
                if all(len(w) > 1 for w in span) and "".join(w[0] for w in span) == word:
                    one.remove(word)
                    del other[i:i + len(word)]
                    sims.append((_INITIALS_SIMILARITY, sum(len(w) for w in span)))
                    break
    for word in list(rest_left):
        # No word left here equals one left there (the exact ones are gone), so a pair with a
        # word under five letters is 0.0, and so is one whose lengths differ by more than a
        # fifth of the longer (similarity is at most 1 - gap / longer < _TYPO_SIMILARITY):
        # both skipped before the call (most of screening's calls were such pairs).
        if len(word) < 5:
            continue
        best, best_sim = None, 0.0
        for candidate in rest_right:
            if len(candidate) < 5 \
                    or 5 * abs(len(word) - len(candidate)) > max(len(word), len(candidate)):
                continue
            sim = _token_similarity(word, candidate)
            if sim > best_sim:
                best, best_sim = candidate, sim
        if best is not None and best_sim >= _TYPO_SIMILARITY:
            rest_left.remove(word)
            rest_right.remove(best)
            sims.append((best_sim, len(word)))
    if not sims:  # most pairs a search compares (a shared prefix or suffix, no word)
        return CoreComparison(0.0, 0, tuple(rest_left), tuple(rest_right))
    total = sum(length for _, length in sims)
    similarity = sum(s * length for s, length in sims) / total if total else 0.0
    return CoreComparison(similarity, len(sims), tuple(rest_left), tuple(rest_right))


@functools.cache
def _state_words(state: str) -> frozenset[str]:
    return frozenset(state_name_tokens(state))


def drop_state_words(core: tuple[str, ...], other: tuple[str, ...], state: str) -> tuple[str, ...]:
    """``core`` without the words of ``state``'s name, unless ``other`` has them too."""
    words = _state_words(state)
    if not words or not words.issubset(core) or words.issubset(other):
        return core
    return tuple(t for t in core if t not in words)


def name_features(account: NameKey, org: NameKey, org_state: str, *,
                  initials: bool = True) -> dict[str, Feature] | None:
    """Features comparing two names; None if they share no word at all (not a candidate).
    ``initials``: a place's initials may stand for it ("LA" for "Los Angeles")."""
    left = drop_state_words(account.core, org.core, org_state)
    right = drop_state_words(org.core, account.core, org_state)
    features: dict[str, Feature] = {}
    if not left and not right:
        if account.role is None or account.role != org.role:
            return None
        features["name"] = Feature(3.0, "both names are only their role; the state decides")
    else:
        cmp = compare_cores(left, right, initials=initials)
        if cmp.matched == 0:
            return None
        sim = cmp.similarity
        weight = 5.0 if sim >= 0.999 else 5.0 - 20.0 * (1.0 - sim)
        features["name"] = Feature(
            weight, f"`{' '.join(left)}` vs `{' '.join(right)}`: matched words similar at {sim:.2f}")
        extras = cmp.unmatched_left + cmp.unmatched_right
        if extras:
            weight = -sum(1.0 if w in _GENERIC_EXTRAS else 5.0 for w in extras)
            features["extra_words"] = Feature(
                max(weight, -12.0), f"words in only one name: {', '.join(sorted(extras))}")
    features["role"] = role_feature(account.role, org.role)
    jurisdiction = jurisdiction_feature(account, org)
    if jurisdiction is not None:
        features["jurisdiction"] = jurisdiction
    return features


def role_feature(account_role: str | None, org_role: str | None) -> Feature:
    """Same kind of body, compatible, unknown, or contradictory (police vs fire)."""
    if account_role == org_role:
        if account_role is None:
            return Feature(0.0, "neither name says what kind of body it is")
        return Feature(2.0, f"both are `{account_role}`")
    if account_role is None or org_role is None:
        return Feature(-3.0, f"only one name says what kind of body it is "
                             f"(`{account_role or org_role}`)")
    pair = frozenset({account_role, org_role})
    if pair in _COMPATIBLE_ROLES:
        return Feature(_COMPATIBLE_ROLES[pair], f"`{account_role}` and `{org_role}` are compatible")
    if role_group(account_role) != role_group(org_role):
        return Feature(-10.0, f"`{account_role}` is not `{org_role}`")
    return Feature(-6.0, f"`{account_role}` and `{org_role}` are different bodies")


def jurisdiction_feature(account: NameKey, org: NameKey) -> Feature | None:
    """County vs city vs township words, when either name has them."""
    a, o = account.jurisdictions, org.jurisdictions
    if not a and not o:
        return None
    if a & o:
        return Feature(0.5, f"both say {', '.join(sorted(a & o))}")
    if a and o:
        if account.level != org.level:
            return Feature(-5.0, f"{'/'.join(sorted(a))} is not {'/'.join(sorted(o))}")
        return Feature(-3.0, f"{'/'.join(sorted(a))} is not {'/'.join(sorted(o))}")
    return Feature(-1.5, f"only one name says {'/'.join(sorted(a or o))}")


def state_feature(account_state: str, org_state: str, governmental: bool, *,
                  national: bool = True) -> Feature | None:
    """Same state, another state, or unknown; a public body never moves state. ``national``:
    a public body without a state is a national one (else its state is only unknown)."""
    if account_state and not org_state and governmental and not national:
        return Feature(-1.0, "the organisation's state is unknown (not a national body)")
    if not account_state or not org_state:
        if governmental and not org_state:
            return None  # a national body: no state to compare
        return Feature(-1.0 if governmental else 0.0, "the state is unknown on one side")
    if account_state == org_state:
        return Feature(2.0 if governmental else 1.0, f"both in {org_state}")
    return Feature(-12.0 if governmental else -2.0, f"{account_state} is not {org_state}")


def score_of(features: dict[str, Feature]) -> tuple[float, float]:
    """(logit, probability) of a set of features plus the prior."""
    logit = PRIOR_WEIGHT + sum(f.weight for f in features.values())
    return logit, 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))
