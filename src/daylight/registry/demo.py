"""SYNTHETIC customer accounts for the demo world and the benchmarks.

Every account id starts with ``SYNTHETIC-`` and every commercial name is invented from a fixed
word list, so that no real organisation appears to be a customer of anything. A share of the
accounts are *typed* like real agencies and contractors would type them ("Warrick Co. Sheriff's
Office", "Alachua PD", "PALANTIR TECHNOLOGIES INC") so that screening has real work to do; they
are still SYNTHETIC accounts, not customers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from daylight.core.database import Database
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account
from daylight.registry.organization import Organization
from daylight.registry.reference.shipped import Reference, read_reference
from daylight.registry.service import (
    ReferenceLoad,
    ScreeningSummary,
    import_accounts,
    load_reference,
    screen_accounts,
)

SYNTHETIC_PREFIX = "SYNTHETIC-"
_WORDS_A = ("Blue", "Granite", "Lumen", "Northwind", "Quartz", "Harbor", "Cedar", "Vector",
            "Juniper", "Meridian", "Copper", "Orchid", "Summit", "Atlas", "Beacon", "Falcon",
            "Maple", "Nimbus", "Pioneer", "Saffron", "Tidal", "Umber", "Willow", "Zephyr")
_WORDS_B = ("Analytics", "Logistics", "Robotics", "Health", "Media", "Foods", "Studios",
            "Energy", "Retail", "Labs", "Software", "Outfitters", "Bakery", "Dental", "Freight",
            "Games", "Insurance", "Realty", "Textiles", "Travel")
_FORMS = ("LLC", "Inc.", "Co.", "Corp", "Ltd", "")
_FREEMAIL = ("gmail.com", "outlook.com", "yahoo.com", "")


def _agency_name(org: Organization, rng: random.Random) -> str:
    name = org.name
    style = rng.random()
    if org.role == "police" and style < 0.35:
        return name.replace("Police Department", "PD")
    if org.role == "police" and style < 0.55:
        return name.replace("Department", "Dept.")
    if org.role == "county_le" and name.endswith(" law enforcement agency"):
        # the roster's "Warrick County law enforcement agency", typed as a sheriff would; a
        # county agency that a later source named ("Ector County Sheriff's Office") keeps it
        bare = name.removesuffix(" law enforcement agency")
        return bare + (" Sheriff's Office" if style < 0.6 else " Sheriff")
    return name


def build_demo_accounts(reference: Reference, count: int, *, seed: int = 7, on: date | None = None,
                        agency_share: float = 0.05, contractor_share: float = 0.02) -> list[Account]:
    """``count`` SYNTHETIC accounts: some typed like real agencies and ICE/CBP contractors, most
    invented commercial customers. The same seed gives the same accounts for the same reference
    and day ``on``: the contractors are companies with an award in force over the 92 days up to
    that day (else any with an award), so that the demo's contractors support an agency in the
    months it reports whatever the day it runs."""
    rng = random.Random(seed)
    agencies = [o for o in reference.organizations
                if o.role in {"police", "county_le", "sheriff"} and o.state]
    contractors = _contractors(reference, on)
    accounts = []
    for n in range(count):
        draw = rng.random()
        domains: tuple[str, ...] = ()
        if draw < agency_share and agencies:
            org = rng.choice(agencies)
            name, state, city = _agency_name(org, rng), org.state, org.city
            if org.identifiers.get("domain") and rng.random() < 0.5:
                domains = (org.identifiers["domain"][0],)
        elif draw < agency_share + contractor_share and contractors:
            org = rng.choice(contractors)
            name, state, city = org.name, "", ""
        else:
            name = " ".join(p for p in (rng.choice(_WORDS_A), rng.choice(_WORDS_B),
                                        rng.choice(_FORMS)) if p)
            state, city = rng.choice(("CA", "TX", "NY", "WA", "IL", "")), ""
            mail = rng.choice(_FREEMAIL)
            domains = (mail,) if mail else ()
        day = 1 + n % 28
        accounts.append(Account(f"{SYNTHETIC_PREFIX}{n:07d}", name, domains, city, state, "US",
                                f"2025-{1 + n % 12:02d}-{day:02d}"))
    return accounts


def _contractors(reference: Reference, on: date | None) -> list[Organization]:
    supports = [r for r in reference.relationships if r.kind == "supports"]
    if on is not None:
        # stricter than the registry's rule (``support.support_during``: in force at some point
        # of a period, or ended within its look-back window): an award spanning the demo's two
        # periods whole, so that both reports publish the company as supporting
        since, until = (on - timedelta(days=92)).isoformat(), on.isoformat()
        in_force = [r for r in supports if (r.start_date or since) <= since
                    and until <= (r.end_date or until)]
        supports = in_force or supports
    supporters = {r.source_id for r in supports}
    return [o for o in reference.organizations if o.schema == "Company" and o.id in supporters]


@dataclass(frozen=True)
class DemoRegistry:
    """What ``populate_demo_registry`` did."""

    reference: ReferenceLoad
    imported: int
    screening: ScreeningSummary


def populate_demo_registry(database: Database, log: TransparencyLog, now: datetime, *,
                           count: int = 2000, seed: int = 7) -> DemoRegistry:
    """For `daylight demo`: load the shipped reference data, import ``count`` SYNTHETIC accounts
    and screen them. Returns what was done (counts per outcome)."""
    reference = read_reference()
    loaded = load_reference(database, log, reference, now)
    accounts = build_demo_accounts(reference, count, seed=seed, on=now.date())
    imported = import_accounts(database, accounts, now).imported
    screened = screen_accounts(database, log, now)
    return DemoRegistry(loaded, imported, screened)

