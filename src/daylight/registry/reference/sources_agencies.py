"""Public bodies from the raw files: the FBI roster, the federal agency list, the .gov registry.

The FBI roster names agencies the short way ("Anchorage", type City); the registry names them
the way people write them ("Anchorage Police Department") and keeps the roster name as an alias.
A roster type of County becomes a county law-enforcement agency (most are sheriffs; some are
county police, which the roster names in full). Multi-post agencies ("State Police:" once per
county) become one organisation holding every ORI.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from daylight.core.errors import InputError
from daylight.registry.geography import STATE_NAMES
from daylight.registry.names import LAW_ENFORCEMENT_ROLES, name_key
from daylight.registry.organization import Organization
from daylight.registry.reference.builder import ReferenceBuilder, slug
from daylight.registry.reference.sector import (
    federal_sector,
    names_an_inspector_general,
    public_body_sector,
)

FBI_ROSTER = "fbi-agencies-and-287g/fbi_lee_latest.csv"
FEDERAL_AGENCIES = "federal-agencies-usaspending/authoritative_agency_list.csv"
DOTGOV = "dotgov-domains/current-full-no-contacts.csv"


def read_csv(root: Path, relative: str, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a raw CSV file; InputError if it is missing, lacks a required column or has a
    row with fewer cells than the header (a truncated file)."""
    path = root / relative
    rows: list[dict[str, str]] = []
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            for row in reader:
                if None in row.values():  # a truncated row: fewer cells than the header
                    got = sum(v is not None for v in row.values())
                    raise InputError(f"expected {len(row)} fields, got {got}",
                                     where=f"{path}:{reader.line_num}")
                rows.append(row)
            header = [h.strip() for h in reader.fieldnames or []]
    except FileNotFoundError as exc:
        raise InputError(f"missing source file `{relative}`", where=str(root)) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 at byte {exc.start}", where=str(path)) from exc
    except csv.Error as exc:
        raise InputError(f"not CSV: {exc}", where=f"{path}:{reader.reader.line_num}") from exc
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"expected column `{missing[0]}`", where=f"{path}:1")
    return [{k.strip(): (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            for row in rows]  # cells past the header (trailing commas) carry nothing


def _title(text: str) -> str:
    return " ".join(w.capitalize() if w.isupper() and len(w) > 3 else w for w in text.split())


def _federal_roster_name(name: str) -> tuple[str, bool]:
    """A federal roster agency's name, and whether it is only its parent's. The roster lists a
    component under its department, the component after a comma ("U.S. Department of Health and
    Human Services, Office of Inspector General, Office of Investigations" is the department's
    inspector general), or cut off ("United States Department of Health and Human Services," is
    an unnamed component of the department). "Name:" is an agency's posts, as for every kind
    ("Drug Enforcement Administration:")."""
    parent, *rest = name.split(":")[0].split(",")
    component = next((part.strip() for part in rest if part.strip()), "")
    if component:
        return f"{parent.strip()} {component}", False
    return parent.strip(), bool(rest)


def _roster_display(name: str, kind: str, state: str) -> tuple[str, str | None]:
    """The display name and role of a roster agency."""
    if kind == "Federal":
        base = _federal_roster_name(name)[0]
    elif kind == "State Police":
        base = name.split(":")[0].split(",")[0].strip()
    else:
        base = name.rstrip(":, ").strip()
    own_role = name_key(base).role
    state_name = STATE_NAMES.get(state, state)
    if own_role in LAW_ENFORCEMENT_ROLES:
        display = base
    elif kind == "City":
        display, own_role = f"{base} Police Department", "police"
    elif kind == "County":
        unit = "Parish" if state == "LA" else "County"
        bare = base[: -len(unit)].strip() if base.endswith(unit) else base
        display, own_role = f"{bare} {unit} law enforcement agency", "county_le"
    elif kind in {"University or College", "Tribal"}:
        display, own_role = f"{base} Police Department", "police"
    elif kind == "Other":
        display, own_role = f"{base} Police", "police"
    else:
        display, own_role = base, own_role or "law_enforcement"
    if kind in {"State Police", "Other State Agency"} and not display.lower().startswith(
            state_name.lower()):
        display = f"{state_name} {display}"
    return display, own_role


# The roster writes two states with the FBI's own codes (NCIC's), not the postal ones every other
# source and every customer uses: read as written, Nebraska's 192 agencies never matched a
# Nebraska account or source (a Flock twin "Dakota County NE SO" stood beside the roster's).
_ROSTER_STATE_CODES = {"NB": "NE", "GM": "GU"}


def roster_state(code: str) -> str:
    """The postal code of a roster state code (``NB`` → ``NE``); ``FS`` (federal) stays."""
    return _ROSTER_STATE_CODES.get(code, code)


def add_fbi_roster(builder: ReferenceBuilder, root: Path) -> None:
    """Every agency of the FBI roster; posts of one agency (``Name:``) become one organisation."""
    rows = read_csv(root, FBI_ROSTER, ("ori", "pub_agency_name", "state_abbr", "county_name",
                                       "agency_type_name"))
    groups: dict[tuple[str, ...], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        row["state_abbr"] = roster_state(row["state_abbr"])
        name, kind = row["pub_agency_name"], row["agency_type_name"]
        if kind == "Federal" and (name.endswith(":") or "," in name):
            groups[(row["state_abbr"], kind, _federal_roster_name(name)[0].lower())].append(row)
        elif kind == "State Police" or name.endswith(":"):
            base = name.split(":")[0].split(",")[0].strip().lower()
            groups[(row["state_abbr"], kind, base)].append(row)
        else:
            groups[(row["ori"],)].append(row)
    for members in groups.values():
        members.sort(key=lambda r: r["ori"])
        first = members[0]
        kind, state = first["agency_type_name"], first["state_abbr"]
        display, role = _roster_display(first["pub_agency_name"], kind, state)
        parent_only = kind == "Federal" and any(
            _federal_roster_name(m["pub_agency_name"])[1] for m in members)
        sector = federal_sector("", "", display) if kind == "Federal" else "law_enforcement"
        if parent_only:
            role = name_key(display).role
        elif sector == "other_government":
            # every roster agency reports sworn officers; but a federal one listed only by its
            # department's name is an unnamed part of the department, and accounts under that
            # name are the department's (publishing HHS as a police force would be false)
            sector = "law_enforcement"
        counties = sorted({m["county_name"] for m in members} - {"NOT SPECIFIED", ""})
        builder.add(Organization(
            id=f"ori:{first['ori']}", name=display, sector=sector, role=role,
            state="" if state == "FS" else state,
            county=_title(counties[0]) if len(counties) == 1 else "",
            city=first["pub_agency_name"] if kind == "City" else "",
            identifiers={"ori": tuple(m["ori"] for m in members)},
            aliases=tuple(dict.fromkeys(m["pub_agency_name"].rstrip(":, ") for m in members)),
            sources=(f"fbi-roster:{first['ori']}",),
        ))


def _website_domain(url: str) -> str:
    host = url.lower().split("//")[-1].split("/")[0].strip()
    return host[4:] if host.startswith("www.") else host


def add_federal_agencies(builder: ReferenceBuilder, root: Path) -> None:
    """Federal agencies and sub-tier agencies (one organisation per sub-tier code). One the FBI
    roster already lists under the same name is that organisation (see ``_roster_twin``)."""
    rows = read_csv(root, FEDERAL_AGENCIES, ("CGAC AGENCY CODE", "SUBTIER CODE", "SUBTIER NAME",
                                            "SUBTIER ABBREVIATION", "AGENCY NAME",
                                            "AGENCY ABBREVIATION", "WEBSITE"))
    usable = [r for r in rows if r["SUBTIER CODE"] and r["SUBTIER NAME"]
              and r["SUBTIER CODE"].isalnum() and len(r["SUBTIER CODE"]) == 4]
    departments: dict[str, set[str]] = defaultdict(set)
    for row in usable:
        departments[_federal_key(row["SUBTIER NAME"])].add(row["CGAC AGENCY CODE"])
    # a roster body that shares its name with another roster body is nobody's twin
    roster = {key: ids[0] for key, ids in _federal_bodies(builder, ("ori:",)).items()
              if len(ids) == 1}
    enforcement: dict[str, str] = {}  # a law-enforcement body's first listing, by its key
    for row in usable:
        code, name = row["SUBTIER CODE"], row["SUBTIER NAME"]
        org_id = f"us-agency:{code}"
        if org_id in builder.organizations:
            continue
        domain = _website_domain(row["WEBSITE"]) if row["WEBSITE"] else ""
        identifiers: dict[str, tuple[str, ...]] = {"agency_code": (code,)}
        if domain.endswith((".gov", ".mil")) and code == row.get("FPDS DEPARTMENT ID", ""):
            identifiers["domain"] = (domain,)  # a department's website, not its sub-agencies'
        aliases = tuple(a for a in (row["SUBTIER ABBREVIATION"],) if a)
        sector = federal_sector(code, row["CGAC AGENCY CODE"], name)
        key = _federal_key(name)
        office = _is_an_office(name)
        if len(departments[key]) > 1 and office:
            # one office of several departments' alike: whose it is decides its twin
            name, aliases = _whose(name, aliases, row["AGENCY NAME"], row["AGENCY ABBREVIATION"])
            key = _federal_key(name)
        # a body under two departments' codes (the Coast Guard under Transportation's and
        # Homeland Security's) is one body, the roster's if it lists it
        twin = roster.get(key) if len(departments[key]) <= 1 or not office else None
        if twin is not None:
            _roster_twin(builder, twin, name, sector, identifiers, aliases, code)
            continue
        if not office and sector == "law_enforcement" and key in enforcement:
            # ... and one the roster does not list is its first listing (the Secret Service
            # and FLETC under Treasury's codes and Homeland Security's: two records tied, and
            # an account of either went to review); a later listing's id redirects to it
            builder.merge(enforcement[key], aliases=(name, *aliases), identifiers=identifiers,
                          sources=(f"usaspending-agencies:{code}",))
            continue
        if not office and sector == "law_enforcement" and key:
            enforcement[key] = org_id
        builder.add(Organization(
            id=org_id, name=name, sector=sector, role=None, state="", identifiers=identifiers,
            aliases=aliases, sources=(f"usaspending-agencies:{code}",)))


# a department's office, not a body that moved between departments ("U.S. Secret Service")
_AN_OFFICE = re.compile(r"(immediate )?office\b|chief\b|deputy\b|assistant secretary\b|"
                        r"executive secretariat\b|board of contract appeals\b|departmental offices\b",
                        re.IGNORECASE)


_IT_OFFICE = re.compile(r"chief information officer|\bocio\b|information technology", re.IGNORECASE)


def _is_an_office(name: str) -> bool:
    """A department's office by its name, of the kind several departments have."""
    return _AN_OFFICE.match(name) is not None or names_an_inspector_general(name)


def _whose(name: str, aliases: tuple[str, ...], agency: str, abbreviation: str
           ) -> tuple[str, tuple[str, ...]]:
    """The name of a department's office that several departments have ("Office of the Inspector
    General": 20 of them), saying whose: "Department of Homeland Security Office of the
    Inspector General", also "DHS Office of the Inspector General" and "DHS OIG". A report
    that names one of them must say which; the bare name stays an alias."""
    if not agency or name.lower().startswith(agency.lower()):
        return name, aliases
    whose = [f"{abbreviation} {name}", *(f"{abbreviation} {a}" for a in aliases)] \
        if abbreviation else []
    return f"{agency} {name}", tuple(dict.fromkeys((*whose, name, *aliases)))


_ARMED_SERVICE = re.compile(r"\b(army|navy|air force|marine corps|space force|coast guard)\b")


def _roster_twin(builder: ReferenceBuilder, org_id: str, name: str, sector: str,
                 identifiers: dict[str, tuple[str, ...]], aliases: tuple[str, ...],
                 code: str) -> None:
    """The roster lists some federal bodies whole ("United States Department of Education"): their
    ORI is a law-enforcement component's (an inspector general's agents), but the name is the
    department's, and accounts under that name are the department. USAspending's agency list
    says what the body is; the roster's default (every roster agency is law enforcement) gives
    way to it unless the name itself says law enforcement, or the list says "military" of a body
    that is not an armed service."""
    builder.merge(org_id, aliases=(name, *aliases), identifiers=identifiers,
                  sources=(f"usaspending-agencies:{code}",))
    org = builder.organizations[org_id]
    if public_body_sector(org.name) != "other_government" or org.sector == sector:
        return
    if sector == "military" and not _ARMED_SERVICE.search(org.name.lower()):
        return  # a defence agency the roster lists is its police (Pentagon Force Protection)
    builder.organizations[org_id] = replace(org, sector=sector)


def _federal_key(name: str) -> str:
    """What a federal body's name is matched on: its core words and its role ("Federal Bureau of
    Investigation" is `federal` + investigation, "Federal Emergency Management Agency" `federal`
    + emergency: the core alone would make them one), or the role alone for a name that is all
    role ("U.S. Marshals Service"); "" for a name that says nothing."""
    key = name_key(name)
    return " ".join((*key.core, *((f"role:{key.role}",) if key.role else ())))


def _federal_bodies(builder: ReferenceBuilder, prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    """Federal bodies (no state) whose id starts with one of ``prefixes``, by the
    ``_federal_key`` of their name and aliases, in the order they were added."""
    index: dict[str, list[str]] = defaultdict(list)
    for org in builder.organizations.values():
        if org.id.startswith(prefixes) and not org.state:
            for text in (org.name, *org.aliases):
                if (key := _federal_key(text)) and org.id not in index[key]:
                    index[key].append(org.id)
    return index


def _parent_sector(subtiers: list[tuple[tuple[str, ...], str]], body: str) -> str | None:
    """The sector of the federal sub-tier agencies whose names begin with ``body``'s (the
    ATF's .gov record names the bureau; USAspending lists its "Bureau of Alcohol, Tobacco,
    Firearms and Explosives Acquisition and Property Management Division", code 1560, law
    enforcement): the bureau is what its divisions are, when they agree and say more than
    "other government"."""
    core = name_key(body).core
    if len(core) < 2:
        return None
    sectors = {sector for other, sector in subtiers if other[:len(core)] == core}
    if len(sectors) == 1 and sectors != {"other_government"}:
        return sectors.pop()
    return None


def _is_used_name(alias: str, core: tuple[str, ...]) -> bool:
    key, lowered = name_key(alias), alias.lower()
    return (key.role == "sheriff" and key.core == core and not key.states
            and ("county" in lowered or "parish" in lowered)
            and not alias.isupper() and not alias.islower())


def publish_used_names(builder: ReferenceBuilder) -> None:
    """A county agency the roster names only by its county ("Los Angeles County law enforcement
    agency") takes the name it uses, when another source gives one for the same place: an alias
    stating a sheriff's office or department, properly cased, without a state code ("Los
    Angeles County Sheriff's Department"). The roster's form stays an alias."""
    for org in list(builder.organizations.values()):
        if org.role != "county_le" or not org.name.endswith("law enforcement agency"):
            continue
        core = name_key(org.name).core
        used = [a for a in org.aliases if _is_used_name(a, core)]
        if not used:
            continue
        best = max(used, key=lambda a: ("'s " in a or "s' " in a, "Office" in a or "Department" in a,
                                        -len(a), a))
        builder.organizations[org.id] = replace(
            org, name=best, aliases=tuple(dict.fromkeys((org.name, *org.aliases))))


def _police_body(domain: str, organisation: str) -> str | None:
    """For a police or sheriff domain registered to a city or county, the body it serves."""
    label = domain.split(".")[0]
    place = organisation
    for prefix in ("City of ", "Town of ", "Village of ", "County of ", "Borough of "):
        if place.startswith(prefix):
            place = place[len(prefix):]
    if "sheriff" in label:
        return f"{place} Sheriff's Office"
    if "police" in label or label.endswith("pd") or label[:-2].endswith("pd"):
        return f"{place} Police Department"
    return None


def add_dotgov(builder: ReferenceBuilder, root: Path) -> None:
    """Every .gov domain: attached to the agency it serves when that is clear, else its own body."""
    rows = read_csv(root, DOTGOV, ("Domain name", "Domain type", "Organization name",
                                   "Suborganization name", "City", "State"))
    # the first listed wins a key: the roster, which lists the same body as USAspending often does
    federal_ids = _federal_bodies(builder, ("us-agency:", "ori:"))
    federal = {key: ids[0] for key, ids in federal_ids.items()}
    bodies: dict[tuple[str, str], str] = {}
    subtiers = [(name_key(org.name).core, org.sector) for org in builder.organizations.values()
                if org.id.startswith("us-agency:")]
    for row in sorted(rows, key=lambda r: r["Domain name"]):
        domain = row["Domain name"].lower()
        org_name, sub = row["Organization name"], row["Suborganization name"]
        federal_row = row["Domain type"].startswith("Federal")
        if federal_row and _IT_OFFICE.search(sub):
            sub = ""  # the department's domains, registered by its IT office (ed.gov, energy.gov)
        body = sub or org_name
        state, city = row["State"], _title(row["City"])
        source = f"dotgov:{domain}"
        if federal_row:
            if sub and _is_an_office(sub):
                # an office is its department's ("Department of the Interior" / "Office of
                # Inspector General"): by both names, or by its own only where no other
                # department's office shares it (20 inspectors general do: doioig.gov was USDA's)
                found = federal.get(_federal_key(f"{org_name} {sub}"))
                alike = federal_ids.get(_federal_key(sub), [])
                if found is None and len(alike) == 1:
                    found = alike[0]
                if found is None and len(alike) > 1:
                    body = f"{org_name} {sub}"  # named whose, as those offices are
            else:
                found = federal.get(_federal_key(body))
                if found is None and not sub:
                    found = federal.get(_federal_key(org_name))
            if found is not None:
                builder.merge(found, identifiers={"domain": (domain,)}, sources=(source,))
                continue
            sector, state = federal_sector(
                "", "", body, executive=row["Domain type"] == "Federal - Executive"), ""
            if sector == "other_government":
                sector = _parent_sector(subtiers, body) or sector
        else:
            sector = public_body_sector(body)
            police = None if sector == "law_enforcement" else _police_body(domain, org_name)
            if sector == "law_enforcement" or police is not None:
                found = builder.resolve_agency(police or body, state, city=city)
                if found is not None:
                    builder.merge(found, aliases=(body,) if police is None else (),
                                  identifiers={"domain": (domain,)}, sources=(source,))
                    continue
        existing = bodies.get((body.lower(), state))
        if existing is not None:
            builder.merge(existing, identifiers={"domain": (domain,)}, sources=(source,))
            continue
        bodies[(body.lower(), state)] = builder.add(Organization(
            id=f"gov:{slug(domain)}", name=body, sector=sector,
            role=name_key(body).role, state=state, city=city, identifiers={"domain": (domain,)},
            aliases=(org_name,) if sub else (), sources=(source,)))
