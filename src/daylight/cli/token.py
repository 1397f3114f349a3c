"""`daylight token`: the HTTP service's API tokens — create (the secret printed once, on the
last line of stdout), list (never a secret), revoke."""

from __future__ import annotations

from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.core.clock import utc_text
from daylight.flows.tokens import create_token, list_tokens, revoke_token
from daylight.home import Home

app = typer.Typer(no_args_is_help=True, help="API tokens of `daylight serve` (docs/api.md, Access).")


@app.command("create")
def token_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="admin, reviewer, employee, customer, gateway or public.")],
    account: Annotated[list[str] | None, typer.Option(
        help="A customer token's account (repeat for several; registry account ids).")] = None,
    identity: Annotated[str | None, typer.Option(
        help="Who a reviewer or employee token is issued to (a reviewer by work address); "
             "optional for admin.")] = None,
    expires: Annotated[str | None, typer.Option(
        help="YYYY-MM-DD (stops working at 00:00 UTC that day) or an RFC 3339 time.")] = None,
) -> None:
    """Create a token: its record as JSON, then the token itself, once, on the last line."""
    home: Home = ctx.obj
    created = create_token(home.database(), role, accounts=account or (), identity=identity,
                           expires=expires)
    print_json(created.to_json())
    print(created.secret, flush=True)


@app.command("list")
def token_list(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one token each.")] = False,
) -> None:
    """Every token with its role, accounts, times and status (never a secret)."""
    home: Home = ctx.obj
    listing = list_tokens(home.database())
    if as_json:
        for record in listing.to_json():
            print_json(record)
        return
    from rich.console import Console  # heavy: loaded where used, not at start-up
    from rich.table import Table

    table = Table("token", "role", "status", "accounts", "identity", "created", "expires")
    for token in listing.tokens:
        table.add_row(token.token_id, str(token.role), token.status(listing.now),
                      " ".join(token.accounts), token.identity or "", utc_text(token.created_at),
                      utc_text(token.expires_at) if token.expires_at else "never")
    Console(soft_wrap=True).print(table)


@app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(metavar="ID", help="The token's id (`tok-...`).")],
) -> None:
    """Revoke a token: `daylight serve` refuses it within serve_token_cache_s."""
    home: Home = ctx.obj
    print_json(revoke_token(home.database(), token_id).to_json())
