"""`daylight correction file|review|list`: challenges to published classifications."""

from __future__ import annotations

from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.core.clock import utc_now
from daylight.flows.correction import (
    CorrectionFiling,
    CorrectionReview,
    file_correction,
    list_corrections,
    review_correction,
)
from daylight.home import Home

app = typer.Typer(no_args_is_help=True,
                  help="Corrections: anyone may challenge a classification; a reviewer decides.")


@app.command("file")
def file(
    ctx: typer.Context,
    about: Annotated[str, typer.Option(help="What is challenged: `organization:ID`.")],
    claim: Annotated[str, typer.Option(help="What is wrong, in plain words.")],
    evidence: Annotated[list[str] | None, typer.Option(
        help="An http(s) URL supporting the claim (repeat for several).")] = None,
) -> None:
    """File a correction; prints {"correction_id": ...}."""
    home: Home = ctx.obj
    result = file_correction(home.database(), home.log(writable=True),
                             CorrectionFiling(about, claim, tuple(evidence or ())), utc_now())
    print_json({"correction_id": result.correction.correction_id})


@app.command("review")
def review(
    ctx: typer.Context,
    correction_id: Annotated[str, typer.Argument(help="The id `correction file` printed.")],
    by: Annotated[str, typer.Option("--by", help="The reviewer's identity (work address); logged "
                                                 "only as their reviewer pseudonym.")],
    decision: Annotated[str, typer.Option(help="accept or reject.")],
    rationale: Annotated[str, typer.Option(help="Why; published with the decision.")],
    effective: Annotated[str | None, typer.Option(
        "--from", help="Accepted: the day (YYYY-MM-DD) the override starts (default: today).")] = None,
    sector: Annotated[list[str] | None, typer.Option(
        help="Accepted: a supported sector the organisation is no longer classified as supporting "
             "(repeat; default: every sector).")] = None,
) -> None:
    """Accept or reject a correction with a rationale; prints the correction as JSON."""
    home: Home = ctx.obj
    result = review_correction(
        home.database(), home.log(writable=True),
        CorrectionReview(correction_id, by, decision, rationale, effective, tuple(sector or ())),
        utc_now())
    print_json(result.to_json())


@app.command("list")
def list_(ctx: typer.Context) -> None:
    """Every correction, one JSON object a line, in the order filed."""
    home: Home = ctx.obj
    for correction in list_corrections(home.database()):
        print_json(correction.to_json())
