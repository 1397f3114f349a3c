"""`daylight declare`, `daylight declarations ...`, `daylight objection ...`, `daylight refusal
...`: customers declare their use; employees object, co-sign and refuse; reviewers answer.
Every command calls one flow of ``daylight.flows.declare`` or ``daylight.flows.object``.

EMPLOYEE and REVIEWER identities are canonicalised (docs/voice.md): a reviewer is named by a
work address `name@domain`. No employee identity is ever printed, except by `objection signers`
to the holder of the review key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from daylight.cli.output import print_json
from daylight.core.clock import utc_now
from daylight.core.errors import InputError, NotFoundError
from daylight.flows.declare import (
    DeclarationRequest,
    ReviewRequest,
    declare,
    list_declarations,
    review_declaration,
    show_declaration,
)
from daylight.flows.object import (
    ObjectionRequest,
    RefusalRequest,
    ResolutionRequest,
    SignatureRequest,
    check_receipt,
    file_objection,
    list_objections,
    make_review_key,
    record_refusal,
    resolve_objection,
    show_objection,
    sign_objection,
    unseal_signers,
)
from daylight.home import Home
from daylight.policy.catalog import default_catalog
from daylight.voice.objection import default_threshold

declarations_app = typer.Typer(no_args_is_help=True, help="Review, show and list declarations.")
objection_app = typer.Typer(no_args_is_help=True,
                            help="Employees' objections: file, co-sign, show, list, resolve.")
refusal_app = typer.Typer(no_args_is_help=True, help="Employees' standing refusals.")

By = Annotated[str, typer.Option("--by", help="Who: an employee's or reviewer's identity.")]
About = Annotated[str, typer.Option(
    "--about", help="KIND:ID, KIND one of account, organization, declaration, capability, policy.")]


def _read(path: Path, where: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise NotFoundError(f"no file `{path}`", where=where) from exc
    except OSError as exc:
        raise InputError(f"cannot read `{path}`: {exc.strerror}", where=where) from exc


def declare_command(
    ctx: typer.Context,
    account: Annotated[str, typer.Option(help="The customer's account id.")],
    capability: Annotated[str, typer.Option(help="A catalog capability, e.g. `biometric_identification`.")],
    file: Annotated[Path, typer.Option(help="DECL.json: the declaration's fields (docs/voice.md).")],
) -> None:
    """Declare ACCOUNT's use of CAPABILITY; prints {"declaration_id": ...}."""
    home: Home = ctx.obj
    request = DeclarationRequest(account, capability, _read(file, "--file"), str(file))
    submitted = declare(home.database(), home.log(writable=True), default_catalog(), request,
                        utc_now())
    print_json(submitted.to_json())


@declarations_app.command("review")
def declarations_review(
    ctx: typer.Context,
    declaration_id: Annotated[str, typer.Argument(help="The declaration's id.")],
    by: Annotated[str, typer.Option("--by", help="The reviewer's work address `name@domain`.")],
    decision: Annotated[str, typer.Option(help="approve, reject, needs-changes, or revoke.")],
    rationale: Annotated[str, typer.Option(help="Why, in words (published).")],
) -> None:
    """Record a review step; prints the declaration's status as JSON."""
    home: Home = ctx.obj
    view = review_declaration(home.database(), home.log(writable=True),
                              ReviewRequest(declaration_id, by, decision, rationale), utc_now())
    print_json(view.to_json())


@declarations_app.command("show")
def declarations_show(
    ctx: typer.Context,
    declaration_id: Annotated[str, typer.Argument(help="The declaration's id.")],
) -> None:
    """A declaration, its status now, its approvals and reviews, as JSON."""
    home: Home = ctx.obj
    print_json(show_declaration(home.database(), declaration_id, utc_now()).to_json())


@declarations_app.command("list")
def declarations_list(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option(help="Only this account's.")] = None,
    status: Annotated[str | None, typer.Option(help="Only those with this status now.")] = None,
) -> None:
    """Declarations as JSON lines, oldest first."""
    home: Home = ctx.obj
    for view in list_declarations(home.database(), utc_now(), account_id=account, status=status):
        print_json(view.to_json())


