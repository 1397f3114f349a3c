"""Organisation names reduced to what distinguishes them: a ``NameKey``.

``"Warrick County IN SO"``, ``"Warrick Co. Sheriff's Office"`` and the FBI roster's ``"Warrick"``
(type County, Indiana) must meet; ``"Melbourne Beach PD"`` and ``"Melbourne PD"`` must not. A key
splits a name into its *role* (police, sheriff, state police, corrections, fire, ...: what kind of
body it is), its *jurisdiction* words (county, city, township, ...), the states it names, and the
*core* tokens left over (the place or company name), after expanding the abbreviations agencies and
vendors use (PD, SO, Co., Twp, DPS, St.) and removing legal forms (Inc., LLC).

Transliteration and legal forms come from rigour (OpenSanctions' name library); the agency
vocabulary (roles, abbreviations, state codes inside names) is ours because no library knows it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from daylight.registry.geography import STATE_CODES, STATE_NAMES, is_state_code

if TYPE_CHECKING:
    from rigour.names import NameTypeTag

LAW_ENFORCEMENT_ROLES = frozenset({
    "police", "sheriff", "county_le", "state_police", "public_safety", "corrections", "constable",
    "marshal", "prosecutor", "attorney_general", "task_force", "fusion_center", "investigation",
    "law_enforcement",
})
OTHER_ROLES = frozenset({
    "fire", "school", "library", "government", "court", "health", "water", "parks", "transit",
    "hospital", "emergency",
})

# Longest phrases first within each role; matched on whole tokens after abbreviation expansion.
_ROLE_PHRASES: tuple[tuple[str, str], ...] = (
    ("police", "metropolitan police department"), ("police", "police services department"),
    ("police", "police department"), ("police", "department of police services"),
    ("police", "department of police"), ("police", "police division"), ("police", "police bureau"),
    ("police", "police services"), ("police", "police force"), ("police", "police"),
    ("state_police", "state highway patrol"), ("state_police", "highway state patrol"),
    ("state_police", "state police department"), ("state_police", "state police"),
    ("state_police", "highway patrol"), ("state_police", "state patrol"),
    ("state_police", "state troopers"),
    ("sheriff", "sheriffs office"), ("sheriff", "sheriffs department"),
    ("sheriff", "sheriff office"), ("sheriff", "sheriff department"), ("sheriff", "sheriffs"),
    ("sheriff", "sheriff"),
    ("public_safety", "department of public safety"), ("public_safety", "public safety department"),
    ("public_safety", "public safety"),
    ("corrections", "adult detention center"), ("corrections", "detention center"),
    ("corrections", "detention facility"), ("corrections", "department of corrections"),
    ("corrections", "correctional facility"), ("corrections", "correctional center"),
    ("corrections", "corrections"), ("corrections", "district jail"), ("corrections", "jail"),
    ("corrections", "prison"), ("corrections", "prisons"),  # the Federal Bureau of Prisons
    ("constable", "constables office"), ("constable", "constable office"), ("constable", "constables"),
    ("constable", "constable"),
    ("marshal", "marshals office"), ("marshal", "marshal office"), ("marshal", "marshals service"),
    ("marshal", "marshals"), ("marshal", "marshal"),
    ("prosecutor", "district attorneys office"), ("prosecutor", "district attorney"),
    ("prosecutor", "prosecutors office"), ("prosecutor", "prosecuting attorney"),
    ("prosecutor", "states attorney"), ("prosecutor", "county attorney"),
    ("attorney_general", "office of the attorney general"), ("attorney_general", "attorney general"),
    ("task_force", "drug task force"), ("task_force", "task force"),
    ("fusion_center", "fusion center"),
    ("investigation", "bureau of investigation"), ("investigation", "criminal investigation division"),
    ("investigation", "criminal investigations division"),
    ("law_enforcement", "department of law enforcement"),
    ("law_enforcement", "division of law enforcement"), ("law_enforcement", "office of law enforcement"),
    ("law_enforcement", "law enforcement"),
    # federal protective forces whose names state no other kind (BJS's census; build 17): typed
    # as named, they had lost 3 points to the role the FBI roster gives them
    ("law_enforcement", "force protection agency"), ("law_enforcement", "security protective service"),
    ("fire", "fire protection district"), ("fire", "fire department"), ("fire", "fire district"),
    ("fire", "fire rescue"), ("fire", "fire"),
    ("school", "independent school district"), ("school", "school district"),
    ("school", "public schools"), ("school", "board of education"), ("school", "school board"),
    ("library", "public library"), ("library", "library"),
    ("government", "board of county commissioners"), ("government", "board of commissioners"),
    ("government", "county commission"), ("government", "board of supervisors"),
    ("government", "city council"), ("government", "commissioners court"),
    ("court", "district court"), ("court", "municipal court"), ("court", "court"),
    ("health", "department of health"), ("health", "health department"),
    ("water", "water district"), ("water", "water authority"), ("water", "utilities"),
    ("parks", "parks and recreation"), ("transit", "transit authority"),
    ("hospital", "hospital"), ("emergency", "emergency management"),
)
_PHRASES_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _role, _phrase in _ROLE_PHRASES:
    _words = tuple(_phrase.split())
    _PHRASES_BY_FIRST.setdefault(_words[0], []).append((_words, _role))
for _options in _PHRASES_BY_FIRST.values():
    _options.sort(key=lambda option: -len(option[0]))

_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "pd": ("police", "department"), "dept": ("department",), "dpt": ("department",),
    "sheriff's": ("sheriffs",), "sherrifs": ("sheriffs",), "sherriffs": ("sheriffs",),
    "sherriff": ("sheriff",), "sherrif": ("sheriff",), "sheriff'": ("sheriffs",),
    "sherriff's": ("sheriffs",), "sherrif's": ("sheriffs",),  # .gov registry
    "ofc": ("office",), "twp": ("township",), "tws": ("township",), "vlg": ("village",),
    "boro": ("borough",), "cnty": ("county",), "cty": ("county",), "mt": ("mount",),
    "ft": ("fort",), "dps": ("department", "of", "public", "safety"), "tf": ("task", "force"),
    "da": ("district", "attorney"), "univ": ("university",), "dist": ("district",),
    "hwy": ("highway",), "metro": ("metropolitan",), "natl": ("national",), "bocc": ("board", "of",
    "county", "commissioners"), "adc": ("adult", "detention", "center"), "doc": ("department", "of",
    "corrections"), "thp": ("highway", "patrol"), "sp": ("state", "police"),
    "hp": ("highway", "patrol"), "dle": ("department", "of", "law", "enforcement"),
}
_JURISDICTIONS = {"county": "county", "parish": "county", "city": "city", "town": "town",
                  "township": "township", "village": "village", "borough": "borough"}
_JURISDICTION_LEVEL = {"county": "county", "city": "municipal", "town": "municipal",
                       "township": "municipal", "village": "municipal", "borough": "municipal"}
_STOPWORDS = frozenset({"of", "the", "and", "department", "office", "agency", "dept", "for", "de",
                        "addendum", "division", "services", "u", "s", "us", "usa", "united",
                        "states", "america", "inc", "llc", "corp", "co", "ltd", "llp", "lp",
                        "company", "corporation", "incorporated", "limited", "plc", "pllc", "pc"})
_LEGAL_TAIL = frozenset({"inc", "llc", "corp", "co", "ltd", "llp", "lp", "company", "corporation",
                         "incorporated", "limited", "plc", "pllc", "pc", "the", "dba"})
_ROLE_WORDS = frozenset(w for _, phrase in _ROLE_PHRASES for w in phrase.split()) | {"so", "pd"}
_TRUNCATABLE = ("office", "department", "police", "sheriffs", "county", "division", "services")
_SPLIT = re.compile(r"[^A-Za-z0-9']+")
# lower-case codes that are also common words are not taken for states
STATE_CODES_LOWER = frozenset(code.lower() for code in STATE_CODES.values()) - {"in", "or", "me"}


@dataclass(frozen=True)
class NameKey:
    """What a name says: role, jurisdiction words, states named, and the core tokens."""

    core: tuple[str, ...]
    role: str | None
    jurisdictions: frozenset[str]
    states: frozenset[str]

    @property
    def core_text(self) -> str:
        return " ".join(self.core)

    @property
    def level(self) -> str | None:
        """``county`` or ``municipal`` if the name says which, else None."""
        levels = {_JURISDICTION_LEVEL[j] for j in self.jurisdictions}
        return levels.pop() if len(levels) == 1 else None


_DOTTED_INITIALS = re.compile(r"(?<![A-Za-z])((?:[A-Za-z]\.){2,}[A-Za-z]?)(?![A-Za-z])")


def clean_text(name: str) -> str:
    """NFKC, transliterated to ASCII, apostrophes joined, other punctuation made space."""
    from rigour.text import ascii_text  # heavy: loaded where used, not at start-up

    text = ascii_text(unicodedata.normalize("NFKC", name))
    text = text.replace("&", " and ").replace("`", "'")
    return " ".join(text.split())


def _raw_tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text) if t and t != "'"]


# Words of the agency vocabulary a customer mistypes ("Polce Departmnet", "Commissoners
# Court"): a word one edit (a letter added, dropped or changed, or two swapped) away from one of
# them is read as it. The vocabulary is every word of six letters or more of the role phrases
# (a mistyped role word would otherwise change what kind of body the name is) and the
# jurisdiction words. Left out: "marshal" (Marshall is a place), "patrol" (Petrol), "public"
# (Publix), "states".
_VOCABULARY = tuple(sorted(
    ({w for _, phrase in _ROLE_PHRASES for w in phrase.split() if len(w) >= 6}
     | {"police", "sheriff", "sheriffs", "department", "office", "county", "township",
        "investigation", "division", "trooper", "troopers", "bureau", "parish", "village",
        "borough", "metropolitan", "attorney", "district"})
    - {"marshal", "marshals", "patrol", "public", "states"}))
_VOCABULARY_SET = frozenset(_VOCABULARY)
# real words one edit away from a vocabulary word: never read as typos (a word and its plural
# or singular are never typos of one another either: see ``_vocabulary_word``)
_NOT_TYPOS = frozenset({"policy", "polite", "officer", "safely", "counts", "perish", "counties",
                        "parishes", "country"})


@lru_cache(maxsize=65536)
def _vocabulary_word(word: str) -> str:
    """``word``, or the vocabulary word it is a one-letter typo of."""
    if len(word) < 5 or word in _VOCABULARY_SET or word in _NOT_TYPOS or not word.isalpha():
        return word
    found = process.extractOne(word, _VOCABULARY, scorer=OSA.distance, score_cutoff=1)
    if found is None or found[0][0] != word[0] or len(found[0]) < 6:
        return word
    if found[0] in (word + "s", word[:-1]) and word.endswith("s") != found[0].endswith("s"):
        return word  # "Offices", "Service": a plural or a singular, not a typo
    return str(found[0])


# How customers shorten words that reference names spell out.
_CUSTOMER_ABBREVIATIONS = {
    "prot": "Protection", "div": "Division", "svcs": "Services", "svc": "Services",
    "srvcs": "Services", "ops": "Operations", "enf": "Enforcement", "bur": "Bureau",
    "admin": "Administration", "adm": "Administration", "invs": "Investigations",
    "govt": "Government",
}
_WORD = re.compile(r"[A-Za-z][A-Za-z']*\.?")


def _customer_word(match: re.Match[str]) -> str:
    text = match.group(0)
    word = text.rstrip(".")
    lowered = word.lower()
    if lowered in _CUSTOMER_ABBREVIATIONS:
        return _CUSTOMER_ABBREVIATIONS[lowered]
    possessive = lowered.endswith("'s")
    bare = lowered[:-2] + "s" if possessive else lowered.replace("'", "")
    fixed = _vocabulary_word(bare)
    if fixed == bare:
        return text
    return fixed.capitalize() if word[:1].isupper() else fixed


@lru_cache(maxsize=262144)
def customer_form(name: str) -> str:
    """A name as a customer typed it, in the reference's spelling: dotted initials joined
    (``N.Y.P.D.`` → ``NYPD``), shortened words spelt out (``Prot.``, ``Div``, ``Svcs``), and
    one-edit typos of the agency vocabulary corrected (``Polce Departmnet``). Applied to the
    customer's side only: the reference's own names (and the ids built from them) keep theirs."""
    text = _DOTTED_INITIALS.sub(lambda m: m.group(1).replace(".", "") + " ", name)
    return " ".join(_WORD.sub(_customer_word, text).split())


def _expand(raw: list[str]) -> tuple[list[str], set[str]]:
    """Lower-case tokens with abbreviations expanded, and the states named by upper-case codes."""
    states: set[str] = set()
    out: list[str] = []
    count = len(raw)
    for i, original in enumerate(raw):
        word = original.lower().strip("'")
        nxt = raw[i + 1].lower().replace("'", "") if i + 1 < count else ""
        if word == "co" and i > 0 and (nxt in _ROLE_WORDS or nxt in STATE_CODES_LOWER):
            out.append("county")
        elif word == "so" and i > 0 and (i == count - 1 or is_state_code(raw[i + 1].upper())):
            out.extend(("sheriffs", "office"))
        elif word == "st" and i < count - 1:
            out.append("saint")
        elif is_state_code(original) and i > 0 and count > 2:
            states.add(original)  # "Sylvania OH PD": vendor style, the state in capitals
        elif word in _ABBREVIATIONS:
            out.extend(_ABBREVIATIONS[word])
        elif word.endswith("'s"):
            out.append(word[:-2] + "s")
        else:
            out.append(word.replace("'", ""))
    return [t for t in out if t], states


def _find_role(tokens: list[str]) -> tuple[str | None, list[str]]:
    """The first law-enforcement role phrase (else the first other one) and the tokens left."""
    found: list[tuple[int, int, str]] = []
    i = 0
    while i < len(tokens):
        for words, role in _PHRASES_BY_FIRST.get(tokens[i], ()):
            if tuple(tokens[i:i + len(words)]) == words:
                found.append((i, len(words), role))
                i += len(words) - 1
                break
        i += 1
    if not found:
        return None, tokens
    found.sort(key=lambda f: (f[2] not in LAW_ENFORCEMENT_ROLES, f[0]))
    start, length, role = found[0]
    rest = tokens[:start] + tokens[start + length:]
    for other_start, other_length, other_role in found[1:]:  # drop repeated words of the same role
        if other_role == role:
            span = tokens[other_start:other_start + other_length]
            rest = [t for t in rest if t not in span]
    return role, rest


@lru_cache(maxsize=262144)
def name_key(name: str) -> NameKey:
    """The ``NameKey`` of an organisation name."""
    from rigour.names import remove_org_types  # heavy: loaded where used, not at start-up

    raw = _raw_tokens(clean_text(name))
    tokens, states = _expand(raw)
    role, rest = _find_role(tokens)
    if role is None:
        rest = remove_org_types(" ".join(rest)).split()
        while rest and rest[-1] in _LEGAL_TAIL:
            rest.pop()
        while rest and rest[0] == "the":
            rest.pop(0)
    jurisdictions = frozenset(_JURISDICTIONS[t] for t in rest if t in _JURISDICTIONS)
    if role == "government" or (rest and rest[0] in {"city", "county", "town", "village"}
                                 and len(rest) > 2 and rest[1] == "of" and role is None):
        role = "government"
    core = [t for t in rest if t not in _JURISDICTIONS and t not in _STOPWORDS]
    if len(core) > 1 and len(core[-1]) >= 3 and any(  # a truncated last word: "Sheriff's Offic"
            w.startswith(core[-1]) and w != core[-1] for w in _TRUNCATABLE):
        core.pop()
    return NameKey(tuple(core), role, jurisdictions, frozenset(states))


# Legal forms that make a name a company's (rigour's own list also takes "at", "sa", "ab"... for
# forms, which agency and person names contain); "co" only as the last word ("Sun Badge Co.").
_LEGAL_FORMS = frozenset({"inc", "incorporated", "llc", "corp", "corporation", "ltd", "limited",
                          "llp", "lp", "plc", "pllc", "pc", "psc", "company", "gmbh", "jv",
                          "venture"})
_DOTTED = re.compile(r"(?<![a-z])((?:[a-z]\.){2,})")  # "l.l.c." -> "llc", "p.c." -> "pc"


def _name_words(text: str) -> list[str]:
    text = _DOTTED.sub(lambda m: m.group(1).replace(".", "") + " ", clean_text(text).lower())
    return [t.strip("'") for t in _SPLIT.split(text) if t.strip("'")]


def written_form(name: str) -> str:
    """``name``'s words as written, lower-cased, punctuation dropped ("Jacksonville Sheriff"):
    two names with one ``NameKey`` may still differ here ("Jacksonville Sheriff's Office")."""
    return " ".join(_name_words(name))


def has_legal_form(name: str) -> bool:
    """Whether ``name`` carries a company's legal form (Inc., LLC, Corp., Ltd., ... Co.)."""
    words = _name_words(name)
    return any(w in _LEGAL_FORMS for w in words) or (len(words) > 1 and words[-1] == "co")


