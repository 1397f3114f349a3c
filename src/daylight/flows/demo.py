"""The demo world: a complete provider world end to end, and the proof that it verifies.

Real public reference data (agencies, contractors, contract awards, 287(g) agreements,
surveillance vendors) and SYNTHETIC customer accounts and usage: the registry screens and
classifies the accounts, usage is generated, ingested and aggregated, the shipped policy packs
are published and decide sample requests, the audit replays the period's usage against them, and
the transparency log that recorded every fact is exported and verified as an auditor would.
A second month follows (usage of a slightly different set of accounts, gate decisions during
it, its audit), and both months' transparency reports are published side by side
(``out/report/`` the latest, ``out/report-PERIOD/`` the earlier) and verified from their files.
Everything about the accounts and their usage is SYNTHETIC and says so.

The caller creates the home (``prepare_demo_directory``, then a home under it) and passes its
database, log, usage store and verifier key to ``build_demo_world``, which reports each stage
to a ``DemoProgress`` as it completes (the command line draws them).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any, Protocol, TypeVar

from daylight.core.clock import Clock, utc_now
from daylight.core.database import Database, migrate
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.core.period import Period, parse_period
from daylight.core.settings import CONFIG_FILE_NAME
from daylight.flows.accounts import AccountView, iter_account_views
from daylight.flows.aggregate import aggregate_and_log
from daylight.flows.audit import audit_period
from daylight.flows.declare import declarations_source
from daylight.flows.ingest import generate_synthetic_usage, ingest_usage
from daylight.flows.report import PublishedReports, publish_reports
from daylight.flows.review import Verdict, judge_all, review_queue
from daylight.flows.voice_demo import REVIEWERS, VoiceDemo, voice_demo
from daylight.log import merkle
from daylight.log.cosignatures import local_transport
from daylight.log.export import export_mirror
from daylight.log.note import CosignatureSigner, Verifier
from daylight.log.proof import verify_consistency, verify_inclusion
from daylight.log.service import TransparencyLog
from daylight.log.store import StoredCheckpoint, log_migrations
from daylight.log.verifier import MirrorReport, verify_mirror
from daylight.log.witness import WitnessService
from daylight.policy.audit import AuditReport
from daylight.policy.catalog import default_catalog
from daylight.policy.digest import DecisionDigest, digest_decisions
from daylight.policy.entities import read_account_facts
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack, shipped_pack_names
from daylight.policy.recorder import DecisionRecorder
from daylight.policy.versions import Publication, publish
from daylight.registry.demo import DemoRegistry, populate_demo_registry
from daylight.registry.resolution import RESOLVED
from daylight.usage.aggregate import DuckDBEngine
from daylight.usage.aggregate_store import RecordedAggregation
from daylight.usage.store import UsageStore
from daylight.voice.privacy import VoiceKeys

MARKER = ".daylight-demo"
DEMO_ORIGIN = "demo.daylight.invalid/log"
DEMO_WITNESS = "synthetic-witness.demo.daylight.invalid"
DEMO_WITNESS_URL = "local:synthetic-witness"  # in this process: see _demo_witness
REVIEW_KEY_FILE = "review.key"
"""The demo's review key (private half), left beside the home: for the demo only, never for a
real provider, where it belongs to someone other than the operator."""
SYNTHETIC_NOTE = ("SYNTHETIC: every account and every usage figure in this demo is invented. "
                  "Organisation names are real public reference data; no real organisation used "
                  "any service.")
DEMO_REQUESTS: tuple[tuple[str, dict[str, Any] | None], ...] = (
    ("face.search", None),
    ("face.compare", {"purpose": "identity_verification"}),
    ("video.stream_analysis", {"real_time": True, "public_space": True}),
    ("emotion.analyze", {"setting": "workplace"}),
    ("compute.instance", None),
    ("storage.object", None),
)
T = TypeVar("T")


def prepare_demo_directory(out: Path) -> None:
    """Create ``out`` for a demo, replacing an earlier demo there; ConflictError if ``out``
    exists and is not a demo directory; InputError naming ``--out`` if the filesystem refuses
    it (a name too long, a place that cannot be written)."""
    try:
        if out.exists():
            if not (out / MARKER).is_file():
                raise ConflictError(f"`{out}` exists and is not a Daylight demo directory: "
                                    "refusing to overwrite it")
            shutil.rmtree(out)
        out.mkdir(parents=True)
        (out / MARKER).write_text("SYNTHETIC: written by `daylight demo`; safe to delete.\n")
    except OSError as exc:
        raise InputError(f"cannot use `{out}`: {exc.strerror}", where="--out") from exc


def keep_demo_settings(home: Path, review_key: str) -> None:
    """Write the demo's review key (public half) into the home's settings file, so that the
    voice commands a reader tries in the demo's home (`objection file`, `refusal record`) find
    it as the demo did."""
    (home / CONFIG_FILE_NAME).write_text(
        "# Written by `daylight demo` (SYNTHETIC): the demo's review key, public half; its\n"
        f"# private half is `{REVIEW_KEY_FILE}` beside this home.\nreview_key = \"{review_key}\"\n")


@dataclass(frozen=True)
class QueueReview:
    """What the demo's SYNTHETIC reviewer did with the screening queue."""

    confirmed: int  # accounts judged the same as their candidate company
    left: int  # accounts still waiting for a person


