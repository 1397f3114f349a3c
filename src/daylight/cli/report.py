"""`daylight report build` and `daylight verify`: publish a period's transparency report, and
check a published report from its files alone."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from daylight.cli.output import print_json, progress_bar, say, stderr
from daylight.core.clock import utc_now
from daylight.core.errors import ConfigError, VerificationError
from daylight.flows.report import ReportRequest, build_report
from daylight.home import Home
from daylight.log.cosignatures import verify_witness_url
from daylight.policy.catalog import default_catalog
from daylight.report.fetch import fetch_report
from daylight.report.server import report_server, serve_until_interrupted, url_of
from daylight.report.verify import verify_report

app = typer.Typer(no_args_is_help=True, help="The transparency report: build and publish it.")


@app.command()
def build(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="The period: YYYY-MM, YYYY-Qn or YYYY.")],
    out: Annotated[Path, typer.Option(help="Directory to write the report into (new, empty, or "
                                           "an earlier report, which is replaced).")],
    witness: Annotated[list[str] | None, typer.Option(
        "--witness", help="A witness's URL prefix (`http://127.0.0.1:8081`) asked to cosign the "
                          "report's checkpoints, as `log publish --witness`; repeat for each.")
    ] = None,
) -> None:
    """Build a period's report, prove every row in the log, publish it; print what was done.

    Aggregates and logs the period's usage first if that was not done (a period that has not
    ended is refused: exit 3). With --witness, fails (exit 6) after publishing if a witness did
    not cosign, keeping the cosignatures of the others."""
    home: Home = ctx.obj
    for url in witness or ():  # before anything is logged
        verify_witness_url(url)
    result = build_report(home.database(), home.log(writable=True), default_catalog(),
                          ReportRequest(period, out, usage_store=home.usage_store(),
                                        witnesses=tuple(witness or ()),
                                        support_window_days=home.settings.support_window_days,
                                        snapshot_staleness_days=home.settings
                                        .snapshot_staleness_days), utc_now())
    if result.synthetic:
        stderr.print("SYNTHETIC: this report is built from invented accounts and usage")
    say(f"report {result.period} in {out}: {sum(result.rows.values()):,} rows proven at tree size "
        f"{result.proven_tree_size}; {result.rows_appended:,} row entries and "
        f"{'a' if result.publication_appended else 'no'} new `report.published` entry appended "
        f"(index {result.published_log_index})")
    print_json(result.to_json())
    if result.witnesses_refused:
        first = result.witnesses_refused[0]
        raise VerificationError(
            f"{len(result.witnesses_refused)} of {len(result.witness_answers)} witness answers "
            f"refused a cosignature: `{first.url}` answered {first.status}: {first.error}",
            evidence={"answers": [a.to_json() for a in result.witnesses_refused]})


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read {what}: {exc.strerror}", where=str(path)) from exc


def verify(
    directory: Annotated[Path, typer.Argument(help="A published report directory.")],
    since: Annotated[Path | None, typer.Option(
        help="An earlier signed checkpoint you kept: the log must be consistent with it.")] = None,
    key: Annotated[Path | None, typer.Option(
        help="The log's verifier key (vkey). Default: the log.vkey published beside the log.")] = None,
    witness: Annotated[list[str] | None, typer.Option(
        help="A witness's cosignature verifier key (`daylight witness key`), or a file holding "
             "it, whose cosignature the published log/checkpoint must carry (repeatable).")
    ] = None,
    quorum: Annotated[int | None, typer.Option(
        help="How many of the --witness keys must have cosigned; default: all.")] = None,
) -> None:
    """Verify a published report from its files alone; exit non-zero naming every problem."""
    result = verify_report(
        directory, key=_read(key, "the key") if key is not None else None,
        since=_read(since, "the earlier checkpoint") if since is not None else None,
        witnesses=[_witness_key(w) for w in witness or ()], quorum=quorum)
    # what the report's files say (its period, origin, cosigners' names) is shown with ``say``
    if key is None:
        say(f"no --key: using the key published beside the log ({directory / 'log.vkey'}); "
            "pass the key you trust with --key")
    say(f"verified report {result.period} of {result.origin}: "
        + ", ".join(f"{n:,} {t}" for t, n in result.rows.items())
        + f" rows proven at tree size {result.proven_tree_size}; {result.files_checked:,} "
        f"files and {result.pages_checked} pages checked"
        + (f"; consistent with your checkpoint of size {result.consistent_with}"
           if result.consistent_with is not None else "")
        + (f"; cosigned by {', '.join(result.cosigned_by)}" if result.cosigned_by else ""))
    if result.cosignatures_not_checked:
        say(f"not checked: the checkpoint's cosignature by "
            f"{', '.join(result.cosignatures_not_checked)}; pass that witness's key with "
            "--witness to check it")
    print(json.dumps(result.to_json()))


def _witness_key(value: str) -> str:
    """A vkey given as it is, or the content of the file it names."""
    path = Path(value)
    try:
        is_file = "+" not in value and path.is_file()
    except OSError:  # a name the filesystem refuses (too long): a key, then, or a bad one
        is_file = False
    return _read(path, "the witness key") if is_file else value


@app.command()
def fetch(
    url: Annotated[str, typer.Argument(help="The address of a published report's folder "
                                            "(or of its index.html).")],
    out: Annotated[Path, typer.Option(help="A new folder to copy it into (in one that "
                                           "exists).")],
) -> None:
    """Copy a published report from where it is served, with every file `daylight verify`
    reads: the files its SHA256SUMS lists (each checked as it arrives), publication.json,
    log.vkey, and the log's checkpoint and tiles. Nothing is left behind if it fails or is
    interrupted."""
    with progress_bar() as progress:
        task = progress.add_task("fetching the report", total=None)
        fetched = fetch_report(url, out, progress=lambda done, total: progress.update(
            task, completed=done, total=total))
    # the folder as typed: `[bold]` in its name is not Rich markup, a control character is escaped
    say(f"fetched {fetched.files:,} files and {fetched.tiles:,} log tiles ({fetched.bytes:,} "
        f"bytes) into {out}; now check them: daylight verify {out} --key "
        "A_COPY_OF_THE_LOGS_KEY_YOU_TRUST")
    print_json(fetched.to_json())


@app.command()
def serve(
    directory: Annotated[Path, typer.Argument(help="A published report directory.")],
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 8000,
) -> None:
    """Serve a report directory on 127.0.0.1 and print its URL; Ctrl-C stops it."""
    server = report_server(directory, port=port)
    say(f"serving {directory} at {url_of(server)} (Ctrl-C stops)")
    print(url_of(server), flush=True)
    serve_until_interrupted(server)
