"""The ``Screener``: resolve a customer's typed name, email domains and place to at most one
reference organisation, with a triage status and the features that decided it.

Blocking keeps each query to a few dozen candidates: the organisations of the same state (plus
national bodies and companies) that share a word, a 4-letter prefix or suffix of a word, or an
email domain with the query. Each candidate is scored by ``matching``; the best is accepted only
above ``accept`` *and* ``margin_logit`` ahead of the runner-up, so two bodies with the same name
(in the same state, or with no state given) go to a person, never to a coin toss.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from daylight.registry.acronyms import (
    initialisms,
    national_initialisms,
    place_initials,
    role_initialisms,
)
from daylight.registry.blocking import WordBlocks
from daylight.registry.component_names import component_names
from daylight.registry.evidence import (
    CANDIDATE_FLOOR,
    CANDIDATE_GAP_LOGIT,
    Evidence,
    is_common_word,
    is_government_domain,
    parents,
    upper_words,
    word_evidence,
)
from daylight.registry.geography import STATE_CODES
from daylight.registry.matching import (
    Feature,
    joined,
    name_features,
    score_of,
    state_feature,
)
from daylight.registry.names import (
    UNIT_WORDS,
    NameKey,
    customer_form,
    has_legal_form,
    name_key,
    role_group,
    state_name_tokens,
    unit_heads,
)
from daylight.registry.organization import AGENCY_SECTORS, Organization
from daylight.registry.reference.components import Component, read_components
from daylight.registry.resolution import ACCEPTED as ACCEPTED  # re-exported: screening outcomes
from daylight.registry.resolution import REJECTED as REJECTED
from daylight.registry.resolution import REVIEW as REVIEW
from daylight.registry.twins import Twins

# Datasets that record the state of every body that has one: a body of theirs without a state is
# national (a federal agency). Flock's sharing graph and contract recipients leave the state of
# local bodies out too ("New York State Park Police"): theirs is unknown, not national.
# The curated federal components (``daylight-components``) are national like their agencies.
_NATIONAL_SOURCES = frozenset({"fbi-roster", "usaspending-agencies", "dotgov", "daylight-components"})
_CORROBORATING = ("uei", "duns")  # identifiers a customer may give that the reference records
_MAX_POSTING = 4000  # a word in more entries than this (e.g. "saint") does not block alone
_MAX_CANDIDATES = 400
_STATE_RIVALS = 25  # how far down the ranking a same-named body of another state is looked for


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
    identifiers: tuple[tuple[str, str], ...] = ()
    """(scheme, value) the customer gave: ``("uei", ...)``, ``("duns", ...)``."""


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
    """The triage of one query: status, best candidate (if any) and runner-up; ``evidence``
    is the agency evidence that kept it from being rejected (see ``evidence``), empty if none."""

    status: str
    best: Scored | None
    runner_up: Scored | None = None
    evidence: tuple[Evidence, ...] = ()

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
    agency: bool
    acronyms: frozenset[str]
    national: bool
    components: dict[NameKey, Component] = field(default_factory=dict)
    """keys that are a component's name (``Homeland Security Investigations``), not the body's"""
    ancestors: tuple[str, ...] = ()
    """the ids of what the organisation is part of, nearest first (a component's agency)"""
    generated: frozenset[NameKey] = frozenset()
    """keys of an office's names as agencies write them (``component_names``)"""
    bare: frozenset[NameKey] = frozenset()
    """... of which several agencies' offices share ("Boston Field Office")"""
    facts: tuple[tuple[NameKey, frozenset[str] | None, bool, Component | None], ...] = \
        field(init=False)
    """each key with its words if it is generated (else None), whether it is bare, and the
    component it names: asked of every key of every candidate, so answered once (a NameKey's
    hash is not cached)"""
    words: frozenset[str] = field(init=False)
    """the words of all its keys"""

    def __post_init__(self) -> None:
        self.facts = tuple((k, frozenset(k.core) if k in self.generated else None,
                            k in self.bare, self.components.get(k)) for k in self.keys)
        self.words = frozenset(w for k in self.keys for w in k.core)


@dataclass
class _Postings:
    by_state: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    all_states: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    companies: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Companies in any state: a company's recorded state is an address, not a boundary."""


def _block_keys(core: tuple[str, ...], initials: bool = True, *, query: bool = False,
                words: WordBlocks | None = None) -> set[str]:
    """Blocking keys: the words and, with ``initials``, a place's initials (``#la``): an
    organisation's from its place's words, a query's from its short words ("LA County"); a
    query also brings its adjacent words joined and the reference ``words`` its long words may
    meet (typos, parts of a joined word)."""
    keys = set(core)
    if words is not None:
        keys |= joined(core)
        for word in core:
            keys |= words.related(word)
    if not initials:
        return keys
    if query:
        keys.update("#" + word for word in core if 2 <= len(word) <= 3)
    else:
        place = place_initials(core)
        if 2 <= len(place) <= 3:
            keys.add("#" + place)
    return keys


@lru_cache(maxsize=1 << 12)
def _typed(name: str) -> frozenset[str]:
    """The words of ``name`` typed in capitals (lower case): abbreviations or initialisms.
    Asked once per query and again for each of its candidates that is a component."""
    return frozenset(w.lower() for w in upper_words(name))


def _level(key: NameKey) -> str | None:
    """``county`` or ``municipal`` as the name says, or as its role implies (a sheriff serves a
    county, a police department without a county word a municipality); None if neither."""
    if key.level is not None:
        return key.level
    return {"sheriff": "county", "police": "municipal"}.get(key.role or "")


def _query_state(query: Query) -> str:
    """The query's state, or the one state its name names ("Warrick County IN SO")."""
    states = name_key(query.name).states
    return query.state or (next(iter(states)) if len(states) == 1 else "")


def is_national(org: Organization) -> bool:
    """A public body without a state that a national dataset records (see ``_NATIONAL_SOURCES``):
    a federal body, which may serve a customer in any state."""
    return org.schema == "PublicBody" and not org.state and any(
        source.split(":", 1)[0] in _NATIONAL_SOURCES for source in org.sources)


def _abbreviations(org: Organization) -> set[str]:
    """A public body's abbreviations (``ICE``), lower-cased: short all-capital aliases."""
    if org.schema != "PublicBody":
        return set()
    return {a.lower() for a in org.aliases if a.isalpha() and a.isupper() and 2 <= len(a) <= 8}


# "U.S.", "US" (in capitals) or "United States" in a name: a national body's
_NATION = re.compile(r"(?<![\w.])(U\.\s?S\.|US|[Uu]nited [Ss]tates)(?=\s)")
_DEPARTMENT = re.compile(r"(u\.s\. |united states )?department of (the )?[a-z ]+")
_NOT_A_DEPARTMENT = frozenset({"office", "board", "secretary", "counsel", "bureau", "chief",
                               "division", "staff", "center", "agency", "inspector", "police"})


def _is_a_department(name: str) -> bool:
    """"United States Department of Justice", not one of its offices."""
    lowered = name.lower()
    return _DEPARTMENT.fullmatch(lowered) is not None \
        and _NOT_A_DEPARTMENT.isdisjoint(lowered.split())


def _named_whole(features: dict[str, Feature]) -> bool:
    """Every word of the name matched, none left over, and its kind not left out: "United
    States Mint" does not name the Mint's police (a component whose distinguishing word is its
    role has its parent's core words)."""
    return "extra_words" not in features and features["name"].weight >= 5.0 \
        and features.get("role", Feature(0.0, "")).weight >= 0


def _names_enough(kept: tuple[str, ...], key: NameKey) -> bool:
    """Whether the words left once a department's name is set aside can name an agency: two
    words, or one with the kind of body ("Pentagon" + force protection agency); one word alone
    ("HHS OIG": "OIG") names too little: twenty offices share it."""
    return len(kept) >= 2 or (len(kept) == 1 and key.role is not None)


class Screener:
    """An in-memory index of reference organisations that scores queries against them."""

    def __init__(self, organizations: Iterable[Organization],
                 thresholds: Thresholds | None = None, *, customer_forms: bool = True,
                 components: Iterable[Component] | None = None,
                 part_of: Mapping[str, str] | None = None) -> None:
        """``customer_forms``: also the forms customers type (initialisms, a place's initials,
        an agency plus a unit, a federal component's name); the reference builder, matching
        one dataset's names to another's, works without them. ``components``: by default the
        shipped ones (``reference.components``): a component the organisations include is
        screened as itself, one they lack (a reference built before components were
        organisations) by its name as its nearest listed ancestor's. ``part_of``: more
        component → parent links (the reference's ``part_of`` relationships)."""
        self.thresholds = thresholds or Thresholds()
        self.customer_forms = customer_forms
        self._entries: list[_Entry] = []
        self._postings = _Postings()
        self._words = WordBlocks()
        self._domains: dict[str, list[int]] = defaultdict(list)
        self._identifiers: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_id: dict[str, int] = {}
        self._word_counts: dict[str, int] = defaultdict(int)
        self._abbreviation_counts: dict[str, int] = defaultdict(int)
        self._acronyms: dict[str, list[int]] = defaultdict(list)
        self._places: set[str] = {w for code in STATE_CODES.values() for w in state_name_tokens(code)}
        self._components: dict[str, list[Component]] = defaultdict(list)
        self._parents: dict[str, str] = {}
        orgs = list(organizations)
        if customer_forms:
            listed = {org.id for org in orgs}
            curated = read_components() if components is None else tuple(components)
            self._parents = {c.id: c.part_of for c in curated} | dict(part_of or {})
            for component in curated:
                if component.id in listed:
                    continue
                holder = next((a for a in self._ancestors(component.id) if a in listed), None)
                if holder is not None:
                    self._components[holder].append(component)
        self._national_roles: dict[str, list[int]] = defaultdict(list)
        self._departments: dict[str, str] = {}  # "doj": "United States Department of Justice"
        # a department's short name, its core words ("state", "homeland security"), by its id,
        # and its id by the first two digits of its agency code ("19": State's 1900)
        self._department_words: dict[str, tuple[str, ...]] = {}
        self._department_codes: dict[str, str] = {}
        self._departments_by_org: dict[str, tuple[dict[str, tuple[str, ...]], set[str]]] = {}
        for org in orgs:
            self._add(org)
        self._drop_inherited_acronyms()
        self._twins = Twins([e.org for e in self._entries],
                            [e.agency and customer_forms for e in self._entries])

    def __len__(self) -> int:
        return len(self._entries)

    def _drop_inherited_acronyms(self) -> None:
        """A component's initialisms that are its agency's ("ATF" of "ATF Tampa Field
        Division") name the agency, not the component: only the agency keeps them."""
        for index, entry in enumerate(self._entries):
            inherited: set[str] = set()
            for ancestor in entry.ancestors:
                if (i := self._by_id.get(ancestor)) is not None:
                    inherited |= self._entries[i].acronyms
            for acronym in entry.acronyms & inherited:
                self._acronyms[acronym] = [i for i in self._acronyms[acronym] if i != index]
            entry.acronyms = entry.acronyms - inherited

    def _twin_first(self, name: str, ranked: list[Scored]) -> list[Scored]:
        """An accepted agency held twice (``Twins``) is not chosen by a name's kind of body
        alone: the twin a source recorded the account's very name for is the one that source
        points to ("jacksonville sheriff": ICE's 287(g) list's entry)."""
        twin = self._twins.recorded(name, self._by_id[ranked[0].organization_id],
                                    [self._by_id[s.organization_id] for s in ranked[1:]])
        if twin is None:
            return ranked
        scored = next(s for s in ranked[1:] if self._by_id[s.organization_id] == twin)
        lift = ranked[0].logit - scored.logit + self.thresholds.margin_logit
        features = {**scored.features, "twin": Feature(lift, (
            f"`{scored.organization_name}` and `{ranked[0].organization_name}` are one "
            "agency the reference holds twice; the account's name is this entry's, as a "
            "source wrote it"))}
        logit, score = score_of(features)
        lifted = Scored(scored.organization_id, scored.organization_name, logit, score, features)
        return [lifted, *(s for s in ranked if s is not scored)]

    def _ancestors(self, org_id: str) -> tuple[str, ...]:
        """What ``org_id`` is part of, nearest first (a cycle stops the chain)."""
        chain: list[str] = []
        while (parent := self._parents.get(chain[-1] if chain else org_id)) is not None \
                and parent not in chain and parent != org_id:
            chain.append(parent)
        return tuple(chain)

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
        generated: set[NameKey] = set()
        bare: set[NameKey] = set()
        if self.customer_forms and self._parents.get(org.id):
            # an office as agencies write it ("FBI Boston Division", "SAC Houston")
            forms = component_names(org.name, org.aliases)
            for text in (*forms.named, *forms.bare):
                if (key := name_key(text)) not in keys:
                    keys.append(key)
                    generated.add(key)
                    if text in forms.bare:
                        bare.add(key)
        parts: dict[NameKey, Component] = {}
        for component in self._components.get(org.id, ()):
            key = name_key(component.name)
            if key not in keys:
                keys.append(key)
                parts[key] = component
        index = len(self._entries)
        self._by_id.setdefault(org.id, index)
        if org.city and org.schema == "PublicBody":
            self._places.update(name_key(org.city).core)
        for word in {w for k in keys for w in k.core} if not self._parents.get(org.id) else ():
            # a component's words are its agency's and a place's: not counted, or 25 field
            # offices would make "removal" common and ERO's own name no longer distinctive
            self._word_counts[word] += 1
        for abbreviation in _abbreviations(org):
            self._abbreviation_counts[abbreviation] += 1
        domains = frozenset(d.lower() for d in org.identifiers.get("domain", ()))
        agency = org.schema == "PublicBody" and org.sector in AGENCY_SECTORS
        national = is_national(org)
        acronyms: set[str] = set()
        if agency and self.customer_forms:
            acronyms = set(_abbreviations(org)) | {
                c.abbreviation.lower() for c in self._components.get(org.id, ()) if c.abbreviation}
            for text in (org.name, *org.aliases):
                acronyms |= initialisms(text)
                if national:
                    acronyms |= national_initialisms(text)
            for k in keys:
                acronyms |= role_initialisms(k.core, k.role, "county" in k.jurisdictions
                                             or k.role == "sheriff")
            for acronym in acronyms:
                self._acronyms[acronym].append(index)
        self._entries.append(_Entry(org, keys, domains, org.city.lower(), org.schema == "PublicBody",
                                    agency, frozenset(acronyms), national, parts,
                                    self._ancestors(org.id), frozenset(generated),
                                    frozenset(bare)))
        if national and org.schema == "PublicBody" and _is_a_department(org.name):
            for abbreviation in _abbreviations(org):
                self._departments.setdefault(abbreviation, org.name)
            if name_key(org.name).core:
                self._department_words[org.id] = name_key(org.name).core
                for code in org.identifiers.get("agency_code", ()):
                    if code.endswith("00"):
                        self._department_codes.setdefault(code[:2], org.id)
        if national and agency:
            for role in {k.role for k in keys if k.role and not k.core}:
                self._national_roles[role].append(index)  # "U.S. Marshals Service": a role only
        for word in {w for k in keys for w in k.core}:
            self._words.add(word)
        for block in set().union(*(_block_keys(k.core, self.customer_forms) for k in keys)):
            self._postings.by_state[(org.state, block)].append(index)
            self._postings.all_states[block].append(index)
            if org.schema == "Company" and org.state:
                self._postings.companies[block].append(index)
        for domain in domains:
            self._domains[domain].append(index)
        for scheme in _CORROBORATING:
            for value in org.identifiers.get(scheme, ()):
                self._identifiers[(scheme, value.upper())].append(index)

    def organization(self, organization_id: str) -> Organization | None:
        index = self._by_id.get(organization_id)
        return self._entries[index].org if index is not None else None

    def _acronym_tokens(self, name: str) -> frozenset[str]:
        """The query's words that are an agency's abbreviation or initialism (lower case)."""
        words = _typed(name)
        bare = name.strip()
        if not words and bare.isalpha() and 3 <= len(bare) <= 8:
            words = frozenset([bare.lower()])  # "nypd" typed in lower case, alone
        return frozenset(w for w in words if w in self._acronyms and not is_common_word(w))

    def _candidates(self, key: NameKey, state: str, domains: tuple[str, ...],
                    acronyms: frozenset[str] = frozenset(),
                    identifiers: tuple[tuple[str, str], ...] = ()) -> set[int]:
        found: set[int] = set()
        for acronym in acronyms:
            found.update(i for i in self._acronyms[acronym]
                         if not state or self._entries[i].org.state in (state, ""))
        postings: list[list[int]] = []
        for block in _block_keys(key.core, self.customer_forms, query=True, words=self._words):
            if state:
                postings.append(self._postings.by_state.get((state, block), []))
                postings.append(self._postings.by_state.get(("", block), []))
                if self.customer_forms:
                    postings.append(self._postings.companies.get(block, []))
            else:
                postings.append(self._postings.all_states.get(block, []))
        for posting in sorted(postings, key=len):
            if len(posting) > _MAX_POSTING and found:
                break
            found.update(posting)
            if len(found) > _MAX_CANDIDATES:
                break
        if key.role and self.customer_forms:  # "US Marshals Service - Atlanta": a national role
            found.update(self._national_roles.get(key.role, ()))
        if not key.core and state:  # "State Police" alone: the state's bodies of that role
            found.update(i for i, e in enumerate(self._entries)
                         if e.org.state == state and any(k.role == key.role for k in e.keys))
        for domain in domains:
            for parent in parents(domain):
                found.update(self._domains.get(parent, ()))
        for identifier in identifiers:
            found.update(self._identifiers.get(identifier, ()))
        return found

    def _score(self, query: Query, key: NameKey, state: str, entry: _Entry,
               acronyms: frozenset[str] = frozenset()) -> Scored | None:
        best: tuple[float, dict[str, Feature]] | None = None
        office = self._office_words(key, entry)
        keys = [key] if office is None else [key, office[0]]
        agency = self._agency_words(key, entry, query.name)
        if agency is not None:
            keys.append(agency[0])
        for query_key in keys:
            for org_key, generated, bare, part in entry.facts:
                if generated is not None and generated.isdisjoint(query_key.core):
                    continue  # a generated name is met word for word (it costs a tenth of a run)
                # a generated name's short words are abbreviations ("FBI Kansas City"), not a
                # place's initials ("Fontana Building Inspections")
                features = name_features(query_key, org_key, entry.org.state,
                                         initials=self.customer_forms and generated is None)
                if features is None:
                    continue
                if query_key is not key and office is not None and query_key is office[0]:
                    features["unit"] = office[1]
                if agency is not None and query_key is agency[0]:
                    features["agency"] = agency[1]
                elif bare:
                    # "Boston Field Office": the FBI's, ERO's or OFO's; the account must say whose
                    features["agency"] = Feature(-1.5, f"`{entry.org.name}` is named by a form "
                                                       "several agencies' offices share, and the "
                                                       "name does not say whose")
                exact = _named_whole(features)
                if part is not None:
                    # a component's whole name names one body nationwide ("Border Patrol")
                    features["component"] = Feature(1.5 if exact else 0.0,
                                                    f"`{part.name}` is a component of "
                                                    f"`{entry.org.name}` ({part.source})")
                elif exact and entry.national and entry.ancestors:
                    # the same for a component the reference holds as an organisation
                    features["component"] = Feature(1.5, f"`{entry.org.name}` is a component "
                                                         f"of `{self._name(entry.ancestors[-1])}`:"
                                                         " its whole name names one body "
                                                         "nationwide")
                elif exact and entry.national and entry.agency and len(query_key.core) >= 2 \
                        and self.customer_forms and "unit" not in features:
                    # and for a national agency named whole ("U.S. Customs and Border
                    # Protection", "Air Force Office of Special Investigations"; not an office of
                    # it with words set aside), which scored as any public body's exact name with
                    # no state to confirm it (build 16)
                    features["nationwide"] = Feature(1.5, f"`{entry.org.name}` is a national "
                                                          "agency: its whole name names one "
                                                          "body nationwide")
                logit, _ = score_of(features)
                if best is None or logit > best[0]:
                    best = (logit, features)
        for acronym in acronyms & entry.acronyms:
            # the initialism stands for the organisation's name: compare the rest of the query
            main = entry.keys[0]
            rest = tuple(w for w in (office[0] if office else key).core if w != acronym)
            expanded = NameKey(main.core + rest, key.role or main.role,
                               key.jurisdictions | main.jurisdictions, key.states)
            features = name_features(expanded, main, entry.org.state)
            if features is None:
                continue
            if entry.org.state and not state:
                # a local body's initialism, typed with no state to say which place it is
                features["acronym"] = Feature(-2.0, f"`{acronym.upper()}` is an initialism of "
                                                    f"`{entry.org.name}`, a local body, and the "
                                                    "account names no state")
            else:
                features["acronym"] = Feature(-1.0, f"`{acronym.upper()}` is an abbreviation or "
                                                    f"initialism of `{entry.org.name}`")
            if office is not None:
                features["unit"] = office[1]
            logit, _ = score_of(features)
            if best is None or logit > best[0]:
                best = (logit, features)
        if (not key.core or (office is not None and not office[0].core)) and best is not None \
                and self._national_roles.get(key.role or "") == [self._by_id[entry.org.id]]:
            best = (best[0], {**best[1], "national": Feature(
                2.0, f"the only national body whose name is its role (`{key.role}`)")})
        identifier = self._identifier_feature(query, entry)
        if best is None and self._domain_feature(query.email_domains, entry, named=False) is None \
                and (identifier is None or identifier.weight < 0):
            return None  # no name in common and no domain of its own: not a candidate
        domain = self._domain_feature(query.email_domains, entry)
        features = dict(best[1]) if best else {"name": Feature(-4.0, "the names share no word")}
        if identifier is not None:
            features["identifier"] = identifier
        distinctive = self._distinctive(key, features)
        if distinctive is not None:
            features["distinctive"] = distinctive
        if domain is not None:
            features["domain"] = domain
        else:
            place = self._place_feature(query.email_domains, entry)
            if place is not None:
                features["domain"] = place
        state_evidence = state_feature(state, entry.org.state, entry.governmental,
                                       national=entry.national)
        if state_evidence is not None:
            features["state"] = state_evidence
        if not state and entry.org.state and _NATION.search(query.name):
            features["state"] = Feature(-2.0, "the name says it is a national body (`United "
                                              f"States`); `{entry.org.name}` is one of "
                                              f"{entry.org.state}")
        if query.city and entry.city and query.city.lower() == entry.city:
            features["city"] = Feature(1.0, f"both in the city of {entry.org.city}")
        logit, score = score_of(features)
        return Scored(entry.org.id, entry.org.name, logit, score, features)

    def _domain_feature(self, domains: tuple[str, ...], entry: _Entry, *,
                        named: bool = True) -> Feature | None:
        """An email domain of the organisation (its own, a named subdomain of its department's,
        or under its own) or, for a component, of the agency it is part of (``fbi.gov`` for the
        FBI's Newark Field Office): the same evidence for the part as for the whole, so that
        the name decides between them. ``named``: also a named subdomain of a department's."""
        if not domains:
            return None
        for holder in (entry, *(self._entries[i] for a in entry.ancestors
                                if (i := self._by_id.get(a)) is not None)):
            found = self._own_domain_feature(domains, holder, named)
            if found is not None:
                if holder is not entry:
                    found = Feature(found.weight, f"{found.detail}; `{entry.org.name}` is part "
                                                  f"of `{holder.org.name}`")
                return found
        return None

    def _own_domain_feature(self, domains: tuple[str, ...], entry: _Entry,
                            named: bool) -> Feature | None:
        owned = entry.domains.intersection(domains) if entry.domains else None
        if owned:
            return Feature(6.0, f"email domain `{sorted(owned)[0]}` is the organisation's "
                                "(.gov registry)")
        subdomain = self._named_subdomain(domains, entry) if named else None
        if subdomain is not None:
            return subdomain
        if not entry.domains:  # most companies: nothing a domain could be under
            return None
        under = entry.domains.intersection(p for d in domains for p in parents(d)[1:])
        if under:
            return Feature(2.0, f"email domain under `{sorted(under)[0]}`, the organisation's: "
                                "one of its parts")
        return None

    @staticmethod
    def _identifier_feature(query: Query, entry: _Entry) -> Feature | None:
        """The customer's UEI or DUNS: the organisation's own (strong evidence), or another
        than the one the reference records for it (a conflict: never accepted, see ``_triage``)."""
        conflict = None
        for scheme, value in query.identifiers:
            recorded = {v.upper() for v in entry.org.identifiers.get(scheme, ())}
            if value in recorded:
                return Feature(6.0, f"{scheme.upper()} `{value}` is the organisation's "
                                    "(USAspending)")
            if recorded and conflict is None:
                conflict = Feature(-4.0, f"{scheme.upper()} `{value}` is not the organisation's "
                                         f"(`{sorted(recorded)[0]}`)")
        return conflict

    def _agency_words(self, key: NameKey, entry: _Entry,
                      name: str) -> tuple[NameKey, Feature] | None:
        """A component typed with its agency's abbreviation ("ICE ERO Newark Field Office" for
        ERO's Newark Field Office): the query without the abbreviations of what the component is
        part of (typed in capitals: "ICE" is also a word), and the feature saying so; None if
        the query has none."""
        if not entry.ancestors:
            return self._department_abbreviation(key, entry, name) \
                or self._department_short_name(key, entry)
        typed = _typed(name)
        named: dict[str, str] = {}
        for ancestor in entry.ancestors if typed else ():
            index = self._by_id.get(ancestor)
            if index is not None:
                holder = self._entries[index]
                for acronym in typed & (holder.acronyms | _abbreviations(holder.org)):
                    named.setdefault(acronym, holder.org.name)
        own = entry.words  # "ERO" of ERO's Newark Field Office
        kept = tuple(w for w in key.core if w not in named or w in own)
        if not named or not kept or kept == key.core:
            return self._department_short_name(key, entry)
        said = ", ".join(f"`{a.upper()}` names `{n}`" for a, n in sorted(named.items()))
        return (NameKey(kept, key.role, key.jurisdictions, key.states),
                Feature(0.0, f"{said}, which `{entry.org.name}` is part of"))

    def _department_abbreviation(self, key: NameKey, entry: _Entry,
                                 name: str) -> tuple[NameKey, Feature] | None:
        """A national agency typed with a department's abbreviation before it ("DOJ Federal
        Bureau of Prisons", "DHS Federal Protective Service"): the query without it, and the
        feature saying so; None if the query has none. The reference does not link every
        agency to its department, so any department's abbreviation is dropped: the rest of the
        name must still name the agency."""
        if not (entry.national and entry.agency and self.customer_forms) \
                or "department of" in entry.org.name.lower():
            # a department's own office names its department: "DOJ OIG" is not Agriculture's
            return None
        # "DoD", "DoJ": departments' abbreviations are also written with a small letter inside
        typed = _typed(name) | {w.lower() for w in name.split()
                                if w[:1].isupper() and not w[1:].islower() and w.isalpha()}
        named = {a: self._departments[a] for a in typed if a in self._departments}
        kept = tuple(w for w in key.core if w not in named or w in entry.words)
        if not named or not _names_enough(kept, key) or kept == key.core:
            return None
        said = ", ".join(f"`{a.upper()}` names `{n}`" for a, n in sorted(named.items()))
        return (NameKey(kept, key.role, key.jurisdictions, key.states),
                Feature(0.0, f"{said}, a department above `{entry.org.name}`"))

    def _department_short_name(self, key: NameKey, entry: _Entry) -> tuple[NameKey, Feature] | None:
        """A national agency typed after its department's short name ("State Diplomatic Security
        Service", "Treasury Special Inspector General for ..."), as after its abbreviation: the
        query without it. The short name is also a plain word ("State Police", "State Park
        Police"), so it is read as the department only first in the name, before an agency the
        reference says is that department's (by part_of, agency code or .gov record), with enough
        words left to name it."""
        if not (entry.national and entry.agency and self.customer_forms) \
                or "department of" in entry.org.name.lower():
            return None
        departments, own = self._departments_of(entry)
        for department, words in departments.items():
            kept = key.core[len(words):]
            if key.core[:len(words)] == words and _names_enough(kept, key) \
                    and own.isdisjoint(words):
                return (NameKey(kept, key.role, key.jurisdictions, key.states),
                        Feature(0.0, f"`{' '.join(words)}` names `{department}`, a department "
                                     f"above `{entry.org.name}`"))
        return None

    def _departments_of(self, entry: _Entry) -> tuple[dict[str, tuple[str, ...]], set[str]]:
        """The departments ``entry`` or what it is part of belongs to, as the reference says
        (a department among its ancestors, its agency code's department, its .gov record's
        department), by name, with their short names; and the words of the entry's own names
        (a .gov record also lists its department's name). Worked out once per organisation:
        it is asked for every national agency scored against every query."""
        known = self._departments_by_org.get(entry.org.id)
        if known is None:
            departments = self._departments_above(entry)
            own = {w for text in (entry.org.name, *entry.org.aliases) if text not in departments
                   for w in name_key(text).core}
            known = self._departments_by_org[entry.org.id] = (departments, own)
        return known

    def _departments_above(self, entry: _Entry) -> dict[str, tuple[str, ...]]:
        out: dict[str, tuple[str, ...]] = {}
        for org_id in (entry.org.id, *entry.ancestors):
            index = self._by_id.get(org_id)
            if index is None:
                continue
            org = self._entries[index].org
            ids = [org_id, *(self._department_codes.get(code[:2], "")
                             for code in org.identifiers.get("agency_code", ()))]
            for department in ids:
                if department in self._department_words and department != entry.org.id:
                    out.setdefault(self._name(department), self._department_words[department])
            for alias in org.aliases:
                if _is_a_department(alias) and name_key(alias).core:
                    out.setdefault(alias, name_key(alias).core)
        return out

    def _office_words(self, key: NameKey, entry: _Entry) -> tuple[NameKey, Feature] | None:
        """A national agency's office: the query without the words of a place or a unit
        ("DEA Boston Field Division" is the DEA's), and the feature saying so; None if the
        entry is not a national agency or the query has no such words."""
        if not entry.agency or not entry.national or not self.customer_forms:
            return None
        own = entry.words  # "border patrol" of the Border Patrol
        kept = tuple(w for w in key.core
                     if w in own or (w not in self._places and w not in UNIT_WORDS))
        if kept == key.core or (not kept and key.role is None):
            return None
        if kept and set(kept) <= self._places and set(entry.keys[0].core) <= self._places:
            # an agency named by a word that places have too, and nothing left but such words:
            # "Fairview Park Police Department" is Fairview Park's police, not the (U.S.) Park
            # Police's office in Fairview
            return None
        dropped = " ".join(w for w in key.core if w not in kept)
        return (NameKey(kept, key.role, key.jurisdictions, key.states),
                Feature(-0.5, f"`{dropped}` names an office or a place of a national agency"))

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
                shared = entry.words.intersection(owner.keys[0].core)
                levels = {_level(owner.keys[0]), *(_level(k) for k in entry.keys)} - {None}
                if owner.org.state == entry.org.state and shared and len(levels) <= 1:
                    return Feature(1.5, f"email domain `{domain}` belongs to `{owner.org.name}`, "
                                        "the same place")
        return None

    def rank(self, query: Query, *, excluded: frozenset[str] = frozenset()) -> list[Scored]:
        """Every candidate with a score, best first (ties broken by organisation id)."""
        if self.customer_forms:
            query = replace(query, name=customer_form(query.name))
        key = name_key(query.name)
        state = _query_state(query)
        domains = tuple(d.lower() for d in query.email_domains)
        query = replace(query, state=state, email_domains=domains)
        acronyms = self._acronym_tokens(query.name)
        scored = []
        for index in self._candidates(key, state, domains, acronyms, query.identifiers):
            entry = self._entries[index]
            if entry.org.id in excluded:
                continue
            result = self._score(query, key, state, entry, acronyms)
            if result is not None:
                scored.append(result)
        scored.sort(key=lambda s: (-s.logit, s.organization_id))
        return self._whole_first(self._part_first(scored))

    def _part_first(self, scored: list[Scored]) -> list[Scored]:
        """A component the query names exactly (every word matched, none left over) among close
        candidates that are what it is part of or that matched only without the query's office
        or place words (``unit``): the query names the part ("FBI Newark Field Office" is the
        FBI's Newark Field Office, not the FBI with an office left over), and it is lifted a
        margin above them. Two parts named exactly (two agencies' Newark field offices) are
        left for a person."""
        t = self.thresholds
        close = [s for s in scored if scored[0].logit - s.logit < t.margin_logit]
        if len(close) < 2:
            return scored
        exact = [s for s in close if "unit" not in s.features and _named_whole(s.features)
                 and self._entry(s).ancestors]
        if len(exact) != 1:
            return scored
        part = exact[0]
        ancestors = self._entry(part).ancestors
        rivals = [s for s in close if s is not part]
        if not all(s.organization_id in ancestors or "unit" in s.features for s in rivals):
            return scored
        lift = max(s.logit for s in rivals) - part.logit + t.margin_logit
        features = {**part.features, "part": Feature(
            max(lift, 0.0), "the name is this component's, whole; the other close candidates "
                            "(what it is part of, or matched without the name's office words) "
                            "name less of it")}
        logit, score = score_of(features)
        lifted = Scored(part.organization_id, part.organization_name, logit, score, features)
        return [lifted, *(s for s in scored if s is not part)]

    def _name(self, organization_id: str) -> str:
        index = self._by_id.get(organization_id)
        return self._entries[index].org.name if index is not None else organization_id

    def _entry(self, scored: Scored) -> _Entry:
        return self._entries[self._by_id[scored.organization_id]]

    def _whole_first(self, scored: list[Scored]) -> list[Scored]:
        """Close candidates of which one is the whole and the others its parts (their names
        extend its name: the ATF and the ATF's Acquisition and Property Management Division)
        are the whole: the parts are no rivals of it — when the query names the whole and no
        more (no words left over, the same kind of jurisdiction): "Huntsville Airport
        AL PD" names more than the Huntsville Police Department, "Miami Township Police
        Department" another jurisdiction than Miami County's."""
        close = [s for s in scored if scored[0].logit - s.logit < self.thresholds.margin_logit]
        if len(close) < 2:
            return scored
        cores = {s.organization_id: self._main_core(s.organization_id) for s in close}
        for whole in close:
            core = cores[whole.organization_id]
            names_more = "extra_words" in whole.features \
                or whole.features.get("jurisdiction", Feature(0.0, "")).weight < 0
            if core and not names_more and all(cores[s.organization_id][:len(core)] == core
                            and len(cores[s.organization_id]) > len(core)
                            for s in close if s is not whole):
                features = {**whole.features, "whole": Feature(
                    self.thresholds.margin_logit, "the other close candidates are parts of it "
                                                  "(their names extend its name)")}
                logit, score = score_of(features)
                lifted = Scored(whole.organization_id, whole.organization_name, logit, score,
                                features)
                return [lifted, *(s for s in scored if s is not whole)]
        return scored

    def _main_core(self, organization_id: str) -> tuple[str, ...]:
        index = self._by_id.get(organization_id)
        return self._entries[index].keys[0].core if index is not None else ()

    def _triage(self, ranked: list[Scored], state: str = "") -> str:
        """Accepted, review or rejected. A public body whose state is unknown (not a national
        one) is never accepted for a query that names a state: it may be another state's; nor is
        a candidate whose UEI or DUNS conflicts with the customer's; nor, for a query that names
        no state, a body of one state when the name fits a body of another as well (``CITY OF
        ARLINGTON``: Arlington MN, TX, VA...)."""
        if not ranked:
            return REJECTED
        best, t = ranked[0], self.thresholds
        entry = self._entries[self._by_id[best.organization_id]]
        clear = (len(ranked) == 1 or best.logit - ranked[1].logit >= t.margin_logit) \
            and not (not state and self._fits_another_state(entry, ranked))
        unknown_state = bool(state) and entry.governmental and not entry.org.state \
            and not entry.national
        conflict = best.features.get("identifier", Feature(0.0, "")).weight < 0
        if best.score >= t.accept and clear and not unknown_state and not conflict:
            return ACCEPTED
        return REVIEW if best.score >= t.review else REJECTED

    def _fits_another_state(self, entry: _Entry, ranked: list[Scored]) -> bool:
        """Whether a public body of another state than ``entry``'s (a state-bound public body)
        matches the query's name as fully: every word, none left over, neither its kind of body
        nor its jurisdiction contradicted."""
        if not entry.governmental or not entry.org.state:
            return False
        for other in ranked[1:_STATE_RIVALS]:
            rival, features = self._entry(other), other.features
            if rival.governmental and rival.org.state and rival.org.state != entry.org.state \
                    and "extra_words" not in features \
                    and features.get("name", Feature(0.0, "")).weight >= 5.0 \
                    and min(features.get(k, Feature(0.0, "")).weight
                            for k in ("role", "jurisdiction")) >= 0:
                return True
        return False

    def _unit_ranked(self, query: Query, excluded: frozenset[str]) -> list[Scored] | None:
        """An agency plus a unit ("LAPD - Technical Investigation Div", "ICE ERO Newark Field
        Office"): the ranking of the agency's part, each candidate carrying the unit as a
        feature; None if no head of the name resolves better than the whole."""
        fallback: list[Scored] | None = None
        for head, unit in unit_heads(query.name):
            ranked = self.rank(replace(query, name=head),
                               excluded=excluded)
            if not ranked or not self._is_agency(ranked[0]):
                continue
            feature = Feature(-0.5, f"`{unit}` is a unit or office of the organisation")
            out = []
            for scored in ranked:
                unit_feature = feature
                if (office := scored.features.get("unit")) is not None:
                    # the head's own office words ("FBI Newark Field Office" read as the FBI's
                    # office) and this unit both count: the part the head names stays ahead
                    unit_feature = Feature(office.weight + feature.weight,
                                           f"{office.detail}; {feature.detail}")
                features = {**scored.features, "unit": unit_feature}
                logit, score = score_of(features)
                out.append(Scored(scored.organization_id, scored.organization_name, logit, score,
                                  features))
            status = self._triage(out, _query_state(query))
            if status == ACCEPTED:
                return out
            if status == REVIEW and fallback is None:
                fallback = out
        return fallback

    def _is_agency(self, scored: Scored) -> bool:
        index = self._by_id.get(scored.organization_id)
        return index is not None and self._entries[index].agency

    def agency_evidence(self, query: Query, ranked: list[Scored]) -> list[Evidence]:
        """Why ``query`` could be an agency (see ``evidence``): words, acronyms, domains and
        agency candidates at or above ``CANDIDATE_FLOOR``."""
        found: list[Evidence] = []
        words = word_evidence(query.name)
        if words is not None:
            found.append(words)
        acronyms = self._acronym_tokens(query.name)
        if acronyms:
            found.append(Evidence("acronym", "the name has an agency's abbreviation or initialism: "
                                             + ", ".join(sorted(a.upper() for a in acronyms))))
        for domain in (d.lower() for d in query.email_domains):
            owners = [self._entries[i] for p in parents(domain) for i in self._domains.get(p, ())]
            agencies = [o for o in owners if o.agency]
            if agencies:
                found.append(Evidence("domain", f"email domain `{domain}` belongs to "
                                                f"`{agencies[0].org.name}`"))
            elif not owners and is_government_domain(domain):
                found.append(Evidence("domain", f"email domain `{domain}` is a government "
                                                "domain the reference does not know"))
            elif owners and domain not in owners[0].domains and is_government_domain(domain):
                found.append(Evidence("domain", f"email domain `{domain}` is under "
                                                f"`{owners[0].org.name}`'s domain"))
        leader = ranked[0].logit if ranked else 0.0
        for scored in ranked[:25] if not has_legal_form(query.name) else ():
            if scored.score < CANDIDATE_FLOOR or leader - scored.logit > CANDIDATE_GAP_LOGIT:
                break
            index = self._by_id.get(scored.organization_id)
            entry = self._entries[index] if index is not None else None
            if entry is not None and (entry.agency or entry.org.sector in AGENCY_SECTORS):
                found.append(Evidence("candidate", f"agency candidate `{scored.organization_name}` "
                                                   f"({scored.organization_id}) scored "
                                                   f"{scored.score:.3f}, at or above the floor "
                                                   f"{CANDIDATE_FLOOR}"))
                break
        return found

    def _shared_domain_owner(self, query: Query, best: Scored) -> Scored | None:
        """``best`` accepted as the place: a city's or county's public body that owns one of the
        account's email domains (its own .gov domain, shared by all its departments), when
        nothing in the account points to an agency (``Alameda Finance Department`` at
        ``alamedaca.gov`` is the City of Alameda)."""
        index = self._by_id.get(best.organization_id)
        if index is None:
            return None
        entry = self._entries[index]
        if not entry.governmental or entry.agency or entry.org.role not in ("government", None) \
                or not entry.org.state \
                or not entry.domains.intersection(d.lower() for d in query.email_domains):
            return None
        features = {**best.features, "place": Feature(
            6.0, "the account's email domain is this public body's own, shared by its "
                 "departments, and nothing in the account points to an agency")}
        logit, score = score_of(features)
        return Scored(best.organization_id, best.organization_name, logit, score, features)

    def screen(self, query: Query, *, excluded: frozenset[str] = frozenset()) -> Outcome:
        """Triage ``query``: accepted, review or rejected, with the evidence. An account with
        agency evidence is never rejected: it goes to review (fail safe)."""
        if self.customer_forms:
            query = replace(query, name=customer_form(query.name))
        ranked = self.rank(query, excluded=excluded)
        state = _query_state(query)
        status = self._triage(ranked, state)
        if status != ACCEPTED and self.customer_forms and (
                word_evidence(query.name) is not None or self._acronym_tokens(query.name)):
            units = self._unit_ranked(query, excluded)
            if units is not None and (status == REJECTED or self._triage(units, state) == ACCEPTED):
                ranked, status = units, self._triage(units, state)
        evidence: tuple[Evidence, ...] = ()
        if status != ACCEPTED or (not self._is_agency(ranked[0])
                                  and self._entries[self._by_id[ranked[0].organization_id]]
                                  .governmental):
            found = self.agency_evidence(query, ranked)
            if found and status == ACCEPTED and all(e.kind == "candidate" for e in found):
                found = []  # a public body accepted on its own name, with nothing but a candidate
            if found:
                evidence, status = tuple(found), REVIEW
                agencies = [s for s in ranked if self._is_agency(s)]
                if agencies and agencies[0].score >= CANDIDATE_FLOOR:
                    ranked = [agencies[0], *[s for s in ranked if s is not agencies[0]]]
            elif status != ACCEPTED and ranked and self.customer_forms:
                place = self._shared_domain_owner(query, ranked[0])
                if place is not None:
                    ranked, status = [place, *ranked[1:]], ACCEPTED
        if status == ACCEPTED and self._twins:
            ranked = self._twin_first(query.name, ranked)
        best = ranked[0] if ranked else None
        runner_up = ranked[1] if len(ranked) > 1 else None
        return Outcome(status, best, runner_up, evidence)
