"""Federal law-enforcement bodies as customers type them: does any slip through the gate?

The bodies (every federal body with arrest or investigative authority found in public lists):
  bjs        the agencies of the Bureau of Justice Statistics' census "Federal Law Enforcement
             Officers, 2020 – Statistical Tables" (NCJ 304752, 2022: agencies employing
             full-time officers with arrest and firearm authority), written out below
  ig         the offices of inspector general of the Council of the Inspectors General on
             Integrity and Efficiency (ignet.gov, "Inspectors General": their criminal
             investigators have law-enforcement powers, 5 U.S.C. 406(f)), and the special
             inspectors general (SIGAR, SIGTARP, SIGPR), written out below
  roster     the FBI roster's "Federal" rows (../shared/data/fbi-agencies-and-287g), read in
             place; rows that name a department cut off after a comma ("United States
             Department of Labor,", standing for its inspector general's agents) are left
             out: typed so, the name is the department's, which is no law-enforcement body
  pdap       PDAP's federal rows (../shared/data/pdap-agencies, EVALUATION ONLY: read in place,
             never copied): names that begin "United States" / "U.S." / "Office of the United
             States", with their homepage's host as the email domain
Names, acronyms and domains are public facts. For each body of the first two lists the
variants customers type are GENERATED: the full name; its "U.S." / "US" / "United States"
forms; each common acronym alone and with the body's real email domain; parent-qualified
forms ("DHS Federal Protective Service", "NPS - USPP"); one typo (a letter dropped from the
longest word); the full name with the domain.

Look-alikes (`lookalike`): federal bodies that are not law enforcement (the parents of the
bodies above: the Mint, NOAA, the Park Service's foundation) and companies whose names share
an acronym or words ("OSI Systems, Inc.", "Federal Protective Coatings"); some are real
organisations, the "... Investigations LLC" ones are GENERATED. None must become an agency.

Measured, as `screening.py` measures (the screening facts put to `employee-demands`):
fail-open (an agency rejected, or accepted as a non-agency: face recognition allowed),
accepted as the wrong agency (accepted as an agency that is not the body nor a part of it),
review rate; for the look-alikes, false agency (accepted as an agency) and review. A third of
the bodies (by a hash of the body's name; roster and PDAP rows by their name) is HELD OUT:
reported, never looked at one by one.

    .venv/bin/python -m bench.registry.federal [-v]   (-v: the tuning part's failures)
"""

from __future__ import annotations

import csv
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.registry.pdap import email_domain
from bench.registry.screening import allowed_face_recognition, held_out_key

from daylight.registry.organization import AGENCY_SECTORS, part_of_links
from daylight.registry.reference.shipped import read_reference
from daylight.registry.screening import ACCEPTED, REVIEW, Query, Screener

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@dataclass(frozen=True)
class Body:
    """A federal body: its name, the reference ids that are it (existing, or the curated
    component that names it), acronyms, the parents customers qualify it with, its domain."""

    name: str
    truth: tuple[str, ...]
    acronyms: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    domain: str = ""
    us: bool = False  # customers put "U.S." before it
    source: str = "bjs"


def _ig(name: str, truth: str, acronyms: str, parents: str, domain: str) -> Body:
    return Body(name, tuple(truth.split()), tuple(acronyms.split(";")) if acronyms else (),
                tuple(parents.split()) if parents else (), domain, source="ig")


