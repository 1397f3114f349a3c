"""Federal components and what they are part of: ICE's Enforcement and Removal Operations and
its field offices, CBP's Border Patrol and its sectors, the FBI's field offices, the DEA's
divisions, the U.S. Marshals' districts, the ATF's field divisions, and federal police,
investigators and inspectors general that no source lists as organisations (the Federal
Protective Service, the Park Police, SIGAR: build 16) (``components.csv`` beside this module,
one line each with its public source).

Each row is ``id`` (``us-component:<agency>-<place>``, stable: accounts are matched to it),
``component`` (the name), ``abbreviation``, ``part_of`` (an agency's organisation id or an
earlier row's id) and ``source`` (the official public record that states it: an agency's web
page, a US Government work, or the USAspending record that names the office). The reference
build makes each row an organisation linked ``part_of`` its parent (``sources_components``);
the screener reads the table for the chain of parents, and, when the reference it is given does
not hold a component (a build before 7), resolves the component's name to its agency, naming the
component as evidence. Curated by hand because no dataset in the reference lists components with
the agency they belong to.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from daylight.core.errors import InputError

COMPONENTS_FILE = "components.csv"
_COLUMNS = ("id", "component", "abbreviation", "part_of", "source")
COMPONENT_PREFIX = "us-component:"


@dataclass(frozen=True)
class Component:
    """A named part of an agency (``part_of``: the agency's or another component's id)."""

    id: str
    name: str
    abbreviation: str
    part_of: str
    source: str


def parse_components(text: str, where: str = COMPONENTS_FILE) -> tuple[Component, ...]:
    """The components of a ``components.csv`` text; a missing column or cell names its line."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InputError(f"expected the columns {', '.join(_COLUMNS)}", where=f"{where}:1")
    out: list[Component] = []
    seen: set[str] = set()
    for line, row in enumerate(reader, start=2):
        for column in ("id", "component", "part_of", "source"):
            if not (row.get(column) or "").strip():
                raise InputError(f"`{column}` is empty", where=f"{where}:{line}: {column}")
        component_id, part_of = row["id"].strip(), row["part_of"].strip()
        if not component_id.startswith(COMPONENT_PREFIX) or component_id in seen:
            raise InputError(f"`{component_id}` is not a new `{COMPONENT_PREFIX}...` id",
                             where=f"{where}:{line}: id")
        if part_of.startswith(COMPONENT_PREFIX) and part_of not in seen:
            raise InputError(f"`{part_of}` is not an earlier row's id", where=f"{where}:{line}: part_of")
        seen.add(component_id)
        out.append(Component(component_id, row["component"].strip(),
                             (row["abbreviation"] or "").strip(), part_of, row["source"].strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def read_components() -> tuple[Component, ...]:
    """The shipped components."""
    text = files("daylight.registry.reference").joinpath(COMPONENTS_FILE).read_text("utf-8")
    return parse_components(text)
