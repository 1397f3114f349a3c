"""Write a report's data: ``data/TABLE.csv`` and ``.json`` for every published table, the
Frictionless Data Package that describes them (``data/datapackage.json``), and ``report.db``, the
same rows as SQLite with full-text search on organisation names (sqlite-utils builds it in the
layout Datasette detects: an ``organizations_fts`` FTS5 table over ``organizations``).

Writers read only the model (``daylight.report.model``) and the published formats
(``daylight.report.formats``). The same report always gives the same bytes: rows in the model's
order, keys in the table's field order, no timestamps.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

import orjson

from daylight.report.formats import (
    CORRECTIONS,
    DATA_DIR,
    DATABASE_FILE,
    DECISIONS,
    ORGANIZATIONS,
    SUPPORTS,
    TABLES,
    USAGE,
    USAGE_WEEKLY,
    VOICE,
    Table,
    csv_converter,
    sqlite_converter,
)
from daylight.report.model import (
    DecisionRow,
    EvidenceStep,
    OrganizationRow,
    Report,
    SupportRow,
    UsageRow,
)

DATA_LICENCE = {
    "name": "CC-BY-4.0",
    "path": "https://creativecommons.org/licenses/by/4.0/",
    "title": "Creative Commons Attribution 4.0 (the reference data it derives from includes the "
             "EFF Atlas of Surveillance, CC BY 4.0; credit every source listed)",
}

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"(?<![\w-])(\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?![\w-])")


def redact_contacts(text: str) -> str:
    """``text`` with anything shaped like an email address or a (North American) phone number
    replaced by ``[removed]``: a report names organisations, never how to reach a person."""
    return _PHONE.sub("[removed]", _EMAIL.sub("[removed]", text))


def _whole(amount: float | None) -> int | None:
    return None if amount is None else round(amount)


# dataclasses.fields() builds its tuple anew on every call (~7 µs): read once per row class
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _shallow(row: Any) -> dict[str, Any]:
    """A dataclass row as a dict of its fields (no deep copy: rows hold only plain values)."""
    names = _FIELD_NAMES.get(type(row))
    if names is None:
        names = _FIELD_NAMES[type(row)] = tuple(f.name for f in fields(row))
    return {name: getattr(row, name) for name in names}


def evidence_record(step: EvidenceStep) -> dict[str, Any]:
    """A step of an evidence path as JSON: fields that have a value, amounts in whole dollars."""
    record: dict[str, Any] = {}
    for name, value in _shallow(step).items():
        if value is None or value == ():
            continue
        if name == "amount":
            value = _whole(value)
        record[name] = list(value) if isinstance(value, tuple) else value
    return record


_ORGANIZATION_LISTS = ("supports", "services", "capabilities", "denied_by", "declared_purposes",
                       "actions")


def organization_record(row: OrganizationRow) -> dict[str, Any]:
    """An organisation row as its published record (the keys of ``ORGANIZATIONS``)."""
    record = _shallow(row)
    for name in _ORGANIZATION_LISTS:
        record[name] = list(record[name])
    record["evidence"] = [evidence_record(step) for step in row.evidence]
    return {name: record[name] for name in ORGANIZATIONS.field_names}


def usage_record(row: UsageRow) -> dict[str, Any]:
    record = _shallow(row)
    record["capabilities"] = list(row.capabilities)
    return {name: record[name] for name in USAGE.field_names}


def support_record(row: SupportRow) -> dict[str, Any]:
    record = _shallow(row)
    record["amount"] = _whole(row.amount)
    return {name: record[name] for name in SUPPORTS.field_names}


def decision_record(row: DecisionRow) -> dict[str, Any]:
    record = _shallow(row)
    record["policies"] = list(row.policies)
    return {name: record[name] for name in DECISIONS.field_names}


def _plain_record(table: Table, row: Any) -> dict[str, Any]:
    """A row whose fields are all plain values (no lists) as its published record."""
    return {name: getattr(row, name) for name in table.field_names}


def report_records(report: Report) -> dict[str, list[dict[str, Any]]]:
    """Every published table of ``report`` as records, in the report's order."""
    return {
        ORGANIZATIONS.name: [organization_record(r) for r in report.organizations],
        USAGE.name: [usage_record(r) for r in report.usage],
        SUPPORTS.name: [support_record(r) for r in report.supports],
        DECISIONS.name: [decision_record(r) for r in report.decisions],
        USAGE_WEEKLY.name: [_plain_record(USAGE_WEEKLY, r) for r in report.usage_weekly],
        VOICE.name: [_plain_record(VOICE, r) for r in report.voice],
        CORRECTIONS.name: [_plain_record(CORRECTIONS, r) for r in report.corrections],
    }


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_bytes() == data:
        return
    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def csv_bytes(table: Table, records: Sequence[Mapping[str, Any]]) -> bytes:
    """The CSV file of a table: a header line, then one line per record (UTF-8, ``\\n``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.field_names)
    columns = [(f.name, csv_converter(f)) for f in table.fields]
    writer.writerows([convert(record[name]) for name, convert in columns] for record in records)
    return out.getvalue().encode()


def json_bytes(records: Sequence[Mapping[str, Any]]) -> bytes:
    """The JSON file of a table: an array of records, one per line."""
    return b"[\n" + b",\n".join(_json_line(r) for r in records) + (b"\n" if records else b"") \
        + b"]\n"


def _json_line(record: Mapping[str, Any]) -> bytes:
    """A record as compact JSON, keys in order, UTF-8 as is: orjson writes the bytes
    ``json.dumps(ensure_ascii=False, separators=(",", ":"))`` wrote for files published before
    (they differ only on floats under 1e-4, which records do not hold), at a tenth of the cost."""
    try:
        return orjson.dumps(record)
    except orjson.JSONEncodeError:  # an integer over 64 bits
        return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode()


def _schema(table: Table, json_types: bool) -> dict[str, Any]:
    fields = []
    for f in table.fields:
        described: dict[str, Any] = {
            "name": f.name, "type": f.frictionless_json_type if json_types else f.frictionless_csv_type,
            "description": f.description}
        if f.unit:
            described["unit"] = f.unit
        if f.kind == "integer" and f.name not in ("amount",):
            described["constraints"] = {"minimum": 0}
        fields.append(described)
    return {"fields": fields, "primaryKey": list(table.key)}


def datapackage(report: Report) -> dict[str, Any]:
    """The Frictionless Data Package describing every data file of ``report``."""
    resources = []
    for table in TABLES:
        for extension, json_types in (("csv", False), ("json", True)):
            resource: dict[str, Any] = {
                "name": f"{table.name}-{extension}", "path": f"{table.name}.{extension}",
                "title": f"{table.title} ({extension.upper()})", "description": table.description,
                "format": extension, "encoding": "utf-8",
                "mediatype": "text/csv" if extension == "csv" else "application/json",
                "schema": _schema(table, json_types)}
            if extension == "csv":
                resource["dialect"] = {"delimiter": ",", "lineTerminator": "\n", "header": True}
            resources.append(resource)
    synthetic = " SYNTHETIC: every account and usage figure is invented." if report.synthetic else ""
    return {
        "name": f"daylight-transparency-report-{report.period.lower()}",
        "title": f"Transparency report {report.period}{' (SYNTHETIC)' if report.synthetic else ''}",
        "description": (f"Which law-enforcement and immigration-enforcement agencies, and which "
                        f"companies supporting them, used the services from {report.period_start} "
                        f"to {report.period_end} (exclusive), and how. Every row is proven against "
                        f"the log {report.origin} at tree size {report.tree_size}: see "
                        f"proofs/ROW_ID.tlog-proof.{synthetic} Counts below "
                        f"{report.small_count_threshold} are published as 0 with suppressed true."),
        "version": f"{report.period}+{report.tree_size}",
        "licenses": [DATA_LICENCE],
        "sources": [{"title": s.name, "path": s.url, "license": s.licence, "credit": s.credit}
                    for s in report.sources],
        "keywords": ["transparency report", "law enforcement", "immigration enforcement",
                     *(["SYNTHETIC"] if report.synthetic else [])],
        "resources": resources,
    }


def write_database(path: Path, records: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    """``report.db``: one table per published table, rows in order, FTS5 on organisation names."""
    import sqlite_utils  # loaded by the command that writes a report, not at start-up

    temporary = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temporary.unlink(missing_ok=True)
    database = sqlite_utils.Database(temporary)
    # a scratch file renamed into place when complete: no journal or fsync needed while building
    database.execute("PRAGMA journal_mode = OFF")
    database.execute("PRAGMA synchronous = OFF")
    try:
        for table in TABLES:
            columns = {f.name: int if f.sqlite_type == "INTEGER" else str for f in table.fields}
            database.create_table(table.name, columns, pk=table.key[0],
                                  column_order=list(table.field_names))
            # sqlite-utils builds the schema; the rows go in with one executemany (its
            # insert_all inspects every value of every row, most of the file's cost at 10^6 rows)
            names = table.field_names
            converters = [(f.name, sqlite_converter(f)) for f in table.fields]
            database.conn.executemany(
                f"INSERT INTO [{table.name}] ({', '.join(f'[{n}]' for n in names)}) "
                f"VALUES ({', '.join('?' for _ in names)})",
                ([convert(r[name]) for name, convert in converters]
                 for r in records[table.name]))
        database.conn.commit()
        database.table(ORGANIZATIONS.name).enable_fts(["organization_name"], fts_version="FTS5",
                                                create_triggers=False)
        database.execute("VACUUM")
    finally:
        database.close()
    if path.exists() and path.read_bytes() == temporary.read_bytes():
        temporary.unlink()
    else:
        os.replace(temporary, path)


def write_data(report: Report, out_dir: Path,
               records: Mapping[str, Sequence[Mapping[str, Any]]] | None = None) -> list[Path]:
    """Write ``data/*.csv``, ``data/*.json``, ``data/datapackage.json`` and ``report.db`` under
    ``out_dir``; return the paths written. ``records`` are ``report_records(report)`` when the
    caller has them already."""
    records = records if records is not None else report_records(report)
    data_dir = out_dir / DATA_DIR
    written = []
    for table in TABLES:
        for path, data in ((data_dir / f"{table.name}.csv", csv_bytes(table, records[table.name])),
                           (data_dir / f"{table.name}.json", json_bytes(records[table.name]))):
            _write(path, data)
            written.append(path)
    package = data_dir / "datapackage.json"
    _write(package, (json.dumps(datapackage(report), ensure_ascii=False, indent=2) + "\n").encode())
    database = out_dir / DATABASE_FILE
    write_database(database, records)
    return [*written, package, database]