# BJS, Federal Law Enforcement Officers, 2020 (NCJ 304752), the agencies it lists, by department
BODIES: tuple[Body, ...] = (
    Body("Federal Bureau of Investigation", ("ori:DCFBIWA01",), ("FBI",), ("DOJ",), "fbi.gov"),
    Body("Drug Enforcement Administration", ("ori:DEDEA0100",), ("DEA",), ("DOJ",), "dea.gov", True),
    Body("U.S. Marshals Service", ("us-agency:1544", "us-agency:2135"), ("USMS",), ("DOJ",),
         "usmarshals.gov"),
    Body("Bureau of Alcohol, Tobacco, Firearms and Explosives", ("gov:atf-gov",), ("ATF",),
         ("DOJ",), "atf.gov"),
    Body("Federal Bureau of Prisons", ("gov:bop-gov", "us-agency:1540"), ("BOP",), ("DOJ",),
         "bop.gov"),
    Body("U.S. Customs and Border Protection", ("us-agency:7014",), ("CBP",), ("DHS",),
         "cbp.dhs.gov"),
    Body("U.S. Immigration and Customs Enforcement", ("us-agency:7012",), ("ICE",), ("DHS",),
         "ice.dhs.gov"),
    # DHS's listings (7009, 7015) are Treasury's since build 17: their ids redirect there
    Body("U.S. Secret Service", ("us-agency:2028",), ("USSS",), ("DHS",),
         "usss.dhs.gov"),
    Body("Federal Protective Service", ("us-component:dhs-fps",), ("FPS",), ("DHS",),
         "fps.dhs.gov", True),
    Body("Federal Air Marshal Service", ("us-component:tsa-fams",), ("FAMS",), ("TSA", "DHS"),
         "tsa.dhs.gov"),
    Body("Federal Law Enforcement Training Centers", ("us-agency:2024",),
         ("FLETC",), ("DHS",), "fletc.dhs.gov"),
    Body("Coast Guard Investigative Service", ("us-component:uscg-cgis",), ("CGIS",), ("USCG",),
         "uscg.mil", True),
    Body("United States Park Police", ("us-component:nps-uspp",), ("USPP",), ("NPS", "DOI"),
         "nps.gov"),
    Body("Bureau of Land Management Office of Law Enforcement and Security",
         ("us-component:blm-oles",), ("BLM OLES", "BLM Law Enforcement"), ("DOI",), "blm.gov"),
    Body("U.S. Fish and Wildlife Service Office of Law Enforcement", ("us-component:fws-ole",),
         ("FWS OLE", "USFWS Law Enforcement"), ("DOI",), "fws.gov"),
    Body("U.S. Forest Service Law Enforcement and Investigations", ("us-component:usfs-lei",),
         ("USFS LEI", "Forest Service LE&I"), ("USDA",), "usda.gov"),
    Body("NOAA Office of Law Enforcement", ("us-component:noaa-ole",), ("NOAA OLE",), ("DOC",),
         "noaa.gov"),
    Body("EPA Criminal Investigation Division", ("us-component:epa-cid",), ("EPA CID",), (),
         "epa.gov"),
    Body("FDA Office of Criminal Investigations", ("us-component:fda-oci",), ("FDA OCI",),
         ("HHS",), "fda.hhs.gov"),
    Body("IRS Criminal Investigation", ("us-component:irs-ci",), ("IRS-CI", "IRS CI"),
         ("Treasury",), "ci.irs.gov"),
    Body("United States Mint Police", ("us-component:mint-police",), ("USMP", "Mint Police"),
         ("Treasury",), "usmint.treas.gov"),
    Body("Bureau of Engraving and Printing Police", ("us-component:bep-police",), ("BEP Police",),
         ("Treasury",), "bep.gov"),
    Body("U.S. Postal Inspection Service", ("us-agency:1810",), ("USPIS",), ("USPS",),
         "uspis.gov"),
    Body("Diplomatic Security Service", ("us-agency:1938", "gov:osac-gov"), ("DSS",), ("State",),
         "state.gov", True),
    Body("Department of Veterans Affairs Police", ("ori:DCVA00000",), ("VA Police",), (),
         "va.gov", True),
    Body("Pentagon Force Protection Agency", ("ori:VADPP0000",), ("PFPA",), ("DoD",), "pfpa.mil"),
    Body("Defense Criminal Investigative Service", ("us-component:dodig-dcis",), ("DCIS",),
         ("DoD", "DODIG"), "dodig.mil"),
    Body("Army Criminal Investigation Division", ("us-agency:21CB",),
         ("Army CID", "USACIDC", "CID"), ("Army",), "army.mil", True),
    Body("Naval Criminal Investigative Service", ("us-component:navy-ncis",), ("NCIS",),
         ("Navy",), "ncis.navy.mil"),
    Body("Air Force Office of Special Investigations", ("us-agency:5707",),
         ("AFOSI", "Air Force OSI", "OSI"), ("USAF",), "af.mil", True),
    Body("Marine Corps Criminal Investigation Division", ("us-component:usmc-cid",),
         ("USMC CID", "Marine CID"), ("USMC",), "usmc.mil", True),
    Body("United States Capitol Police", ("gov:uscapitolpolice-gov",), ("USCP",), (), "uscp.gov"),
    Body("Supreme Court Police", ("us-component:scotus-police",), (), (), "supremecourt.gov",
         True),
    Body("Government Publishing Office Police", ("us-component:gpo-police",), ("GPO Police",), (),
         "gpo.gov"),
    Body("Amtrak Police Department", ("ori:DE002159E",), ("APD", "Amtrak Police"),
         (), "amtrak.com"),
    Body("National Institutes of Health Police", ("us-component:nih-police",), ("NIH Police",),
         ("HHS",), "nih.gov"),
    Body("NASA Protective Services", ("us-component:nasa-protective-services",), (), (),
         "nasa.gov"),
    Body("National Security Agency Police", ("ori:MDNSA0100",), ("NSA Police",), (), "nsa.gov"),
    Body("Central Intelligence Agency Security Protective Service", ("ori:VACIA0000",),
         ("CIA SPS",), (), "cia.gov"),
    Body("Tennessee Valley Authority Police", ("us-component:tva-police",), ("TVA Police",), (),
         "tva.gov"),
    # CIGIE's offices of inspector general and the special inspectors general
    _ig("Department of Justice Office of the Inspector General", "us-agency:1504",
        "DOJ OIG;DOJ-OIG", "", "oig.justice.gov"),
    _ig("Department of Homeland Security Office of Inspector General", "us-agency:7004",
        "DHS OIG;DHS-OIG", "", "oig.dhs.gov"),
    _ig("Department of Health and Human Services Office of Inspector General", "ori:DC00105JY",
        "HHS OIG;HHS-OIG", "", "oig.hhs.gov"),
    _ig("Department of Defense Office of Inspector General", "us-agency:97EX", "DODIG;DoD OIG",
        "", "dodig.mil"),
    _ig("Department of Agriculture Office of Inspector General", "us-agency:1204", "USDA OIG", "",
        "oig.usda.gov"),
    _ig("Department of Commerce Office of Inspector General", "us-agency:1304", "DOC OIG", "",
        "oig.doc.gov"),
    _ig("Department of the Interior Office of Inspector General", "us-agency:1404", "DOI OIG", "",
        "doioig.gov"),
    _ig("Department of Labor Office of Inspector General", "us-agency:1604", "DOL OIG;DOL-OIG",
        "", "oig.dol.gov"),
    _ig("Department of State Office of Inspector General", "us-agency:1904", "State OIG", "",
        "stateoig.gov"),
    _ig("Department of the Treasury Office of Inspector General", "us-agency:2004",
        "Treasury OIG", "", "oig.treasury.gov"),
    _ig("Treasury Inspector General for Tax Administration", "ori:DCTIX0000 us-agency:2014",
        "TIGTA", "", "tigta.gov"),
    _ig("Special Inspector General for the Troubled Asset Relief Program",
        "ori:DCTAR0000 us-agency:2083", "SIGTARP", "Treasury", "sigtarp.gov"),
    _ig("Special Inspector General for Afghanistan Reconstruction", "us-component:sigar",
        "SIGAR", "", "sigar.mil"),
    _ig("Special Inspector General for Pandemic Recovery", "gov:sigpr-gov", "SIGPR", "Treasury",
        "sigpr.gov"),
    _ig("Social Security Administration Office of the Inspector General", "us-agency:2804",
        "SSA OIG", "", "oig.ssa.gov"),
    _ig("Department of Veterans Affairs Office of Inspector General", "us-agency:3604",
        "VA OIG", "", "vaoig.gov"),
    _ig("General Services Administration Office of Inspector General", "us-agency:4704",
        "GSA OIG", "", "gsaig.gov"),
    _ig("Department of Transportation Office of Inspector General", "us-agency:6904",
        "DOT OIG", "", "oig.dot.gov"),
    _ig("Department of Housing and Urban Development Office of Inspector General",
        "us-agency:8604", "HUD OIG", "", "hudoig.gov"),
    _ig("Department of Energy Office of Inspector General", "us-agency:8904", "DOE OIG", "",
        "energy.gov"),
    _ig("Department of Education Office of Inspector General", "us-agency:9104", "ED OIG", "",
        "ed.gov"),
    _ig("U.S. Postal Service Office of Inspector General", "us-agency:1804", "USPS OIG", "",
        "uspsoig.gov"),
    _ig("Environmental Protection Agency Office of Inspector General", "us-agency:6804",
        "EPA OIG", "", "epaoig.gov"),
    _ig("Federal Emergency Management Agency Office of Inspector General", "us-agency:5804",
        "FEMA OIG", "", ""),
    _ig("National Aeronautics and Space Administration Office of Inspector General",
        "us-component:nasa-oig", "NASA OIG", "", "oig.nasa.gov"),
    _ig("Office of Personnel Management Office of the Inspector General", "us-component:opm-oig",
        "OPM OIG", "", "opm.gov"),
    _ig("Small Business Administration Office of Inspector General", "us-component:sba-oig",
        "SBA OIG", "", "sba.gov"),
    _ig("Federal Deposit Insurance Corporation Office of Inspector General",
        "us-component:fdic-oig", "FDIC OIG", "", "fdicoig.gov"),
    _ig("Federal Housing Finance Agency Office of Inspector General", "us-component:fhfa-oig",
        "FHFA OIG", "", "fhfaoig.gov"),
    _ig("Tennessee Valley Authority Office of the Inspector General", "us-component:tva-oig",
        "TVA OIG", "", "tvaoig.gov"),
    _ig("U.S. Agency for International Development Office of Inspector General",
        "us-component:usaid-oig", "USAID OIG", "", "oig.usaid.gov"),
    _ig("Nuclear Regulatory Commission Office of the Inspector General", "us-component:nrc-oig",
        "NRC OIG", "", "nrc.gov"),
    _ig("Federal Reserve Board and CFPB Office of Inspector General", "us-component:frb-oig",
        "Fed OIG", "", "oig.federalreserve.gov"),
    _ig("Amtrak Office of Inspector General", "gov:amtrakoig-gov", "Amtrak OIG", "",
        "amtrakoig.gov"),
    _ig("AmeriCorps Office of Inspector General", "gov:americorpsoig-gov", "AmeriCorps OIG", "",
        "americorpsoig.gov"),
)

