"""SYNTHETIC reports for the site's tests and benchmark: every name and number here is made up.

``synthetic_report(organizations=N, operations_per_organization=M)`` builds a ``Report`` value the
way the report flow will (same model, same kinds of rows), seeded so that two calls give the same
value. Names are ``SYNTHETIC ...`` so nothing can be mistaken for a real agency or company; one
organisation carries hostile text (markup and a spreadsheet formula) to prove escaping.
``write_data_files`` writes ``data/organizations.csv|json`` and ``data/usage.csv|json`` the way the
data writer does (same columns as the model; tuples ``;``-joined; booleans ``true``/``false``), so
the browser tests can compare a CSV download with the table.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import random
from datetime import date, timedelta
from pathlib import Path

from daylight.report.model import (
    Changes,
    CorrectionRow,
    DecisionRow,
    EvidenceStep,
    OrganizationRow,
    PolicyVersionRow,
    Refusals,
    Report,
    Source,
    SupportRow,
    UsagePoint,
    UsageRow,
    VoiceRow,
)

PERIOD = "2026-Q3"
# Kinds of support (daylight.registry.support.SUPPORT_KINDS), spread over the SYNTHETIC companies.
SUPPORT_KINDS = ("detention_and_custody", "surveillance_and_biometrics", "data_analytics_and_it",
                 "removal_transport", "professional_services", "facilities_and_commodities")
START = "2026-07-01"
END = "2026-10-01"
STATES = ["CA", "TX", "NY", "FL", "WA", "IL", "AZ", "NC", "GA", "OR", "CO", "MN", "VA", "NJ", "PR"]
OPERATIONS = {
    "face.detect": ("face", ("biometric_analysis",)),
    "face.search": ("face", ("biometric_identification",)),
    "video.stream_analysis": ("video", ("real_time_tracking",)),
    "compute.instance": ("compute", ("infrastructure",)),
    "storage.object": ("storage", ("infrastructure",)),
}
HOSTILE_NAME = '=HYPERLINK("http://x") <script>alert(1)</script> SYNTHETIC & Co'
CHECKPOINT = (
    "daylight.example/SYNTHETIC-log\n{size}\nq2Vb0Jp3c5Kq1mJmS0hB3bq5dO4u0rW0R1uJ9wQn0cM=\n\n"
    "— daylight.example/SYNTHETIC-log Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv"
    "2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example/SYNTHETIC-witness Hq0Khb8AAAAAZ5xK3Q3mWl5bJ3xZ5i8eK0r1Vq+0yZ8h1yF0W0B8xY2wZ1Q"
    "oH0n9kqzFf3S7rT8vUyA1bCdEfGhIjKlMnOpQw==\n"
)


def _id(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:20]


def synthetic_report(
    organizations: int = 40,
    operations_per_organization: int = 3,
    *,
    seed: int = 13,
    days: int = 92,
    with_changes: bool = True,
) -> Report:
    """A SYNTHETIC report of ``organizations`` rows and about ``operations_per_organization`` usage
    rows each (more than the five real operations gives ``op-NNN`` operations, for the bench)."""
    rng = random.Random(seed)
    log_index = 100
    orgs: list[OrganizationRow] = []
    usage: list[UsageRow] = []
    decisions: list[DecisionRow] = []
    supports: list[SupportRow] = []
    agencies: list[tuple[str, str, str]] = []
    points: list[UsagePoint] = []
    first = date.fromisoformat(START)
    for n in range(organizations):
        org_id = f"org-{n:05d}"
        kind = n % 4
        state = STATES[n % len(STATES)]
        if kind in (0, 1):
            sector = "law_enforcement"
            name = f"SYNTHETIC {state} Police Department {n:05d}"
            supported: tuple[str, ...] = ()
        elif kind == 2:
            sector = "immigration_enforcement"
            name = f"SYNTHETIC Immigration Field Office {n:05d}"
            supported = ()
        else:
            sector = "commercial"
            name = f"SYNTHETIC Contractor {n:05d} LLC"
            supported = ("immigration_enforcement",) if n % 8 == 3 else ("law_enforcement",)
        if n == 5:
            name = HOSTILE_NAME
        if sector != "commercial":
            agencies.append((org_id, name, sector))
        names = list(OPERATIONS)
        chosen = [names[(n + k) % len(names)] for k in range(min(operations_per_organization, len(names)))]
        chosen += [f"op-{k:03d}" for k in range(operations_per_organization - len(chosen))]
        total = 0
        suppressed_any = False
        services: set[str] = set()
        capabilities: set[str] = set()
        for operation in chosen:
            service, caps = OPERATIONS.get(operation, ("compute", ("infrastructure",)))
            calls = rng.choice([0, 3, 12, 140, 2_300, 51_000])
            suppressed = 0 < calls < 10
            if suppressed:
                calls = 0
                suppressed_any = True
            total += calls
            services.add(service)
            capabilities.update(caps)
            log_index += 1
            usage.append(
                UsageRow(
                    row_id=_id("usage", org_id, operation),
                    organization_id=org_id,
                    service=service,
                    operation=operation,
                    capabilities=caps,
                    calls=calls,
                    suppressed=suppressed,
                    period_start=START,
                    period_end=END,
                    log_index=log_index,
                    synthetic=True,
                )
            )
        denied = rng.choice([0, 0, 0, 25, 400]) if sector != "commercial" or supported else 0
        denied_by = ("forbid-biometric-identification-law-enforcement",) if denied else ()
        if denied:
            log_index += 1
            decisions.append(
                DecisionRow(
                    row_id=_id("decision", org_id, "deny"),
                    organization_id=org_id,
                    operation="face.search",
                    outcome="deny",
                    policies=denied_by,
                    decisions=denied,
                    suppressed=False,
                    period_start=START,
                    period_end=END,
                    log_index=log_index,
                )
            )
        log_index += 1
        decisions.append(
            DecisionRow(
                row_id=_id("decision", org_id, "allow"),
                organization_id=org_id,
                operation=chosen[0],
                outcome="allow",
                policies=("permit-default",),
                decisions=total,
                suppressed=suppressed_any,
                period_start=START,
                period_end=END,
                log_index=log_index,
            )
        )
        evidence: list[EvidenceStep] = [
            EvidenceStep("account", f"SYNTHETIC account acct-{n:05d}", log_index=log_index - 2),
            EvidenceStep(
                "match",
                f"matched {name}",
                organization_id=org_id,
                score=round(0.8 + rng.random() * 0.2, 3),
                features=("name", "state") if n % 2 else ("name", "email_domain"),
                log_index=log_index - 1,
            ),
        ]
        if supported and agencies:
            # A few large agencies hold most awards, as in the real data: the graph has hubs.
            agency_id, agency_name, agency_sector = agencies[rng.randrange(min(len(agencies), 12))]
            amount = float(rng.randrange(10_000, 50_000_000))
            log_index += 1
            supports.append(
                SupportRow(
                    row_id=_id("support", org_id, agency_id),
                    contractor_id=org_id,
                    contractor_name=name,
                    agency_id=agency_id,
                    agency_name=agency_name,
                    agency_sector=agency_sector,
                    relationship_kind="contract_award",
                    support_kind=SUPPORT_KINDS[(n // 4) % len(SUPPORT_KINDS)],
                    amount=amount,
                    awards=rng.randrange(1, 9),
                    start_date="2025-10-01",
                    end_date="2027-09-30",
                    source="SYNTHETIC awards",
                    period_start=START,
                    period_end=END,
                    log_index=log_index,
                )
            )
            evidence.append(
                EvidenceStep(
                    "relationship",
                    f"contract award to {agency_name}",
                    organization_id=agency_id,
                    relationship_kind="contract_award",
                    support_kind=SUPPORT_KINDS[(n // 4) % len(SUPPORT_KINDS)],
                    start_date="2025-10-01",
                    end_date="2027-09-30",
                    amount=amount,
                    source="SYNTHETIC awards",
                    log_index=log_index,
                )
            )
        if n < 200:
            for week in range(0, days, 7):
                day = (first + timedelta(days=week)).isoformat()
                points.append(UsagePoint(day, org_id, sorted(capabilities)[0], rng.randrange(0, 900)))
        log_index += 1
        orgs.append(
            OrganizationRow(
                row_id=_id("organization", org_id),
                organization_id=org_id,
                organization_name=name,
                sector=sector,
                supports=supported,
                state=state,
                accounts=1 + n % 3,
                services=tuple(sorted(services)),
                capabilities=tuple(sorted(capabilities)),
                calls=total,
                suppressed=suppressed_any,
                allowed=total,
                denied=denied,
                denied_by=denied_by,
                declared_purposes=("SYNTHETIC missing-person search",) if n % 5 == 0 else (),
                audit_findings=1 if n % 7 == 0 else 0,
                actions=("account suspended",) if n % 11 == 0 else (),
                evidence=tuple(evidence),
                period_start=START,
                period_end=END,
                log_index=log_index,
                synthetic=True,
            )
        )
    for d in range(days):
        day = (first + timedelta(days=d)).isoformat()
        for capability in ("biometric_identification", "real_time_tracking", "infrastructure"):
            points.append(UsagePoint(day, None, capability, rng.randrange(1_000, 90_000)))
    voice = (
        VoiceRow(_id("voice", 1), "objection", "face.search for law enforcement", "review_opened", 41,
                 None, None, START, END, log_index + 1),
        VoiceRow(_id("voice", 2), "objection", "hosting for an immigration contractor", "decided", 57,
                 "upheld", "SYNTHETIC rationale: the contract supports detention operations", START, END,
                 log_index + 2),
        VoiceRow(_id("voice", 3), "declaration_review", "SYNTHETIC missing-person search", "approved", 0,
                 "approved", "SYNTHETIC rationale: narrow purpose, audited", START, END, log_index + 3),
        VoiceRow(_id("voice", 4), "standing_refusal", "biometric_identification", "active", 212, None,
                 None, START, END, log_index + 4),
    )
    corrections = (
        CorrectionRow(_id("correction", 1), "org-00007", "not a law-enforcement agency",
                      "accepted", "SYNTHETIC rationale: a fire department, matched by mistake",
                      "2026-08-01", 107, START, END, log_index + 5),
    )
    changes = (
        Changes(
            previous_period="2026-Q2",
            previous_tree_size=90,
            organizations_added=tuple(o.organization_id for o in orgs[:3]),
            organizations_removed=("org-99990",),
            consistency_proof=("qmBv3Zg8E0Zk9l0J4n8bBt5l2JxP2yq9Qm0e1R9c7fA=",
                               "7k0kFz3HTzEo9vL1aX2PqvA2sW7b0rUu0mS7hYw9n0E="),
        )
        if with_changes
        else None
    )
    return Report(
        period=PERIOD,
        period_start=START,
        period_end=END,
        origin="daylight.example/SYNTHETIC-log",
        checkpoint=CHECKPOINT.format(size=log_index + 6),
        tree_size=log_index + 6,
        reference_build="SYNTHETIC-build-0001",
        reference_date="2026-06-30",
        synthetic=True,
        small_count_threshold=10,
        organizations=tuple(orgs),
        usage=tuple(usage),
        usage_over_time=tuple(points),
        supports=tuple(supports),
        decisions=tuple(decisions),
        policy_versions=(
            PolicyVersionRow(3, "9f2c" * 16, "2026-06-15", ("baseline", "employee-demands"), 60),
        ),
        refusals=(
            Refusals("forbid-biometric-identification-law-enforcement",
                     "no biometric identification for law enforcement", sum(o.denied for o in orgs)),
            Refusals("forbid-supporters-of-immigration-enforcement",
                     "no service to companies supporting immigration enforcement", 0),
        ),
        voice=voice,
        corrections=corrections,
        changes=changes,
        sources=(
            Source("Atlas of Surveillance", "https://atlasofsurveillance.org/", "CC BY 4.0",
                   "Atlas of Surveillance, Electronic Frontier Foundation", "2020-10-07"),
            Source("Flock ALPR customers", "https://github.com/newsobserver/", "MIT",
                   "The News & Observer", "2025-01-01"),
        ),
    )


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if value is None:
        return ""
    return str(value)


def write_data_files(report: Report, out_dir: Path) -> None:
    """``data/organizations.csv|json`` and ``data/usage.csv|json`` as the data writer writes them."""
    data = out_dir / "data"
    data.mkdir(parents=True, exist_ok=True)
    tables = {
        "organizations": (report.organizations, [f.name for f in dataclasses.fields(OrganizationRow)
                                                 if f.name != "evidence"]),
        "usage": (report.usage, [f.name for f in dataclasses.fields(UsageRow)]),
    }
    for name, (rows, columns) in tables.items():
        with (data / f"{name}.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([_cell(getattr(row, c)) for c in columns])
        records = [{c: getattr(row, c) for c in columns} for row in rows]
        (data / f"{name}.json").write_text(json.dumps(records, default=list))
