"""`daylight reference diff`: what loading a reference build would change, before loading it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.home import Home
from daylight.registry.reference.shipped import read_reference
from daylight.registry.service import reference_diff


def diff(
    ctx: typer.Context,
    source: Annotated[Path | None, typer.Option(
        "--from", help="A directory written by `reference build --out` (default: shipped).")] = None,
    limit: Annotated[int, typer.Option(
        min=0, help="Most ids listed per change (the counts are always whole).")] = 50,
) -> None:
    """Show what changed between the loaded build and a new one (organisations added, merged,
    withdrawn, re-sectored; relationships added, ended, changed) without loading it."""
    home: Home = ctx.obj
    print_json(reference_diff(home.database(), read_reference(source)).to_json(limit))
