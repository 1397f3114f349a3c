"""The Cedar schema policies are validated against: the fixed entity types in
``daylight.cedarschema`` plus what the service catalog and the request-context table define
(one action per operation, grouped by capability; one declaration slot per capability; the
context record).

Cedar (through cedarpy) parses the schema once; a schema that does not parse is refused with
Cedar's message, never ignored (cedarpy#27 once ignored invalid schemas silently).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from daylight.core.errors import InputError
from daylight.policy.catalog import Catalog
from daylight.policy.context import cedar_context_type
from daylight.registry.classification import SUPPORTED_SECTORS
from daylight.registry.support import SUPPORT_KINDS

if TYPE_CHECKING:
    import cedarpy

SCHEMA_FILE = "daylight.cedarschema"


@dataclass(frozen=True)
class PolicySchema:
    """A parsed Cedar schema with its text and SHA-256."""

    text: str
    handle: cedarpy.Schema

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def _quoted(ids: list[str]) -> str:
    return ", ".join(f'"{i}"' for i in ids)


def build_schema_text(catalog: Catalog) -> str:
    """The full schema text for ``catalog``."""
    base = (resources.files("daylight.policy") / SCHEMA_FILE).read_text(encoding="utf-8")
    capabilities = sorted(catalog.capabilities)
    parts = [base.rstrip() + "\n", "\n// -- generated from the service catalog and the context table --\n"]
    parts.append("type Declarations = {\n"
                 + "".join(f"  {cap}: Declared,\n" for cap in capabilities) + "};\n")
    parts.append("type SupportByKind = {\n"
                 + "".join(f"  {kind}: SupportWeight,\n" for kind in SUPPORT_KINDS) + "};\n")
    parts.append("type SupportBySector = {\n"
                 + "".join(f"  {sector}: SupportByKind,\n" for sector in SUPPORTED_SECTORS) + "};\n")
    parts.append(cedar_context_type())
    for cap in capabilities:
        parts.append(f'action "{cap}";\n')
    for op_id in sorted(catalog.operations):
        op = catalog.operations[op_id]
        parts.append(f'action "{op_id}" in [{_quoted(list(op.capabilities))}] appliesTo {{\n'
                     "  principal: [Account], resource: [Service], context: RequestContext\n};\n")
    return "".join(parts)


def parse_schema(text: str, *, where: str = SCHEMA_FILE) -> PolicySchema:
    """Parse schema text; InputError with Cedar's message if it is not a valid schema."""
    import cedarpy  # heavy: loaded where used, not at start-up

    try:
        handle = cedarpy.Schema.from_str(text)
    except ValueError as exc:
        raise InputError(f"invalid Cedar schema: {_first_line(exc)}", where=where) from exc
    return PolicySchema(text, handle)


def build_schema(catalog: Catalog) -> PolicySchema:
    """The parsed schema for ``catalog``."""
    return parse_schema(build_schema_text(catalog))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return " ".join(text.split()) if text else type(exc).__name__
