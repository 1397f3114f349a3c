"""Screening as customers type their names: does any agency slip through the gate?

Every query is screened against the *shipped* reference (what a provider screens against), the
way `daylight screen` does, and then put to `employee-demands` the way the gate would: an account
rejected, or accepted as an organisation outside law enforcement and immigration enforcement, is
allowed face recognition; an account in review, or accepted as an agency, is refused. (The pack's
rules for those two facts are pinned by its corpus; here they are applied as that table, not by
calling Cedar a million times.)

Styles (all names from real public data in ../shared/data; generated variants are marked):
  287g        ICE's 287(g) list ("colbert county sheriff") + state; truth: the ORI's organisation
  atlas       EFF Atlas of Surveillance agency names + state ("Farmington Police Department")
  flock       Flock customers named the vendor's way ("Warrick County IN SO", "... PD")
  cbp-ports   the Atlas's CBP ports, typed as a CRM holds them ("CBP OFO - Boston Logan ...")
  federal     federal component names ("ICE ERO <city> Field Office", "FBI <city> Field Office",
              "DEA <city> Division", "U.S. Marshals Service District of ..."), GENERATED from the
              cities of the Atlas's federal rows and the roster's federal agencies
  offices     the same offices as agencies and contractors also write them ("FBI - Boston
              Division", "ICE HSI SAC Houston", "ERO Field Office Director - Newark", "USBP El Paso
              Sector", "USMS Eastern District of Texas"; "Boston Field Office" with no agency: no
              truth, review is right), GENERATED from the same cities and the states' names
  units       an Atlas agency plus a unit ("... - Narcotics Division"), GENERATED
  acronyms    initialisms of roster police and sheriffs of two-word places (NYPD style) + state,
              GENERATED; truth: the organisation; an ambiguous one should go to review
  typos       one letter dropped from an Atlas agency name, GENERATED
  neg-city    real city and county bodies of the .gov registry that are not police (public works,
              libraries, courts...) with their shared domain: negatives
  neg-words   real non-agency organisations with police-like words in their names: Flock's
              private customers and the reference's companies: negatives
  neg-plain   Flock's other private customers (shops, homeowners' associations): negatives

A fixed third of every style (by a hash of the name) is HELD OUT: never looked at while tuning,
reported separately. Per style: accepted precision (an accepted agency is an agency; and, where
the truth is an organisation, the right one), recall (agencies accepted as an agency), review
rate, fail-open (agencies allowed face recognition), negatives refused (face recognition).

Run: bench/registry/run screening [DATA_DIR]   (reads ../shared/data in place)
"""

from __future__ import annotations

import csv
import hashlib
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from daylight.registry.evidence import AGENCY_WORDS, word_evidence
from daylight.registry.geography import STATE_NAMES, state_code
from daylight.registry.names import LAW_ENFORCEMENT_ROLES, name_key
from daylight.registry.organization import AGENCY_SECTORS, part_of_links
from daylight.registry.reference.shipped import read_reference
from daylight.registry.screening import ACCEPTED, REVIEW, Query, Screener

_ARGS = [a for a in sys.argv[1:] if a != "-v"]
DATA = Path(_ARGS[0]) if _ARGS else Path(__file__).resolve().parents[3] / "shared/data"
HELD_OUT_SHARE = 3  # one in three


@dataclass(frozen=True)
class Case:
    style: str
    query: Query
    agency: bool
    truth: str | None = None  # the organisation id, where known
    also: tuple[str, ...] = ()  # other right answers (a CBP port's own organisation)
    component: str | None = None  # the component the name is, where the reference holds it