# Federal non-law-enforcement bodies and companies whose names look like the bodies above
LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("United States Mint", "usmint.treas.gov"), ("Bureau of Engraving and Printing", "bep.gov"),
    ("National Park Service", ""), ("National Park Foundation", ""),
    ("Park Service Foundation", ""), ("National Oceanic and Atmospheric Administration", "noaa.gov"),
    ("Food and Drug Administration", "fda.hhs.gov"), ("Internal Revenue Service", "irs.gov"),
    ("Environmental Protection Agency", "epa.gov"), ("National Institutes of Health", "nih.gov"),
    ("Government Publishing Office", "gpo.gov"), ("Supreme Court of the United States", ""),
    ("National Aeronautics and Space Administration", "nasa.gov"), ("Amtrak", "amtrak.com"),
    ("Tennessee Valley Authority", "tva.gov"), ("Bureau of Land Management", "blm.gov"),
    ("U.S. Fish and Wildlife Service", "fws.gov"), ("U.S. Forest Service", ""),
    ("Department of Homeland Security", "dhs.gov"), ("Federal Emergency Management Agency", ""),
    ("Social Security Administration", "ssa.gov"), ("Small Business Administration", "sba.gov"),
    ("Federal Deposit Insurance Corporation", "fdic.gov"), ("U.S. Army Corps of Engineers", ""),
    ("Defense Logistics Agency", ""), ("U.S. Geological Survey", "usgs.gov"),
    ("OSI Systems, Inc.", ""), ("OSI Group LLC", ""), ("OSI Digital Inc", ""),
    ("CID Group LLC", ""), ("Federal Protective Coatings", ""), ("Protective Services Inc", ""),
    ("Navy Federal Credit Union", ""), ("Pentagon Federal Credit Union", ""),
    ("Coast Guard Foundation", ""), ("Capitol Federal Savings", ""),
    ("Federal Investigations LLC", ""), ("Capitol Investigations LLC", ""),
    ("Park Security Services Inc", ""), ("Diplomatic Courier Services LLC", ""),
    ("SIGAR Technologies Inc", ""), ("Mint Condition Investigations LLC", ""),
)


