"""Names and domains customers use for federal bodies that no source of the build gives them
(``aliases.csv`` beside this module, one line each with its public source).

Each row is ``id`` (an organisation of the build: a USAspending agency, a .gov body, a curated
component), ``aliases`` (``;``-separated: the body's current name where the source has an old
one, its acronyms as customers type them — "Army CID", "USACIDC", "AFOSI", "OSI"), ``domains``
(``;``-separated: the body's own email domain, e.g. ``sigar.mil``) and ``source`` (the official
public record that states them). A domain given here is the body's alone: it moves from the
organisation the build gave it to (``tvaoig.gov`` was the Tennessee Valley Authority's, though
it is its inspector general's). Curated by hand because the raw files hold a body under one
name (USAspending's "U.S. Army Criminal Investigation Command", renamed in 2021) and .mil
domains not at all.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib.resources import files

from daylight.core.errors import InputError
from daylight.registry.reference.builder import ReferenceBuilder

ALIASES_FILE = "aliases.csv"
_COLUMNS = ("id", "aliases", "domains", "source")


@dataclass(frozen=True)
class KnownAs:
    """Other names and the own domains of organisation ``id``."""

    id: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    source: str


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def parse_aliases(text: str, where: str = ALIASES_FILE) -> tuple[KnownAs, ...]:
    """The rows of an ``aliases.csv`` text; a missing column or cell names its line."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise InputError(f"expected the columns {', '.join(_COLUMNS)}", where=f"{where}:1")
    out: list[KnownAs] = []
    for line, row in enumerate(reader, start=2):
        for column in ("id", "source"):
            if not (row.get(column) or "").strip():
                raise InputError(f"`{column}` is empty", where=f"{where}:{line}: {column}")
        aliases, domains = _split(row["aliases"]), _split(row["domains"])
        if not aliases and not domains:
            raise InputError("a row gives an alias or a domain", where=f"{where}:{line}: aliases")
        for domain in domains:
            if domain != domain.lower() or "." not in domain or " " in domain:
                raise InputError(f"`{domain}` is not a lower-case domain",
                                 where=f"{where}:{line}: domains")
        out.append(KnownAs(row["id"].strip(), aliases, domains, row["source"].strip()))
    return tuple(out)


def read_aliases() -> tuple[KnownAs, ...]:
    """The shipped rows."""
    return parse_aliases(files("daylight.registry.reference").joinpath(ALIASES_FILE)
                         .read_text("utf-8"))


def add_curated_aliases(builder: ReferenceBuilder) -> None:
    """Every row's aliases and domains on its organisation (a row whose organisation the build
    does not hold, a build from a slice of the raw files, is left out; a test checks the shipped
    build holds every row)."""
    for row in read_aliases():
        if row.id not in builder.organizations:
            continue
        for domain in row.domains:
            builder.move_identifier("domain", domain, row.id)
        builder.merge(row.id, aliases=row.aliases, sources=(f"daylight-aliases:{row.id}",))