# What may follow a person's name in a contract recipient's name, and words no person's name has.
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "esq", "phd", "md", "dds", "dvm", "cpa",
                            "abbp"})
_CONNECTIVES = frozenset({"and", "of", "the", "for", "on", "at", "in", "to"})
_PERSON_SYMBOLS = frozenset({"NAME", "NICK", "INITIAL", "NUM", "PHONETIC"})


def _symbols(words: list[str], kind: NameTypeTag) -> dict[str, set[str]]:
    """For each word, the categories of the rigour symbols it carries (NAME: a person-name word
    of Wikidata's; DOMAIN, SYMBOL, LOC...: an industry, organisation-type or place word)."""
    from rigour.names import analyze_names  # heavy: loaded where used, not at start-up

    out: dict[str, set[str]] = {}
    for name in analyze_names(kind, [" ".join(words)]):
        for span in name.spans:
            category = str(span.symbol).strip("[").split(":")[0]
            for part in span.parts:
                out.setdefault(part.form, set()).add(category)
    return out


@lru_cache(maxsize=65536)
def is_personal_name(name: str, *, sole_proprietor: bool = False) -> bool:
    """Whether a contract recipient's ``name`` is a person's, not an organisation's.

    A name with a legal form, a digit, a role, a jurisdiction or an organisation word (rigour's
    industry, organisation-type and place symbols: "FLIGHT SUITS", "... NORTH AMERICA") is not.
    Otherwise, setting aside Jr, III, PhD... and one initial, it is when it has two words one of
    which is a person name ("JANE ROE", "ROE JANE Q"); three or four words that are all person
    names ("JUAN CARLOS GARCIA LOPEZ") or three that start or end with a given name rigour knows
    nicknames of ("ROBERT PAUL DOE"); or the shape "SURNAME, GIVEN" with a person name in it
    ("DOE, JOHN"). ``sole_proprietor`` (USAspending's flag) also accepts "SURNAME, GIVEN"
    followed by a trade ("ROE, JANE M ARBITRATOR AND MEDIATOR"). A heuristic that prefers
    withholding: a small business named like a person ("PERFECT FIT") is taken for one too.
    """
    from rigour.names import NameTypeTag  # heavy: loaded where used, not at start-up

    if has_legal_form(name) or any(c.isdigit() for c in name):
        return False
    key = name_key(name)
    if key.role or key.jurisdictions:
        return False
    words = _name_words(name)
    organisation = _symbols(words, NameTypeTag.ORG)
    if any(categories - _PERSON_SYMBOLS for categories in organisation.values()):
        return False
    person = _symbols(words, NameTypeTag.PER)

    def is_name(word: str) -> bool:
        return bool(person.get(word, set()) & {"NAME", "NICK"})

    before, comma, after = name.partition(",")
    head, tail = _name_words(before), _name_words(after)
    if sole_proprietor and comma and len(head) == 1 and tail and tail[0] not in _CONNECTIVES:
        return True  # a sole proprietorship trading under its owner's name
    if any(w in _CONNECTIVES or (len(w) > 1 and w in _STOPWORDS - {"de"}) for w in words):
        return False
    full = [w for w in words if len(w) > 1 and w not in _NAME_SUFFIXES]
    if len(words) - len(full) - sum(w in _NAME_SUFFIXES for w in words) > 1:
        return False  # two initials: "R K CONSTRUCTION"
    if len(full) == 2:
        return any(is_name(w) for w in full)
    if comma:
        sides = [[w for w in side if w in full] for side in (head, tail)]
        if all(1 <= len(side) <= 2 for side in sides) and any(is_name(w) for w in full):
            return True
    if len(full) == 3 and any("NICK" in person.get(w, set()) for w in (full[0], full[-1])):
        return True
    return len(full) in (3, 4) and all(is_name(w) for w in full)


