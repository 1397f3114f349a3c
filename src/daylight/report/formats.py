"""The published formats of a transparency report: its tables and fields, how a value is written
in a CSV cell, a JSON file, a SQLite column and an HTML cell, the log entry that proves a row,
row ids, and the ``SHA256SUMS`` manifest.

Both the writer (``daylight.report.data``) and the verifier (``daylight.report.verify``) read these
definitions, so that what is written is exactly what is checked; this module imports nothing
but ``daylight.core``, and never the database, the log's store or the report builder.

A published row is a JSON object (its *record*). The log entry that proves it is the canonical
JSON (RFC 8785) of ``{"type": "report.row", "time": T, "payload": {"table": TABLE, "row": R}}``
where ``R`` is the record without its ``log_index`` (the index is where the entry landed). The
same record is written:

- in ``data/TABLE.json``: a JSON array of records, keys in the table's field order;
- in ``data/TABLE.csv``: one line per record, each cell ``cell_text(field, value)``, and a cell of
  text (not a number) starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
  prefixed with ``'`` so that no spreadsheet runs it as a formula;
- in ``report.db``: table ``TABLE``, one column per field, integers and booleans (0/1) as
  INTEGER, everything else as the ``cell_text`` TEXT;
- in HTML pages: ``<tr data-row-id="ROW_ID" data-log-index="N">`` whose cells are
  ``<td data-field="FIELD">cell_text</td>`` (any subset of the fields, in any order).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from daylight.core.entry_types import REPORT_PUBLISHED, REPORT_ROW
from daylight.core.errors import InputError

ROW_ENTRY = REPORT_ROW
PUBLISHED_ENTRY = REPORT_PUBLISHED
SHA256SUMS = "SHA256SUMS"
PUBLICATION_FILE = "publication.json"
PUBLICATION_FIELDS = ("period", "origin", "published_log_index", "proven_tree_size")
"""The fields of ``publication.json``, in the order the build writes them, and no others."""
VKEY_FILE = "log.vkey"
LOG_DIR = "log"
PROOFS_DIR = "proofs"
DATA_DIR = "data"
DATABASE_FILE = "report.db"
UNLISTED = (SHA256SUMS, PUBLICATION_FILE, VKEY_FILE)
"""Files of a report directory that ``SHA256SUMS`` does not list (besides ``log/``): the manifest
itself, and the two pointers written after the ``report.published`` entry."""


def publication_text(pointer: Mapping[str, Any]) -> str:
    """``publication.json``: its fields (``PUBLICATION_FIELDS``, in that order) as JSON indented
    by two spaces, and a final newline. The build writes these bytes and verify requires them,
    so that no byte of the file is left unchecked (it is not listed in ``SHA256SUMS``)."""
    return json.dumps({name: pointer[name] for name in PUBLICATION_FIELDS}, indent=2) + "\n"


def vkey_text(vkey: str) -> str:
    """``log.vkey``: the log's verifier key line and one newline, the bytes the build writes
    and verify requires."""
    return vkey + "\n"


FieldKind = Literal["string", "integer", "boolean", "date", "list", "json"]


@dataclass(frozen=True)
class Field:
    """One column of a published table."""

    name: str
    kind: FieldKind
    description: str
    unit: str | None = None

    @property
    def frictionless_csv_type(self) -> str:
        return {"list": "string", "json": "string"}.get(self.kind, self.kind)

    @property
    def frictionless_json_type(self) -> str:
        return {"list": "array", "json": "array"}.get(self.kind, self.kind)

    @property
    def sqlite_type(self) -> str:
        return "INTEGER" if self.kind in ("integer", "boolean") else "TEXT"


_COMMON_END = (
    Field("period_start", "date", "First day of the report's period (UTC)."),
    Field("period_end", "date", "Day after the last day of the period (UTC, exclusive)."),
    Field("log_index", "integer", "Index of the transparency-log entry that proves this row; "
                                  "proofs/ROW_ID.tlog-proof proves that entry is in the log."),
    Field("synthetic", "boolean", "True if any account or usage figure behind the row is "
                                  "SYNTHETIC (invented for a demo), not real."),
)


@dataclass(frozen=True)
class Table:
    """A published table: its name (file stem), title, fields and primary key fields."""

    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]

    @cached_property
    def field_names(self) -> tuple[str, ...]:
        # asked once per row and cell when a million rows are written: computed once
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise InputError(f"table `{self.name}` has no field `{name}`")


ORGANIZATIONS = Table(
    "organizations", "Organisations",
    "Every organisation classified law_enforcement or immigration_enforcement, or supporting "
    "one of them, whose accounts used a service or asked the policy gate during the period, "
    "and how.",
    (
        Field("row_id", "string", "Stable id of this fact (the same organisation has the same "
                                  "row_id in every period)."),
        Field("organization_id", "string", "The registry's id of the organisation."),
        Field("organization_name", "string", "The organisation's name in the reference data."),
        Field("sector", "string", "Its own sector (law_enforcement, immigration_enforcement, "
                                  "military, intelligence, other_government, commercial, ...)."),
        Field("supports", "list", "Sectors it supports through contracts, agreements or supply "
                                  "(`;`-separated in CSV)."),
        Field("state", "string", "US state (two letters), empty if none."),
        Field("accounts", "integer", "Customer accounts resolved to the organisation.",
              "accounts"),
        Field("services", "list", "Services used in the period."),
        Field("capabilities", "list", "Capabilities of the operations used in the period."),
        Field("calls", "integer", "Calls in the period: the sum of its published usage rows "
                                  "(suppressed rows count 0).", "calls"),
        Field("suppressed", "boolean", "True if any of its usage rows is suppressed by the "
                                       "small-count rule."),
        Field("allowed", "integer", "Requests the policy gate allowed (published decision "
                                    "rows).", "decisions"),
        Field("denied", "integer", "Requests the policy gate denied (published decision rows).",
              "decisions"),
        Field("denied_by", "list", "Ids of the policies that denied its requests."),
        Field("declared_purposes", "list", "Purposes declared for sensitive capabilities."),
        Field("audit_findings", "integer", "Audit findings: usage the policies in force refuse.",
              "findings"),
        Field("actions", "list", "Actions taken (refusals, reviews)."),
        Field("evidence", "json", "How it was classified: the steps of the evidence path (JSON "
                                  "text in CSV)."),
        *_COMMON_END,
    ),
    ("row_id",),
)

USAGE = Table(
    "usage", "Usage",
    "One row per organisation × service × operation used in the period.",
    (
        Field("row_id", "string", "Stable id of this fact (organisation, service, operation)."),
        Field("organization_id", "string", "The registry's id of the organisation."),
        Field("service", "string", "The service (catalog id)."),
        Field("operation", "string", "The operation (catalog id, service.verb)."),
        Field("capabilities", "list", "Capabilities the operation exercises."),
        Field("calls", "integer", "Calls in the period; 0 when suppressed.", "calls"),
        Field("suppressed", "boolean", "True if the count was withheld by the small-count rule "
                                       "(then calls is 0)."),
        *_COMMON_END,
    ),
    ("row_id",),
)

SUPPORTS = Table(
    "supports", "Supporters",
    "Contractor → agency edges that make a reported organisation support law or immigration "
    "enforcement: the awards and agreements in force during the period, by agency, kind and "
    "source.",
    (
        Field("row_id", "string", "Stable id of this fact (contractor, agency, kind of "
                                  "relationship, kind of support, source)."),
        Field("contractor_id", "string", "The supporting organisation."),
        Field("contractor_name", "string", "Its name in the reference data."),
        Field("agency_id", "string", "The supported agency."),
        Field("agency_name", "string", "Its name in the reference data."),
        Field("agency_sector", "string", "The agency's sector."),
        Field("relationship_kind", "string", "supports (a contract award), agreement_with (an "
                                             "agency's 287(g) agreement) or supplies."),
        Field("support_kind", "string", "What kind of support: enforcement_agreement (287(g)), "
                                        "detention_and_custody, removal_transport, "
                                        "surveillance_and_biometrics, data_analytics_and_it, "
                                        "enforcement_equipment, professional_services, "
                                        "facilities_and_commodities or unclassified, by the "
                                        "registry's rules on each award's codes (see the "
                                        "methodology)."),
        Field("amount", "integer", "Sum of the net obligated amounts of this row's awards, "
                                   "whole US dollars; empty if none has an amount.", "USD"),
        Field("awards", "integer", "Awards or agreements in this row: those of the contractor "
                                   "to this agency, of this kind and source, in force during "
                                   "the period or its look-back window.", "relationships"),
        Field("start_date", "date", "Earliest start of this row's awards, if known; for a "
                                    "source published as snapshots (287(g), Atlas of "
                                    "Surveillance, Flock), the first snapshot that lists it."),
        Field("end_date", "date", "Latest end of this row's awards, empty if one has none; for "
                                  "a source published as snapshots, the last snapshot that "
                                  "lists it (not an end: see the methodology's staleness "
                                  "rule)."),
        Field("source", "string", "Reference dataset the relationship comes from."),
        *_COMMON_END,
    ),
    ("row_id",),
)

DECISIONS = Table(
    "decisions", "Decisions",
    "Decisions of the policy gate per organisation × operation × outcome × deciding policies.",
    (
        Field("row_id", "string", "Stable id of this fact."),
        Field("organization_id", "string", "The registry's id of the organisation."),
        Field("operation", "string", "The operation requested."),
        Field("outcome", "string", "allow or deny."),
        Field("policies", "list", "Ids of the policies that decided."),
        Field("decisions", "integer", "Requests decided so; 0 when suppressed.", "decisions"),
        Field("suppressed", "boolean", "True if the count was withheld by the small-count rule."),
        *_COMMON_END,
    ),
    ("row_id",),
)

USAGE_WEEKLY = Table(
    "usage_weekly", "Use over time",
    "Calls per organisation and week (Monday to Sunday, clipped to the period): the series behind "
    "the front page's chart and each organisation's calls over time.",
    (
        Field("row_id", "string", "Stable id of this fact (organisation, first day)."),
        Field("organization_id", "string", "The registry's id of the organisation."),
        Field("week_start", "date", "First day of the week counted (a Monday, or the period's "
                                    "first day)."),
        Field("week_end", "date", "Day after the last day counted (the next Monday, or the "
                                  "period's end; exclusive)."),
        Field("calls", "integer", "Calls from week_start to week_end, every operation; 0 when "
                                  "suppressed.", "calls"),
        Field("suppressed", "boolean", "True if the count was withheld by the small-count rule "
                                       "(then calls is 0)."),
        *_COMMON_END,
    ),
    ("row_id",),
)

VOICE = Table(
    "voice", "Voice",
    "Employees' objections and their outcomes, customers' declared-use reviews and employees' "
    "standing refusals, as they stood when the report was built: counts only, never a person.",
    (
        Field("row_id", "string", "Stable id of this fact (the objection, the declaration, or "
                                  "the subject refused)."),
        Field("kind", "string", "objection, declaration_review or standing_refusal."),
        Field("about", "string", "What it is about: an organisation id of this report, "
                                 "capability:ID, policy:ID, or `customer outside this report`."),
        Field("status", "string", "Where it stood when the report was built (open, review, "
                                  "resolved; pending, approved, rejected, expired; active)."),
        Field("signatures", "integer", "Employees who signed the objection, reviews recorded for "
                                       "the declaration, or employees refusing; never who.",
              "people"),
        Field("outcome", "string", "The recorded outcome, when decided; empty otherwise."),
        Field("rationale", "string", "The recorded rationale of the outcome."),
        Field("capability", "string", "The capability a declared use is for; empty otherwise."),
        *_COMMON_END,
    ),
    ("row_id",),
)

CORRECTIONS = Table(
    "corrections", "Corrections log",
    "Every correction filed against the registry's classification of an organisation up to the "
    "report's build, and its review: a correction is appended, never silent.",
    (
        Field("row_id", "string", "Stable id of this fact (the correction)."),
        Field("about", "string", "The registry's id of the organisation the correction is "
                                 "about."),
        Field("claim", "string", "What was claimed to be wrong."),
        Field("decision", "string", "filed (not yet reviewed), accepted or rejected, at the end "
                                    "report was built."),
        Field("rationale", "string", "The reviewer's rationale; empty until reviewed."),
        Field("effective_from", "date", "The first day an accepted correction applies."),
        Field("corrects_log_index", "integer", "Index of the log entry it corrects: the "
                                               "classification this report used, when the "
                                               "organisation is in it."),
        Field("correction_log_index", "integer", "Index of the registry's log entry of its "
                                                 "latest step (its review, or its filing)."),
        *_COMMON_END,
    ),
    ("row_id",),
)

TABLES: tuple[Table, ...] = (ORGANIZATIONS, USAGE, SUPPORTS, DECISIONS, USAGE_WEEKLY, VOICE,
                             CORRECTIONS)
TABLES_BY_NAME: Mapping[str, Table] = {t.name: t for t in TABLES}

_ROW_ID_PREFIX = {"organizations": "org", "usage": "use", "supports": "sup", "decisions": "dec",
                  "usage_weekly": "wk", "voice": "voi", "corrections": "cor"}


def row_id(table: str, *key: str) -> str:
    """The stable id of a fact: the table's prefix and 20 hex digits of the SHA-256 of its key
    (the same fact gets the same id in every period, so it can be cited)."""
    digest = hashlib.sha256("\x1f".join((table, *key)).encode()).hexdigest()[:20]
    return f"{_ROW_ID_PREFIX[table]}-{digest}"


ROW_ID = re.compile(r"(org|use|sup|dec|wk|voi|cor)-[0-9a-f]{20}")


def compact_json(value: Any) -> str:
    """JSON text with sorted keys and no spaces, UTF-8 as is (the form of ``json`` cells)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def cell_text(field: Field, value: Any) -> str:
    """The text of a value in a CSV cell (before neutralising), an HTML cell or a TEXT column."""
    if value is None:
        return ""
    if field.kind == "boolean":
        return "true" if value else "false"
    if field.kind == "list":
        return ";".join(str(v) for v in value)
    if field.kind == "json":
        return compact_json(value)
    return str(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def _number_cell(value: Any) -> str:
    return "" if value is None else str(value)


def _boolean_cell(value: Any) -> str:
    return "" if value is None else "true" if value else "false"


def csv_converter(field: Field) -> Callable[[Any], str]:
    """The function that writes ``field``'s values as CSV cells (``csv_cell``), chosen once per
    column: a million-row table calls it ten million times."""
    if field.kind == "integer":
        return _number_cell
    if field.kind == "boolean":
        return _boolean_cell
    if field.kind in ("string", "date"):
        return lambda value: "" if value is None else _neutralised(str(value))
    return lambda value: _neutralised(cell_text(field, value))


def csv_cell(field: Field, value: Any) -> str:
    """The CSV cell of a value: ``cell_text``, neutralised if it is text a spreadsheet would run."""
    return csv_converter(field)(value)


def _sqlite_boolean(value: Any) -> int | None:
    return None if value is None else 1 if value else 0


def _sqlite_integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _sqlite_string(value: Any) -> str | None:
    return None if value is None else str(value)


def sqlite_converter(field: Field) -> Callable[[Any], str | int | None]:
    """The function that writes ``field``'s values into ``report.db`` (``sqlite_value``), chosen
    once per column."""
    if field.kind == "boolean":
        return _sqlite_boolean
    if field.kind == "integer":
        return _sqlite_integer
    if field.kind in ("string", "date"):
        return _sqlite_string
    return lambda value: None if value is None else cell_text(field, value)


def sqlite_value(field: Field, value: Any) -> str | int | None:
    """The value of a field in ``report.db``."""
    return sqlite_converter(field)(value)


def entry_payload(table: Table, record: Mapping[str, Any]) -> dict[str, Any]:
    """The payload of the ``report.row`` entry proving ``record``: the record without its index."""
    return {"table": table.name,
            "row": {name: record[name] for name in table.field_names if name != "log_index"}}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256sums_text(hashes: Mapping[str, str]) -> str:
    """``SHA256SUMS``: ``<hex>  <path>`` per file, sorted by path (``sha256sum -c`` reads it)."""
    return "".join(f"{hashes[path]}  {path}\n" for path in sorted(hashes))


_SUM_LINE = re.compile(r"([0-9a-f]{64})  ([^\n]+)")


def parse_sha256sums(text: str, *, where: str = SHA256SUMS) -> dict[str, str]:
    """Path → hex SHA-256 from ``SHA256SUMS``; InputError naming the line otherwise."""
    return parse_sha256sums_lines(text.splitlines(), where=where)


def parse_sha256sums_lines(lines: Iterable[str], *, where: str = SHA256SUMS) -> dict[str, str]:
    """``parse_sha256sums`` of the file's lines (without their newlines), taken one at a time:
    a large list is never held whole as text as well."""
    hashes: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        match = _SUM_LINE.fullmatch(line)
        if match is None or match[2] in hashes or match[2].startswith("/") or ".." in match[2].split("/"):
            raise InputError("expected `<64 hex digits>  <relative path>` once per file",
                             where=f"{where}:{number}")
        hashes[match[2]] = match[1]
    return hashes


def records_in_order(table: Table, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Records with keys in the table's field order."""
    return [{name: record[name] for name in table.field_names} for record in records]