def review_registered_names(database: Database, log: TransparencyLog, *,
                            clock: Clock = utc_now) -> QueueReview:
    """The demo's SYNTHETIC reviewer confirms each account held for review whose name is its
    candidate company's registered name, letter for letter (case aside): the check a person
    makes first. Screening holds such accounts because a company's name alone is not enough to
    accept (no state, no domain); the demo's contractor accounts are typed that way, so without
    this step no company would be published as supporting an agency. Every other account stays
    in the queue; each judgement is logged under the reviewer's pseudonym."""
    queue = review_queue(database)
    verdicts = [Verdict(item.resolution.account_id, item.candidate.id, "same",
                        "SYNTHETIC: the account's name is the company's registered name")
                for item in queue
                if item.account is not None and item.candidate is not None
                and item.candidate.schema == "Company"
                and item.account.name.strip().casefold() == item.candidate.name.casefold()]
    records = judge_all(database, log, verdicts, reviewer=REVIEWERS[0], clock=clock)
    confirmed = sum(1 for r in records if r.status in RESOLVED)
    return QueueReview(confirmed, len(queue) - confirmed)


def synthetic_usage_for_demo(database: Database, log: TransparencyLog, store: UsageStore,
                             account_ids: Sequence[str], *, period: Period,
                             rows: int = 200_000, seed: int = 1,
                             clock: Clock = utc_now) -> RecordedAggregation:
    """Generate SYNTHETIC usage for ``account_ids`` (skewed: the first accounts are the
    heaviest), ingest it and aggregate the period, appending the usage digests (marked
    synthetic) to the log."""
    with tempfile.TemporaryDirectory(prefix="daylight-synthetic-usage-") as scratch:
        generated = generate_synthetic_usage(Path(scratch), accounts=account_ids, rows=rows,
                                             period=period, seed=seed)
        ingest_usage(store, generated.files, clock=clock)
    return aggregate_and_log(database, log, store, period, DuckDBEngine(), clock)


@dataclass(frozen=True)
class PolicyDemo:
    """What the demo did with the policy layer."""

    publication: Publication
    allowed: int
    denied: int
    accounts: dict[str, int]
    decision_digest: DecisionDigest
    audit: AuditReport | None

    def to_json(self) -> dict[str, Any]:
        return {"publication": self.publication.to_json(),
                "decisions": {"allowed": self.allowed, "denied": self.denied},
                "accounts": dict(self.accounts), "decision_digest": self.decision_digest.to_json(),
                "audit": self.audit.summary.to_json() if self.audit else None,
                "audit_findings": [f.to_json() for f in self.audit.findings] if self.audit else []}


