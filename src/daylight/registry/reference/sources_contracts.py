"""Contract awards of ICE and CBP from USAspending: who supports immigration enforcement.

Three extracts, read in this order: ICE's awards to local and state governments (award level,
with UEI and parent), CBP and ICE transactions FY2021-2026 and ICE transactions FY2013-2018
(Torn Apart's copy of the raw USAspending files). Transactions are summed per award (de-
obligations included); an award already read at award level is not read again.

An award's validity interval is its period of performance where the file gives it (the award-level
extract and Torn Apart's transactions: the earliest start and the latest current end date over its
transactions), else the first and last action dates (the FY2021-2026 extract has no period of
performance); ``evidence["dates"]`` says which (``period_of_performance`` or ``action_dates``).
Product or service (PSC) and NAICS codes are kept where the file has them, beside their
descriptions, for the rules that give each award its kind of support (``registry/support.py``).
Only the product or service and industry descriptions are kept: the free-text transaction
descriptions, addresses and phone numbers are not.

A recipient with a legal form is a company, whatever role word its name holds ("POLICE SERVICE
DOGS, INC."); otherwise USAspending's business types (where a file has them) say whether it is a
government. Some recipients are people (sole proprietors, arbitrators). Their names and
identifiers are not shipped: each of their awards goes to an ``individual:<award>`` placeholder
named ``individual recipient (name withheld)``, so the award and its amount stay in the graph
without naming anyone.
"""

from __future__ import annotations

import csv
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from daylight.core.errors import InputError
from daylight.registry.geography import STATE_CODES
from daylight.registry.names import (
    LAW_ENFORCEMENT_ROLES,
    has_legal_form,
    is_personal_name,
    name_key,
    written_form,
)
from daylight.registry.organization import Organization, Relationship
from daylight.registry.reference.builder import ReferenceBuilder, slug
from daylight.registry.reference.sector import public_body_sector
from daylight.registry.reference.sources_agencies import read_csv

LOCAL_GOV_CONTRACTS = ("ice-local-government-contracts/us-local-gov-ice-contracts.csv",
                       "ice-local-government-contracts/us-reg-state-gov-ice-contracts.csv")
RECENT_CONTRACTS = tuple(f"cbp-ice-contracts-fy2021-2026/CBP_ICE_FY{y}_Contract_Obligations.csv"
                         for y in range(2021, 2027))
OLD_CONTRACTS = tuple(f"ice-contracts-2013-2018-tornapart/fy{y}.csv" for y in range(13, 19))
OLD_COLUMNS = ("awarding_sub_agency_code", "award_id_piid", "parent_award_id", "recipient_name",
               "recipient_state_code", "recipient_city_name", "recipient_duns", "recipient_parent_name",
               "recipient_parent_duns", "federal_action_obligation", "action_date",
               "period_of_performance_start_date", "period_of_performance_current_end_date",
               "product_or_service_code", "product_or_service_code_description", "naics_code",
               "naics_description", "us_local_government", "us_state_government",
               "us_government_entity", "sole_proprietorship")
GOVERNMENT_FLAGS = ("us_local_government", "us_state_government", "us_government_entity")
INDIVIDUAL_NAME = "individual recipient (name withheld)"
AGENCY_BY_CODE = {"7012": "us-agency:7012", "7014": "us-agency:7014"}
AGENCY_BY_NAME = {"ICE": "us-agency:7012", "CBP": "us-agency:7014"}


@dataclass
class Award:
    """One award's summed transactions."""

    key: str
    agency_id: str
    recipient: str
    state: str = ""
    city: str = ""
    uei: str = ""
    duns: str = ""
    parent: str = ""
    parent_uei: str = ""
    parent_duns: str = ""
    government: bool | None = None  # USAspending's business types, where the file has them
    sole_proprietor: bool = False
    amount: float = 0.0
    dates: list[str] = field(default_factory=list)  # action dates
    starts: list[str] = field(default_factory=list)  # period of performance start dates
    ends: list[str] = field(default_factory=list)  # period of performance current end dates
    psc: str = ""
    naics: str = ""
    psc_code: str = ""
    naics_code: str = ""
    transactions: int = 0
    source: str = ""
    obligations: dict[str, float] = field(default_factory=dict)  # action month -> net amount

    def add_obligation(self, action_date: str, amount: float) -> None:
        month = action_date[:7]
        if month:
            self.obligations[month] = self.obligations.get(month, 0.0) + amount

    def obligations_text(self) -> str:
        """``2021-01:13958356.82;2021-09:-1402838.41``: net obligations per action month (months
        that net to zero left out); empty for an award read at award level."""
        return ";".join(f"{m}:{a:.2f}" for m, a in sorted(self.obligations.items())
                        if round(a, 2) != 0)


