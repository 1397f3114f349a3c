"""Reference records: ``Organization`` and ``Relationship``, and their CSV form.

The shipped reference data (``registry/data/*.csv``) is these records, one per line. Lists and
maps inside a cell are written ``a|b`` and ``key=value|key=value``; ``|`` and ``=`` never occur
in the values (the builder checks). Reading is strict: a bad cell names file, line and field.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from daylight.core.errors import InputError

SECTORS = ("law_enforcement", "immigration_enforcement", "military", "intelligence",
           "other_government", "commercial", "nonprofit", "unknown")
# the agencies the rules and the report are about; a body supporting one is a supporter
AGENCY_SECTORS = ("law_enforcement", "immigration_enforcement")
SCHEMAS = ("PublicBody", "Company", "Organization")
RELATIONSHIP_KINDS = ("supports", "supplies", "agreement_with", "subsidiary_of", "successor_of",
                      "shares_data_with", "part_of")
# ``part_of``: a component (an FBI field office, a Border Patrol sector) is part of its agency,
# whose sector it has; it is not support
# the kinds by which one organisation supports another: a contract award (``supports``), a
# vendor's supply (``supplies``), and an agency's agreement with another (``agreement_with``: a
# 287(g) agreement, by which a police or sheriff's office enforces immigration law for ICE — a
# public body in an agreement, not a company under contract)
SUPPORT_RELATIONSHIPS = ("supports", "supplies", "agreement_with")

ORGANIZATION_COLUMNS = ("id", "name", "sector", "role", "schema", "state", "county", "city",
                        "identifiers", "aliases", "sources")
RELATIONSHIP_COLUMNS = ("id", "kind", "source_id", "target_id", "start_date", "end_date",
                        "amount", "description", "evidence", "source")


def part_of_links(relationships: Iterable[Relationship]) -> dict[str, str]:
    """Each component's parent, from the ``part_of`` relationships (the screener's chain)."""
    return {r.source_id: r.target_id for r in relationships if r.kind == "part_of"}


@dataclass(frozen=True)
class Organization:
    """A legal entity: a public body or a company, with its sector and where it comes from.

    ``identifiers`` maps a scheme (``ori``, ``uei``, ``duns``, ``domain``, ``agency_code``) to its
    values, first the primary one; ``sources`` names the dataset records it was built from.
    """

    id: str
    name: str
    sector: str
    role: str | None = None
    schema: str = "PublicBody"
    state: str = ""
    county: str = ""
    city: str = ""
    identifiers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The organisation as JSON (as `accounts show` prints it, plus provenance)."""
        return {
            "id": self.id, "name": self.name, "sector": self.sector, "role": self.role,
            "schema": self.schema, "state": self.state, "county": self.county, "city": self.city,
            "identifiers": {k: v[0] for k, v in sorted(self.identifiers.items()) if v},
            "all_identifiers": {k: list(v) for k, v in sorted(self.identifiers.items())},
            "aliases": list(self.aliases), "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Relationship:
    """An edge with evidence and a validity period: ``source`` supports/supplies ``target``,
    or is a subsidiary of it. ``evidence`` holds the source record's facts (award id, model,
    technology...)."""

    id: str
    kind: str
    source_id: str
    target_id: str
    start_date: str = ""
    end_date: str = ""
    amount: float | None = None
    description: str = ""
    evidence: Mapping[str, str] = field(default_factory=dict)
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "source_id": self.source_id,
            "target_id": self.target_id, "start_date": self.start_date or None,
            "end_date": self.end_date or None, "amount": self.amount,
            "description": self.description or None, "evidence": dict(sorted(self.evidence.items())),
            "source": self.source,
        }


def _join_map(values: Mapping[str, Iterable[str]]) -> str:
    return "|".join(f"{k}={v}" for k, vs in sorted(values.items()) for v in vs)


def _split_map(text: str, where: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for part in filter(None, text.split("|")):
        key, sep, value = part.partition("=")
        if not sep or not key or not value:
            raise InputError(f"expected key=value, got `{part}`", where=where)
        out.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in out.items()}


def organization_row(org: Organization) -> list[str]:
    """The CSV cells of an organisation."""
    return [org.id, org.name, org.sector, org.role or "", org.schema, org.state, org.county,
            org.city, _join_map(org.identifiers), "|".join(org.aliases), "|".join(org.sources)]


def relationship_row(rel: Relationship) -> list[str]:
    """The CSV cells of a relationship."""
    amount = "" if rel.amount is None else f"{rel.amount:.2f}"
    evidence = {k: (v,) for k, v in rel.evidence.items()}
    return [rel.id, rel.kind, rel.source_id, rel.target_id, rel.start_date, rel.end_date, amount,
            rel.description, _join_map(evidence), rel.source]


def write_csv(columns: Iterable[str], rows: Iterable[list[str]]) -> str:
    """CSV text with a header, LF line ends, minimal quoting (deterministic)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(columns))
    writer.writerows(rows)
    return buffer.getvalue()


def _rows(text: str, name: str, columns: tuple[str, ...]) -> Iterator[tuple[str, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != columns:
        raise InputError(f"expected the header {','.join(columns)}", where=f"{name}:1")
    for row in reader:
        where = f"{name}:{reader.line_num}"
        if len(row) != len(columns):
            raise InputError(f"expected {len(columns)} fields, got {len(row)}", where=where)
        yield where, dict(zip(columns, row, strict=True))


def _choice(value: str, allowed: tuple[str, ...], where: str, field_name: str) -> str:
    if value not in allowed:
        raise InputError(f"`{value}` is not one of {', '.join(allowed)}", where=f"{where}: {field_name}")
    return value


def read_organizations(text: str, name: str) -> list[Organization]:
    """Organisations from ``organizations.csv`` text; InputError names the first bad cell."""
    out = []
    for where, row in _rows(text, name, ORGANIZATION_COLUMNS):
        if not row["id"] or not row["name"]:
            raise InputError("id and name must not be empty", where=where)
        out.append(Organization(
            id=row["id"], name=row["name"],
            sector=_choice(row["sector"], SECTORS, where, "sector"),
            role=row["role"] or None, schema=_choice(row["schema"], SCHEMAS, where, "schema"),
            state=row["state"], county=row["county"], city=row["city"],
            identifiers=_split_map(row["identifiers"], f"{where}: identifiers"),
            aliases=tuple(filter(None, row["aliases"].split("|"))),
            sources=tuple(filter(None, row["sources"].split("|"))),
        ))
    return out


def read_relationships(text: str, name: str) -> list[Relationship]:
    """Relationships from ``relationships.csv`` text; InputError names the first bad cell."""
    out = []
    for where, row in _rows(text, name, RELATIONSHIP_COLUMNS):
        try:
            amount = float(row["amount"]) if row["amount"] else None
        except ValueError as exc:
            raise InputError(f"`{row['amount']}` is not a number", where=f"{where}: amount") from exc
        evidence = {k: v[0] for k, v in _split_map(row["evidence"], f"{where}: evidence").items()}
        out.append(Relationship(
            id=row["id"], kind=_choice(row["kind"], RELATIONSHIP_KINDS, where, "kind"),
            source_id=row["source_id"], target_id=row["target_id"], start_date=row["start_date"],
            end_date=row["end_date"], amount=amount, description=row["description"],
            evidence=evidence, source=row["source"],
        ))
    return out