def middle_of(period: Period) -> datetime:
    """Noon UTC on the middle day of ``period``: when the demo's gate decides for it."""
    return datetime.combine(period.start + (period.end - period.start) / 2, time(12), UTC)


def policy_demo(database: Database, log: TransparencyLog, store: UsageStore, *, period: Period,
                per_class: int = 5, clock: Clock = utc_now) -> PolicyDemo:
    """Publish the shipped packs (effective from the start of ``period``), decide the demo
    requests for a sample of the SYNTHETIC accounts of each class (police, immigration agencies,
    their contractors, commercial) as on the middle day of ``period`` (so that its report has
    them), record and digest them, and audit ``period`` if its usage has been aggregated."""
    now = clock()
    publication = publish(database, log, [load_pack(n) for n in shipped_pack_names()],
                          default_catalog(), now,
                          effective_from=datetime.combine(period.start, time(0), UTC))
    moment = middle_of(period)
    facts = read_account_facts(database)
    classes = {
        "law_enforcement": [f for f in facts if f.sector == "law_enforcement"],
        "immigration_enforcement": [f for f in facts if f.sector == "immigration_enforcement"],
        "supports_immigration_enforcement": [f for f in facts
                                             if "immigration_enforcement" in f.supports],
        "commercial": [f for f in facts if f.sector == "commercial" and not f.supports],
    }
    gate = Gate(database, default_catalog(), refresh_interval_s=None,
                declarations=declarations_source(database, lambda: moment), now=lambda: moment,
                recorder=DecisionRecorder(clock=moment.timestamp))
    allowed = denied = 0
    for members in classes.values():
        for account in members[:per_class]:
            for operation, context in DEMO_REQUESTS:
                if gate.decide(account.account_id, operation, context).allowed:
                    allowed += 1
                else:
                    denied += 1
    gate.flush()
    digest = digest_decisions(database, log, parse_period(moment.date().isoformat()), now)
    try:
        audit: AuditReport | None = audit_period(database, log, store, period, clock=lambda: now)
    except NotFoundError:
        audit = None  # the period's usage has not been aggregated
    return PolicyDemo(publication, allowed, denied,
                      {name: min(len(members), per_class) for name, members in classes.items()},
                      digest, audit)


def heavy_first(views: Sequence[AccountView]) -> list[str]:
    """Account ids in the order usage generation makes heaviest first: a few invented commercial
    customers, then the classified accounts, then everyone else (so the report has content)."""
    classified = [v.account_id for v in views if v.is_classified]
    others = [v.account_id for v in views if not v.is_classified]
    return others[:5] + classified + others[5:]


def _classified(views: Sequence[AccountView]) -> list[str]:
    return sorted(v.account_id for v in views if v.is_classified)


def first_month_accounts(views: Sequence[AccountView]) -> list[str]:
    """``heavy_first`` without the last three classified accounts, which start using the services
    in the second month (so that its report has organisations added)."""
    late = set(_classified(views)[-3:])
    return [a for a in heavy_first(views) if a not in late]


def second_month_accounts(views: Sequence[AccountView]) -> list[str]:
    """``heavy_first`` without the first two classified accounts, which stop using the services
    after the first month (so that the second report has organisations removed)."""
    stopped = set(_classified(views)[:2])
    return [a for a in heavy_first(views) if a not in stopped]


def decide_during(database: Database, account_ids: Sequence[str], period: Period, *,
                  repeat: int) -> int:
    """The demo requests of ``account_ids``, ``repeat`` times each, decided by the gate as on the
    middle day of ``period`` and recorded, so that the period's report has decisions."""
    moment = middle_of(period)
    gate = Gate(database, default_catalog(), refresh_interval_s=None, now=lambda: moment,
                recorder=DecisionRecorder(clock=moment.timestamp))
    decided = 0
    for account in account_ids:
        for operation, context in DEMO_REQUESTS:
            for _ in range(repeat):
                gate.decide(account, operation, context)
                decided += 1
    gate.flush()
    return decided