def _amount(text: str, where: str) -> float:
    try:
        return float(text or 0)
    except ValueError as exc:
        raise InputError(f"`{text}` is not an amount", where=where) from exc


def _count(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise InputError(f"`{text}` is not a count", where=where) from exc


def _iso(date: str, where: str = "") -> str:
    """``2013-07-25``, ``25/07/2013`` or ``25/07/13 00:00`` as an ISO date."""
    date = date.split(" ")[0]
    if "/" in date:
        parts = date.split("/")
        if len(parts) != 3:
            raise InputError(f"`{date}` is not a date", where=where)
        day, month, year = parts
        year = year if len(year) == 4 else "20" + year
        return f"{year}-{month.zfill(2)}-{day.zfill(2)}"
    return date[:10]


def _local_awards(root: Path) -> list[Award]:
    awards = []
    for relative in LOCAL_GOV_CONTRACTS:
        rows = read_csv(root, relative, ("contract_award_unique_key", "recipient_name",
                                         "total_obligated_amount", "awarding_sub_agency_code"))
        for number, row in enumerate(rows, start=2):
            where = f"{relative}:{number}"
            agency = AGENCY_BY_CODE.get(row["awarding_sub_agency_code"])
            if agency is None:
                continue
            government = "t" in (row.get(flag) for flag in GOVERNMENT_FLAGS)
            awards.append(Award(
                key=row["contract_award_unique_key"], agency_id=agency, recipient=row["recipient_name"],
                state=row.get("recipient_state_code", ""), city=row.get("recipient_city_name", ""),
                uei=row.get("recipient_uei", ""), duns=row.get("recipient_duns", ""),
                parent=row.get("recipient_parent_name", ""), parent_uei=row.get("recipient_parent_uei", ""),
                parent_duns=row.get("recipient_parent_duns", ""), government=government,
                sole_proprietor=row.get("sole_proprietorship") == "t",
                amount=_amount(row["total_obligated_amount"], where),
                starts=[_iso(row.get("period_of_performance_start_date", ""), where)],
                ends=[_iso(row.get("period_of_performance_current_end_date", ""), where)],
                psc=row.get("product_or_service_code_description", ""),
                naics=row.get("naics_description", ""),
                psc_code=row.get("product_or_service_code", ""),
                naics_code=row.get("naics_code", ""),
                transactions=_count(row.get("number_of_actions") or "1", where),
                source="usaspending-local-gov"))
    return awards


def _recent_awards(root: Path) -> list[Award]:
    awards: dict[str, Award] = {}
    for relative in RECENT_CONTRACTS:
        rows = read_csv(root, relative, ("Agency", "Recipient Name", "Federal Action Obligation",
                                         "Action Date", "Generated Award ID"))
        for number, row in enumerate(rows, start=2):
            key = row["Generated Award ID"]
            award = awards.get(key)
            agency = AGENCY_BY_NAME.get(row["Agency"])
            if agency is None:
                raise InputError(f"unknown agency `{row['Agency']}`", where=f"{relative}:{number}")
            if award is None:
                award = awards[key] = Award(key, agency, row["Recipient Name"],
                                            source="usaspending-cbp-ice-fy2021-2026")
            obligation = _amount(row["Federal Action Obligation"], f"{relative}:{number}")
            award.amount += obligation
            award.dates.append(row["Action Date"])
            award.add_obligation(row["Action Date"], obligation)
            award.transactions += 1
            award.psc = award.psc or row["Product/Service Description"]
            award.naics = award.naics or row["NAICS Description"]
    return list(awards.values())


def _old_awards(root: Path) -> list[Award]:
    header_path = root / OLD_CONTRACTS[0]
    try:
        with header_path.open(encoding="utf-8", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
    except FileNotFoundError as exc:
        raise InputError(f"missing source file `{OLD_CONTRACTS[0]}`", where=str(root)) from exc
    col = {name: i for i, name in enumerate(header)}
    missing = [c for c in OLD_COLUMNS if c not in col]
    if missing:
        raise InputError(f"expected column `{missing[0]}`", where=f"{OLD_CONTRACTS[0]}:1")
    awards: dict[str, Award] = {}
    for position, relative in enumerate(OLD_CONTRACTS):
        try:
            handle = (root / relative).open(encoding="utf-8", errors="replace", newline="")
        except FileNotFoundError as exc:
            raise InputError(f"missing source file `{relative}`", where=str(root)) from exc
        with handle:
            reader = csv.reader(handle)
            if position == 0:
                next(reader)  # only fy13.csv has the header row
            for row in reader:
                where = f"{relative}:{reader.line_num}"
                if len(row) != len(header):
                    raise InputError(f"expected {len(header)} fields, got {len(row)}", where=where)
                agency = AGENCY_BY_CODE.get(row[col["awarding_sub_agency_code"]])
                if agency is None:
                    continue
                piid, parent_id = row[col["award_id_piid"]], row[col["parent_award_id"]]
                key = f"ICE_{piid}_{parent_id or '-NONE-'}"
                award = awards.get(key)
                if award is None:
                    award = awards[key] = Award(
                        key, agency, row[col["recipient_name"]], state=row[col["recipient_state_code"]],
                        city=row[col["recipient_city_name"]], duns=row[col["recipient_duns"]],
                        parent=row[col["recipient_parent_name"]],
                        parent_duns=row[col["recipient_parent_duns"]],
                        government="t" in (row[col[flag]] for flag in GOVERNMENT_FLAGS),
                        sole_proprietor=row[col["sole_proprietorship"]] == "t",
                        source="usaspending-ice-fy2013-2018")
                obligation = _amount(row[col["federal_action_obligation"]], where)
                award.amount += obligation
                award.dates.append(_iso(row[col["action_date"]], where))
                award.add_obligation(award.dates[-1], obligation)
                award.starts.append(_iso(row[col["period_of_performance_start_date"]], where))
                award.ends.append(_iso(row[col["period_of_performance_current_end_date"]], where))
                award.transactions += 1
                award.psc = award.psc or row[col["product_or_service_code_description"]]
                award.naics = award.naics or row[col["naics_description"]]
                award.psc_code = award.psc_code or row[col["product_or_service_code"]]
                award.naics_code = award.naics_code or row[col["naics_code"]]
    return list(awards.values())


def award_interval(award: Award) -> tuple[str, str, str]:
    """(start, end, basis): the period of performance where the file gives both ends (the earliest
    start to the latest current end, and no earlier than the last action: a modification after
    the end extends it), else the first and last action dates."""
    actions = sorted(d for d in award.dates if d)
    starts = sorted(d for d in award.starts if d)
    ends = sorted(d for d in award.ends if d)
    if starts and ends:
        return min([starts[0], *actions[:1]]), max([ends[-1], *actions[-1:]]), "period_of_performance"
    if actions:
        return actions[0], actions[-1], "action_dates"
    return "", "", "action_dates"


_GOVERNMENT_PREFIXES = ("county of ", "city of ", "state of ", "town of ", "village of ",
                        "government of ")
_GOVERNMENT_SUFFIXES = (", county of", ", city of", ", town of", ", village of")
# USAspending inverts a state department's name: "JUSTICE, MONTANA DEPT OF", and a federal
# bureau's: "PRISONS, FEDERAL BUREAU OF" (build 9 shipped that one as a company)
_DEPARTMENT_SUFFIXES = (" dept of", " department of", " bureau of")
_LOCAL_JURISDICTIONS = frozenset({"county", "city", "village", "town", "township", "borough"})
_MEMBERSHIP_WORDS = frozenset({"association", "associations", "foundation", "union", "fraternal",
                               "benevolent", "league", "society", "coalition", "council"})
# words of a business's name that no government's or police force's name holds ("CITY POLICE
# SUPPLY", "STATE OF THE ART SOLUTIONS", "CITY OF HOPE NATIONAL MEDICAL CENTER")
_BUSINESS_WORDS = frozenset({"solutions", "supply", "supplies", "equipment", "products", "systems",
                             "consulting", "consultants", "medical", "hospital", "center",
                             "national", "art", "technologies", "technology", "enterprises",
                             "associates", "international", "store", "shop", "sales"})


# what a public authority or a special district runs (build 10: build 9 shipped transit, port and
# airport authorities, community college and conservation districts as companies)
_AUTHORITY_KINDS = frozenset({"transit", "transportation", "port", "airport", "aviation", "housing",
                              "hospital", "water", "sewer", "sewerage", "utility", "utilities",
                              "turnpike", "bridge", "parking", "redevelopment", "harbor",
                              "expressway", "toll"})
_DISTRICT_KINDS = frozenset({"college", "school", "schools", "conservation", "fire", "water",
                             "sanitation", "sanitary", "irrigation", "park", "parks", "library",
                             "hospital", "utility", "transit", "flood", "levee", "drainage",
                             "port", "harbor"})
_TRIBAL_ENDINGS = (("indian", "village"), ("indian", "community"), ("indian", "reservation"),
                   ("rancheria",))
# endings a company's name may have too ("LIVE NATION", "THE CREATIVE TRIBE", "CLEVELAND
# INDIANS"): a tribe only where the .gov registry has it (``_tribal_government``)
_TRIBAL_WORDS = (" nation", " tribe", " tribes", " indians")
_OFFICE_PHRASE = frozenset({"of", "and"})  # what may follow an office's word in its name
_ACADEMIC_WORDS = frozenset({"university", "college", "school", "institute"})
# a county's or city's own offices ("MIAMI-DADE COUNTY PARKS AND RECREATION")
_LOCAL_OFFICE_WORDS = frozenset({"parks", "recreation", "board", "commission", "commissioners",
                                 "library", "court", "courts", "schools", "clerk", "treasurer",
                                 "assessor"})


def _names_a_government(name: str) -> bool:
    """Whether ``name`` reads as a government itself ("COUNTY OF PARK", "SAN LUIS, CITY OF",
    "GOVERNMENT OF THE UNITED STATES") or one of a state's departments as USAspending writes
    them ("JUSTICE, MONTANA DEPT OF"), not one of its agencies."""
    text = name.lower().strip()
    return name_key(name).role == "government" or text.startswith(_GOVERNMENT_PREFIXES) \
        or text.endswith(_GOVERNMENT_SUFFIXES) or ("," in text and text.endswith(_DEPARTMENT_SUFFIXES))


def _names_a_public_service(name: str) -> bool:
    """Whether ``name`` reads as a public authority or special district by its last word and
    what it runs ("WASHINGTON METROPOLITAN AREA TRANSIT AUTHORITY", "RIO HONDO COMMUNITY
    COLLEGE DISTRICT"): what it runs may be a business's word too ("DENVER HEALTH AND HOSPITAL
    AUTHORITY"), so this comes before the business-word guard."""
    words = written_form(name).split()
    return len(words) > 1 and (
        (words[-1] == "authority" and bool(set(words[:-1]) & _AUTHORITY_KINDS))
        or (words[-1] == "district" and bool(set(words[:-1]) & _DISTRICT_KINDS)))


def _names_a_public_office(name: str) -> bool:
    """Whether ``name`` reads as a tribal government ("JAMUL INDIAN VILLAGE"), a state's
    department or agency ("DEPARTMENT OF AGRICULTURE HAWAII", "TEXAS MILITARY DEPARTMENT",
    "HUMAN SERVICES VERMONT AGENCY OF") or a county's or city's ("MIAMI-DADE COUNTY PARKS AND
    RECREATION", "DELAWARE COUNTY BOARD OF FIRE & LIFE SAFETY"). The office's word ends the name
    or opens its "of" or "and" ("GEORGIA DEPARTMENT STORES", "ORANGE COUNTY COURT REPORTERS" are
    businesses). A name ending "NATION", "TRIBE" or "INDIANS" is not enough ("LIVE NATION"): a
    tribe so named is found by ``_tribal_government``."""
    words = written_form(name).split()
    text = f" {' '.join(words)} "
    if any(words[-len(ending):] == list(ending) for ending in _TRIBAL_ENDINGS) \
            or words[:2] == ["pueblo", "of"]:
        return True

    def office(vocabulary: Collection[str]) -> bool:
        return any(w in vocabulary and (i == len(words) - 1 or words[i + 1] in _OFFICE_PHRASE)
                   for i, w in enumerate(words))

    # a state's name in a university's is no state's department ("GEORGE WASHINGTON UNIVERSITY
    # DEPARTMENT OF SURGERY": a private one; whether a university is public, its name says not)
    if any(f" {state} " in text for state in STATE_CODES) and not _ACADEMIC_WORDS & set(words) \
            and (office({"department", "dept"}) or text.endswith(" agency of ")):
        return True
    return bool(name_key(name).jurisdictions & _LOCAL_JURISDICTIONS) and office(_LOCAL_OFFICE_WORDS)


def _names_a_public_body(name: str) -> bool:
    """Whether ``name``, which holds no legal form, can only be a public body's, whatever
    business types USAspending gives it: a government itself ("COUNTY OF BONNER"); a county by
    its name alone ("LA SALLE COUNTY"); a police or sheriff's force of a county or city
    ("BRISTOL COUNTY SHERIFFS OFFICE", "TROY CITY POLICE DEPT"); a public authority, special
    district, tribe, or a state's, county's or city's department (build 10). Not a membership
    body of theirs ("COUNTY SHERIFFS' ASSOCIATION", "COUNTY SHERIFFS OF COLORADO": a state's),
    nor a name with a business's words ("CITY POLICE SUPPLY")."""
    key = name_key(name)
    words = set(key.core_text.split())
    if _names_a_public_service(name):
        return True
    if words & _BUSINESS_WORDS:
        return False
    if _names_a_government(name):
        return True
    if not words & _MEMBERSHIP_WORDS and _names_a_public_office(name):
        return True
    if key.role is None and key.jurisdictions == {"county"} and name.lower().rstrip().endswith(
            "county") and len(words) <= 3:
        return True
    return key.role in LAW_ENFORCEMENT_ROLES and bool(key.jurisdictions & _LOCAL_JURISDICTIONS) \
        and not words & _MEMBERSHIP_WORDS and key.core_text not in STATE_CODES


def _is_public_body(award: Award) -> bool:
    key = name_key(award.recipient)
    if has_legal_form(award.recipient) and not key.jurisdictions and key.role != "government":
        # A legal form (Inc., LLC, Corp.) makes a company, whatever role word its name holds
        # ("POLICE SERVICE DOGS, INC.") and however USAspending flagged it (a plumbing Inc. is
        # flagged a local government); "IMPERIAL, COUNTY (INC)" names a county and stays one.
        return False
    if not has_legal_form(award.recipient) and _names_a_public_body(award.recipient):
        # USAspending's business types are what the recipient declared in SAM: "BRISTOL COUNTY
        # SHERIFFS OFFICE", "TROY CITY POLICE DEPT" and "YELLOWSTONE COUNTY" declared no
        # government type, and were shipped as companies (a sheriff's office screened as a
        # company is not refused what law enforcement is refused)
        return True
    if award.government is not None:
        return award.government
    return key.role in LAW_ENFORCEMENT_ROLES or _names_a_government(award.recipient)


def _individual(builder: ReferenceBuilder, award: Award) -> str:
    """A placeholder for a person who received ``award``: no name, place or identifier (a sole
    proprietor's DUNS is the person's), one per award so that nothing links a person's awards."""
    return builder.add(Organization(
        id=f"individual:{slug(award.key)}", name=INDIVIDUAL_NAME, sector="commercial",
        schema="Organization", sources=(f"{award.source}:{award.key}",)))


def _same_kind(builder: ReferenceBuilder, found: str | None, award: Award) -> str | None:
    """``found`` unless it is a law-enforcement body and the recipient's name names none: an
    award to "COOK COUNTY" or "KANSAS CITY, MISSOURI, CITY OF" went to the government, not to
    its sheriff or police, who share its place name (and often its UEI)."""
    if found is None or name_key(award.recipient).role in LAW_ENFORCEMENT_ROLES:
        return found
    role = builder.organizations[found].role
    return None if role in LAW_ENFORCEMENT_ROLES else found


def _tribal_government(builder: ReferenceBuilder, award: Award) -> str | None:
    """The tribal government a recipient named "... NATION" (or "TRIBE", "INDIANS") with no
    legal form is, if the .gov registry has it (a tribe's domain ends in ``-nsn.gov``): "TOHONO
    O'ODHAM NATION" is one, "LIVE NATION" is not."""
    if has_legal_form(award.recipient) or not written_form(award.recipient).endswith(_TRIBAL_WORDS):
        return None
    found = builder.resolve_agency(award.recipient, award.state, city=award.city)
    if found is None or not any(
            d.endswith("-nsn.gov") for d in builder.organizations[found].identifiers.get("domain", ())):
        return None
    return found


def _recipient(builder: ReferenceBuilder, award: Award) -> str:
    source = f"{award.source}:{award.key}"
    found = _tribal_government(builder, award)
    if found is None and _is_public_body(award):
        found = _same_kind(builder, builder.resolve_agency(award.recipient, award.state,
                                                           city=award.city), award)
        if found is None and award.uei:
            found = _same_kind(builder, builder.by_identifier("uei", award.uei), award)
        if found is None:
            return builder.add(Organization(
                id=f"recipient:{slug(award.recipient)}-{slug(award.state)}".rstrip("-"),
                name=award.recipient, sector=public_body_sector(award.recipient),
                role=name_key(award.recipient).role, state=award.state, city=award.city.title(),
                identifiers={k: (v,) for k, v in (("uei", award.uei), ("duns", award.duns)) if v},
                sources=(source,)))
    if found is not None:
        builder.merge(found, aliases=(award.recipient,),
                      identifiers={k: (v,) for k, v in (("uei", award.uei),) if v}, sources=(source,))
        return found
    return builder.company(award.recipient, source=source, state=award.state,
                           identifiers={"uei": award.uei, "duns": award.duns})


def _name_key_text(name: str) -> str:
    key = name_key(name)
    return f"{key.role or ''}|{key.core_text}"


def add_contracts(builder: ReferenceBuilder, root: Path) -> None:
    """Every award as ``recipient supports agency``, with parents as ``subsidiary_of``."""
    awards = [*_local_awards(root), *_recent_awards(root), *_old_awards(root)]
    # The FY2021-2026 file gives names only; a recipient USAspending types in another file (its
    # business types) is typed the same there ("SHERIFFS' ASSOCIATION", a non-profit, and
    # "SHERIFFS ASSOCIATION" meet on their name key), and a government flag in one row outweighs
    # rows with no flag set (a county comes with both). Likewise a person in one award is a
    # person in all: a name flagged a sole proprietorship in one file has no flag in another.
    typed: dict[str, bool] = {}
    people: set[str] = set()
    companies: set[str] = set()  # a name also written with a legal form is a company's
    holders: dict[str, str] = {}  # UEI or DUNS -> the first organisation name that holds it
    for award in awards:
        if not award.recipient:
            continue
        name = _name_key_text(award.recipient)
        if award.government is not None:
            typed[name] = typed.get(name, False) or award.government
        if has_legal_form(award.recipient):
            companies.add(name)
        elif is_personal_name(award.recipient, sole_proprietor=award.sole_proprietor):
            people.add(name)
    people -= companies  # "LOCKHEED MARTIN" where "LOCKHEED MARTIN CORPORATION" is seen
    for award in awards:
        if award.recipient and _name_key_text(award.recipient) not in people:
            for value in filter(None, (award.uei, award.duns)):
                holders.setdefault(value, award.recipient)
    seen: set[str] = set()
    for award in awards:
        if award.key in seen or not award.recipient:
            continue
        seen.add(award.key)
        name = _name_key_text(award.recipient)
        award.government = typed.get(name, award.government)
        if name in people:
            # A person's name and identifiers never ship; an award to a person whose UEI or DUNS
            # a company holds (its owner, named in its stead) is the company's, else it goes to
            # a placeholder.
            holder = next((holders[v] for v in (award.uei, award.duns) if v in holders), "")
            award.recipient, award.parent = holder, ""
        recipient = _recipient(builder, award) if award.recipient else _individual(builder, award)
        start, end, basis = award_interval(award)
        builder.relate(Relationship(
            id=f"award:{award.key}", kind="supports", source_id=recipient, target_id=award.agency_id,
            start_date=start, end_date=end, amount=round(award.amount, 2), description=award.psc,
            evidence={"naics": award.naics, "transactions": str(award.transactions),
                      "dates": basis, "psc_code": award.psc_code, "naics_code": award.naics_code,
                      "obligations": award.obligations_text()},
            source=award.source))
        parent_core = name_key(award.parent).core if award.parent else ()
        # The parent is another company: not the recipient's own words in another order ("MACK
        # PAT V", the owner of "PAT V. MACK, INC."), a government or a person.
        if parent_core and sorted(parent_core) != sorted(name_key(award.recipient).core) and \
                builder.organizations[recipient].schema == "Company" and \
                not _names_a_government(award.parent) and \
                _name_key_text(award.parent) not in people:
            parent = builder.company(award.parent, source=f"{award.source}:{award.key}",
                                     identifiers={"uei": award.parent_uei, "duns": award.parent_duns})
            if parent != recipient:
                builder.relate(Relationship(
                    id=f"subsidiary:{recipient}>{parent}", kind="subsidiary_of", source_id=recipient,
                    target_id=parent, evidence={"award_id": award.key}, source=award.source))
