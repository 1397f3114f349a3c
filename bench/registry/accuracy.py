"""Accuracy of the screener on real agency-name variants, against nomenklatura's logic-v2.

Reads ../shared/data in place (some sets are evaluation-only and never copied into the project).
Every query is matched against the FBI roster alone (no aliases from the sets themselves, so
nothing is learned from the answers). Both matchers see the same candidates (the screener's
blocking); logic-v2 scores them out of the box (default config, yente's 0.7 threshold).

Sets:
  287g→roster   ICE 287(g) agency names (lower case, "colbert county sheriff") + state; truth: ORI
  aliases       labelled same/distinct pairs (Deportation Data Project), scored pair by pair
  name-fixes    ICE's misprinted names → the corrected agency (all "same")
  atlas→roster  Atlas names + state; silver truth from the Atlas's city/county columns (police of a
                municipal jurisdiction = the roster's City agency named as that city; sheriff = the
                County agency), only where that truth is unique
  nc-flock→roster  N&O's North Carolina survey, Flock-style names ("Wilson NC PD"); silver truth
                from its city/county columns as above

Run: bench/registry/run accuracy   (or .venv/bin/python bench/registry/accuracy.py [DATA_DIR])
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from daylight.registry.geography import STATE_NAMES, state_code
from daylight.registry.organization import Organization
from daylight.registry.reference.builder import ReferenceBuilder
from daylight.registry.reference.sources_agencies import add_fbi_roster
from daylight.registry.screening import ACCEPTED, REVIEW, Query, Screener

DATA = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3] / "shared/data"
LOGIC_V2_THRESHOLD = 0.7


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    review: int = 0
    total: int = 0

    def line(self, name: str, matcher: str) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else float("nan")
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else float("nan")
        return (f"{name:<18} {matcher:<10} n={self.total:<5} precision={precision:.3f} "
                f"recall={recall:.3f} review_rate={self.review / max(self.total, 1):.3f} "
                f"(tp={self.tp} fp={self.fp} fn={self.fn} review={self.review})")


def _rows(relative: str) -> list[dict[str, str]]:
    with (DATA / relative).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def roster() -> list[Organization]:
    builder = ReferenceBuilder()
    add_fbi_roster(builder, DATA)
    return builder.sorted_organizations()


# Each case: (query, truth org id or None, the organisations it is matched against or None for
# the roster, is_pair). For pairs, truth None means "must not be accepted".
Case = tuple[Query, str | None, list[Organization] | None]


def cases_287g(orgs: list[Organization]) -> list[Case]:
    by_ori = {ori: o.id for o in orgs for ori in o.identifiers.get("ori", ())}
    seen, cases = set(), []
    for row in _rows("fbi-agencies-and-287g/agreements.csv"):
        key = (row["agency"], row["ori"])
        if key in seen or row["ori"] not in by_ori:
            continue
        seen.add(key)
        cases.append((Query(row["agency"], state_code(row["state"]) or ""), by_ori[row["ori"]], None))
    return cases


def _pair(alias: str, canonical: str, state: str, same: bool, n: int) -> Case:
    org = Organization(id=f"pair:{n}", name=canonical, sector="law_enforcement", state=state)
    return (Query(alias, state), org.id if same else None, [org])


def cases_pairs() -> tuple[list[Case], list[Case]]:
    aliases = [_pair(r["alias_agency"], r["canonical_agency"], state_code(r["state"]) or "",
                     r["relation"] == "same", n)
               for n, r in enumerate(_rows("eval-287g-agency-name-variants/agency-aliases.csv"))]
    fixes = [_pair(r["agency"], r["agency_fixed"], state_code(r["state"]) or "", True, n)
             for n, r in enumerate(_rows("eval-287g-agency-name-variants/agency-name-fixes.csv"))]
    return aliases, fixes


def _silver(orgs: list[Organization]) -> tuple[dict[tuple[str, str], list[str]],
                                               dict[tuple[str, str], list[str]]]:
    cities: dict[tuple[str, str], list[str]] = {}
    counties: dict[tuple[str, str], list[str]] = {}
    for org in orgs:
        if org.role == "police" and org.city:
            cities.setdefault((org.state, org.city.lower()), []).append(org.id)
        if org.role == "county_le":
            bare = org.aliases[0].lower() if org.aliases else ""
            counties.setdefault((org.state, bare.removesuffix(" county").removesuffix(" parish")),
                                []).append(org.id)
    return cities, counties


def cases_atlas(orgs: list[Organization]) -> list[Case]:
    cities, counties = _silver(orgs)
    seen, cases = set(), []
    for row in _rows("atlas-of-surveillance-2020/Atlas_of_Surveillance-20201007.csv"):
        key = (row["Agency"], row["State"])
        if key in seen:
            continue
        seen.add(key)
        lea, juris = row["Type of LEA"], row["Type of Juris"]
        truth = None
        if lea == "Police" and juris == "Municipal":
            truth = cities.get((row["State"], row["City"].lower()))
        elif lea == "Sheriff" and juris == "County" and "," not in row["County"]:
            bare = row["County"].lower().removesuffix(" county").removesuffix(" parish")
            truth = counties.get((row["State"], bare))
        if truth and len(truth) == 1:
            cases.append((Query(row["Agency"], row["State"]), truth[0], None))
    return cases


def cases_nc(orgs: list[Organization]) -> list[Case]:
    cities, counties = _silver(orgs)
    cases = []
    for row in _rows("flock-alpr-private-eyes/nc_agency_survey20240430.csv"):
        truth = None
        if row["type"] == "PD":
            truth = cities.get(("NC", row["city"].lower()))
        elif row["type"] == "SO" and "," not in row["county"]:
            truth = counties.get(("NC", row["county"].lower()))
        if truth and len(truth) == 1:
            cases.append((Query(row["name"], ""), truth[0], None))  # the state is in the name
    return cases


def _logic_v2() -> Callable[[Query, list[Organization]], tuple[str | None, float]]:
    from followthemoney import model
    from nomenklatura.matching import get_algorithm
    from nomenklatura.matching.types import ScoringConfig

    algorithm = get_algorithm("logic-v2")
    assert algorithm is not None
    config = ScoringConfig.defaults()
    cache: dict[str, object] = {}
    counter = [0]  # logic-v2 caches analyses by entity id: every query needs its own id

    def entity(org: Organization) -> object:
        if org.id not in cache:
            e = model.make_entity("PublicBody")
            e.id = org.id.replace(":", "-")
            e.add("name", org.name)
            e.add("alias", list(org.aliases))
            e.add("country", "us")
            e.add("address", ", ".join(p for p in (org.city, STATE_NAMES.get(org.state, "")) if p))
            cache[org.id] = e
        return cache[org.id]

    def best(query: Query, candidates: list[Organization]) -> tuple[str | None, float]:
        q = model.make_entity("LegalEntity")
        counter[0] += 1
        q.id = f"query-{counter[0]}"
        q.add("name", query.name)
        q.add("country", "us")
        q.add("address", STATE_NAMES.get(query.state, ""))
        scored = [(algorithm.compare(q, entity(c), config).score, c.id) for c in candidates]
        if not scored:
            return None, 0.0
        score, org_id = max(scored)
        return org_id, score

    return best


def evaluate(name: str, cases: list[Case], roster_screener: Screener,
             logic_v2: Callable[[Query, list[Organization]], tuple[str | None, float]]) -> None:
    ours, theirs = Tally(), Tally()
    started = time.perf_counter()
    for query, truth, orgs in cases:
        screener = roster_screener if orgs is None else Screener(orgs)
        outcome = screener.screen(query)
        for tally in (ours, theirs):
            tally.total += 1
        got = outcome.best.organization_id if outcome.best else None
        if outcome.status == ACCEPTED:
            if got == truth:
                ours.tp += 1
            else:
                ours.fp += 1
                if truth is not None:
                    ours.fn += 1
        else:
            ours.review += outcome.status == REVIEW
            ours.fn += truth is not None
        candidates = [c for c in (screener.organization(s.organization_id)
                                  for s in screener.rank(query)[:25]) if c is not None]
        if orgs is not None:
            candidates = orgs
        their_id, their_score = logic_v2(query, candidates)
        if their_score >= LOGIC_V2_THRESHOLD:
            if their_id == truth:
                theirs.tp += 1
            else:
                theirs.fp += 1
                theirs.fn += truth is not None
        else:
            theirs.fn += truth is not None
    print(ours.line(name, "daylight"))
    print(theirs.line(name, "logic-v2"))
    print(f"{'':<18} ({time.perf_counter() - started:.1f} s for both)")


def main() -> None:
    started = time.perf_counter()
    orgs = roster()
    screener = Screener(orgs)
    print(f"roster: {len(orgs)} organisations, indexed in {time.perf_counter() - started:.1f} s")
    logic_v2 = _logic_v2()
    aliases, fixes = cases_pairs()
    all_cases: list[Case] = []
    for name, cases in (("287g→roster", cases_287g(orgs)), ("aliases (pairs)", aliases),
                        ("name-fixes (pairs)", fixes), ("atlas→roster", cases_atlas(orgs)),
                        ("nc-flock→roster", cases_nc(orgs))):
        evaluate(name, cases, screener, logic_v2)
        all_cases.extend(cases)
    evaluate("ALL", all_cases, screener, logic_v2)


if __name__ == "__main__":
    main()