@objection_app.command("file")
def objection_file(
    ctx: typer.Context,
    by: By,
    about: About,
    statement: Annotated[str, typer.Option(help="What is objected to and why (published).")],
    threshold: Annotated[int | None, typer.Option(
        help="Signatures that open a mandatory review; default: the objection_threshold setting.")] = None,
) -> None:
    """File an objection (the filer's signature is the first); prints its id and the filer's
    receipt."""
    home: Home = ctx.obj
    settings = home.settings
    default = default_threshold(settings.objection_threshold, settings.employee_count)
    filed = file_objection(home.database(), home.log(writable=True), default_catalog(),
                           home.voice_keys(), ObjectionRequest(by, about, statement, threshold),
                           default, utc_now())
    print_json(filed.to_json())


@objection_app.command("sign")
def objection_sign(
    ctx: typer.Context,
    objection_id: Annotated[str, typer.Argument(help="The objection's id.")],
    by: By,
) -> None:
    """Co-sign an objection; prints the signer's receipt (keep it: only it shows the signature
    was counted)."""
    home: Home = ctx.obj
    receipt = sign_objection(home.database(), home.log(writable=True), home.voice_keys(),
                             SignatureRequest(objection_id, by), utc_now())
    print_json(receipt.to_json())


@objection_app.command("show")
def objection_show(
    ctx: typer.Context,
    objection_id: Annotated[str, typer.Argument(help="The objection's id.")],
) -> None:
    """An objection: what about, statement, signature count, threshold, status, outcome."""
    home: Home = ctx.obj
    print_json(show_objection(home.database(), objection_id).to_json())


@objection_app.command("list")
def objection_list(ctx: typer.Context) -> None:
    """Every objection as JSON lines, oldest first."""
    home: Home = ctx.obj
    for objection in list_objections(home.database()):
        print_json(objection.to_json())


@objection_app.command("resolve")
def objection_resolve(
    ctx: typer.Context,
    objection_id: Annotated[str, typer.Argument(help="The objection's id.")],
    by: Annotated[str, typer.Option("--by", help="The reviewer's identity.")],
    outcome: Annotated[str, typer.Option(help="What was decided (published).")],
    rationale: Annotated[str, typer.Option(help="Why (published).")],
) -> None:
    """Record the outcome of an objection's mandatory review; prints the objection."""
    home: Home = ctx.obj
    resolved = resolve_objection(home.database(), home.log(writable=True), home.voice_keys(),
                                 ResolutionRequest(objection_id, by, outcome, rationale), utc_now())
    print_json(resolved.to_json())


@objection_app.command("keygen")
def objection_keygen(
    out: Annotated[Path, typer.Option(help="Where to write the private review key (mode 0600); "
                                           "give it to the review key holder, not the operator.")],
) -> None:
    """Make a review key pair: writes the private key to OUT, prints {"review_key": PUBLIC} for
    the review_key setting."""
    print_json({"review_key": make_review_key(out)})


@objection_app.command("signers")
def objection_signers(
    ctx: typer.Context,
    objection_id: Annotated[str, typer.Argument(help="The objection's id.")],
    key_file: Annotated[Path, typer.Option(help="The private review key (from `keygen`).")],
) -> None:
    """For the review key holder only: who signed, as JSON lines (position, identity, and
    whether the sealed salt reproduces the public commitment)."""
    home: Home = ctx.obj
    private = _read(key_file, "--key-file").decode("ascii", errors="replace")
    for record in unseal_signers(home.database(), objection_id, private):
        print_json(record.to_json())


@objection_app.command("check-receipt")
def objection_check_receipt(
    receipt: Annotated[Path, typer.Argument(help="The receipt JSON `objection sign` printed.")],
    by: By,
    key: Annotated[Path, typer.Option(help="The log's verifier key (`daylight log key`).")],
) -> None:
    """Offline: check that RECEIPT shows this identity's signature in the log signed by KEY."""
    vkey = _read(key, "--key").decode("utf-8", errors="replace").strip()
    parsed = check_receipt(_read(receipt, "RECEIPT"), str(receipt), by, vkey)
    print_json({"objection_id": parsed.objection_id, "leaf_index": parsed.leaf_index,
                "tree_size": parsed.tree_size, "verified": True})


@refusal_app.command("record")
def refusal_record(
    ctx: typer.Context,
    by: By,
    about: About,
    statement: Annotated[str | None, typer.Option(
        help="Optional; sealed with the identity, never published.")] = None,
) -> None:
    """Record a standing refusal to work on KIND:ID; counted in the report, never named."""
    home: Home = ctx.obj
    recorded = record_refusal(home.database(), home.log(writable=True), default_catalog(),
                              home.voice_keys(), RefusalRequest(by, about, statement), utc_now())
    print_json(recorded.to_json())
