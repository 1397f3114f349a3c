"""`daylight serve`: run the HTTP decision service (``daylight.api``) with uvicorn.

The command line and the HTTP service are sibling layers, so the service is named by its import
string (``daylight.api.app:app_from_environment``), which each uvicorn worker process loads with
all the resolved settings passed through ``DAYLIGHT_*`` environment variables.
"""

from __future__ import annotations

import dataclasses
import os
from typing import Annotated

import typer

from daylight.core.settings import settings_environment
from daylight.home import Home

APP_FACTORY = "daylight.api.app:app_from_environment"


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    workers: Annotated[int, typer.Option(help="Worker processes (one core each).")] = 1,
    decision_cache_entries: Annotated[int | None, typer.Option(
        min=0, help="Decisions each worker keeps per policy and registry snapshot; 0 sends "
                    "every request through Cedar.",
        show_default="65536, or the serve_decision_cache_entries setting")] = None,
) -> None:
    """Serve `POST /v1/decisions` and `GET /v1/policy` over HTTP until interrupted."""
    import uvicorn  # heavy: loaded where used, not at start-up

    home: Home = ctx.obj
    home.database()  # refuse to start on a home that does not exist
    home.close()
    settings = home.settings
    if decision_cache_entries is not None:
        settings = dataclasses.replace(settings, serve_decision_cache_entries=decision_cache_entries)
    os.environ.update(settings_environment(settings))  # every setting, to each worker
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)
