"""Screening a list the registry was never built or tuned on: the Police Data Accessibility
Project's agencies, as their own site names them, with their state and their homepage's host as
the email domain a customer would sign up with. Does any agency slip through the gate?

PDAP (../shared/data/pdap-agencies, evaluation only: read here, never shipped) lists 23,397
police agencies, sheriffs, school and university police, state agencies' investigators and
transit police, under long names ("California Department of Insurance - Investigations
Division", "University of California - Los Angeles Police") and homepage URLs, many of them a
city's shared site ("cityofflorence.com") or a social network (not used as a domain). None of
the reference's sources is PDAP, so this is an outside check of both the screener and the
reference's sectors: the screening benchmark (`screening.py`) takes the reference's sector as
the truth, and cannot see an agency the reference itself has in the wrong sector.

Every non-defunct record is a query; it is put to `employee-demands` as `screening.py` does
(review and accepted-as-agency refuse face recognition; rejected, or accepted as anything else,
allow it: *fail-open*). PDAP has no identity to check against, so there is no precision here:
what is measured is where each agency lands, per PDAP jurisdiction type. Half of the records (by
a hash of their PDAP id) are HELD OUT: reported, never looked at one by one.

    .venv/bin/python bench/registry/pdap.py [-v]   (-v: the tuning half's fail-open names)
"""

from __future__ import annotations

import csv
import hashlib
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from bench.registry.screening import allowed_face_recognition

from daylight.registry.organization import AGENCY_SECTORS, part_of_links
from daylight.registry.reference.shipped import read_reference
from daylight.registry.screening import ACCEPTED, REJECTED, REVIEW, Query, Screener

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "pdap-agencies" / "agencies.csv"
# a homepage on one of these is no organisation's email domain
SOCIAL_HOSTS = ("facebook.com", "twitter.com", "x.com", "instagram.com", "linkedin.com",
                "nextdoor.com", "youtube.com", "google.com", "sites.google.com", "wixsite.com")


def email_domain(url: str) -> str:
    """The host of a homepage URL without ``www.``, or "" for none or a social network's."""
    host = url.lower().split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0].strip()
    host = host[4:] if host.startswith("www.") else host
    if not host or "." not in host or any(host == s or host.endswith("." + s) for s in SOCIAL_HOSTS):
        return ""
    return host


def held_out(record_id: str) -> bool:
    return hashlib.sha256(record_id.encode()).hexdigest() < "8"


def main() -> None:
    verbose = "-v" in sys.argv
    rows = [r for r in csv.DictReader(DATA.open(encoding="utf-8"))
            if not r["defunct_year"] and r["submitted_name"].strip()]
    reference = read_reference()
    by_id = {o.id: o for o in reference.organizations}
    started = time.perf_counter()
    screener = Screener(list(reference.organizations), part_of=part_of_links(reference.relationships))
    tallies: dict[tuple[bool, str], Counter[str]] = defaultdict(Counter)
    examples: list[str] = []
    for row in rows:
        domain = email_domain(row["homepage_url"])
        query = Query(row["submitted_name"].strip(), row["state_iso"].strip(),
                      email_domains=(domain,) if domain else ())
        outcome = screener.screen(query)
        best = outcome.best
        sector = by_id[best.organization_id].sector if best else "unknown"
        if outcome.status == ACCEPTED:
            landed = "accepted as agency" if sector in AGENCY_SECTORS else f"accepted as {sector}"
        elif outcome.status == REVIEW:
            landed = "review"
        else:
            assert outcome.status == REJECTED, outcome.status
            landed = "rejected"
        part = held_out(row["airtable_uid"])
        for kind in (row["jurisdiction_type"], "all"):
            tally = tallies[(part, kind)]
            tally["n"] += 1
            tally[landed] += 1
            tally["fail-open"] += allowed_face_recognition(outcome.status, sector)
        if verbose and not part and allowed_face_recognition(outcome.status, sector):
            examples.append(f"{query.name} | {query.state} | {domain or '-'} -> {outcome.status} "
                            f"{best.organization_name if best else '-'} ({sector})")
    elapsed = time.perf_counter() - started
    print(f"PDAP: {len(rows):,} agencies (not defunct) screened against reference "
          f"{len(by_id):,} organisations in {elapsed:.1f} s")
    kinds = [*sorted({k for _, k in tallies} - {"all"}, key=lambda k: -tallies[False, k]["n"]), "all"]
    for part in (False, True):
        print(f"\n{'HELD-OUT half (never looked at one by one)' if part else 'tuning half'}\n")
        print("| jurisdiction | n | accepted as agency | review | accepted as other | rejected "
              "| fail-open |")
        print("|---|---|---|---|---|---|---|")
        for kind in kinds:
            t = tallies[(part, kind)]
            if not t["n"]:
                continue
            other = sum(v for k, v in t.items() if k.startswith("accepted as ")
                        and k != "accepted as agency")
            print(f"| {kind} | {t['n']} | {t['accepted as agency'] / t['n']:.1%} | "
                  f"{t['review'] / t['n']:.1%} | {other} | {t['rejected']} | {t['fail-open']} "
                  f"({t['fail-open'] / t['n']:.2%}) |")
    if verbose:
        print(f"\nfail-open, tuning half ({len(examples)}):")
        for line in examples:
            print("  ", line)


if __name__ == "__main__":
    main()
