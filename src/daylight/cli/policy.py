"""`daylight policy ...`, `daylight decide`, `daylight decisions ...`: the policy gate.

PACK is the name of a shipped pack (`employee-demands`, ...) or a pack directory. Decisions made
here are recorded like any other (counts, and each denial) before the command ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated

import typer

from daylight.cli.output import print_json, stderr
from daylight.core.errors import InputError
from daylight.core.period import parse_period
from daylight.flows.decide import (
    DecisionRequest,
    decide_and_record,
    digest_period,
    recorded_decisions,
)
from daylight.flows.publish import check_pack, list_policies, publish_packs, validate_pack
from daylight.home import Home
from daylight.policy.validation import verify_pack

app = typer.Typer(no_args_is_help=True, help="Policy packs and published policy versions.")
decisions_app = typer.Typer(no_args_is_help=True, help="Recorded decisions and their digests.")


def parse_effective(text: str) -> datetime:
    """`YYYY-MM-DD` (00:00 UTC that day) or an RFC 3339 date-time with a zone."""
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0), UTC)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"`{text}` is not a date or an RFC 3339 date-time", where="--effective") from exc
    if moment.tzinfo is None:
        raise InputError(f"`{text}` has no time zone", where="--effective")
    return moment


@app.command()
def validate(pack: Annotated[str, typer.Argument(help="Shipped pack name or pack directory.")]) -> None:
    """Parse a pack and validate it against the Cedar schema; prints its policies."""
    print_json(validate_pack(pack).to_json())


@app.command("test")
def test_command(pack: Annotated[str, typer.Argument(help="Shipped pack name or pack directory.")]) -> None:
    """Validate a pack and run its Given/When/Then corpus; fails (exit 6) if a case fails."""
    result = check_pack(pack)
    print_json(result.summary())
    verify_pack(result)


@app.command("publish")
def publish_command(
    ctx: typer.Context,
    packs: Annotated[list[str], typer.Argument(help="Packs whose union becomes one version.")],
    effective: Annotated[str | None, typer.Option(
        help="When the version takes effect: `YYYY-MM-DD` (00:00 UTC) or an RFC 3339 date-time; "
             "default now. Never before the version in force.")] = None,
) -> None:
    """Validate and test the packs, then publish their union as a new version in the log."""
    home: Home = ctx.obj
    publication = publish_packs(home.database(), home.log(writable=True), packs,
                                effective_from=parse_effective(effective) if effective else None)
    print_json(publication.to_json())
    if not publication.published:
        stderr.print(f"version {publication.version.version} already has this text: nothing published")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """The shipped packs and the published versions, with the one in force now."""
    home: Home = ctx.obj
    print_json(list_policies(home.database()).to_json())


def decide(
    ctx: typer.Context,
    account: Annotated[str, typer.Argument(help="The account id.")],
    operation: Annotated[str, typer.Argument(help="A catalog operation, e.g. `face.search`.")],
    context: Annotated[str | None, typer.Option(
        help="The request context as a JSON object, e.g. '{\"purpose\": \"missing_children\"}'.")] = None,
) -> None:
    """Decide whether ACCOUNT may call OPERATION now; prints the decision as JSON (a deny is
    an answer, exit 0) and records it."""
    home: Home = ctx.obj
    request = DecisionRequest.parse(account, operation, context)  # before the database is opened
    print_json(decide_and_record(home.database(), request,
                                 support_window_days=home.settings.support_window_days,
                                 support_staleness_days=home.settings.snapshot_staleness_days
                                 ).to_json())


@decisions_app.command("digest")
def decisions_digest(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option(
        help="A day, month or quarter; default: every ended day not yet digested.")] = None,
) -> None:
    """Append decision digests to the log: one period, or every ended day that needs one."""
    home: Home = ctx.obj
    parsed = parse_period(period) if period is not None else None
    for digest in digest_period(home.database(), home.log(writable=True), parsed):
        print_json(digest.to_json())


@decisions_app.command("show")
def decisions_show(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="A day `YYYY-MM-DD`, month `YYYY-MM` or quarter.")],
) -> None:
    """The recorded decision counts and denials of a period, as JSON lines."""
    home: Home = ctx.obj
    parsed = parse_period(period)
    for row in recorded_decisions(home.database(), parsed).json_lines():
        print_json(row)
