"""`daylight policy ...`, `daylight decide`, `daylight decisions ...`: the policy gate.

PACK is the name of a shipped pack (`employee-demands`, ...) or a pack directory. Decisions made
here are recorded like any other (counts, and each denial) before the command ends.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

import typer

from daylight.cli.audit import run_audit
from daylight.cli.output import print_json, stderr, utc_now
from daylight.core.canonical import parse_json
from daylight.core.errors import InputError, NotFoundError
from daylight.core.period import parse_period
from daylight.home import Home
from daylight.policy.catalog import default_catalog
from daylight.policy.context import normalize_context
from daylight.policy.digest import digest_decisions, digest_ended_days
from daylight.policy.entities import read_account_facts
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.schema import build_schema
from daylight.policy.versions import (
    compile_pack,
    list_versions,
    publish,
    run_pack_tests,
    verify_pack,
    version_in_force,
)

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
    loaded = load_pack(pack)
    schema = build_schema(default_catalog())
    compiled = compile_pack(loaded, schema)
    print_json({"pack": loaded.name, "sha256": loaded.sha256, "schema_sha256": schema.sha256,
                 "valid": True, "policies": [{"id": r.id, "effect": r.effect, "reason": r.reason}
                                             for r in compiled.rules.values()]})


@app.command("test")
def test_command(pack: Annotated[str, typer.Argument(help="Shipped pack name or pack directory.")]) -> None:
    """Validate a pack and run its Given/When/Then corpus; fails (exit 6) if a case fails."""
    result = run_pack_tests(load_pack(pack), default_catalog())
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
    now = utc_now()
    publication = publish(home.database(), home.log(writable=True), [load_pack(p) for p in packs],
                          default_catalog(), now,
                          effective_from=parse_effective(effective) if effective else None)
    print_json(publication.to_json())
    if not publication.published:
        stderr.print(f"version {publication.version.version} already has this text: nothing published")


@app.command("list")
def list_command(ctx: typer.Context) -> None:
    """The shipped packs and the published versions, with the one in force now."""
    home: Home = ctx.obj
    versions = list_versions(home.database())
    current = version_in_force(versions, utc_now())
    print_json({"packs": [load_pack(name).describe() for name in shipped_pack_names()],
                 "in_force": current.to_json() if current else None,
                 "versions": [v.to_json() for v in versions]})


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
    given = parse_json(context, where="--context") if context and context.strip() else None
    normalize_context(given)  # refuses unknown or mistyped fields before the database is opened
    gate = Gate(home.database(), default_catalog(), refresh_interval_s=None)
    decision = gate.decide(account, operation, given)
    gate.flush()
    print_json(decision.to_json())


@decisions_app.command("digest")
def decisions_digest(
    ctx: typer.Context,
    period: Annotated[str | None, typer.Option(
        help="A day, month or quarter; default: every ended day not yet digested.")] = None,
) -> None:
    """Append decision digests to the log: one period, or every ended day that needs one."""
    home: Home = ctx.obj
    now = utc_now()
    log = home.log(writable=True)
    if period is None:
        for digest in digest_ended_days(home.database(), log, now):
            print_json(digest)
    else:
        print_json(digest_decisions(home.database(), log, parse_period(period).label, now))


@decisions_app.command("show")
def decisions_show(
    ctx: typer.Context,
    period: Annotated[str, typer.Option(help="A day `YYYY-MM-DD`, month `YYYY-MM` or quarter.")],
) -> None:
    """The recorded decision counts and denials of a period, as JSON lines."""
    home: Home = ctx.obj
    parsed = parse_period(period)
    first, end = parsed.start.isoformat(), parsed.end.isoformat()
    with home.database().transaction(write=False) as tx:
        counts = tx.query("SELECT day, account_id, operation, outcome, policies, policy_version, "
                          "decisions FROM policy_decision_count WHERE day >= ? AND day < ? "
                          "ORDER BY day, account_id, operation, outcome, policies", (first, end))
        denials = tx.query("SELECT denial_id, decided_at, account_id, operation, context, reasons, "
                           "errors, policy_version FROM policy_denial WHERE day >= ? AND day < ? "
                           "ORDER BY decided_at, denial_id", (first, end))
    for r in counts:
        print_json({"type": "count", "day": r[0], "account_id": r[1], "operation": r[2],
                     "outcome": r[3], "policies": r[4].split(), "policy_version": r[5],
                     "decisions": r[6]})
    for r in denials:
        print_json({"type": "denial", "denial_id": r[0], "decided_at": r[1], "account_id": r[2],
                     "operation": r[3], "context": json.loads(r[4]), "reasons": json.loads(r[5]),
                     "errors": json.loads(r[6]), "policy_version": r[7]})


DEMO_REQUESTS: tuple[tuple[str, dict[str, Any] | None], ...] = (
    ("face.search", None),
    ("face.compare", {"purpose": "identity_verification"}),
    ("video.stream_analysis", {"real_time": True, "public_space": True}),
    ("emotion.analyze", {"setting": "workplace"}),
    ("compute.instance", None),
    ("storage.object", None),
)


def policy_demo(home: Home, *, period: str = "2026-10", per_class: int = 5) -> dict[str, Any]:
    """For `daylight demo`: publish the shipped packs (effective from the start of ``period``),
    decide the demo requests for a sample of the home's SYNTHETIC accounts of each class (police,
    immigration agencies, their contractors, commercial), record and digest them, and audit
    ``period`` if its usage has been aggregated. Returns what was done."""
    now = utc_now()
    database, log = home.database(), home.log(writable=True)
    start = parse_period(period).start
    publication = publish(database, log, [load_pack(n) for n in shipped_pack_names()],
                          default_catalog(), now,
                          effective_from=datetime.combine(start, time(0), UTC))
    facts = read_account_facts(database)
    classes = {
        "law_enforcement": [f for f in facts if f.sector == "law_enforcement"],
        "immigration_enforcement": [f for f in facts if f.sector == "immigration_enforcement"],
        "supports_immigration_enforcement": [f for f in facts
                                             if "immigration_enforcement" in f.supports],
        "commercial": [f for f in facts if f.sector == "commercial" and not f.supports],
    }
    gate = Gate(database, default_catalog(), refresh_interval_s=None)
    outcomes = {"allowed": 0, "denied": 0}
    for members in classes.values():
        for account in members[:per_class]:
            for operation, context in DEMO_REQUESTS:
                decision = gate.decide(account.account_id, operation, context)
                outcomes["allowed" if decision.allowed else "denied"] += 1
    gate.flush()
    digest = digest_decisions(database, log, now.date().isoformat(), now)
    try:
        report = run_audit(home, period, now)
        audit: dict[str, Any] | None = report.summary
        findings: list[dict[str, Any]] = report.findings
    except NotFoundError:
        audit, findings = None, []  # the period's usage has not been aggregated
    return {"publication": publication.to_json(), "decisions": outcomes,
            "accounts": {name: min(len(members), per_class) for name, members in classes.items()},
            "decision_digest": digest, "audit": audit, "audit_findings": findings}