@dataclass(frozen=True)
class Case:
    style: str
    query: Query
    agency: bool
    truth: tuple[str, ...] = ()  # empty: identity unknown (roster rows merged, PDAP)
    part: bool = False  # held out


@dataclass
class Tally:
    n: int = 0
    fail_open: int = 0
    review: int = 0
    accepted_agency: int = 0
    wrong_agency: int = 0
    false_agency: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _us_forms(name: str) -> list[str]:
    bare = re.sub(r"^(U\.S\.|United States|US)\s+", "", name)
    return sorted({f"U.S. {bare}", f"US {bare}", f"United States {bare}"} - {name})


def _typo(name: str) -> str:
    words = name.split()
    longest = max(range(len(words)), key=lambda j: len(words[j]))
    word = words[longest]
    cut = 2 + len(word) % max(1, len(word) - 3)
    words[longest] = word[:cut] + word[cut + 1:]
    return " ".join(words)


def variants(body: Body) -> list[Query]:
    """The names customers type for ``body`` (GENERATED), each once."""
    domains = (body.domain,) if body.domain else ()
    names = [body.name, _typo(body.name)]
    if body.us or body.name.startswith(("U.S. ", "United States ")):
        names += _us_forms(body.name)
    for parent in body.parents:
        names.append(f"{parent} {body.name}")
        names += [f"{parent} - {acronym}" for acronym in body.acronyms[:1]]
    queries = [Query(n) for n in names] + [Query(a) for a in body.acronyms]
    if domains:
        queries += [Query(body.name, email_domains=domains)]
        queries += [Query(a, email_domains=domains) for a in body.acronyms]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    out = []
    for q in queries:
        if (q.name, q.email_domains) not in seen:
            seen.add((q.name, q.email_domains))
            out.append(q)
    return out