@dataclass(frozen=True)
class SecondMonth:
    """The second month: its usage, the gate's decisions during it, its audit."""

    period: Period
    usage: RecordedAggregation
    decisions: int
    audit: AuditReport


def second_month(database: Database, log: TransparencyLog, store: UsageStore,
                 views: Sequence[AccountView], *, period: Period, usage_rows: int,
                 clock: Clock = utc_now) -> SecondMonth:
    """SYNTHETIC usage of ``second_month_accounts``, a sample of classified accounts' requests
    decided during the month, and the month audited."""
    usage = synthetic_usage_for_demo(database, log, store, second_month_accounts(views),
                                     period=period, rows=usage_rows, seed=2, clock=clock)
    decided = decide_during(database, _classified(views)[2:14], period, repeat=12)
    now = clock()
    audit = audit_period(database, log, store, period, clock=lambda: now)
    return SecondMonth(period, usage, decided, audit)


@dataclass(frozen=True)
class RegistryStage:
    """The registry screened the SYNTHETIC accounts."""

    registry: DemoRegistry
    reviewed: QueueReview
    views: tuple[AccountView, ...]


@dataclass(frozen=True)
class UsageStage:
    """SYNTHETIC usage generated, ingested, aggregated and logged."""

    usage: RecordedAggregation


@dataclass(frozen=True)
class VoiceStage:
    """SYNTHETIC declarations reviewed, objections filed and co-signed, refusals recorded."""

    voice: VoiceDemo
    review_key_file: Path


@dataclass(frozen=True)
class PolicyStage:
    """The shipped packs published, sample requests decided, the period audited."""

    policy: PolicyDemo
    views: tuple[AccountView, ...]


@dataclass(frozen=True)
class ProofStage:
    """The registry's screening summary proved included, and the log after screening proved a
    prefix of the latest one."""

    checkpoint: StoredCheckpoint
    vkey: str
    index: int
    inclusion_hashes: int
    consistency_hashes: int


@dataclass(frozen=True)
class MirrorStage:
    """The log exported as tiles and verified as an outside auditor would."""

    mirror: Path
    report: MirrorReport
    vkey_file: Path


@dataclass(frozen=True)
class ReportStage:
    """The second month run, and both months' reports published and verified."""

    second: SecondMonth
    reports: PublishedReports
    vkey_file: Path
    witness_vkey_file: Path | None = None


DemoStage = RegistryStage | UsageStage | VoiceStage | PolicyStage | ProofStage | MirrorStage | ReportStage


class DemoProgress(Protocol):
    """Receives the demo's stages as they happen."""

    def step(self, title: str, work: Callable[[], T]) -> T:
        """Run ``work``, a step called ``title``."""

    def show(self, stage: DemoStage) -> None:
        """A stage is complete."""


@dataclass(frozen=True)
class DemoWorld:
    """Every stage of the demo."""

    registry: RegistryStage
    usage: UsageStage
    voice: VoiceStage
    policy: PolicyStage
    proof: ProofStage
    mirror: MirrorStage
    report: ReportStage


def _demo_witness(out: Path, log: TransparencyLog) -> tuple[WitnessService, Database, Path]:
    """A SYNTHETIC witness for the demo's log, in this process: its own key (its verifier key
    written to ``out/witness.vkey``) and its own database (``out/witness/witness.db``, new each
    run), so that the published reports carry a cosignature a reader can require."""
    folder = out / "witness"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "witness.db").unlink(missing_ok=True)
    database = Database(f"sqlite:///{folder / 'witness.db'}")
    migrate(database, log_migrations())
    signer = CosignatureSigner(DEMO_WITNESS, os.urandom(32))
    vkey_file = out / "witness.vkey"
    vkey_file.write_text(signer.verifier().vkey + "\n")
    return WitnessService(signer, {log.origin: log.verifier}, database), database, vkey_file


