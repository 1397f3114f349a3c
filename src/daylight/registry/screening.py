"""The ``Screener``: resolve a customer's typed name, email domains and place to at most one
reference organisation, with a triage status and the features that decided it.

Blocking keeps each query to a few dozen candidates: the organisations of the same state (plus
national bodies and companies) that share a word, a 4-letter prefix or suffix of a word, or an
email domain with the query. Each candidate is scored by ``matching``; the best is accepted only
above ``accept`` *and* ``margin_logit`` ahead of the runner-up, so two bodies with the same name
(in the same state, or with no state given) go to a person, never to a coin toss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from daylight.registry.matching import (
    Feature,
    name_features,
    score_of,
    state_feature,
)
from daylight.registry.names import NameKey, name_key, role_group
from daylight.registry.organization import Organization
from daylight.registry.resolution import ACCEPTED as ACCEPTED  # re-exported: screening outcomes
from daylight.registry.resolution import REJECTED as REJECTED
from daylight.registry.resolution import REVIEW as REVIEW

_MAX_POSTING = 4000  # a word in more entries than this (e.g. "saint") does not block alone
_MAX_CANDIDATES = 400


@dataclass(frozen=True)
class Thresholds:
    """Triage: accept at ``accept`` or more with a margin; review down to ``review``."""

    accept: float = 0.97
    review: float = 0.5
    margin_logit: float = 2.0


@dataclass(frozen=True)
class Query:
    """What the customer told the provider."""

    name: str
    state: str = ""
    city: str = ""
    email_domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scored:
    """One candidate with its score and the features behind it."""

    organization_id: str
    organization_name: str
    logit: float
    score: float
    features: dict[str, Feature]

    def to_json(self) -> dict[str, Any]:
        return {"organization_id": self.organization_id, "organization_name": self.organization_name,
                "score": round(self.score, 4), "logit": round(self.logit, 3),
                "features": {k: f.to_json() for k, f in self.features.items()}}


@dataclass(frozen=True)
class Outcome:
    """The triage of one query: status, best candidate (if any) and runner-up."""

    status: str
    best: Scored | None
    runner_up: Scored | None = None

    @property
    def margin_logit(self) -> float | None:
        if self.best is None or self.runner_up is None:
            return None
        return self.best.logit - self.runner_up.logit


@dataclass
class _Entry:
    org: Organization
    keys: list[NameKey]
    domains: frozenset[str]
    city: str
    governmental: bool


@dataclass
class _Postings:
    by_state: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    all_states: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))


def _block_keys(core: tuple[str, ...]) -> set[str]:
    keys = set(core)
    for word in core:
        if len(word) >= 5:
            keys.add("<" + word[:4])
            keys.add(">" + word[-4:])
    return keys


def _level(key: NameKey) -> str | None:
    """``county`` or ``municipal`` as the name says, or as its role implies (a sheriff serves a
    county, a police department without a county word a municipality); None if neither."""
    if key.level is not None:
        return key.level
    return {"sheriff": "county", "police": "municipal"}.get(key.role or "")


def _abbreviations(org: Organization) -> set[str]:
    """A public body's abbreviations (``ICE``), lower-cased: short all-capital aliases."""
    if org.schema != "PublicBody":
        return set()
    return {a.lower() for a in org.aliases if a.isalpha() and a.isupper() and 2 <= len(a) <= 8}