def cases_bodies() -> list[Case]:
    return [Case(body.source, query, True, body.truth, held_out_key(body.name))
            for body in BODIES for query in variants(body)]


def cases_roster(by_ori: dict[str, str]) -> list[Case]:
    out = []
    with (DATA / "fbi-agencies-and-287g/fbi_lee_latest.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["pub_agency_name"].strip()
            if row["agency_type_name"] != "Federal" or name.endswith((",", ":")):
                continue
            truth = (by_ori[row["ori"]],) if row["ori"] in by_ori else ()
            out.append(Case("roster", Query(name), True, truth, held_out_key(name)))
    return out


def cases_pdap() -> list[Case]:
    out, seen = [], set()
    with (DATA / "pdap-agencies/agencies.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["submitted_name"].strip()
            if row["defunct_year"] or not re.match(
                    r"(United States|U\.S\.|Office of the United States) ", name) \
                    or "Aggregated" in name or name in seen:
                continue
            seen.add(name)
            domain = email_domain(row["homepage_url"])
            out.append(Case("pdap", Query(name, row["state_iso"].strip(),
                                          email_domains=(domain,) if domain else ()),
                            True, (), held_out_key(name)))
    return out


def cases_lookalikes() -> list[Case]:
    return [Case("lookalike", Query(name, email_domains=(domain,) if domain else ()), False,
                 (), held_out_key(name)) for name, domain in LOOKALIKES]


def _chain(org_id: str, part_of: dict[str, str]) -> set[str]:
    chain = {org_id}
    while (parent := part_of.get(org_id)) and parent not in chain:
        chain.add(parent)
        org_id = parent
    return chain


def main() -> None:
    reference = read_reference()
    orgs = list(reference.organizations)
    by_id = {o.id: o for o in orgs}
    by_ori = {ori: o.id for o in orgs for ori in o.identifiers.get("ori", ())}
    part_of = part_of_links(reference.relationships)
    screener = Screener(orgs, part_of=part_of)
    cases = cases_bodies() + cases_roster(by_ori) + cases_pdap() + cases_lookalikes()
    absent = sorted({t for body in BODIES for t in body.truth} - set(by_id))
    tallies: dict[tuple[str, bool], Tally] = defaultdict(Tally)
    started = time.process_time()
    for case in cases:
        outcome = screener.screen(case.query)
        best = outcome.best
        found = best.organization_name if best else "-"
        sector = by_id[best.organization_id].sector if best else "unknown"
        as_agency = outcome.status == ACCEPTED and sector in AGENCY_SECTORS
        line = (f"{case.query.name} {list(case.query.email_domains) or ''} [{case.query.state}] "
                f"{outcome.status} -> {found} ({sector})")
        for key in ((case.style, case.part), ("all bodies" if case.agency else "-", case.part)):
            t = tallies[key]
            t.n += 1
            t.review += outcome.status == REVIEW
            if not case.agency:
                t.false_agency += as_agency
                if as_agency or outcome.status == REVIEW:
                    t.examples["refused"].append(line)
                continue
            if outcome.status == REVIEW:
                t.examples["review"].append(line)
            if allowed_face_recognition(outcome.status, sector):
                t.fail_open += 1
                t.examples["fail-open"].append(line)
            if as_agency and best is not None:
                t.accepted_agency += 1
                if case.truth and not set(case.truth) & _chain(best.organization_id, part_of):
                    t.wrong_agency += 1
                    t.examples["wrong agency"].append(line)
    elapsed = time.process_time() - started
    print(f"reference: {len(orgs):,} organisations; {len(cases)} queries ({len(BODIES)} bodies "
          f"written out, {sum(c.style == 'roster' for c in cases)} roster rows, "
          f"{sum(c.style == 'pdap' for c in cases)} PDAP rows, "
          f"{sum(c.style == 'lookalike' for c in cases)} look-alikes) screened in "
          f"{elapsed:.1f} s CPU")
    print(f"truth ids the reference does not hold ({len(absent)}): {' '.join(absent) or '-'}")
    for part, title in ((False, "tuning part"), (True, "HELD-OUT part (never looked at)")):
        print(f"\n{title}\n")
        print("| style | n | fail-open | accepted as wrong agency | accepted as agency | review "
              "| look-alikes: false agency |")
        print("|---|---|---|---|---|---|---|")
        for style in ("bjs", "ig", "roster", "pdap", "all bodies", "lookalike"):
            row = tallies.get((style, part))
            if row is None:
                continue
            if style == "lookalike":
                print(f"| {style} | {row.n} | | | | {row.review / row.n:.1%} | {row.false_agency} |")
            else:
                print(f"| {style} | {row.n} | {row.fail_open} ({row.fail_open / row.n:.1%}) | "
                      f"{row.wrong_agency} | {row.accepted_agency / row.n:.1%} | "
                      f"{row.review / row.n:.1%} | |")
    if "-v" in sys.argv:
        for style in ("bjs", "ig", "roster", "pdap", "lookalike"):
            for kind, lines in tallies[(style, False)].examples.items():
                print(f"\n{style}: {kind} ({len(lines)})")
                for text in lines:
                    print("  ", text)


if __name__ == "__main__":
    main()
