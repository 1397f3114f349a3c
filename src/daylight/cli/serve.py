"""`daylight serve`: run the HTTP decision service (``daylight.api``) with uvicorn.

The command line and the HTTP service are sibling layers, so the service is named by its import
string (``daylight.api.app:app_from_environment``), which each uvicorn worker process loads with
all the resolved settings passed through ``DAYLIGHT_*`` environment variables.
"""

from __future__ import annotations

import dataclasses
import os
import signal
from typing import Annotated

import typer

from daylight.cli.output import say
from daylight.core.settings import settings_environment
from daylight.core.text import count_of
from daylight.home import Home

APP_FACTORY = "daylight.api.app:app_from_environment"
HTTP_PROTOCOL = "daylight.api.protocol:HttpToolsJsonErrors"  # malformed HTTP answered in JSON


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int | None, typer.Option(
        min=1, help="Worker processes (one core each); each enforces 1/N of the rate limits.",
        show_default="1, or the serve_workers setting")] = None,
    decision_cache_entries: Annotated[int | None, typer.Option(
        min=0, help="Decisions each worker keeps per policy and registry snapshot; 0 sends "
                    "every request through Cedar.",
        show_default="65536, or the serve_decision_cache_entries setting")] = None,
    durable_decisions: Annotated[bool | None, typer.Option(
        "--durable-decisions/--batched-decisions",
        help="Answer a decision only once its record is committed (group commit), or flush "
             "records every 0.25 s and lose the last 0.25 s of them in a crash.",
        show_default="durable, or the serve_decision_records setting")] = None,
) -> None:
    """Serve the HTTP API (decisions, every flow, published reports, the log) until interrupted.

    Routes other than the public ones need an API token: `daylight token create --role gateway`
    lets a gateway decide (docs/api.md, Access).

    SIGTERM or SIGINT stops it gracefully: requests in flight are answered, decision records
    flushed, and the command exits 0."""
    import uvicorn  # heavy: loaded where used, not at start-up

    home: Home = ctx.obj
    home.database()  # refuse to start on a home that does not exist
    home.close()
    settings = home.settings
    if decision_cache_entries is not None:
        settings = dataclasses.replace(settings, serve_decision_cache_entries=decision_cache_entries)
    if workers is not None:
        settings = dataclasses.replace(settings, serve_workers=workers)
    if durable_decisions is not None:
        settings = dataclasses.replace(
            settings, serve_decision_records="durable" if durable_decisions else "batched")
    os.environ.update(settings_environment(settings))  # every setting, to each worker
    say(f"serving the API at http://{_url_host(host)}:{port} "
        f"({count_of(settings.serve_workers, 'worker')}; the routes at /openapi.json; Ctrl-C stops)")
    # uvicorn shuts down gracefully on SIGTERM, then raises the signal again under the handler
    # it found: with the default one the process would die of it (exit 143) after a clean stop.
    stopped = {signal.SIGTERM: signal.signal(signal.SIGTERM, _stopped),
               signal.SIGINT: signal.signal(signal.SIGINT, _stopped)}
    try:
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=settings.serve_workers,
                    http=HTTP_PROTOCOL, log_level="warning", access_log=False)
    finally:
        for number, handler in stopped.items():
            signal.signal(number, handler)


def _url_host(host: str) -> str:
    """The host as a URL writes it: an IPv6 address in brackets."""
    return f"[{host}]" if ":" in host else host


def _stopped(number: int, frame: object) -> None:
    """The handler uvicorn re-raises its stop signal under once it has stopped: nothing more
    to do, the command returns normally."""
