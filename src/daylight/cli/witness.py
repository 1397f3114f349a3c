"""`daylight witness`: run a C2SP tlog-witness for other logs, and print its key.

The witness keeps its key (``witness.key``, mode 0600, made on first start) and its state (the
latest checkpoint it cosigned per log, and the evidence of every fork it refused) in the home
given by ``--home``. Like `daylight serve`, the HTTP side is named by import string
(``daylight.api.witness:app_from_environment``) and reached through ``DAYLIGHT_*`` variables.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.core.settings import settings_environment
from daylight.home import Home
from daylight.log.witness import LOGS_ENV, parse_logs

APP_FACTORY = "daylight.api.witness:app_from_environment"
HTTP_PROTOCOL = "daylight.api.protocol:HttpToolsJsonErrors"  # malformed HTTP answered in JSON

app = typer.Typer(no_args_is_help=True, help="Witness other logs: cosign consistent checkpoints.")

NAME_HELP = "The witness key's name when the key is made (first start); default witness-<random>."


@app.command()
def key(ctx: typer.Context, name: Annotated[str | None, typer.Option(help=NAME_HELP)] = None,
        ) -> None:
    """Print this witness's verifier key (cosignature/v1), making the key on first use."""
    home: Home = ctx.obj
    print(home.witness_signer(name=name).verifier().vkey)


@app.command()
def serve(
    ctx: typer.Context,
    log: Annotated[list[str], typer.Option(
        "--log", help="A log to follow, as ORIGIN=VKEY (its `daylight log key`); repeat for "
                      "each log.")],
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8081,
    name: Annotated[str | None, typer.Option(help=NAME_HELP)] = None,
) -> None:
    """Serve `POST /add-checkpoint` (C2SP tlog-witness) until interrupted; exits 0 on SIGTERM."""
    import uvicorn  # heavy: loaded where used, not at start-up

    home: Home = ctx.obj
    parse_logs(log)  # refused here, naming the bad one, before anything starts
    signer = home.witness_signer(name=name)  # made here, once, before any worker starts
    home.witness_database()
    home.close()
    os.environ.update(settings_environment(home.settings))
    os.environ[LOGS_ENV] = "\n".join(log)
    print_json({"witness": signer.name, "vkey": signer.verifier().vkey, "host": host,
                "port": port, "logs": sorted(v.partition("=")[0] for v in log)})
    sys.stdout.flush()  # the key and address, before serving (stdout may be a pipe)
    # as in `daylight serve`: uvicorn re-raises SIGTERM after its graceful stop; a no-op
    # handler makes that a normal return (exit 0) instead of death by the signal (143)
    previous = {number: signal.signal(number, _stopped) for number in (signal.SIGTERM,
                                                                        signal.SIGINT)}
    try:
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=1,
                    http=HTTP_PROTOCOL, log_level="warning", access_log=False)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stopped(number: int, frame: object) -> None:
    """The handler uvicorn re-raises its stop signal under once it has stopped."""
