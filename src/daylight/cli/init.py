"""`daylight init`: create a home."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from daylight.home import Home


def init(
    ctx: typer.Context,
    origin: Annotated[str, typer.Option(help="The log's origin, e.g. `transparency.example.com/log`; "
                                             "also the name of its signing key.")],
) -> None:
    """Create the home: signing key (mode 0600), database and an empty signed log."""
    home: Home = ctx.obj
    signer = home.initialise(origin)
    print(json.dumps({"origin": origin, "vkey": signer.verifier().vkey,
                      "home": str(home.settings.home)}))