def build_demo_world(database: Database, log: TransparencyLog, store: UsageStore,
                     verifier: Verifier, keys: VoiceKeys, out: Path, progress: DemoProgress, *,
                     accounts: int, usage_rows: int, period: Period,
                     clock: Clock = utc_now) -> DemoWorld:
    """Build the demo world on an initialised home and verify it; write the mirror, the verifier
    key and the two months' reports under ``out`` (where the demo's review key already is:
    ``review.key``)."""
    first = log.checkpoint()
    populated = progress.step(
        f"loaded the reference registry and screened {accounts} SYNTHETIC accounts",
        lambda: populate_demo_registry(database, log, clock(), count=accounts))
    reviewed = progress.step("confirmed, as a SYNTHETIC reviewer, the held accounts typed with "
                             "their company's registered name",
                             lambda: review_registered_names(database, log, clock=clock))
    views = tuple(iter_account_views(database))
    after_registry = log.checkpoint()
    registry = RegistryStage(populated, reviewed, views)
    progress.show(registry)

    recorded = progress.step(
        f"generated, ingested and aggregated {usage_rows:,} SYNTHETIC usage records for "
        f"{period.label}", lambda: synthetic_usage_for_demo(
            database, log, store, first_month_accounts(views), period=period, rows=usage_rows,
            clock=clock))
    usage = UsageStage(recorded)
    progress.show(usage)

    voiced = progress.step(
        "recorded SYNTHETIC declarations and their reviews, employees' objections and refusals",
        lambda: voice_demo(database, log, default_catalog(), keys, clock()))
    voice = VoiceStage(voiced, out / REVIEW_KEY_FILE)
    progress.show(voice)

    decided = progress.step(
        "published the four shipped policy packs, decided sample requests and audited "
        f"{period.label}", lambda: policy_demo(database, log, store, period=period, clock=clock))
    policy = PolicyStage(decided, views)
    progress.show(policy)

    latest = log.checkpoint()
    index = after_registry.tree_size - 1
    answer = log.inclusion_proof(index)
    verify_inclusion(index, answer.tree_size, merkle.leaf_hash(log.entry(index)), answer.proof,
                     latest.root_hash)
    consistency = log.consistency_proof(after_registry.tree_size, latest.tree_size)
    verify_consistency(consistency.old_size, consistency.new_size, after_registry.root_hash,
                       latest.root_hash, consistency.proof)
    proof = ProofStage(latest, verifier.vkey, index, len(answer.proof), len(consistency.proof))
    progress.show(proof)

    mirror = out / "mirror"
    progress.step(f"exported the log to {mirror} (C2SP tlog-tiles)",
                  lambda: export_mirror(log, mirror))
    report = progress.step("verified the mirror as an outside auditor would",
                           lambda: verify_mirror(mirror, verifier, since=first.note))
    vkey_file = out / "log.vkey"
    vkey_file.write_text(verifier.vkey + "\n")
    verified = MirrorStage(mirror, report, vkey_file)
    progress.show(verified)

    following = period.following()
    second = progress.step(
        f"generated {usage_rows:,} SYNTHETIC usage records for {following.label}, decided "
        "SYNTHETIC requests during it and audited it", lambda: second_month(
            database, log, store, views, period=following, usage_rows=usage_rows, clock=clock))
    witness, witness_database, witness_vkey_file = _demo_witness(out, log)
    try:
        reports = progress.step(
            f"published the transparency reports of {period.label} and {following.label}, "
            f"cosigned by a SYNTHETIC witness, and verified them from their files",
            lambda: publish_reports(
                database, log, default_catalog(), store, [period.label, following.label], out,
                clock(), witnesses=(DEMO_WITNESS_URL,), witness_transport=local_transport(witness),
                witness_keys=(witness.signer.verifier().vkey,)))
    finally:
        witness_database.close()
    published = ReportStage(second, reports, vkey_file, witness_vkey_file)
    progress.show(published)
    return DemoWorld(registry, usage, voice, policy, proof, verified, published)
