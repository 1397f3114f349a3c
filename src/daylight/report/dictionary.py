"""The data dictionary: what every published column means, for the dictionary page.

The columns are the fields of the report model's row types (``daylight.report.model``); a test
checks that every field has a description here, so a field added to the model is documented.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from daylight.report.model import (
    CorrectionRow,
    DecisionRow,
    OrganizationRow,
    SupportRow,
    UsageRow,
    UsageWeekRow,
    VoiceRow,
)

COMMON = {
    "row_id": "stable identifier of the fact this row states, the same across periods (cite it)",
    "period_start": "first day of the period, ISO 8601 date (inclusive)",
    "period_end": "day after the period, ISO 8601 date (exclusive)",
    "log_index": "index of the transparency-log entry that proves this row",
    "synthetic": "true when the row is made-up demonstration data (SYNTHETIC)",
    "organization_id": "the registry's identifier of the organisation",
    "suppressed": "true when a small count (under the threshold) is withheld; the count column is then 0",
    "capabilities": "capabilities of the operation(s), `;`-separated (biometric_identification, ...)",
}

FIELDS: dict[str, dict[str, str]] = {
    "organizations": {
        "organization_name": "the organisation's name as the reference data writes it",
        "sector": "law_enforcement, immigration_enforcement, or the sector of a supporting company",
        "supports": "sectors the organisation supports through relationships in force, `;`-separated",
        "state": "US state or territory, two-letter code",
        "accounts": "customer accounts resolved to the organisation (integer)",
        "services": "services used in the period, `;`-separated",
        "calls": "calls in the period, all services (integer)",
        "allowed": "calls the policy gate allowed (integer)",
        "denied": "calls the policy gate denied (integer)",
        "denied_by": "ids of the policies that denied calls, `;`-separated",
        "declared_purposes": "declared use cases in force, `;`-separated",
        "audit_findings": "audit findings about the organisation in the period (integer)",
        "actions": "actions taken (suspensions, refusals), `;`-separated",
    },
    "usage": {
        "service": "the service (face, video, compute, storage, ...)",
        "operation": "the operation called (face.search, compute.instance, ...)",
        "calls": "calls in the period (integer)",
    },
    "supports": {
        "contractor_id": "registry id of the supporting company",
        "contractor_name": "name of the supporting company",
        "agency_id": "registry id of the agency supported",
        "agency_name": "name of the agency supported",
        "agency_sector": "sector of the agency supported",
        "relationship_kind": "supports (a contract award), agreement_with (a 287(g) agreement) or supplies",
        "support_kind": "what the relationship provides (services, data, equipment, ...)",
        "amount": "obligated amount in US dollars, when the source states one",
        "awards": "number of awards or agreements behind the edge (integer)",
        "start_date": "first day the relationship is in force (ISO 8601), when known",
        "end_date": "last day the relationship is in force (ISO 8601), when known",
        "source": "the reference data source that states the relationship",
    },
    "decisions": {
        "operation": "the operation the decisions were about",
        "outcome": "allow or deny",
        "policies": "ids of the policies that decided, `;`-separated",
        "decisions": "number of decisions (integer)",
    },
    "usage_weekly": {
        "week_start": "first day counted: a Monday, or the period's first day (ISO 8601)",
        "week_end": "day after the last day counted: the next Monday, or the period's end (exclusive)",
        "calls": "calls in those days, every operation (integer)",
    },
    "voice": {
        "capability": "the capability a declared use is for (declared-use reviews only)",
        "kind": "objection, declaration_review or standing_refusal",
        "about": "the customer, use or capability it is about (never a person)",
        "status": "where it stood when the report was built (open, review, resolved, approved, active, ...)",
        "signatures": "co-signers of an objection, reviews of a declaration, or employees refusing "
                      "(integer; names are never published)",
        "outcome": "the recorded outcome, when decided",
        "rationale": "the recorded rationale of the outcome",
    },
    "corrections": {
        "about": "the organisation or row the correction is about",
        "claim": "what was claimed to be wrong",
        "decision": "accepted or rejected",
        "rationale": "why",
        "effective_from": "the first day the correction applies (ISO 8601), when it has one",
        "corrects_log_index": "index of the log entry the correction corrects, when it corrects one",
        "correction_log_index": "index of the registry's log entry of the correction's latest step",
    },
}

ROW_TYPES: dict[str, type] = {
    "organizations": OrganizationRow,
    "usage": UsageRow,
    "supports": SupportRow,
    "decisions": DecisionRow,
    "usage_weekly": UsageWeekRow,
    "voice": VoiceRow,
    "corrections": CorrectionRow,
}
# Tables the data writer publishes as data/TABLE.csv|json and in report.db (all of them).
DATA_FILES = ("organizations", "usage", "supports", "decisions", "usage_weekly", "voice",
              "corrections")
NOT_PUBLISHED_AS_COLUMNS = {"evidence"}
UNDOCUMENTED = "(not yet described)"


@dataclass(frozen=True)
class Column:
    """One column of a data file and what it means."""

    name: str
    description: str


def data_dictionary() -> dict[str, list[Column]]:
    """Every published table and its columns, in the model's field order."""
    tables = {}
    for table, row_type in ROW_TYPES.items():
        columns = []
        for field in dataclasses.fields(row_type):
            if field.name in NOT_PUBLISHED_AS_COLUMNS:
                continue
            text = FIELDS[table].get(field.name) or COMMON.get(field.name) or UNDOCUMENTED
            columns.append(Column(field.name, text))
        tables[table] = columns
    return tables
