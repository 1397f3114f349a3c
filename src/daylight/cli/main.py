"""The `daylight` command line: global options, error handling, and the command groups."""

from __future__ import annotations

import inspect
import json
import os
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer
from typer._click.exceptions import UsageError  # typer vendors click
from typer.core import TyperGroup

from daylight.cli import audit as audit_command
from daylight.cli import catalog as catalog_commands
from daylight.cli import correction as correction_commands
from daylight.cli import demo as demo_command
from daylight.cli import log as log_commands
from daylight.cli import log_publish as log_publish_command
from daylight.cli import policy as policy_commands
from daylight.cli import reference_diff as reference_diff_command
from daylight.cli import registry as registry_commands
from daylight.cli import report as report_commands
from daylight.cli import search as search_command
from daylight.cli import serve as serve_command
from daylight.cli import token as token_commands
from daylight.cli import usage as usage_commands
from daylight.cli import voice as voice_commands
from daylight.cli import witness as witness_commands
from daylight.core.errors import DaylightError, VerificationError, printable
from daylight.core.settings import SETTINGS, Setting, build_settings
from daylight.home import Home


def _usage_error(error: UsageError, ctx: Any) -> None:
    """A missing option, a bad choice: one line naming the command, like every other error."""
    known = error.ctx or ctx
    path = known.command_path.split(" ", 1) if known is not None else []
    where = " ".join(["daylight", *path[1:]])  # the program's own name, whatever it was run as
    message = printable(error.format_message())  # it may quote an argument as typed
    typer.echo(f"error: {printable(where)}: {message} (see `{printable(where)} --help`)", err=True)


class DaylightGroup(TyperGroup):
    """Catches every DaylightError once: one line on stderr (evidence below it), non-zero exit."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None,
                     **extra: Any) -> Any:
        """Errors in the global options come before ``invoke``: the same one line for them."""
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:
            if not error.format_message():  # no arguments: the help was the answer
                raise
            _usage_error(error, error.ctx)
            raise typer.Exit(2) from error

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click.Context
        try:
            return super().invoke(ctx)
        except DaylightError as error:
            message = error.diagnostics() if isinstance(error, VerificationError) else str(error)
            first, *rest = message.splitlines()
            typer.echo(f"error: {first}", err=True)
            for line in rest:
                typer.echo(line, err=True)
            ctx.exit(error.exit_code)
        except UsageError as error:  # a missing option, a bad choice: the same one line, exit 2
            if error.format_message():  # (none with no arguments: the help was the answer)
                _usage_error(error, ctx)
            ctx.exit(2)


app = typer.Typer(
    cls=DaylightGroup,
    no_args_is_help=True,
    add_completion=False,
    help="Daylight: who uses sensitive AI and cloud services, and how, verifiably.",
)
app.add_typer(log_commands.app, name="log")
registry_commands.reference_app.command("diff")(reference_diff_command.diff)
log_commands.app.command("publish")(log_publish_command.publish)
app.add_typer(witness_commands.app, name="witness")
app.add_typer(registry_commands.reference_app, name="reference")
app.add_typer(registry_commands.accounts_app, name="accounts")
app.command("screen")(registry_commands.screen)
app.add_typer(registry_commands.review_app, name="review")
app.add_typer(registry_commands.registry_app, name="registry")
registry_commands.registry_app.command("search")(search_command.registry_search)
app.add_typer(catalog_commands.app, name="catalog")
app.add_typer(usage_commands.app, name="usage")
app.add_typer(correction_commands.app, name="correction")
app.add_typer(policy_commands.app, name="policy")
app.command("decide")(policy_commands.decide)
app.add_typer(policy_commands.decisions_app, name="decisions")
app.command("audit")(audit_command.audit)
app.command("serve")(serve_command.serve)
app.add_typer(token_commands.app, name="token")
app.command("demo")(demo_command.demo)
app.add_typer(report_commands.app, name="report")
app.command("verify")(report_commands.verify)
app.command("declare")(voice_commands.declare_command)
app.add_typer(voice_commands.declarations_app, name="declarations")
app.add_typer(voice_commands.objection_app, name="objection")
app.add_typer(voice_commands.refusal_app, name="refusal")


def _global_option(setting: Setting) -> inspect.Parameter:
    """The flag of one setting: ``--name-with-dashes``, also read from ``DAYLIGHT_<NAME>``."""
    secret = setting.default is None  # no default to show (the database URL: never printed)
    option = typer.Option(
        None, setting.flag, envvar=setting.env, help=setting.help, show_envvar=True,
        show_default=False if secret else str(setting.default))
    return inspect.Parameter(setting.name, inspect.Parameter.KEYWORD_ONLY, default=option,
                             annotation=setting.type | None)


def _version(value: bool) -> None:
    if value:
        print(f"daylight {metadata.version('daylight')}")
        raise typer.Exit()


def main_options(ctx: typer.Context, **flags: Any) -> None:
    """Resolve the settings (flags generated from the settings table) and open the home."""
    flags.pop("version", None)  # --version exits in its callback
    given = {name: str(value) if isinstance(value, Path) else value
             for name, value in flags.items()}
    settings = build_settings(given, os.environ)
    home_context = Home(settings)
    ctx.obj = home_context
    ctx.call_on_close(home_context.close)


_context = inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                             annotation=typer.Context)
_version_option = inspect.Parameter(
    "version", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
    default=typer.Option(False, "--version", callback=_version, is_eager=True,
                         help="Print the version and exit."))
main_options.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [_context, _version_option, *(_global_option(s) for s in SETTINGS)], return_annotation=None)
main_options.__annotations__ = {"ctx": typer.Context, "return": None, "version": bool,
                                **{s.name: s.type | None for s in SETTINGS}}
app.callback()(main_options)


@app.command()
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


def main() -> None:
    """Entry point of the `daylight` script."""
    app(prog_name="daylight")


if __name__ == "__main__":
    main()
