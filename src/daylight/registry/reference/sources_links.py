"""Agencies' links from the raw files: 287(g) agreements with ICE, and the surveillance vendors
that supply them (EFF's Atlas of Surveillance; The News & Observer's Flock data).

Validity: a 287(g) agreement runs from the first to the last snapshot of ICE's list that shows it;
one the latest snapshot still lists is *ongoing as of* that snapshot's date
(``evidence["ongoing_as_of"]``), not ended on it. An Atlas or Flock row is a single observation:
ongoing as of the day the source was exported (``evidence["dates"] = "observed"``).

Only organisations and facts are kept: the Atlas's free-text summaries and links (which can name
people) are not; its record number (AOSNUMBER) lets a reader find the row at EFF.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import replace
from importlib import resources
from pathlib import Path

from daylight.core.errors import InputError
from daylight.registry.geography import state_code
from daylight.registry.names import LAW_ENFORCEMENT_ROLES, has_legal_form, name_key
from daylight.registry.organization import AGENCY_SECTORS, Organization, Relationship
from daylight.registry.reference.builder import ReferenceBuilder, slug
from daylight.registry.reference.sector import public_body_sector
from daylight.registry.reference.sources_agencies import read_csv

AGREEMENTS_287G = "fbi-agencies-and-287g/agreements.csv"
ATLAS = "atlas-of-surveillance-2020/Atlas_of_Surveillance-20201007.csv"
FLOCK_AGENCIES = "flock-alpr-private-eyes/agency20240426.csv"
FLOCK_ACCESS = "flock-alpr-private-eyes/agency_access20240426.csv"
FLOCK_PORTALS = "flock-alpr-private-eyes/latest_usage04262023.csv"
NC_SURVEY = "flock-alpr-private-eyes/nc_agency_survey20240430.csv"
ICE = "us-agency:7012"
ATLAS_DATE = "2020-10-07"  # the Atlas export's date
_NOT_LAW_ENFORCEMENT = {"dmv", "parks", "school district", "tax board", "medical examiner",
                        "mental health", "animal control", "parking", "dhs", "homeland security",
                        "environmental services enforcement", "municipal"}
_DEPARTMENTS = {"dhs", "homeland security"}  # Atlas types that name a department, not a kind
_NOT_VENDORS = {"", "utility", "unknown", "na", "none", "n/a", "multiple"}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# An FBI Originating Agency Identifier: a state code and seven letters or digits.
_ORI = re.compile(r"[A-Z]{2}[A-Z0-9]{7}")


def _agency(builder: ReferenceBuilder, name: str, state: str, *, city: str, source: str,
            sector: str, prefix: str, as_written: str = "") -> str:
    """The registry's organisation for an agency named in a source, created if none is clear.
    ``as_written``: the source's own form of ``name``, when that was repaired (an alias; the
    id is made from it, as before the repair)."""
    written = as_written or name
    aliases = tuple(dict.fromkeys((name, written)))
    found = builder.resolve_agency(name, state, city=city)
    if found is not None:
        builder.merge(found, aliases=aliases, sources=(source,))
        return found
    org_id = f"{prefix}:{slug(written)}-{slug(state)}".rstrip("-")
    if org_id in builder.organizations:
        builder.merge(org_id, sources=(source,))
        return org_id
    return builder.add(Organization(id=org_id, name=name, sector=sector, role=name_key(name).role,
                                    state=state, city=city, aliases=aliases[1:],
                                    sources=(source,)))


# The 287(g) list's names have lost the word before their first "of" ("alaska of corrections",
# "kansas of investigation", "texas of the attorney general"): the report would publish them so
_NAMES_A_BODY = frozenset({"board", "college", "university", "department", "office", "bureau",
                           "division", "commission", "agency", "authority", "school", "institute",
                           "center", "council"})
_JURISDICTION_WORDS = frozenset({"town", "city", "village", "borough", "township", "county",
                                 "parish"})


def restored_287g_name(name: str) -> str:
    """``name`` with the word the 287(g) list lost before "of" put back: "Office" before "the"
    ("Texas Office of the Attorney General"), "Division" before "criminal investigation",
    "Bureau" before "investigation" or "narcotics", else "Department" ("Alaska Department of
    Corrections"); ", of" is a division ("..., Division of Highway Patrol"). A name whose "of"
    follows a body's word or opens with its jurisdiction ("University of West Florida Police",
    "Town of Palm Beach Police", "Gulf County Board of County Commissioners") is whole."""
    head, of, tail = name.partition(" of ")
    if not of or not head or head.split()[-1].lower() in _NAMES_A_BODY \
            or head.lower() in _JURISDICTION_WORDS:
        return name
    if tail.lower().startswith("the "):
        word, tail = "Office", "the " + tail[4:]
    elif tail.lower().startswith("criminal investigation"):
        word = "Division"
    elif tail.lower() in ("investigation", "narcotics"):
        word = "Bureau"
    else:
        word = "Department"
    return f"{head} {word} of {tail.replace(', of ', ', Division of ')}"


def _snapshot_date(text: str) -> str:
    return text.split(" ")[0]


def add_287g(builder: ReferenceBuilder, root: Path) -> None:
    """Each agency's 287(g) agreement, per model, as ``agency agreement_with ICE`` (an agency
    in an agreement, not a company under contract: the report draws it as one)."""
    rows = read_csv(root, AGREEMENTS_287G, ("date", "state", "agency", "agency_id", "ori", "type"))
    spans: dict[tuple[str, str], list[str]] = defaultdict(list)
    first_row: dict[str, dict[str, str]] = {}
    for row in rows:
        agency_id = row["agency_id"] if row["agency_id"] not in {"", "NA"} else slug(row["agency"])
        spans[(agency_id, row["type"])].append(_snapshot_date(row["date"]))
        first_row.setdefault(agency_id, row)
    latest = max((d for dates in spans.values() for d in dates), default="")
    agency_of: dict[str, str] = {}
    for agency_id, row in sorted(first_row.items()):
        state = state_code(row["state"]) or ""
        name = " ".join(w.capitalize() if w not in {"of", "and"} else w for w in row["agency"].split())
        source = f"287g:{agency_id}"
        ori = row["ori"] if _ORI.fullmatch(row["ori"]) else ""  # also "NA", "", "-1"
        found = builder.by_identifier("ori", ori) if ori else None
        if found is not None:
            builder.merge(found, aliases=tuple(dict.fromkeys((restored_287g_name(name), name))),
                          sources=(source,))
            agency_of[agency_id] = found
        else:
            shown = restored_287g_name(name)
            agency_of[agency_id] = _agency(builder, shown, state, city="", source=source,
                                           sector=public_body_sector(shown), prefix="287g",
                                           as_written=name)
            if ori and "ori" not in builder.organizations[agency_of[agency_id]].identifiers:
                # ICE's list gives an ORI the FBI roster does not list (it omits some agencies)
                builder.merge(agency_of[agency_id], identifiers={"ori": (ori,)})
    for org_id in sorted(set(agency_of.values())):
        # A body that signed a 287(g) agreement has officers enforcing immigration law: it is
        # law enforcement even when its name does not say so ("Florida Department of
        # Agriculture", "Louisiana Alcohol and Tobacco Control").
        org = builder.organizations[org_id]
        if org.schema == "PublicBody" and org.sector not in ("law_enforcement",
                                                              "immigration_enforcement"):
            builder.organizations[org_id] = replace(org, sector="law_enforcement")
    for (agency_id, model), dates in sorted(spans.items()):
        dates.sort()
        builder.relate(Relationship(
            id=f"287g:{agency_id}:{slug(model)}", kind="agreement_with",
            source_id=agency_of[agency_id],
            target_id=ICE, start_date=dates[0], end_date=dates[-1],
            description=f"287(g) agreement: {model}",
            evidence={"model": model, "lists": str(len(set(dates))), "dates": "snapshots",
                      "ongoing_as_of": latest if dates[-1] == latest else ""},
            source="ice-287g-via-287g-watch"))


def _us_date(text: str) -> str:
    parts = text.strip().split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        return f"{parts[2]}-{parts[0].zfill(2)}-{parts[1].zfill(2)}"
    return ""


def _national_sector(builder: ReferenceBuilder, name: str) -> str | None:
    """The enforcement sector of the national agency (a public body with no state) the
    reference holds under exactly ``name``, if any."""
    wanted = name.lower()
    return next((org.sector for org in builder.organizations.values()
                 if org.schema == "PublicBody" and not org.state and org.name.lower() == wanted
                 and org.sector in AGENCY_SECTORS), None)


def _names_an_agency(vendor: str) -> bool:
    """A Vendor cell that names a police force or a government, not a company: a slip of the
    Atlas's (AOS4790's vendor is "Village of Chatham Police Department", where Ring is meant).
    Read as a vendor, it became a company of that agency's name, which an account of that
    police department could then be matched to, and screened commercial."""
    key = name_key(vendor)
    return key.role in (*LAW_ENFORCEMENT_ROLES, "government") and not has_legal_form(vendor)


def add_atlas(builder: ReferenceBuilder, root: Path) -> None:
    """Atlas of Surveillance rows: each agency, and ``vendor supplies agency`` where named."""
    rows = read_csv(root, ATLAS, ("AOSNUMBER", "City", "State", "Agency", "Type of LEA",
                                  "Technology", "Vendor", "Link 1 Date"))
    cache: dict[tuple[str, str], str] = {}
    for row in rows:
        name, state, number = row["Agency"], row["State"], row["AOSNUMBER"]
        if not name:
            continue
        source = f"atlas:{number}"
        key = (name.lower(), state)
        if key not in cache:
            lea = row["Type of LEA"].lower()
            by_name = public_body_sector(name)
            # a type that is not law enforcement ("Parks") gives way to a name that states a
            # law-enforcement body ("Texas Parks and Wildlife Department Law Enforcement
            # Division": its game wardens are peace officers)
            sector = "other_government" if lea in _NOT_LAW_ENFORCEMENT \
                and by_name != "law_enforcement" else "law_enforcement"
            if by_name == "immigration_enforcement":
                # The Atlas types CBP's and ICE's offices "DHS" (which is not enforcement as a
                # whole); the name says whose office it is ("U.S. Customs and Border Protection
                # - Boston Logan International Airport"), and that decides.
                sector = "immigration_enforcement"
            elif lea in _DEPARTMENTS:
                # ... and the DEA "DHS" too (it is the Justice Department's): a national agency
                # of exactly that name decides
                sector = _national_sector(builder, name) or sector
            cache[key] = _agency(builder, name, state, city=row["City"], source=source,
                                 sector=sector, prefix="atlas")
            org = builder.organizations[cache[key]]
            if sector == "law_enforcement" and org.sector == "other_government" \
                    and org.schema == "PublicBody" and org.name.lower() == name.lower():
                # The Atlas lists the very body as a law-enforcement agency (a state department
                # of justice with investigators, a fusion center) that its .gov record does not
                # call one: the Atlas's type decides, for that body only, never for a city or
                # county government its name was matched to.
                builder.organizations[org.id] = replace(org, sector="law_enforcement")
        else:
            builder.merge(cache[key], sources=(source,))
        for vendor in (v.strip() for v in row["Vendor"].split(",")):
            if vendor.lower() in _NOT_VENDORS or _names_an_agency(vendor):
                continue
            vendor_id = builder.company(vendor, source=source)
            technology = row["Technology"]
            rel_id = f"supplies:{vendor_id}>{cache[key]}:{slug(technology)}"
            builder.relate(Relationship(
                id=rel_id, kind="supplies", source_id=vendor_id, target_id=cache[key],
                start_date=_us_date(row["Link 1 Date"]), description=technology,
                evidence={"technology": technology, "atlas_record": number, "dates": "observed",
                          "ongoing_as_of": ATLAS_DATE},
                source="eff-atlas-of-surveillance-2020-10-07"))


def _flock_state(name: str) -> str:
    states = name_key(name).states
    return next(iter(states)) if len(states) == 1 else ""


CURATED_LINKS = "links.csv"  # beside this module: renames and ownership, each with its public source
_LINK_COLUMNS = ("kind", "source_id", "target_id", "start_date", "description", "document", "url")


def add_curated_links(builder: ReferenceBuilder) -> None:
    """``successor_of`` (a company renamed or merged: the successor supports what its
    predecessor's awards support, from the succession) and ``subsidiary_of`` (a parent supports
    what its subsidiary's awards support, from the acquisition) links from public sources,
    curated by hand (``registry/reference/links.csv``; Daylight's own work, Apache-2.0 like the
    code): each names the document that states it, what it says, and its address (``url``:
    an SEC filing where there is one, else a news release or report; never with ``=`` or ``|``,
    which a shipped cell cannot hold). ``start_date`` is the date the source gives for the
    acquisition or the succession (empty: the source gives none, and the link counts at any
    time). A curated link replaces the same link read from USAspending's parent names (which
    has no date), keeping that evidence."""
    text = (resources.files("daylight.registry.reference") / CURATED_LINKS).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != _LINK_COLUMNS:
        raise InputError(f"expected the header {','.join(_LINK_COLUMNS)}", where=f"{CURATED_LINKS}:1")
    for row in reader:
        where = f"{CURATED_LINKS}:{reader.line_num}"
        if row["kind"] not in ("successor_of", "subsidiary_of"):
            raise InputError(f"`{row['kind']}` is not successor_of or subsidiary_of", where=f"{where}: kind")
        if row["source_id"] not in builder.organizations or row["target_id"] not in builder.organizations:
            continue  # a build from a slice of the raw files may not hold both
        if not row["document"].strip():
            raise InputError("every link names the public document that states it",
                             where=f"{where}: document")
        url = row["url"].strip()
        if url and (not url.startswith("https://") or "=" in url or "|" in url):
            raise InputError(f"`{url}` is not an https address without `=` or `|`",
                             where=f"{where}: url")
        if row["start_date"] and not _ISO_DATE.fullmatch(row["start_date"]):
            raise InputError(f"`{row['start_date']}` is not a date YYYY-MM-DD",
                             where=f"{where}: start_date")
        prefix = "successor" if row["kind"] == "successor_of" else "subsidiary"
        rel_id = f"{prefix}:{row['source_id']}>{row['target_id']}"
        earlier = builder.relationships.pop(rel_id, None)
        evidence = dict(earlier.evidence) if earlier else {}
        if earlier is not None:
            evidence["also_from"] = earlier.source
        evidence |= {"document": row["document"], "url": url,
                     "dates": "curated" if row["start_date"] else ""}
        builder.relate(Relationship(
            id=rel_id, kind=row["kind"], source_id=row["source_id"], target_id=row["target_id"],
            start_date=row["start_date"], description=row["description"], evidence=evidence,
            source="daylight-curated-links"))


def add_flock_sharing(builder: ReferenceBuilder, root: Path) -> None:
    """The News & Observer's Flock sharing graph: each law-enforcement agency whose Flock
    transparency portal lists another law-enforcement agency with access to its cameras' data,
    as ``agency shares_data_with agency`` (observed 2024-04-26). Agencies whose names carry no
    law-enforcement role (shops, associations, "Flock Safety" itself) are left out."""
    rows = read_csv(root, FLOCK_ACCESS, ("src_agency", "external_agency", "src_agency_id",
                                         "external_agency_id"))
    cache: dict[str, str] = {}

    def agency(name: str, flock_id: str) -> str | None:
        if flock_id not in cache:
            if not name or name_key(name).role not in LAW_ENFORCEMENT_ROLES:
                cache[flock_id] = ""
            else:
                cache[flock_id] = _agency(builder, name, _flock_state(name), city="",
                                          source=f"flock:{flock_id}", sector="law_enforcement",
                                          prefix="flock")
        return cache[flock_id] or None

    for row in rows:
        source = agency(row["src_agency"], row["src_agency_id"])
        target = agency(row["external_agency"], row["external_agency_id"])
        if source is None or target is None or source == target:
            continue
        builder.relate(Relationship(
            id=f"shares:{source}>{target}", kind="shares_data_with", source_id=source,
            target_id=target, description="Flock ALPR data sharing",
            evidence={"flock_agency": row["src_agency_id"],
                      "flock_external_agency": row["external_agency_id"],
                      "observed": "2024-04-26", "dates": "observed", "ongoing_as_of": "2024-04-26"},
            source="news-observer-private-eyes-2024"))


def add_flock(builder: ReferenceBuilder, root: Path) -> None:
    """Flock Safety's customers (a transparency portal, or sharing their cameras' data), and the
    North Carolina survey's agency x vendor rows, as ``vendor supplies agency``."""
    names = {r["id"]: r["name"] for r in read_csv(root, FLOCK_AGENCIES, ("id", "name"))}
    customers = {r["src_agency_id"] for r in read_csv(
        root, FLOCK_ACCESS, ("src_agency", "external_agency", "src_agency_id", "external_agency_id"))}
    portals = {r["id"] for r in read_csv(root, FLOCK_PORTALS, ("id", "agency", "accessed"))}
    flock = builder.company("Flock Safety", source="flock-private-eyes")
    for agency_id in sorted(customers | portals, key=lambda x: int(x) if x.isdigit() else 0):
        name = names.get(agency_id, "")
        if not name or name_key(name).role not in LAW_ENFORCEMENT_ROLES:
            continue  # Flock also sells to shops and neighbourhood associations: not ours to guess
        source = f"flock:{agency_id}"
        org = _agency(builder, name, _flock_state(name), city="", source=source,
                      sector="law_enforcement", prefix="flock")
        builder.relate(Relationship(
            id=f"supplies:{flock}>{org}:automated-license-plate-readers", kind="supplies",
            source_id=flock, target_id=org, description="Automated License Plate Readers",
            evidence={"technology": "Automated License Plate Readers", "flock_agency": agency_id,
                      "observed": "2024-04-26", "portal": "yes" if agency_id in portals else "no",
                      "dates": "observed", "ongoing_as_of": "2024-04-26"},
            source="news-observer-private-eyes-2024"))
    for row in read_csv(root, NC_SURVEY, ("id", "name", "type", "city", "company")):
        vendor = row["company"].strip()
        if vendor.lower() in _NOT_VENDORS or name_key(row["name"]).role not in LAW_ENFORCEMENT_ROLES:
            continue
        vendor_id = flock if vendor.lower() == "flock" else builder.company(
            vendor, source=f"nc-survey:{row['id']}")
        org = _agency(builder, row["name"], "NC", city=row["city"], source=f"nc-survey:{row['id']}",
                      sector="law_enforcement", prefix="flock")
        builder.relate(Relationship(
            id=f"supplies:{vendor_id}>{org}:automated-license-plate-readers", kind="supplies",
            source_id=vendor_id, target_id=org, description="Automated License Plate Readers",
            evidence={"technology": "Automated License Plate Readers", "nc_survey": row["id"],
                      "observed": "2024-04-30", "dates": "observed", "ongoing_as_of": "2024-04-30"},
            source="news-observer-private-eyes-2024"))
