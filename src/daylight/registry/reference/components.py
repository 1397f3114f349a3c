"""Federal components and the agency they are part of: ICE's Enforcement and Removal Operations,
CBP's Border Patrol, ... (``components.csv`` beside this module, one line each with its public
source).

The shipped reference build does not hold the components as organisations yet; until it does,
the screener reads this curated table and resolves a component's name to its agency, naming the
component as evidence (``Screener``). Curated by hand because no dataset in the reference lists
components with the agency they belong to; every row names the public record that states it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from daylight.core.errors import InputError

COMPONENTS_FILE = "components.csv"
_COLUMNS = ("component", "abbreviation", "part_of", "source")


@dataclass(frozen=True)
class Component:
    """A named part of an agency (``part_of`` is the agency's organisation id)."""

    name: str
    abbreviation: str
    part_of: str
    source: str


def parse_components(text: str, where: str = COMPONENTS_FILE) -> tuple[Component, ...]:
    """The components of a ``components.csv`` text; a missing column or cell names its line."""
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InputError(f"expected the columns {', '.join(_COLUMNS)}", where=f"{where}:1")
    out = []
    for line, row in enumerate(reader, start=2):
        for column in ("component", "part_of", "source"):
            if not (row.get(column) or "").strip():
                raise InputError(f"`{column}` is empty", where=f"{where}:{line}: {column}")
        out.append(Component(row["component"].strip(), (row["abbreviation"] or "").strip(),
                             row["part_of"].strip(), row["source"].strip()))
    return tuple(out)


@lru_cache(maxsize=1)
def read_components() -> tuple[Component, ...]:
    """The shipped components."""
    text = files("daylight.registry.reference").joinpath(COMPONENTS_FILE).read_text("utf-8")
    return parse_components(text)
