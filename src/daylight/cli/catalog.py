"""`daylight catalog list`: services, operations, capabilities and purposes."""

from __future__ import annotations

import typer

from daylight.cli.output import print_json
from daylight.flows.catalog import list_catalog

app = typer.Typer(no_args_is_help=True, help="The service catalog.")


@app.command("list")
def catalog_list() -> None:
    """The catalog's services with their operations and capabilities, and the purposes the
    shipped policy packs recognise, as one JSON object."""
    print_json(list_catalog().to_json())
