"""The `daylight` command line: global options, error handling, and the command groups."""

from __future__ import annotations

import inspect
import os
from difflib import get_close_matches
from importlib import import_module
from pathlib import Path
from typing import Any, NamedTuple

import typer
from typer._click.exceptions import UsageError  # typer vendors click
from typer.core import TyperCommand, TyperGroup

from daylight.core.errors import DaylightError, VerificationError, printable
from daylight.core.settings import SETTINGS, Setting, build_settings


class Entry(NamedTuple):
    """A top-level command: where it lives (``daylight.cli.<module>``'s ``attribute``, a Typer
    sub-app or a command function) and its help's first paragraph, as ``daylight --help`` lists it
    without importing the module (``tests/cli/test_lazy.py`` keeps the two equal)."""

    module: str
    attribute: str
    help: str


COMMANDS: dict[str, Entry] = {  # in the order `daylight --help` lists them: commands, then groups
    "screen": Entry("registry", "screen", "Screen all unresolved accounts against the registry; "
                    "prints counts per outcome."),
    "decide": Entry("policy", "decide", "Decide whether ACCOUNT may call OPERATION now; prints the "
                    "decision as JSON (a deny is\nan answer, exit 0) and records it."),
    "audit": Entry("audit", "audit", "Replay a period's aggregated usage against the policy version "
                   "in force each day; print\nthe findings as JSON lines and append them to the log."),
    "serve": Entry("serve", "serve", "Serve the HTTP API (decisions, every flow, published reports, "
                   "the log) until interrupted."),
    "demo": Entry("demo", "demo", "Build the demo world on the embedded SQLite default and show that "
                  "it verifies."),
    "verify": Entry("report", "verify", "Verify a published report from its files alone; exit "
                    "non-zero naming every problem."),
    "declare": Entry("voice", "declare_command", "Declare ACCOUNT's use of CAPABILITY; prints "
                     '{"declaration_id": ...}.'),
    "init": Entry("init", "init", "Create the home: signing key (mode 0600), database and an empty "
                  "signed log."),
    "log": Entry("log", "app", "The append-only transparency log."),
    "witness": Entry("witness", "app", "Witness other logs: cosign consistent checkpoints."),
    "reference": Entry("registry", "reference_app", "The reference registry of real organisations."),
    "accounts": Entry("registry", "accounts_app", "The provider's customer accounts."),
    "review": Entry("registry", "review_app", "The human review queue of uncertain matches."),
    "registry": Entry("registry", "registry_app", "Exports of the registry."),
    "catalog": Entry("catalog", "app", "The service catalog."),
    "usage": Entry("usage", "app", "Usage: who used which service and operation, and how much."),
    "correction": Entry("correction", "app", "Corrections: anyone may challenge a classification; "
                        "a reviewer decides."),
    "policy": Entry("policy", "app", "Policy packs and published policy versions."),
    "decisions": Entry("policy", "decisions_app", "Recorded decisions and their digests."),
    "token": Entry("token", "app", "API tokens of `daylight serve` (docs/api.md, Access)."),
    "report": Entry("report", "app", "The transparency report: build and publish it."),
    "declarations": Entry("voice", "declarations_app", "Review, show and list declarations."),
    "objection": Entry("voice", "objection_app", "Employees' objections: file, co-sign, show, list, "
                       "resolve."),
    "refusal": Entry("voice", "refusal_app", "Employees' standing refusals."),
}
"""Every top-level command, one line each; a module is imported only when its command runs."""

SUBCOMMANDS: dict[tuple[str, str], Entry] = {  # appended to a group kept in another module
    ("log", "publish"): Entry("log_publish", "publish", ""),
    ("reference", "diff"): Entry("reference_diff", "diff", ""),
    ("registry", "search"): Entry("search", "registry_search", ""),
}


def _loaded(entry: Entry) -> Any:
    return getattr(import_module(f"daylight.cli.{entry.module}"), entry.attribute)


def first_paragraph(help_text: str) -> str:
    """What a group's help shows of a command's help: its first paragraph (as typer's Rich help)."""
    return inspect.cleandoc(help_text).split("\n\n")[0].strip()


def _usage_error(error: UsageError, ctx: Any) -> None:
    """A missing option, a bad choice: one line naming the command, like every other error."""
    known = error.ctx or ctx
    path = known.command_path.split(" ", 1) if known is not None else []
    where = " ".join(["daylight", *path[1:]])  # the program's own name, whatever it was run as
    message = printable(error.format_message())  # it may quote an argument as typed
    typer.echo(f"error: {printable(where)}: {message} (see `{printable(where)} --help`)", err=True)


class DaylightGroup(TyperGroup):
    """The top-level command group: lazy, and catches every DaylightError once.

    Click's lazy group pattern: ``list_commands`` names the commands from ``COMMANDS`` and
    ``get_command`` imports a command's module only when it is invoked; ``--help`` lists them
    with their help from the table, importing none. A DaylightError becomes one line on stderr
    (evidence below it) and a non-zero exit."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self._loaded: dict[str, Any] = {}
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self._listing and cmd_name not in self._loaded:  # the help lists it: no import
            return TyperCommand(name=cmd_name, help=entry.help, rich_markup_mode=self.rich_markup_mode)
        if cmd_name not in self._loaded:
            self._loaded[cmd_name] = self._command(cmd_name, _loaded(entry))
        return self._loaded[cmd_name]

    def _command(self, name: str, target: Any) -> Any:
        """A command module's Typer sub-app or function as a click command, built as
        ``app.add_typer(target, name=name)`` or ``app.command(name)(target)`` would build it."""
        holder = typer.Typer()
        if isinstance(target, typer.Typer):
            for (group, sub), entry in SUBCOMMANDS.items():
                if group == name and all(c.name != sub for c in target.registered_commands):
                    target.command(sub)(_loaded(entry))
            holder.add_typer(target, name=name)
            return typer.main.get_group_from_info(
                holder.registered_groups[0], pretty_exceptions_short=app.pretty_exceptions_short,
                rich_markup_mode=self.rich_markup_mode, suggest_commands=self.suggest_commands)
        holder.command(name)(target)
        return typer.main.get_command_from_info(
            holder.registered_commands[0], pretty_exceptions_short=app.pretty_exceptions_short,
            rich_markup_mode=self.rich_markup_mode)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """As typer's, suggesting from every command rather than the loaded ones."""
        try:
            return self._click_resolve_command(ctx, args)
        except UsageError as error:
            matches = (get_close_matches(args[0], self.list_commands(ctx))
                       if args and self.suggest_commands else [])
            if matches:
                suggestions = ", ".join(f"{m!r}" for m in matches)
                error.message = f"{error.message.rstrip('.')}. Did you mean {suggestions}?"
            raise

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
        from importlib import metadata  # 20-50 ms: only for --version

        print(f"daylight {metadata.version('daylight')}")
        raise typer.Exit()


def main_options(ctx: typer.Context, **flags: Any) -> None:
    """Resolve the settings (flags generated from the settings table) and open the home."""
    flags.pop("version", None)  # --version exits in its callback
    given = {name: str(value) if isinstance(value, Path) else value
             for name, value in flags.items()}
    settings = build_settings(given, os.environ)
    from daylight.home import Home  # opens the stores: loaded when a command runs, not for --help

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


def main() -> None:
    """Entry point of the `daylight` script."""
    app(prog_name="daylight")


if __name__ == "__main__":
    main()
