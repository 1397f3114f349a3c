"""Agency evidence: what keeps an account from being rejected into the open.

A rejected account is an ordinary customer to every policy pack, so a rejection that is wrong
about an agency hands it face recognition (fail-open). The screener therefore never rejects an
account that shows any of these; it sends it to review instead, with the evidence named:

- ``words``: law-enforcement or immigration-enforcement words in the name (police, sheriff,
  patrol, marshal, trooper, border, customs, enforcement, ...) or a law-enforcement role the
  name states (``name_key``'s roles: ``PD``, ``SO``, ``DPS`` expand to theirs);
- ``acronym``: an upper-case word of the name that is an abbreviation or a generated initialism
  of a law-enforcement or immigration-enforcement body (``ICE``, ``CBP``, ``NYPD``);
- ``domain``: an email domain of such a body, or under one of its domains; or a government
  domain (``.gov``, ``.mil``, ``.fed.us``, a state's ``.us`` government names) the reference does
  not know, which could be any agency's;
- ``candidate``: a candidate in an agency sector scored at or above ``CANDIDATE_FLOOR`` and
  within ``CANDIDATE_GAP_LOGIT`` of the best candidate (a city department on the city's own
  domain is the city by a wide margin, not its police).

The floor is a probability of the matcher's (``matching.score_of``). 0.05 is a logit of -2.9:
a candidate whose name agrees but which one contradiction (an extra word, or a role only one
name states) pushed down; nothing that shares no word or stands in another state reaches it.
A name with a company's legal form (Inc., LLC, Co.) is never sent to review on a candidate
alone: agencies have no legal form. Measured
in ``bench/registry`` (``screening.py``): agencies rejected into the open, and how many real
non-agencies it sends to review.

A shared domain of a city or county (``houstontx.gov`` serves the police and public works) is
evidence of the place, not of an agency, and alone sends nobody to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from daylight.registry.names import LAW_ENFORCEMENT_ROLES, clean_text, name_key

CANDIDATE_FLOOR = 0.05
CANDIDATE_GAP_LOGIT = 2.0
AGENCY_WORDS = frozenset({
    "police", "policia", "sheriff", "sheriffs", "sherrif", "sherriff", "patrol", "marshal",
    "marshals", "marshall", "trooper", "troopers", "border", "customs", "enforcement",
    "immigration", "constable", "constables", "detention", "corrections", "correctional",
    "jail", "swat", "homeland", "narcotics", "fugitive", "deputy", "deputies", "warden",
    "probation", "parole", "prosecutor", "prosecutors", "investigations", "investigation",
    "investigative", "precinct", "crime", "criminal", "fusion", "interdiction", "troop",
    # what the Police Data Accessibility Project's agencies are called and the above missed
    # (bench/registry/pdap.py): game wardens, park and state rangers, county detectives, arson
    # investigators, a marshal's office ("Marshall's": "marshalls"), a department of correction
    "wardens", "rangers", "detective", "detectives", "investigator", "investigators", "arson",
    "crimes", "marshalls", "correction",
})
# Law-enforcement bodies named by two words, neither of which says it alone ("City Attorney",
# "Security Services", "Ranger Land Systems, Inc.", "Fraud Inc" are not): prosecutors, military
# police, conservation officers, park rangers, school resource officers, fraud units, a body's
# protective service (NASA's, a capitol's)
AGENCY_PHRASES = ("attorney general", "state attorney", "states attorney", "us attorney",
                  "u.s attorney", "district attorney",
                  "prosecuting attorney", "commonwealth attorney", "commonwealths attorney",
                  "security forces", "conservation officer", "park ranger", "ranger unit",
                  "ranger department", "ranger division", "resource officer", "insurance fraud",
                  "medicaid fraud", "fraud unit", "fraud control", "protective service")
_AGENCY_PHRASE = re.compile(r"\b(" + "|".join(re.escape(p) for p in AGENCY_PHRASES) + ")")
# a phrase that names a social service, not a police ("Child Protective Services")
_NOT_AGENCY_PHRASES = re.compile(
    r"\b(child|children|childrens|adult|family|family and) protective service")
# Vendors' and CRMs' abbreviations of agency roles, in capitals ("Forsyth County GA SO - Mobile")
ROLE_ABBREVIATIONS = frozenset({"pd", "so", "sd", "dps", "hp", "sp", "thp", "chp", "dle", "da",
                                "doc", "adc", "le", "leo", "cid",
                                # an office of special investigations (the Air Force's and many
                                # agencies'): "OSI" alone is no company's to take (build 16)
                                "osi"})
_ROLE_ENDINGS = ("pd", "so", "sd", "dps", "hp", "sp")
_GOVERNMENT_TLDS = (".gov", ".mil", ".fed.us")
# A state's or a locality's domain under .us: ``state.tx.us``, ``co.harris.tx.us``,
# ``ci.austin.tx.us``, ``dps.texas.gov`` is covered by .gov.
_US_GOVERNMENT = re.compile(r"(^|\.)(state|co|ci|city|town|vil|twp|county|k12)\.[a-z0-9-]+\.?"
                            r"([a-z]{2}\.)?us$|(^|\.)[a-z]{2}\.us$")


@dataclass(frozen=True)
class Evidence:
    """One reason to think the account may be an agency."""

    kind: str
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "detail": self.detail}


@lru_cache(maxsize=65536)
def word_evidence(name: str) -> Evidence | None:
    """Law-enforcement words, or a law-enforcement role, in ``name``."""
    words = clean_text(name).lower().replace("'", "").replace("-", " ").split()
    found = sorted({w.strip(".,;:()") for w in words} & AGENCY_WORDS)
    if found:
        return Evidence("words", f"the name has law-enforcement words: {', '.join(found)}")
    text = _NOT_AGENCY_PHRASES.sub("", " ".join(w.strip(".,;:()") for w in words))
    phrases = sorted(set(_AGENCY_PHRASE.findall(text)), key=AGENCY_PHRASES.index)
    if phrases:
        return Evidence("words", f"the name has law-enforcement words: {', '.join(phrases)}")
    role = name_key(name).role
    if role in LAW_ENFORCEMENT_ROLES:
        return Evidence("words", f"the name states a law-enforcement role (`{role}`)")
    short = sorted({w for w in upper_words(name) if w.lower() in ROLE_ABBREVIATIONS})
    if short:
        return Evidence("words", f"the name has agency abbreviations: {', '.join(short)}")
    initialisms = sorted({w for w in upper_words(name)
                          if len(w) >= 4 and w.lower().endswith(_ROLE_ENDINGS)})
    if initialisms:  # "CSPTPD": an initialism that ends as agencies' do, whoever it names
        return Evidence("words", f"the name has an initialism ending in an agency's role: "
                                 f"{', '.join(initialisms)}")
    return None


_COMMON = frozenset({"llc", "inc", "ltd", "corp", "co", "plc", "llp", "lp", "pc", "pllc", "usa",
                     "us", "the", "and", "dba", "jv", "na", "sa"})


def is_common_word(word: str) -> bool:
    """A legal form or a word of every kind of name: never an agency's initialism here."""
    return word.lower() in _COMMON


def upper_words(name: str) -> list[str]:
    """The all-capital words of ``name`` (2 to 8 letters): abbreviations or initialisms."""
    out = []
    for word in clean_text(name).replace("-", " ").replace("/", " ").split():
        word = word.strip(".,;:()'\"")
        if 2 <= len(word) <= 8 and word.isalpha() and word.isupper():
            out.append(word)
    return out


def is_government_domain(domain: str) -> bool:
    """``.gov``, ``.mil``, ``.fed.us``, or a state's or locality's ``.us`` government name."""
    return domain.endswith(_GOVERNMENT_TLDS) or bool(_US_GOVERNMENT.search(domain))


@lru_cache(maxsize=1 << 14)
def parents(domain: str) -> tuple[str, ...]:
    """``domain`` and each parent with at least two labels (``a.b.gov``, ``b.gov``); kept per
    domain: screening asks once per candidate."""
    labels = domain.split(".")
    return tuple(".".join(labels[i:]) for i in range(len(labels) - 1))
