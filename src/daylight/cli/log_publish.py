"""`daylight log publish`: sign a checkpoint over every entry sequenced, and collect witnesses'
cosignatures on it (C2SP tlog-witness)."""

from __future__ import annotations

from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.core.errors import VerificationError
from daylight.home import Home


def publish(
    ctx: typer.Context,
    witness: Annotated[list[str] | None, typer.Option(
        "--witness", help="A witness's URL prefix (`http://127.0.0.1:8081`); repeat for each. "
                          "`/add-checkpoint` is appended.")] = None,
) -> None:
    """Sign a checkpoint covering every sequenced entry and ask each --witness to cosign it.

    Prints the checkpoint with the cosignatures collected, and each witness's answer; fails
    (exit 6) if a witness did not cosign, after keeping the cosignatures of the others."""
    # loaded here: `log publish` joins the `log` group, which `log checkpoint` loads too
    from daylight.log.cosignatures import publish_checkpoint, verify_witness_url

    home: Home = ctx.obj
    for url in witness or ():  # before the log is touched
        verify_witness_url(url)
    published = publish_checkpoint(home.log(writable=True), witness or [])
    print_json(published.to_json())
    if published.refused:
        first = published.refused[0]
        raise VerificationError(
            f"{len(published.refused)} of {len(published.answers)} witnesses did not cosign size "
            f"{published.tree_size}: `{first.url}` answered {first.status}: {first.error}",
            evidence={"answers": [a.to_json() for a in published.refused]})
