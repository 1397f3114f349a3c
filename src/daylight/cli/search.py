"""`daylight registry search NAME [--state ST]`: ranked candidates from the loaded registry."""

from __future__ import annotations

from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.flows.search import search_registry
from daylight.home import Home


def registry_search(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name as a customer would type it.")],
    state: Annotated[str, typer.Option(help="A US two-letter state code.")] = "",
    limit: Annotated[int, typer.Option(help="How many candidates, 1 to 100.")] = 10,
) -> None:
    """Ranked candidates for NAME, as JSON Lines: id, name, sector, state, score, features."""
    home: Home = ctx.obj
    for candidate in search_registry(home.database(), name, state, limit=limit):
        print_json(candidate.to_json())