@cache
def state_name_tokens(state: str) -> tuple[str, ...]:
    """The lower-case words of a state's name (``NC`` → ``("north", "carolina")``); kept per
    state: screening asks twice per candidate compared."""
    return tuple(STATE_NAMES.get(state, "").lower().replace(".", "").split())


def role_group(role: str | None) -> str | None:
    """``law_enforcement``, ``other`` or None (no role: a company or a bare place name)."""
    if role is None:
        return None
    return "law_enforcement" if role in LAW_ENFORCEMENT_ROLES else "other"


# Words that name a part of an agency: a unit, an office, a place within it, or a federal
# component ("ERO" of ICE, "OFO" of CBP). A name that ends in them ("LAPD - Technical
# Investigation Div", "ICE ERO Newark Field Office") is the agency's, the rest kept as evidence.
UNIT_WORDS = frozenset({
    "division", "div", "bureau", "unit", "units", "field", "office", "ofc", "sector", "district",
    "precinct", "pct", "center", "centre", "lab", "laboratory", "task", "force", "fusion",
    "headquarters", "hq", "station", "squad", "section", "team", "operations", "ops", "branch",
    "region", "regional", "command", "academy", "detail", "substation", "port", "ports", "entry",
    "area", "zone", "post", "troop", "detachment", "investigations", "investigative", "narcotics",
    "intelligence", "records", "dispatch", "communications", "training", "legal", "advisor",
    "removal", "ero", "hsi", "opla", "ofo", "amo", "usbp", "air", "marine", "border", "patrol",
    "sub", "satellite", "resident", "agency", "crime", "real", "time", "rtcc", "swat",
})
_UNIT_SEPARATORS = re.compile(r"\s+[-\u2013\u2014/|:]\s*|\s*[-\u2013\u2014/|:]\s+|\s*[,;(]\s*")
MAX_UNIT_HEADS = 5


@lru_cache(maxsize=65536)
def unit_heads(name: str) -> tuple[tuple[str, str], ...]:
    """(head, unit) splits of ``name``, longest head first: the text before a separator, and
    each shorter prefix followed by a unit word; at most ``MAX_UNIT_HEADS``. Empty when nothing
    in the name looks like a unit."""
    text = clean_text(name)
    out: list[tuple[str, str]] = []
    parts = [p for p in _UNIT_SEPARATORS.split(text) if p and p.strip(" )")]
    if len(parts) > 1:
        out.append((parts[0].strip(), " ".join(p.strip(" )") for p in parts[1:])))
    words = (parts[0] if parts else text).split()
    lowered = [w.strip(".,()'").lower() for w in words]
    for k in range(len(words) - 1, 0, -1):
        if lowered[k] in UNIT_WORDS:
            head = " ".join(words[:k])
            unit = " ".join(words[k:] + [p.strip(" )") for p in parts[1:]])
            if (head, unit) not in out:
                out.append((head, unit))
    return tuple(out[:MAX_UNIT_HEADS])