class Screener:
    """An in-memory index of reference organisations that scores queries against them."""

    def __init__(self, organizations: Iterable[Organization],
                 thresholds: Thresholds | None = None) -> None:
        self.thresholds = thresholds or Thresholds()
        self._entries: list[_Entry] = []
        self._postings = _Postings()
        self._domains: dict[str, list[int]] = defaultdict(list)
        self._by_id: dict[str, int] = {}
        self._word_counts: dict[str, int] = defaultdict(int)
        self._abbreviation_counts: dict[str, int] = defaultdict(int)
        for org in organizations:
            self._add(org)

    def __len__(self) -> int:
        return len(self._entries)

    def _add(self, org: Organization) -> None:
        keys: list[NameKey] = []
        for text in (org.name, *org.aliases):
            key = name_key(text)
            # An alias that is a bare place ("Atlanta", the roster's name) is the body's role;
            # one naming another kind of body ("Atlanta Public Schools" for the schools' police)
            # keeps it, or the schools' police would be one more "Atlanta" police department.
            if org.role and (key.role is None or role_group(key.role) == role_group(org.role)):
                key = NameKey(key.core, org.role, key.jurisdictions, key.states)
            if key not in keys:
                keys.append(key)
        index = len(self._entries)
        self._by_id.setdefault(org.id, index)
        for word in {w for k in keys for w in k.core}:
            self._word_counts[word] += 1
        for abbreviation in _abbreviations(org):
            self._abbreviation_counts[abbreviation] += 1
        domains = frozenset(d.lower() for d in org.identifiers.get("domain", ()))
        self._entries.append(_Entry(org, keys, domains, org.city.lower(), org.schema == "PublicBody"))
        for block in set().union(*(_block_keys(k.core) for k in keys)):
            self._postings.by_state[(org.state, block)].append(index)
            self._postings.all_states[block].append(index)
        for domain in domains:
            self._domains[domain].append(index)

    def organization(self, organization_id: str) -> Organization | None:
        index = self._by_id.get(organization_id)
        return self._entries[index].org if index is not None else None

    def _candidates(self, key: NameKey, state: str, domains: tuple[str, ...]) -> set[int]:
        found: set[int] = set()
        postings: list[list[int]] = []
        for block in _block_keys(key.core):
            if state:
                postings.append(self._postings.by_state.get((state, block), []))
                postings.append(self._postings.by_state.get(("", block), []))
            else:
                postings.append(self._postings.all_states.get(block, []))
        for posting in sorted(postings, key=len):
            if len(posting) > _MAX_POSTING and found:
                break
            found.update(posting)
            if len(found) > _MAX_CANDIDATES:
                break
        if not key.core and state:  # "State Police" alone: the state's bodies of that role
            found.update(i for i, e in enumerate(self._entries)
                         if e.org.state == state and any(k.role == key.role for k in e.keys))
        for domain in domains:
            found.update(self._domains.get(domain, ()))
        return found

    def _score(self, query: Query, key: NameKey, state: str, entry: _Entry) -> Scored | None:
        best: tuple[float, dict[str, Feature]] | None = None
        for org_key in entry.keys:
            features = name_features(key, org_key, entry.org.state)
            if features is None:
                continue
            logit, _ = score_of(features)
            if best is None or logit > best[0]:
                best = (logit, features)
        owned = entry.domains.intersection(query.email_domains)
        if best is None and not owned:
            return None
        features = dict(best[1]) if best else {"name": Feature(-4.0, "the names share no word")}
        distinctive = self._distinctive(key, features)
        if distinctive is not None:
            features["distinctive"] = distinctive
        if owned:
            features["domain"] = Feature(6.0, f"email domain `{sorted(owned)[0]}` is the "
                                              "organisation's (.gov registry)")
        elif (named := self._named_subdomain(query.email_domains, entry)) is not None:
            features["domain"] = named
        else:
            place = self._place_feature(query.email_domains, entry)
            if place is not None:
                features["domain"] = place
        state_evidence = state_feature(state, entry.org.state, entry.governmental)
        if state_evidence is not None:
            features["state"] = state_evidence
        if query.city and entry.city and query.city.lower() == entry.city:
            features["city"] = Feature(1.0, f"both in the city of {entry.org.city}")
        logit, score = score_of(features)
        return Scored(entry.org.id, entry.org.name, logit, score, features)

    def _distinctive(self, key: NameKey, features: dict[str, Feature]) -> Feature | None:
        """A company's exact name with a rare word ("palantir") says more than "acme security"."""
        if key.role is not None or "extra_words" in features or features["name"].weight < 5.0 \
                or features.get("role", Feature(1.0, "")).weight != 0.0 or not key.core:
            return None
        rarest = min(key.core, key=lambda w: self._word_counts.get(w, 0))
        count = self._word_counts.get(rarest, 0)
        if count <= 3 and len(rarest) >= 3:
            return Feature(1.5, f"`{rarest}` is in {count} reference name(s) only")
        return None

    def _named_subdomain(self, domains: tuple[str, ...], entry: _Entry) -> Feature | None:
        """``ice.dhs.gov``: a subdomain of a public body's registered domain (only that body can
        create it) whose first label is the organisation's abbreviation (``ICE``), when no other
        organisation has that abbreviation."""
        if not entry.governmental:
            return None
        abbreviations = {a for a in _abbreviations(entry.org)
                         if self._abbreviation_counts[a] == 1}  # "oig" names nineteen offices
        for domain in domains:
            label, _, parent = domain.partition(".")
            if label not in abbreviations or parent.count(".") < 1:
                continue
            for owner_index in self._domains.get(parent, ()):
                owner = self._entries[owner_index]
                if owner.governmental:
                    return Feature(4.0, f"email domain `{domain}`: `{label}` is the organisation's "
                                        f"abbreviation, under `{parent}` ({owner.org.name})")
        return None

    def _place_feature(self, domains: tuple[str, ...], entry: _Entry) -> Feature | None:
        """An email domain of another public body: same place supports (the same name, state and
        level: the City of Austin is not Austin County), another state contradicts."""
        for domain in domains:
            for owner_index in self._domains.get(domain, ()):
                owner = self._entries[owner_index]
                if not owner.governmental or not entry.governmental:
                    continue
                if owner.org.state and entry.org.state and owner.org.state != entry.org.state:
                    return Feature(-4.0, f"email domain `{domain}` belongs to `{owner.org.name}` "
                                         f"in {owner.org.state}")
                shared = set(owner.keys[0].core) & {w for k in entry.keys for w in k.core}
                levels = {_level(owner.keys[0]), *(_level(k) for k in entry.keys)} - {None}
                if owner.org.state == entry.org.state and shared and len(levels) <= 1:
                    return Feature(1.5, f"email domain `{domain}` belongs to `{owner.org.name}`, "
                                        "the same place")
        return None

    def rank(self, query: Query, *, excluded: frozenset[str] = frozenset()) -> list[Scored]:
        """Every candidate with a score, best first (ties broken by organisation id)."""
        key = name_key(query.name)
        state = query.state or (next(iter(key.states)) if len(key.states) == 1 else "")
        domains = tuple(d.lower() for d in query.email_domains)
        query = Query(query.name, state, query.city, domains)
        scored = []
        for index in self._candidates(key, state, domains):
            entry = self._entries[index]
            if entry.org.id in excluded:
                continue
            result = self._score(query, key, state, entry)
            if result is not None:
                scored.append(result)
        scored.sort(key=lambda s: (-s.logit, s.organization_id))
        return scored

    def screen(self, query: Query, *, excluded: frozenset[str] = frozenset()) -> Outcome:
        """Triage ``query``: accepted, review or rejected, with the evidence."""
        ranked = self.rank(query, excluded=excluded)
        if not ranked:
            return Outcome(REJECTED, None)
        best = ranked[0]
        runner_up = ranked[1] if len(ranked) > 1 else None
        t = self.thresholds
        clear = runner_up is None or best.logit - runner_up.logit >= t.margin_logit
        if best.score >= t.accept and clear:
            status = ACCEPTED
        elif best.score >= t.review:
            status = REVIEW
        else:
            status = REJECTED
        return Outcome(status, best, runner_up)