@dataclass
class Tally:
    n: int = 0
    agencies: int = 0
    accepted_agency: int = 0
    accepted_agency_right: int = 0
    accepted_wrong_identity: int = 0
    components: int = 0  # queries naming a component the reference holds
    accepted_component: int = 0  # ... accepted as that very component
    accepted_as_agency_not_agency: int = 0
    review: int = 0
    fail_open: int = 0
    negatives: int = 0
    negatives_refused: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def line(self, name: str) -> str:
        accepted = self.accepted_agency + self.accepted_as_agency_not_agency
        precision = (self.accepted_agency_right / accepted) if accepted else float("nan")
        if not self.agencies:
            precision = float("nan") if not accepted else 0.0
        recall = self.accepted_agency_right / self.agencies if self.agencies else float("nan")
        review = self.review / self.agencies if self.agencies else float("nan")
        refused = self.negatives_refused / self.negatives if self.negatives else float("nan")
        return (f"| {name} | {self.n} | {precision:.3f} | {recall:.3f} | {review:.1%} | "
                f"{self.fail_open} | {refused:.1%} |")


def _rows(relative: str) -> list[dict[str, str]]:
    with (DATA / relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def held_out_key(key: str) -> bool:
    """Whether the case keyed ``key`` is in the held-out third (a hash: stable across runs)."""
    return hashlib.sha256(key.encode()).digest()[0] % HELD_OUT_SHARE == 0


def held_out(case: Case) -> bool:
    return held_out_key(f"{case.style}\t{case.query.name}")


def cases_287g(by_ori: dict[str, str]) -> list[Case]:
    seen, out = set(), []
    for row in _rows("fbi-agencies-and-287g/agreements.csv"):
        if (row["agency"], row["ori"]) in seen or row["ori"] not in by_ori:
            continue
        seen.add((row["agency"], row["ori"]))
        out.append(Case("287g", Query(row["agency"], state_code(row["state"]) or ""), True,
                        by_ori[row["ori"]]))
    return out


def _atlas_agencies() -> list[tuple[str, str, str]]:
    seen, out = set(), []
    for row in _rows("atlas-of-surveillance-2020/Atlas_of_Surveillance-20201007.csv"):
        key = (row["Agency"].strip(), row["State"].strip())
        if key in seen or not key[0]:
            continue
        seen.add(key)
        out.append((key[0], key[1] if len(key[1]) == 2 else "", row["Type of LEA"]))
    return out


# The Atlas's "Type of LEA" values that are not law enforcement (it also lists DMVs, parks...)
_ATLAS_NOT_AGENCIES = frozenset({"DMV", "State Agency", "State agency", "Juvenile", "Parks",
                                 "Environmental Services Enforcement", "Animal Control",
                                 "Mental Health", "Tax Board", "School District", "Municipal",
                                 "Medical Examiner", "Parking"})


def cases_atlas(atlas: list[tuple[str, str, str]]) -> list[Case]:
    """The Atlas's law-enforcement agencies (its DMVs, parks and medical examiners are left
    out of both sets: whether they are agencies is the reference's call, not the truth's)."""
    return [Case("atlas", Query(name, state), True)
            for name, state, kind in atlas
            if "Customs and Border" not in name and kind not in _ATLAS_NOT_AGENCIES]


_UNITS = ("Narcotics Division", "Patrol Bureau", "Crime Lab", "Real-Time Crime Center",
          "Criminal Investigations Division", "Records Unit", "Precinct 5", "Training Academy",
          "SWAT Team", "Special Investigations Unit")


def cases_units(atlas: list[tuple[str, str, str]]) -> list[Case]:
    out = []
    for i, (name, state, kind) in enumerate(atlas):
        if i % 4 or "Customs" in name or kind in _ATLAS_NOT_AGENCIES:
            continue
        separator = (" - ", ", ", " ")[i % 3]
        out.append(Case("units", Query(f"{name}{separator}{_UNITS[i % len(_UNITS)]}", state), True))
    return out


def cases_typos(atlas: list[tuple[str, str, str]]) -> list[Case]:
    out = []
    for i, (name, state, kind) in enumerate(atlas):
        if i % 5 or "Customs" in name or kind in _ATLAS_NOT_AGENCIES:
            continue
        words = name.split()
        longest = max(range(len(words)), key=lambda j: len(words[j]))
        word = words[longest]
        if len(word) < 6:
            continue
        cut = 2 + (i % (len(word) - 3))
        words[longest] = word[:cut] + word[cut + 1:]
        out.append(Case("typos", Query(" ".join(words), state), True))
    return out


def cases_flock() -> tuple[list[Case], list[Case], list[Case]]:
    agencies, with_words, plain = [], [], []
    for row in _rows("flock-alpr-private-eyes/agency20240426.csv"):
        name = row["name"].strip()
        lowered = re.sub(r"[^a-z ]", " ", name.lower()).split()
        if re.search(r"\b(PD|SO|Police|Sheriff'?s?)\b", name):
            agencies.append(Case("flock", Query(name), True))
        elif re.search(r"\b(HOA|Homeowners|Inc|LLC|Mall|Apartments|Church|Hospital|Shopping|Plaza|"
                       r"Association|Store|Center|Company|Corp)\b", name, re.IGNORECASE) \
                and name_key(name).role not in LAW_ENFORCEMENT_ROLES \
                and not re.search(r"\b(DPS|Fusion|Public Safety)\b", name):
            if set(lowered) & AGENCY_WORDS:
                with_words.append(Case("neg-words", Query(name), False))
            else:
                plain.append(Case("neg-plain", Query(name), False))
    return agencies, with_words, plain


def cases_cbp_ports(atlas: list[tuple[str, str, str]], cbp: str,
                    by_name: dict[str, str]) -> list[Case]:
    out = []
    forms = ("CBP OFO - {}", "US Customs & Border Prot. {}", "U.S. Customs and Border Protection, {}",
             "CBP {} Port of Entry")
    for name, state, _ in atlas:
        if not name.startswith("U.S. Customs and Border Protection - "):
            continue
        port = name.split(" - ", 1)[1]
        for form in forms:
            out.append(Case("cbp-ports", Query(form.format(port), state), True, cbp,
                            tuple(i for i in (by_name.get(name.lower()),) if i)))
    return out


_FIELD_OFFICES = ("Atlanta", "Baltimore", "Boston", "Buffalo", "Chicago", "Dallas", "Denver",
                  "Detroit", "El Paso", "Houston", "Los Angeles", "Miami", "Newark", "New Orleans",
                  "New York", "Philadelphia", "Phoenix", "Salt Lake City", "San Antonio",
                  "San Diego", "San Francisco", "Seattle", "St. Paul", "Washington")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def cases_federal(ids: dict[str, str], known: set[str]) -> list[Case]:
    """Federal components as CRMs hold them, with the agency's email domain half the time.
    Right: the agency or any part of it (never another agency); ``component``: the office of
    that city (``us-component:fbi-newark``), where the reference holds one (``known``)."""
    forms = (
        ("ICE ERO {} Field Office", "us-agency:7012", "ice.dhs.gov", "ice-ero-{}"),
        ("Homeland Security Investigations {}", "us-agency:7012", "ice.dhs.gov", "ice-hsi-{}"),
        ("ICE HSI Special Agent in Charge {}", "us-agency:7012", "", "ice-hsi-{}"),
        ("ICE Office of the Principal Legal Advisor {}", "us-agency:7012", "ice.dhs.gov", ""),
        ("US Border Patrol - {} Sector", "us-agency:7014", "cbp.dhs.gov", "cbp-usbp-{}"),
        ("CBP Office of Field Operations - {}", "us-agency:7014", "", "cbp-ofo-{}"),
        ("FBI {} Field Office", ids.get("fbi", ""), "fbi.gov", "fbi-{}"),
        ("FBI - {} Division", ids.get("fbi", ""), "", "fbi-{}"),
        ("DEA {} Field Division", ids.get("dea", ""), "dea.gov", "dea-{}"),
        ("ATF {} Field Division", ids.get("atf", ""), "atf.gov", "atf-{}"),
        ("US Marshals Service - {}", ids.get("usms", ""), "usdoj.gov", ""),
    )
    out = []
    for i, city in enumerate(_FIELD_OFFICES):
        for j, (form, truth, domain, office) in enumerate(forms):
            domains = (domain,) if domain and (i + j) % 2 else ()
            component = next((c for c in (f"us-component:{office.format(_slug(city))}",
                                          f"us-component:{office.format(_slug(city + ' city'))}")
                              if office and c in known), None)
            out.append(Case("federal", Query(form.format(city), "", "", domains), True,
                            truth or None, component=component))
    return out


def cases_offices(ids: dict[str, str], known: set[str]) -> list[Case]:
    """Federal offices in the other ways agencies and contractors write them (issue 10: "FBI -
    Boston Division", "ICE HSI SAC Houston", "FOD Newark", "El Paso Sector", "USMS Eastern District
    of Texas"), GENERATED from the same cities and from states; half with the agency's domain.
    Separators, order and prefixes vary beyond the forms the screener generates. A field office
    typed with no agency and no domain ("Boston Field Office") has no truth: right is review."""
    forms = (
        ("FBI {}", "fbi", "fbi.gov", "fbi-{}"),
        ("FBI - {} Division", "fbi", "fbi.gov", "fbi-{}"),
        ("{} Division, FBI", "fbi", "", "fbi-{}"),
        ("ICE HSI SAC {}", "ice", "ice.dhs.gov", "ice-hsi-{}"),
        ("HSI - Special Agent in Charge, {}", "ice", "", "ice-hsi-{}"),
        ("ICE ERO FOD {}", "ice", "ice.dhs.gov", "ice-ero-{}"),
        ("ERO Field Office Director - {}", "ice", "", "ice-ero-{}"),
        ("USBP {} Sector", "cbp", "cbp.dhs.gov", "cbp-usbp-{}"),
        ("{} Sector Border Patrol", "cbp", "", "cbp-usbp-{}"),
        ("CBP OFO {} Field Office", "cbp", "", "cbp-ofo-{}"),
        ("DEA - {} Field Division", "dea", "dea.gov", "dea-{}"),
        ("ATF {} Division", "atf", "atf.gov", "atf-{}"),
        ("{} Field Office", "", "", ""),
    )
    agencies = {**ids, "ice": "us-agency:7012", "cbp": "us-agency:7014"}
    out = []
    for i, city in enumerate(_FIELD_OFFICES):
        for j, (form, agency, domain, office) in enumerate(forms):
            domains = (domain,) if domain and (i + j) % 2 else ()
            component = next((c for c in (f"us-component:{office.format(_slug(city))}",
                                          f"us-component:{office.format(_slug(city + ' city'))}")
                              if office and c in known), None)
            out.append(Case("offices", Query(form.format(city), "", "", domains), True,
                            agencies.get(agency) or None, component=component))
    directions = ("", "Eastern ", "Southern ", "Northern ", "Western ", "Middle ")
    usms_forms = ("USMS {}District of {}", "US Marshals Service - {}District of {}",
                  "U.S. Marshals, {}District of {}")
    for i, (_code, state) in enumerate(sorted(STATE_NAMES.items())):
        direction = directions[i % len(directions)]
        form = usms_forms[i % len(usms_forms)]
        component = f"us-component:usms-{_slug(direction + state)}"
        out.append(Case("offices", Query(form.format(direction, state), "", "",
                                         ("usdoj.gov",) if i % 2 else ()), True,
                        ids.get("usms") or None,
                        component=component if component in known else None))
    return out


def cases_acronyms(orgs: list) -> list[Case]:  # type: ignore[type-arg]
    out = []
    for org in orgs:
        if not org.id.startswith("ori:") or org.role not in ("police", "sheriff") or not org.state:
            continue
        words = [w for w in re.split(r"[^A-Za-z]+", org.name) if w]
        if len(words) < 3 or any(w.lower() in {"of", "the"} for w in words):
            continue
        initials = "".join(w[0] for w in words).upper()
        if 4 <= len(initials) <= 6 and int(hashlib.sha256(org.id.encode()).hexdigest(), 16) % 8 == 0:
            out.append(Case("acronyms", Query(initials, org.state), True, org.id))
    return out


def cases_city_domains(known_domains: set[str]) -> list[Case]:
    out = []
    departments = ("Public Works", "Public Library", "Parks and Recreation", "Water Department",
                   "Planning Department", "Finance Department", "Human Resources",
                   "Municipal Court", "Information Technology", "Building Inspections")
    rows = _rows("dotgov-domains/current-full-no-contacts.csv")
    for i, row in enumerate(rows):
        if row["Domain type"] not in ("City", "County") or i % 9:
            continue
        organisation = row["Organization name"].strip()
        domain = row["Domain name"].strip().lower()
        if set(re.sub(r"[^a-z ]", " ", organisation.lower()).split()) & AGENCY_WORDS \
                or domain not in known_domains or word_evidence(organisation) is not None \
                or re.search(r"police|sheriff|pd\b|pd[a-z]{2}\.gov$", domain) \
                or name_key(organisation).role in LAW_ENFORCEMENT_ROLES:
            continue  # an agency's own domain or body (a district attorney) is no negative
        place = re.sub(r"^(City|Town|Village|County|Borough) of ", "", organisation)
        name = f"{place} {departments[i % len(departments)]}"
        out.append(Case("neg-city", Query(name, row["State"].strip(), "", (domain,)), False))
    return out


def cases_company_words(orgs: list) -> list[Case]:  # type: ignore[type-arg]
    out = []
    for org in orgs:
        if org.schema != "Company":
            continue
        words = set(re.sub(r"[^a-z ]", " ", org.name.lower()).split())
        if words & AGENCY_WORDS:  # typed with the address the CRM holds
            out.append(Case("neg-words", Query(org.name.title(), org.state), False, org.id))
    return out


def allowed_face_recognition(status: str, sector: str) -> bool:
    """employee-demands on the screening facts: review refuses; an agency refuses."""
    if status == REVIEW:
        return False
    return not (status == ACCEPTED and sector in AGENCY_SECTORS)


def _chain(org_id: str, part_of: dict[str, str]) -> list[str]:
    """What ``org_id`` is part of, nearest first: a part of the truth's agency is right."""
    chain: list[str] = []
    while (parent := part_of.get(chain[-1] if chain else org_id)) and parent not in chain:
        chain.append(parent)
    return chain


def main() -> None:
    started = time.perf_counter()
    reference = read_reference()
    orgs = list(reference.organizations)
    by_id = {o.id: o for o in orgs}
    by_ori = {ori: o.id for o in orgs for ori in o.identifiers.get("ori", ())}
    domains = {d for o in orgs for d in o.identifiers.get("domain", ())}
    ids = {}
    for key, domain in (("fbi", "fbi.gov"), ("dea", "dea.gov"), ("atf", "atf.gov"),
                        ("usms", "usmarshals.gov")):
        owner = next((o.id for o in orgs if domain in o.identifiers.get("domain", ())), "")
        ids[key] = owner
    part_of = part_of_links(reference.relationships)
    screener = Screener(orgs, part_of=part_of)
    built = time.perf_counter() - started
    atlas = _atlas_agencies()
    flock, neg_words, neg_plain = cases_flock()
    cases = (cases_287g(by_ori) + cases_atlas(atlas) + flock + cases_cbp_ports(
        atlas, "us-agency:7014", {o.name.lower(): o.id for o in orgs})
             + cases_federal(ids, set(by_id)) + cases_offices(ids, set(by_id))
             + cases_units(atlas) + cases_acronyms(orgs) + cases_typos(atlas)
             + cases_city_domains(domains) + neg_words + cases_company_words(orgs) + neg_plain)
    tallies: dict[tuple[str, bool], Tally] = defaultdict(Tally)
    screened_at = time.perf_counter()
    for case in cases:
        outcome = screener.screen(case.query)
        best = outcome.best
        found = best.organization_name if best else None
        sector = by_id[best.organization_id].sector if best else "unknown"
        part = held_out(case)
        for key in ((case.style, part), ("all", part)):
            t = tallies[key]
            t.n += 1
            allowed = allowed_face_recognition(outcome.status, sector)
            if case.agency:
                t.agencies += 1
                t.review += outcome.status == REVIEW
                if outcome.status == ACCEPTED and sector in AGENCY_SECTORS:
                    t.accepted_agency += 1
                    right = case.truth is None or (best is not None and bool(
                        {case.truth, *case.also} & {best.organization_id,
                                                    *_chain(best.organization_id, part_of)}))
                    t.accepted_agency_right += right
                    if case.truth is None and case.style == "offices":
                        t.examples["guessed"].append(f"{case.query.name} -> {found}")
                    if not right:
                        t.accepted_wrong_identity += 1
                        t.examples["wrong"].append(f"{case.query.name} -> {found}")
                if case.component is not None:
                    t.components += 1
                    as_component = outcome.status == ACCEPTED and best is not None \
                        and best.organization_id == case.component
                    t.accepted_component += as_component
                    if not as_component:
                        t.examples["not-component"].append(
                            f"{case.query.name} {case.query.email_domains} {outcome.status} -> "
                            f"{found}")
                if allowed:
                    t.fail_open += 1
                    t.examples["fail-open"].append(
                        f"{case.query.name} [{case.query.state}] {outcome.status} -> "
                        f"{found} ({sector})")
            else:
                t.negatives += 1
                if outcome.status == ACCEPTED and sector in AGENCY_SECTORS:
                    t.accepted_as_agency_not_agency += 1
                    t.examples["published"].append(f"{case.query.name} -> {found}")
                if not allowed:
                    t.negatives_refused += 1
                    t.examples["refused"].append(f"{case.query.name} {case.query.email_domains} "
                                                 f"{outcome.status} -> {found}")
    elapsed = time.perf_counter() - screened_at
    print(f"reference: {len(orgs)} organisations, screener built in {built:.1f} s; "
          f"{len(cases)} queries screened in {elapsed:.1f} s ({len(cases) / elapsed:.0f}/s)")
    for part, title in ((False, "tuning part"), (True, "HELD-OUT part (never tuned on)")):
        print(f"\n{title}\n")
        print("| style | n | accepted precision | recall | review (of agencies) | fail-open | "
              "negatives refused |")
        print("|---|---|---|---|---|---|---|")
        for style in ("287g", "atlas", "flock", "cbp-ports", "federal", "offices", "units", "acronyms",
                      "typos", "neg-city", "neg-words", "neg-plain", "all"):
            if (style, part) in tallies:
                print(tallies[(style, part)].line(style))
    for style in ("federal", "offices"):
        for part in (False, True):
            t = tallies[(style, part)]
            print(f"{style} ({'held-out' if part else 'tuning'}): {t.accepted_component} of "
                  f"{t.components} names of a component the reference holds accepted as it; "
                  f"{len(t.examples['guessed'])} office names with no agency accepted")
    if "-v" in sys.argv:
        for kind in ("fail-open", "published", "wrong", "refused", "not-component", "guessed"):
            examples = tallies[("all", False)].examples[kind]
            print(f"\n{kind} (tuning part, first 40 of {len(examples)}):")
            for line in examples[:40]:
                print("  ", line)


if __name__ == "__main__":
    main()
