"""`daylight log ...`: append, read, prove, export and verify the transparency log.

The mirror's writer and verifier (and the witness protocol they bring) are loaded by `export`
and `verify` when they run, so that reading a checkpoint starts fast (``bench/startup.py``)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from daylight.cli.output import print_json, progress_bar
from daylight.core.canonical import parse_json_object
from daylight.core.errors import ConfigError, InputError, NotFoundError
from daylight.home import Home
from daylight.log.entry import encode_entry
from daylight.log.note import Verifier, b64encode_canonical, verifier_from_vkey, witness_verifiers

app = typer.Typer(no_args_is_help=True, help="The append-only transparency log.")
prove_app = typer.Typer(no_args_is_help=True, help="Inclusion and consistency proofs.")
app.add_typer(prove_app, name="prove")


def read_entries(stream: BinaryIO, name: str) -> list[bytes]:
    """Canonical entries from JSON Lines; InputError naming the first bad line."""
    entries = []
    for number, raw in enumerate(stream, start=1):
        line = raw.rstrip(b"\n").rstrip(b"\r")
        where = f"{name}:{number}"
        if not line.strip():
            raise InputError("empty line: expected one JSON object per line", where=where)
        entries.append(encode_entry(parse_json_object(line, where=where), where=where))
    return entries


def _write_text(text: str) -> None:
    """Exact UTF-8 bytes, whatever the terminal's encoding (checkpoints hold an em dash)."""
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()


@app.command()
def key(ctx: typer.Context) -> None:
    """Print the log's verifier key (name+hash+base64), never the signing key."""
    home: Home = ctx.obj
    if home.settings.key_path.exists():
        _write_text(home.signer().verifier().vkey + "\n")
    else:
        _write_text(home.log().verifier.vkey + "\n")


@app.command()
def append(
    ctx: typer.Context,
    file: Annotated[str, typer.Argument(help="JSON Lines file, or - for standard input.")] = "-",
) -> None:
    """Append one entry per JSON object line: all of them, or none if any line is invalid."""
    home: Home = ctx.obj
    if file == "-":
        entries = read_entries(sys.stdin.buffer, "<stdin>")
    else:
        try:
            with open(file, "rb") as handle:
                entries = read_entries(handle, file)
        except FileNotFoundError as exc:
            raise NotFoundError(f"no such file `{file}`") from exc
        except IsADirectoryError as exc:
            raise InputError(f"`{file}` is a directory, expected a JSON Lines file") from exc
        except OSError as exc:  # a link that loops, a name too long, a read that fails
            raise InputError(f"cannot read: {exc.strerror}", where=file) from exc
    result = home.log(writable=True).append_canonical(entries)
    print_json({"first_index": result.first_index, "count": result.count,
                 "tree_size": result.tree_size})


@app.command()
def checkpoint(ctx: typer.Context) -> None:
    """Print the latest signed checkpoint, byte for byte."""
    home: Home = ctx.obj
    _write_text(home.log().checkpoint().note)


@app.command()
def integrate(ctx: typer.Context) -> None:
    """Cover entries that were sequenced but not yet integrated (after a crash) with a checkpoint."""
    home: Home = ctx.obj
    log = home.log(writable=True)
    before = log.tree_size()
    log.integrate()
    after = log.tree_size()
    print_json({"integrated": after - before, "tree_size": after})


@app.command()
def entry(ctx: typer.Context, index: Annotated[int, typer.Argument(min=0)]) -> None:
    """Print the stored bytes of the entry at INDEX (canonical JSON)."""
    home: Home = ctx.obj
    data = home.log().entry(index)
    sys.stdout.buffer.write(data)
    if sys.stdout.isatty():
        sys.stdout.buffer.write(b"\n")
    sys.stdout.flush()


@prove_app.command("inclusion")
def prove_inclusion(
    ctx: typer.Context,
    index: Annotated[int, typer.Argument(min=0, help="Leaf index.")],
    size: Annotated[int | None, typer.Option(min=1, help="Tree size; default: latest checkpoint.")] = None,
) -> None:
    """Print an inclusion proof of the entry at INDEX."""
    home: Home = ctx.obj
    print_json(home.log().inclusion_proof(index, size).to_json())


@prove_app.command("consistency")
def prove_consistency(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(min=1, help="The earlier tree size.")],
    new: Annotated[int, typer.Argument(min=1, help="The later tree size.")],
) -> None:
    """Print a consistency proof between tree sizes OLD and NEW."""
    home: Home = ctx.obj
    print_json(home.log().consistency_proof(old, new).to_json())


@app.command()
def export(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="Directory to write the tlog-tiles mirror to.")],
) -> None:
    """Write the whole log as a static C2SP tlog-tiles mirror."""
    from daylight.log.export import export_mirror

    home: Home = ctx.obj
    with progress_bar() as progress:
        task = progress.add_task("exporting tiles", total=None)
        stored = export_mirror(
            home.log(), directory,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    print_json({"directory": str(directory), "tree_size": stored.tree_size,
                 "root_hash": b64encode_canonical(stored.root_hash)})


def _verifier(home: Home, key_file: Path | None) -> Verifier:
    if key_file is not None:
        try:
            return verifier_from_vkey(key_file.read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ConfigError(f"cannot read verifier key: {exc.strerror}", where=str(key_file)) from exc
        except InputError as exc:
            raise ConfigError(exc.message, where=str(key_file)) from exc
    if home.settings.key_path.exists():
        return home.signer().verifier()
    raise ConfigError("no verifier key: pass --key VKEY_FILE (the output of `daylight log key`)")


@app.command()
def verify(
    ctx: typer.Context,
    directory: Annotated[Path, typer.Argument(help="A tlog-tiles mirror directory.")],
    key: Annotated[Path | None, typer.Option(
        "--key", help="File with the log's verifier key; default: this home's key.")] = None,
    since: Annotated[Path | None, typer.Option(
        help="An earlier signed checkpoint you kept; the mirror must be consistent with it.")] = None,
    witness: Annotated[list[str] | None, typer.Option(
        "--witness", help="A witness's verifier key (`daylight witness key`); repeat for each "
                          "witness whose cosignature counts.")] = None,
    quorum: Annotated[int | None, typer.Option(
        help="How many of the --witness keys must have cosigned the checkpoint; default: all.")
    ] = None,
) -> None:
    """Verify a mirror: checkpoint signature and witness cosignatures, every entry and tile, and
    consistency with --since."""
    home: Home = ctx.obj
    witnesses = witness_verifiers(witness or [])
    verifier = _verifier(home, key)
    since_text = None
    if since is not None:
        try:
            since_text = since.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read earlier checkpoint: {exc.strerror}",
                              where=str(since)) from exc
        except UnicodeDecodeError as exc:
            raise ConfigError("earlier checkpoint is not UTF-8 text", where=str(since)) from exc
    from daylight.log.verifier import verify_mirror

    with progress_bar() as progress:
        task = progress.add_task("verifying entries", total=None)
        report = verify_mirror(
            directory, verifier, since=since_text,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
            witnesses=witnesses, quorum=quorum,
        )
    print_json({
        "verified": True, "origin": report.origin, "tree_size": report.tree_size,
        "root_hash": b64encode_canonical(report.root_hash), "entries_checked": report.entries_checked,
        "consistent_with": report.consistent_with, "cosigned_by": list(report.cosigned_by),
    })
