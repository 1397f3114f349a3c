"""The report flow: build one period's transparency report from the registry, usage, policy and
the log, prove every row in the log, write its files, and publish it.

0. aggregate and log the period's usage if that was not done and the period has ended
   (``_aggregate_if_needed``);
1. read, through each layer's typed reads, the organisations classified law_enforcement,
   immigration_enforcement or supporting them (``supports_during``) whose accounts used a service
   or asked the gate during the period, their usage, the gate's decisions and the audit's
   findings in the period; use over time per organisation and week, the voice and the
   corrections log as they stand at the build (``daylight.flows.report_rows``);
2. apply the small-count rule: a count from 1 to ``small_count_threshold - 1`` is published as 0
   with ``suppressed`` true; an organisation's totals are sums of its published rows, so that no
   suppressed count can be recovered by subtraction;
3. append every published row as its own ``report.row`` entry (a row already published for the
   period with the same content keeps its entry), atomically with the report's own tables;
4. write ``data/``, ``report.db``, ``proofs/ROW_ID.tlog-proof`` (against the checkpoint that
   covers the rows), the pages, and ``SHA256SUMS``;
5. append ``report.published`` (period, checkpoint, SHA-256 of ``SHA256SUMS`` and of each data
   file) unless the same files were already published for the period, export the log as a
   tlog-tiles mirror into ``log/`` and write ``log.vkey`` and ``publication.json``.

With witnesses (``ReportRequest.witnesses``), each is asked to cosign the checkpoint the rows
are proven against as soon as it is signed (its cosignatures are then part of that checkpoint in
the proofs and on the front page) and the checkpoint after ``report.published`` (in ``log/``).

Building a published period again from unchanged state writes the same bytes and appends nothing.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson

from daylight.core.canonical import CanonicalJson, canonical_json
from daylight.core.clock import utc_text
from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError, NotFoundError, StorageError
from daylight.core.period import Period, parse_period
from daylight.flows.accounts import AccountView, iter_account_views
from daylight.flows.aggregate import aggregate_and_log
from daylight.flows.report_rows import (
    correction_rows,
    support_rows,
    usage_points,
    voice_rows,
    weekly_rows,
)
from daylight.log import merkle
from daylight.log.cosignatures import (
    Transport,
    WitnessAnswer,
    collect_cosignatures,
    cosigned_note,
    cosigning_urls,
    http_post,
)
from daylight.log.entry import LogEntry
from daylight.log.export import MirrorExporter
from daylight.log.note import Note, b64encode_canonical
from daylight.log.service import TransparencyLog
from daylight.log.tiles import MAX_ENTRY_BYTES, TILE_WIDTH
from daylight.log.tlog_proof import tlog_proof_text
from daylight.log.verifier import MirrorReader
from daylight.policy.catalog import Catalog
from daylight.policy.store import read_finding_counts
from daylight.policy.tally import decision_totals, policy_reasons, versions_in_force
from daylight.registry.demo import SYNTHETIC_PREFIX
from daylight.registry.loaded import latest_reference
from daylight.registry.organization import AGENCY_SECTORS, Organization
from daylight.registry.support import DEFAULT_STALENESS_DAYS, DEFAULT_WINDOW_DAYS
from daylight.report.data import redact_contacts, report_records, write_data
from daylight.report.formats import (
    DATA_DIR,
    DATABASE_FILE,
    LOG_DIR,
    ORGANIZATIONS,
    PROOFS_DIR,
    PUBLICATION_FIELDS,
    PUBLICATION_FILE,
    PUBLISHED_ENTRY,
    ROW_ENTRY,
    SHA256SUMS,
    TABLES,
    UNLISTED,
    VKEY_FILE,
    entry_payload,
    parse_sha256sums,
    publication_text,
    row_id,
    sha256sums_text,
    vkey_text,
)
from daylight.report.model import (
    Changes,
    CorrectionRow,
    Cosignature,
    DecisionRow,
    EvidenceStep,
    OrganizationRow,
    PolicyVersionRow,
    Refusals,
    Report,
    Source,
    SupportRow,
    UsageRow,
    UsageWeekRow,
    VoiceRow,
)
from daylight.report.proofs import ProofFileWriter
from daylight.report.search import NOT_PAGES, index_site, unchanged_index
from daylight.report.site import render_site
from daylight.report.store import Publication, PublishedRow, ReportStore
from daylight.report.verify import ReportVerification, verify_report
from daylight.usage.aggregate import AggregateRow, DuckDBEngine
from daylight.usage.aggregate_store import is_aggregated, read_aggregates
from daylight.usage.store import UsageStore

SMALL_COUNT_THRESHOLD = 10
"""Counts from 1 to 9 are published as 0 with ``suppressed`` true (docs/report.md)."""

SOURCES = (
    Source("FBI Crime Data Explorer law-enforcement agency roster",
           "https://cde.ucr.cjis.gov/", "public domain (US Government work)",
           "FBI Crime Data Explorer, via Recovered Factory's 287g-watch (MIT)", "2025",
           ("fbi-roster",)),
    Source("ICE 287(g) participating agencies", "https://www.ice.gov/identify-and-arrest/287g",
           "MIT (Recovered Factory)", "ICE, via Recovered Factory's 287g-watch", "2025",
           ("ice-287g-via-287g-watch", "287g")),
    Source("USAspending contract awards of CBP and ICE, FY2013-FY2026",
           "https://www.usaspending.gov/", "public domain (US Government work)",
           "USAspending.gov", "2026",
           ("usaspending-cbp-ice-fy2021-2026", "usaspending-ice-fy2013-2018",
            "usaspending-local-gov")),
    Source("USAspending authoritative agency list", "https://www.usaspending.gov/",
           "CC0 1.0", "USAspending.gov", "2026", ("usaspending-agencies",)),
    Source("CISA .gov domain registry", "https://github.com/cisagov/dotgov-data", "CC0 1.0",
           "Cybersecurity and Infrastructure Security Agency", "2026", ("dotgov",)),
    Source("Atlas of Surveillance", "https://atlasofsurveillance.org/", "CC BY 4.0",
           "Atlas of Surveillance, Electronic Frontier Foundation", "2020-10-07",
           ("eff-atlas-of-surveillance-2020-10-07", "atlas")),
    Source("Private Eyes: Flock Safety customers and data sharing",
           "https://www.newsobserver.com/", "MIT, (c) 2024 McClatchy Southeast Data Desk",
           "The News & Observer", "2024-04-26",
           ("news-observer-private-eyes-2024", "flock-private-eyes", "flock")),
)


@dataclass(frozen=True)
class ReportRequest:
    """What to build: the period (``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``) and where; with the
    home's usage store, the pages also get use over time per day."""

    period: str
    out_dir: Path
    small_count_threshold: int = SMALL_COUNT_THRESHOLD
    usage_store: UsageStore | None = None
    witnesses: tuple[str, ...] = ()
    """Witness URL prefixes (C2SP tlog-witness) asked to cosign the checkpoints the report
    publishes (``log publish --witness``)."""
    witness_transport: Transport = http_post
    support_window_days: int = DEFAULT_WINDOW_DAYS
    """The look-back window and staleness horizon of "supports during the period": the home's
    ``support_window_days`` and ``snapshot_staleness_days`` settings, as the gate and the audit use."""
    snapshot_staleness_days: int = DEFAULT_STALENESS_DAYS


@dataclass(frozen=True)
class ReportBuild:
    """What building and publishing a report did."""

    period: str
    out_dir: Path
    proven_tree_size: int
    tree_size: int
    published_log_index: int
    rows: Mapping[str, int]
    rows_appended: int
    publication_appended: bool
    synthetic: bool
    report: Report
    usage_aggregated: bool = False
    witness_answers: tuple[WitnessAnswer, ...] = ()

    @property
    def witnesses_refused(self) -> tuple[WitnessAnswer, ...]:
        return tuple(a for a in self.witness_answers if not a.cosigned)

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period, "out": str(self.out_dir),
                "proven_tree_size": self.proven_tree_size, "tree_size": self.tree_size,
                "published_log_index": self.published_log_index, "rows": dict(self.rows),
                "rows_appended": self.rows_appended,
                "publication_appended": self.publication_appended,
                "usage_aggregated": self.usage_aggregated, "synthetic": self.synthetic,
                "witnesses": [a.to_json() for a in self.witness_answers]}


# -- reading the layers ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Customer:
    """A customer account resolved to an organisation the report is about."""

    account_id: str
    organization: Organization
    sector: str
    supports: Sequence[Mapping[str, Any]]
    score: float | None
    features: tuple[str, ...]
    classification_log_index: int | None

    @property
    def synthetic(self) -> bool:
        return self.account_id.startswith(SYNTHETIC_PREFIX)


def supports_during(database: Database, period: Period, *, window_days: int = DEFAULT_WINDOW_DAYS,
                    staleness_days: int = DEFAULT_STALENESS_DAYS) -> Iterator[AccountView]:
    """Every account with its own sector and the sectors it supports during ``period`` (from its
    first to its last day, within the registry's look-back window, with accepted corrections),
    and why: the one call site of the registry's time-aware classification
    (``registry.support.classification_during`` through ``flows.accounts``)."""
    last_day = (period.end - timedelta(days=1)).isoformat()
    return iter_account_views(database, period.start.isoformat(), last_day,
                              window_days=window_days, staleness_days=staleness_days)


def _customers(database: Database, period: Period, window_days: int,
               staleness_days: int) -> list[_Customer]:
    customers = []
    for view in supports_during(database, period, window_days=window_days,
                                staleness_days=staleness_days):
        organization = view.organization
        if organization is None or view.account.created_at[:10] >= period.end.isoformat():
            continue
        sector, supports = view.sector, list(view.supports)
        if sector not in AGENCY_SECTORS and not any(
                s["sector"] in AGENCY_SECTORS for s in supports):
            continue
        resolution = view.resolution
        features = resolution.features.get("features") or {} if resolution else {}
        customers.append(_Customer(
            view.account_id, organization, sector, supports,
            resolution.score if resolution else None, tuple(sorted(features)),
            view.classification.log_index if view.classification else None))
    return customers


# -- building the rows -----------------------------------------------------------------------

def _suppress(count: int, threshold: int) -> tuple[int, bool]:
    if 0 < count < threshold:
        return 0, True
    return count, False


def _text(value: Any) -> str:
    return redact_contacts(str(value)) if value not in (None, "") else ""


def _evidence(best: _Customer, accounts: int) -> tuple[EvidenceStep, ...]:
    organization = best.organization
    steps = [
        EvidenceStep("account", f"{accounts} customer account{'s' if accounts != 1 else ''}"
                                f"{' (SYNTHETIC)' if best.synthetic else ''} resolved to this "
                                "organisation"),
        EvidenceStep("match", "screening matched the account to the organisation",
                     organization_id=organization.id, score=best.score,
                     features=best.features, log_index=best.classification_log_index),
        EvidenceStep("organization", _text(organization.name), organization_id=organization.id,
                     sector=organization.sector or None,
                     source=", ".join(s.split(":", 1)[0] for s in organization.sources[:3])
                     or None),
    ]
    for support in sorted(best.supports, key=lambda s: str(s["sector"])):
        verdict = support.get("support") or {}
        kept = {str(e.get("relationship_id")): e for e in verdict.get("kept", ())}
        for step in support["path"][2:]:
            if step.get("type") == "relationship":
                seen = (step.get("evidence") or {}).get("ongoing_as_of")
                # the path screening recorded; whether this award itself counts for the period
                # is said here, and the rule step below says which do
                counts = "" if not kept or step.get("id") in kept else \
                    " (not itself in force during this period)"
                steps.append(EvidenceStep(
                    "relationship", _text(step.get("description") or step.get("kind"))
                    + (f" (last seen in export of {seen})" if seen else "") + counts,
                    relationship_kind=step.get("kind"), start_date=step.get("start_date") or None,
                    end_date=step.get("end_date") or None,
                    amount=round(float(step["amount"])) if step.get("amount") is not None
                    else None,
                    source=step.get("source") or None))
            elif step.get("type") == "organization":
                steps.append(EvidenceStep("organization", _text(step.get("name")),
                                          organization_id=step.get("id"),
                                          sector=step.get("sector")))
        if kept:
            latest = max(kept.values(), key=lambda e: (str(e.get("end") or "9999"),
                                                       str(e.get("relationship_id"))))
            dropped = len(verdict.get("dropped", ()))
            steps.append(EvidenceStep(
                "rule", f"supports {support['sector']} during the period: {len(kept)} award"
                        f"{'s' if len(kept) != 1 else ''} or agreement"
                        f"{'s' if len(kept) != 1 else ''} count (latest: {latest.get('why')})"
                        + (f"; {dropped} other{'s' if dropped != 1 else ''} do not" if dropped
                           else ""), sector=str(support["sector"])))
    return tuple(steps)


_Row = TypeVar("_Row", OrganizationRow, UsageRow, SupportRow, DecisionRow, UsageWeekRow, VoiceRow,
                CorrectionRow)


@dataclass
class _Draft:
    organizations: list[OrganizationRow]
    usage: list[UsageRow]
    supports: list[SupportRow]
    decisions: list[DecisionRow]
    refusals: list[Refusals]
    policy_versions: list[PolicyVersionRow]
    usage_weekly: tuple[UsageWeekRow, ...] = ()
    voice: tuple[VoiceRow, ...] = ()
    corrections: tuple[CorrectionRow, ...] = ()


def _draft(database: Database, catalog: Catalog, period: Period, now: datetime, threshold: int,
           store: UsageStore | None = None, *, window_days: int = DEFAULT_WINDOW_DAYS,
           staleness_days: int = DEFAULT_STALENESS_DAYS) -> _Draft:
    start, end = period.start.isoformat(), period.end.isoformat()
    customers = _customers(database, period, window_days, staleness_days)
    by_org: dict[str, list[_Customer]] = defaultdict(list)
    for customer in customers:
        by_org[customer.organization.id].append(customer)
    org_of = {c.account_id: c.organization.id for c in customers}

    aggregates: list[AggregateRow] = read_aggregates(database, period)
    usage_calls: dict[tuple[str, str, str], int] = defaultdict(int)
    usage_synthetic: dict[tuple[str, str, str], bool] = defaultdict(bool)
    for row in aggregates:
        org_id = org_of.get(row.account_id)
        if org_id is None:
            continue
        key = (org_id, row.service, row.operation)
        usage_calls[key] += row.calls
        usage_synthetic[key] |= row.synthetic or row.account_id.startswith(SYNTHETIC_PREFIX)

    usage: list[UsageRow] = []
    for (org_id, service, operation), calls in sorted(usage_calls.items()):
        shown, suppressed = _suppress(calls, threshold)
        operation_entry = catalog.operations.get(operation)
        usage.append(UsageRow(
            row_id("usage", org_id, service, operation), org_id, service, operation,
            tuple(operation_entry.capabilities) if operation_entry else (), shown, suppressed,
            start, end, -1, usage_synthetic[(org_id, service, operation)]))

    counts = decision_totals(database, period)
    decided: dict[tuple[str, str, str, tuple[str, ...]], int] = defaultdict(int)
    decided_synthetic: dict[tuple[str, str, str, tuple[str, ...]], bool] = defaultdict(bool)
    refused: dict[str, int] = defaultdict(int)
    for count in counts:
        if count.outcome != "allow":
            for policy in count.policies:
                refused[policy] += count.decisions
        org_id = org_of.get(count.account_id)
        if org_id is None:
            continue
        decision_key = (org_id, count.operation, count.outcome, count.policies)
        decided[decision_key] += count.decisions
        decided_synthetic[decision_key] |= count.account_id.startswith(SYNTHETIC_PREFIX)
    decisions = []
    for (org_id, operation, outcome, policies), n in sorted(decided.items()):
        shown, suppressed = _suppress(n, threshold)
        decisions.append(DecisionRow(
            row_id("decisions", org_id, operation, outcome, " ".join(policies)), org_id,
            operation, outcome, policies, shown, suppressed, start, end, -1,
            decided_synthetic[(org_id, operation, outcome, policies)]))

    findings = read_finding_counts(database, period)
    organizations: list[OrganizationRow] = []
    supporters: list[tuple[Organization, Sequence[Mapping[str, Any]], bool]] = []
    usage_of: dict[str, list[UsageRow]] = defaultdict(list)
    for usage_row in usage:
        usage_of[usage_row.organization_id].append(usage_row)
    decisions_of: dict[str, list[DecisionRow]] = defaultdict(list)
    for decision_row in decisions:
        decisions_of[decision_row.organization_id].append(decision_row)
    active = set(usage_of) | set(decisions_of)
    for org_id in sorted(by_org):
        if org_id not in active:
            continue  # a customer that did not use the services (nor ask the gate) this period
        members = sorted(by_org[org_id], key=lambda c: (-(c.score or 0.0), c.account_id))
        best = members[0]
        organization = best.organization
        synthetic = any(c.synthetic for c in members)
        own_usage = usage_of.get(org_id, [])
        own_decisions = decisions_of.get(org_id, [])
        capabilities = sorted({c for u in own_usage for c in u.capabilities})
        supported = sorted({str(s["sector"]) for c in members for s in c.supports})
        denied_by = sorted({p for d in own_decisions if d.outcome != "allow" for p in d.policies})
        audit = sum(findings[c.account_id].findings for c in members if c.account_id in findings)
        allowed = sum(d.decisions for d in own_decisions if d.outcome == "allow")
        denied = sum(d.decisions for d in own_decisions if d.outcome != "allow")
        actions = []
        if any(d.outcome != "allow" for d in own_decisions):
            actions.append("requests refused by the policy gate")
        if audit:
            actions.append("usage refused by the policies in force, recorded as audit findings")
        organizations.append(OrganizationRow(
            row_id("organizations", org_id), org_id, _text(organization.name), best.sector,
            tuple(supported), organization.state or "", len(members),
            tuple(sorted({u.service for u in own_usage})), tuple(capabilities),
            sum(u.calls for u in own_usage), any(u.suppressed for u in own_usage), allowed, denied,
            tuple(denied_by), (), audit, tuple(actions), _evidence(best, len(members)),
            start, end, -1, synthetic))
        supporters.append((organization, best.supports, synthetic))

    versions = versions_in_force(database, period)
    reasons = policy_reasons(versions) if refused else {}
    reported = {o.organization_id for o in organizations}
    weekly = weekly_rows(store, period, threshold, org_of, organizations) if store else ()
    synthetic_report = any(o.synthetic for o in organizations)
    classification_of = {org_id: sorted(members, key=lambda c: (-(c.score or 0.0),
                                                                 c.account_id))[0]
                         .classification_log_index for org_id, members in by_org.items()
                         if org_id in reported}
    return _Draft(
        organizations, usage, support_rows(database, supporters, period), decisions,
        [Refusals(p, reasons.get(p, ""), n) for p, n in sorted(refused.items(),
                                                               key=lambda i: (-i[1], i[0]))],
        [PolicyVersionRow(v.version, v.policy_sha256, v.effective_from,
                          tuple(str(p.get("name")) for p in v.packs), v.log_index)
         for v in versions], weekly,
        voice_rows(database, period, now, org_of, reported, synthetic_report),
        correction_rows(database, period, now, classification_of, synthetic_report))


# -- proving and publishing ------------------------------------------------------------------

def _payload_sha256(payload: Mapping[str, Any]) -> str:
    """A fingerprint of a row's content, to tell whether it changed since it was logged (only
    compared with itself: any deterministic encoding will do, and this one is fast)."""
    # orjson writes the bytes ``json.dumps(sort_keys=True, separators=(",", ":"),
    # ensure_ascii=False)`` wrote for the fingerprints earlier builds stored (they differ only
    # on floats under 1e-4, which rows do not hold), at a tenth of the cost
    try:
        encoded = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # an integer over 64 bits: its entry will be refused
        encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"),
                             ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


def _indexed(rows: Iterable[_Row], indices: Mapping[str, int]) -> list[_Row]:
    """Copies of ``rows`` carrying their log index. (``dataclasses.replace`` re-runs every
    field through ``__init__``: 30 µs a row, most of a million-row report's bookkeeping; a
    shallow copy of a frozen row with one field set is the same value at a tenth of that.)"""
    found = []
    for row in rows:
        twin = copy.copy(row)
        object.__setattr__(twin, "log_index", indices[row.row_id])
        found.append(twin)
    return found


def _with_indices(draft: _Draft, indices: Mapping[str, int]) -> _Draft:
    return _Draft(
        _indexed(draft.organizations, indices), _indexed(draft.usage, indices),
        _indexed(draft.supports, indices), _indexed(draft.decisions, indices),
        draft.refusals, draft.policy_versions,
        tuple(_indexed(draft.usage_weekly, indices)), tuple(_indexed(draft.voice, indices)),
        tuple(_indexed(draft.corrections, indices)))


def _draft_report(draft: _Draft, period: Period) -> Report:
    """A report with the rows only (for their records, before anything is proven)."""
    return Report(period.label, period.start.isoformat(), period.end.isoformat(), "", "", 0, "",
                  "", False, 0, tuple(draft.organizations), tuple(draft.usage), (),
                  tuple(draft.supports), tuple(draft.decisions), (), (), draft.voice,
                  draft.corrections, usage_weekly=draft.usage_weekly)


def _organization_of(table: str, record: Mapping[str, Any]) -> str | None:
    if table == "supports":
        return str(record["contractor_id"])
    value = record.get("organization_id")
    return str(value) if value is not None else None


def _entry_encoder(now: datetime) -> Callable[[dict[str, Any]], bytes]:
    """The canonical bytes of the ``report.row`` entry of a payload, at ``now``: the entry
    ``{"payload": P, "time": T, "type": "report.row"}`` (keys in RFC 8785 order) around the
    payload's own canonical JSON, which is what encoding the whole entry gives, for the cost of
    encoding the payload alone."""
    head, tail = LogEntry(ROW_ENTRY, now, {}).encode().split(b"{}", 1)

    def encode(payload: dict[str, Any]) -> bytes:
        # canonical by construction: marked so, ``sequence_in`` does not parse it again
        data = CanonicalJson(head + canonical_json(payload, where=f"{ROW_ENTRY} entry") + tail)
        if len(data) > MAX_ENTRY_BYTES:
            raise InputError(f"entry is {len(data)} bytes of canonical JSON, more than "
                             f"{MAX_ENTRY_BYTES}", where=f"{ROW_ENTRY} entry of `{payload['row']['row_id']}`")
        return data

    return encode


def _sequence_rows(database: Database, log: TransparencyLog, period: Period,
                   records: Mapping[str, list[dict[str, Any]]],
                   now: datetime) -> tuple[dict[str, int], int]:
    """Append the rows not yet published with this content; return row id → log index and how
    many entries were appended."""
    encode = _entry_encoder(now)
    wanted: list[tuple[str, str, str | None, dict[str, Any]]] = []
    for table in TABLES:
        for record in records[table.name]:
            payload = entry_payload(table, record)
            wanted.append((str(record["row_id"]), table.name, _organization_of(table.name, record),
                           payload))
    with database.transaction() as tx:
        store = ReportStore(tx)
        store.lock()
        stored = store.rows(period.label)
        indices: dict[str, int] = {}
        new: list[tuple[str, str, str | None, str, bytes]] = []
        for rid, table_name, org_id, payload in wanted:
            digest = _payload_sha256(payload)
            old = stored.get(rid)
            if old is not None and old.row_sha256 == digest:
                indices[rid] = old.log_index
            else:
                new.append((rid, table_name, org_id, digest, encode(payload)))
        first = -1
        if new:
            first = log.sequence_in(tx, [n[4] for n in new])
            rows = [PublishedRow(period.label, rid, table_name, org_id, digest, first + i)
                    for i, (rid, table_name, org_id, digest, _) in enumerate(new)]
            store.put_rows(rows)
            indices.update((r.row_id, r.log_index) for r in rows)
        store.remove_rows(period.label, sorted(set(stored) - {w[0] for w in wanted}))
    if new:  # hashed from the bytes in hand: a million entries are not read back
        log.integrate(known=(first, [n[4] for n in new]))
    return indices, len(new)


def _changes(database: Database, log: TransparencyLog, period: Period, proven_size: int,
             organizations: Iterable[str]) -> Changes | None:
    with database.transaction(write=False) as tx:
        store = ReportStore(tx)
        previous = store.previous_publication(period.start.isoformat())
        if previous is None or previous.period == period.label:
            return None
        earlier = {r.organization_id for r in store.rows(previous.period).values()
                   if r.table_name == ORGANIZATIONS.name and r.organization_id}
    current = set(organizations)
    proof: tuple[str, ...] = ()
    if 1 <= previous.proven_tree_size < proven_size:
        proof = tuple(b64encode_canonical(h) for h in log.consistency_proof(previous.proven_tree_size,
                                                             proven_size).proof)
    return Changes(previous.period, previous.proven_tree_size, tuple(sorted(current - earlier)),
                   tuple(sorted(earlier - current)), proof)


def _check_out_dir(out_dir: Path) -> None:
    """The output directory is new, empty, or an earlier report (whose files this build
    replaces: what it does not write again is removed afterwards, see ``_remove_stale``).
    Checked before anything is logged; nothing is created."""
    try:
        if not out_dir.exists():
            return
        is_directory = out_dir.is_dir()
        is_empty_or_a_report = ((is_directory and not any(out_dir.iterdir()))
                                or (out_dir / SHA256SUMS).is_file())
    except OSError as exc:  # a name the filesystem refuses (too long), a folder it cannot list
        raise InputError(f"cannot use `{out_dir}`: {exc.strerror}", where="--out") from exc
    if not is_directory:
        raise ConflictError(f"`{out_dir}` is not a directory")
    if not is_empty_or_a_report:
        raise ConflictError(f"`{out_dir}` is not empty and holds no report (no {SHA256SUMS}): "
                            "refusing to write into it")


def _prepare(out_dir: Path) -> None:
    """Make the output directory (checked again: it may have changed since the build began),
    without the symbolic links at its top, which would make this build write outside it."""
    _check_out_dir(out_dir)
    if out_dir.exists():
        for entry in out_dir.iterdir():
            if entry.is_symlink():
                entry.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def _published_listing(out_dir: Path, latest: Publication | None) -> dict[str, str] | None:
    """The files ``SHA256SUMS`` in ``out_dir`` lists, if it is the one the period's latest
    publication logged (so what it says of the files is this log's, not anyone's)."""
    if latest is None:
        return None
    try:
        data = (out_dir / SHA256SUMS).read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != latest.sha256sums:
        return None
    return parse_sha256sums(data.decode())


def _report_files(out_dir: Path, skip: Collection[str] = (LOG_DIR,)) -> Iterator[tuple[str, str]]:
    """(absolute path, path relative to ``out_dir`` with ``/``) of every file of the report
    directory but those in its top-level folders ``skip`` (the log mirror; ``os.walk``: a
    report holds a file per row)."""
    root = str(out_dir)
    for folder, directories, files in os.walk(root):
        relative_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        if relative_folder == ".":
            relative_folder = ""
            directories[:] = [d for d in directories if d not in skip]
        for name in files:
            yield (os.path.join(folder, name),
                   f"{relative_folder}/{name}" if relative_folder else name)


def _listed_files(files: Iterable[tuple[str, str]], known: Mapping[str, str]) -> dict[str, str]:
    """Relative path → hex SHA-256 of every file of ``files`` (absolute and relative paths)
    that ``SHA256SUMS`` lists; ``known``: absolute path → hash of files whose hash the writer
    already has."""
    hashes = {}
    for absolute, relative in files:
        if relative in UNLISTED:
            continue
        digest = known.get(absolute)
        if digest is None:
            with open(absolute, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        hashes[relative] = digest
    return dict(sorted(hashes.items()))


def _proofs(mirror: Path, indices: Sequence[int], proven_size: int, checkpoint: str,
            root_hash: bytes) -> Iterator[bytes]:
    """The ``tlog-proof`` text of the entry at each of ``indices`` against the checkpoint at
    ``proven_size``, from the log's tiles as exported into the report's mirror (published files
    only: this runs in the process that writes the proof files): the leaf hashes from the first
    row's entry on are read once, and every node the proofs need is computed in one walk up the
    tree (``merkle.RangeTree``); each hash is base64-encoded once however many proofs share it."""
    if not indices:
        return
    reader = MirrorReader(mirror, proven_size)
    first = min(indices)
    leaves: list[bytes] = []
    for tile in range(first // TILE_WIDTH, (proven_size + TILE_WIDTH - 1) // TILE_WIDTH):
        leaves.extend(reader.hashes(0, tile))
    leaves = leaves[first - (first // TILE_WIDTH) * TILE_WIDTH:]
    tree = merkle.RangeTree(reader, leaves, first, proven_size)
    if tree.root != root_hash:
        raise StorageError("the exported tiles do not hash to the checkpoint's root",
                           where=str(mirror))
    encoded: dict[tuple[int, int], str] = {}
    bundle_index, bundle = -1, []
    for index in indices:
        if index // TILE_WIDTH != bundle_index:
            bundle_index, bundle = index // TILE_WIDTH, reader.entries(index // TILE_WIDTH)
        hashes = []
        for node in tree.path_nodes(index):
            text = encoded.get(node)
            if text is None:
                text = b64encode_canonical(tree.levels[node[0]][node[1]])
                if node[0]:  # a leaf's sibling serves one proof; higher nodes serve many
                    encoded[node] = text
            hashes.append(text)
        entry = b64encode_canonical(bundle[index % TILE_WIDTH])
        yield tlog_proof_text(index, hashes, checkpoint, entry).encode()


PROOF_WRITERS = 2
"""Processes writing the proof files, each a contiguous share of the rows: on two cores one
writer was the build's critical path (bench/README.md, "Full size")."""


def _proof_writers(out_dir: Path, records: Mapping[str, list[dict[str, Any]]], proven_size: int,
                   checkpoint: str, root_hash: bytes) -> list[ProofFileWriter]:
    """The writers of ``proofs/ROW_ID.tlog-proof`` for every row of ``records`` (in the order of
    ``TABLES``), reading the log mirror already exported into ``out_dir``."""
    rows = [r for t in TABLES for r in records[t.name]]
    row_ids = [str(r["row_id"]) for r in rows]
    indices = [int(r["log_index"]) for r in rows]
    share = -(-len(rows) // PROOF_WRITERS) or 1

    def texts(start: int) -> Callable[[], Iterator[bytes]]:
        return lambda: _proofs(out_dir / LOG_DIR, indices[start:start + share], proven_size,
                               checkpoint, root_hash)

    return [ProofFileWriter(out_dir / PROOFS_DIR, row_ids[start:start + share], texts(start))
            for start in range(0, max(len(rows), 1), share)]


def _remove_stale(out_dir: Path, kept: set[str], *, pages_only: bool = False
                  ) -> list[tuple[str, str]]:
    """Remove the files of an earlier build that this one did not write (besides ``log/`` and
    the pointers written after publication), and the folders that leaves empty: a re-build
    leaves no page or proof of a row the report no longer has, and rewrites nothing it does not
    have to. Return the files left, as ``_report_files`` lists them (one walk of the report).

    ``pages_only``: only the HTML pages (not looking into the proofs or the search index), as
    is done before Pagefind reads the folder: it indexes every page it finds, so a page left
    from an earlier build would keep an organisation the report no longer has findable."""
    left, emptied = [], set()
    skip = NOT_PAGES if pages_only else (LOG_DIR,)
    for absolute, relative in _report_files(out_dir, skip):
        if relative not in UNLISTED and absolute not in kept \
                and (not pages_only or relative.endswith(".html")):
            os.unlink(absolute)
            emptied.add(os.path.dirname(absolute))
        else:
            left.append((absolute, relative))
    for folder in sorted(emptied, reverse=True):
        while folder != str(out_dir) and not os.listdir(folder):
            os.rmdir(folder)
            folder = os.path.dirname(folder)
    return left


def _aggregate_if_needed(database: Database, log: TransparencyLog, request: ReportRequest,
                         period: Period, now: datetime) -> bool:
    """Aggregate the period's usage and log its digests (the ``usage aggregate`` flow) when that
    has not been done and the home's usage store is given; return whether it was done.

    A period that has not ended yet is never aggregated here: its usage is still arriving, and a
    report built from part of it would publish partial counts as if they were the period's. The
    caller who means to publish early aggregates it explicitly (the error names the command)."""
    if request.usage_store is None or is_aggregated(database, period):
        return False
    if now.date() < period.end:
        raise NotFoundError(
            f"usage for `{period.label}` has not been aggregated and the period has not ended "
            f"(it ends {period.end.isoformat()}): a report would publish partial counts; to "
            f"publish early, run `daylight usage aggregate --period {period.label}` first")
    aggregate_and_log(database, log, request.usage_store, period, DuckDBEngine(),
                      clock=lambda: now)
    return True


def _cosign_latest(log: TransparencyLog, request: ReportRequest) -> list[WitnessAnswer]:
    """Ask each witness of ``request`` that has not cosigned the log's latest checkpoint yet to
    cosign it (``log publish --witness``); a re-build asks nobody twice, so it changes nothing."""
    if not request.witnesses:
        return []
    answered = cosigning_urls(log, log.tree_size())
    urls = [u for u in request.witnesses if u not in answered]
    return collect_cosignatures(log, urls, transport=request.witness_transport) if urls else []


def cosignatures_of(note: str, origin: str) -> tuple[Cosignature, ...]:
    """The witnesses' cosignatures on a signed checkpoint: every signature line but the log's
    own, with the time a ``cosignature/v1`` states (its first 8 bytes)."""
    found = []
    for signature in Note.from_text(note).signatures:
        if signature.name == origin:
            continue
        stamp = (int.from_bytes(signature.signature[:8], "big")
                 if len(signature.signature) == 72 else None)
        found.append(Cosignature(signature.name, signature.key_hash.hex(), stamp))
    return tuple(found)


def build_report(database: Database, log: TransparencyLog, catalog: Catalog,
                 request: ReportRequest, now: datetime) -> ReportBuild:
    """Build, prove, write and publish the report of ``request.period`` into ``request.out_dir``
    (aggregating and logging the period's usage first when needed, see
    ``_aggregate_if_needed``)."""
    period = parse_period(request.period, where="--period")
    if request.small_count_threshold < 1:
        raise InputError("the small-count threshold must be at least 1", where="small_count_threshold")
    out_dir = request.out_dir
    _check_out_dir(out_dir)  # before anything is logged: a directory that is not a report is refused
    aggregated = _aggregate_if_needed(database, log, request, period, now)
    draft = _draft(database, catalog, period, now, request.small_count_threshold,
                   request.usage_store, window_days=request.support_window_days,
                   staleness_days=request.snapshot_staleness_days)
    records = report_records(_draft_report(draft, period))
    indices, appended = _sequence_rows(database, log, period, records, now)
    draft = _with_indices(draft, indices)
    for table_records in records.values():
        for record in table_records:
            record["log_index"] = indices[record["row_id"]]

    with database.transaction(write=False) as tx:
        latest = ReportStore(tx).latest_publication(period.label)
    highest = max(indices.values(), default=-1)
    if appended == 0 and latest is not None and latest.proven_tree_size > highest:
        proven_size = latest.proven_tree_size
    else:
        proven_size = log.tree_size()
    answers = _cosign_latest(log, request) if proven_size == log.tree_size() else []
    checkpoint = log.checkpoint(proven_size)
    signed_note = cosigned_note(log, checkpoint)
    synthetic = any(r.synthetic for r in draft.organizations) or any(
        r.synthetic for r in draft.usage)
    reference = latest_reference(database)
    report = Report(
        period.label, period.start.isoformat(), period.end.isoformat(), log.origin,
        signed_note, proven_size, reference.digest if reference else "",
        reference.loaded_at[:10] if reference else "", synthetic, request.small_count_threshold,
        tuple(draft.organizations), tuple(draft.usage),
        usage_points(draft.usage_weekly, draft.organizations),
        tuple(draft.supports), tuple(draft.decisions), tuple(draft.policy_versions),
        tuple(draft.refusals), draft.voice, draft.corrections,
        changes=_changes(database, log, period, proven_size,
                         (r.organization_id for r in draft.organizations)),
        sources=SOURCES, usage_weekly=draft.usage_weekly,
        cosignatures=cosignatures_of(signed_note, log.origin),
        support_window_days=request.support_window_days,
        snapshot_staleness_days=request.snapshot_staleness_days)

    _prepare(out_dir)
    mirror = MirrorExporter(log, out_dir / LOG_DIR)  # the second export skips what this one did
    mirror.export()  # what the proofs are computed from
    # The proof files (a million at full size) are written by other processes meanwhile
    proofs = _proof_writers(out_dir, records, proven_size, signed_note, checkpoint.root_hash)
    for writer in proofs:
        writer.start()
    known: dict[str, str] = {}  # absolute path → hex SHA-256 of files hashed on the way
    try:
        written = {str(p) for p in render_site(report, out_dir, index=False)}
        _remove_stale(out_dir, written, pages_only=True)
        listed = _published_listing(out_dir, latest)
        reused = None if listed is None else unchanged_index(
            out_dir, (p for p in written if p.endswith(".html")), listed)
        # Pagefind (its own process, 1-1.5 ms of CPU a page) indexes the pages while the data
        # files are written: neither reads what the other writes
        with ThreadPoolExecutor(1) as search:
            indexed = None if reused is not None else search.submit(index_site, out_dir)
            written.update(str(p) for p in write_data(report, out_dir, records))
            if indexed is not None:
                written.update(str(p) for p in indexed.result())
        if reused is not None:
            written.update(reused)
            known.update(reused)
    except BaseException:
        for writer in proofs:
            writer.cancel()
        raise
    try:
        for writer in proofs:
            known.update(writer.result())
    except BaseException:
        for writer in proofs:
            writer.cancel()
        raise
    written.update(known)
    hashes = _listed_files(_remove_stale(out_dir, written), known)
    sums = sha256sums_text(hashes).encode()
    (out_dir / SHA256SUMS).write_bytes(sums)
    sums_sha256 = hashlib.sha256(sums).hexdigest()

    if latest is not None and latest.sha256sums == sums_sha256 \
            and latest.proven_tree_size == proven_size:
        published_index, published = latest.log_index, False
    else:
        published_index, published = _publish(database, log, report, checkpoint.root_hash,
                                               hashes, sums_sha256, latest, now), True
    answers += _cosign_latest(log, request)  # the published log/checkpoint carries them
    mirror.export()
    (out_dir / VKEY_FILE).write_text(vkey_text(log.verifier.vkey), encoding="utf-8")
    pointer = dict(zip(PUBLICATION_FIELDS, (period.label, log.origin, published_index,
                                            proven_size), strict=True))
    (out_dir / PUBLICATION_FILE).write_text(publication_text(pointer), encoding="utf-8")
    return ReportBuild(period.label, out_dir, proven_size, log.tree_size(), published_index,
                       {t.name: len(records[t.name]) for t in TABLES}, appended, published,
                       synthetic, report, aggregated, tuple(answers))


def _publish(database: Database, log: TransparencyLog, report: Report, root_hash: bytes,
             hashes: Mapping[str, str], sums_sha256: str, latest: Publication | None,
             now: datetime) -> int:
    files = {path: digest for path, digest in hashes.items()
             if path.startswith(f"{DATA_DIR}/") or path == DATABASE_FILE}
    payload: dict[str, Any] = {
        "period": report.period, "period_start": report.period_start,
        "period_end": report.period_end,
        "checkpoint": {"origin": report.origin, "tree_size": report.tree_size,
                       "root_hash": b64encode_canonical(root_hash)},
        "sha256sums": sums_sha256, "files": files,
        "rows": {t.name: len(getattr(report, t.name)) for t in TABLES},
        "small_count_threshold": report.small_count_threshold,
        "synthetic": report.synthetic,
    }
    if latest is not None:
        payload["corrects"] = latest.log_index
    with database.transaction() as tx:
        store = ReportStore(tx)
        store.lock()
        index = log.sequence_in(tx, [LogEntry(PUBLISHED_ENTRY, now, payload).encode()])
        store.add_publication(Publication(index, report.period, report.period_start,
                                          report.period_end, report.tree_size, sums_sha256,
                                          utc_text(now)))
    log.integrate()
    return index


@dataclass(frozen=True)
class PublishedReports:
    """Consecutive periods' reports, each built, published and verified from its files."""

    builds: tuple[ReportBuild, ...]
    verifications: tuple[ReportVerification, ...]

    @property
    def latest(self) -> ReportBuild:
        return self.builds[-1]

    def to_json(self) -> dict[str, Any]:
        return {"reports": [b.to_json() for b in self.builds],
                "verified": [v.to_json() for v in self.verifications]}


def report_directory(out: Path, period: str, *, latest: bool) -> Path:
    """Where a series of reports goes: the latest at ``out/report``, each earlier one beside it
    at ``out/report-PERIOD``."""
    return out / "report" if latest else out / f"report-{period}"


def publish_reports(database: Database, log: TransparencyLog, catalog: Catalog,
                    usage_store: UsageStore | None, periods: Sequence[str], out: Path,
                    now: datetime, *, witnesses: Sequence[str] = (),
                    witness_transport: Transport = http_post,
                    witness_keys: Sequence[str] = ()) -> PublishedReports:
    """Build and publish the report of each period in order (see ``report_directory``), then
    verify each from its files alone with the log's key, and each later one against the
    checkpoint the earlier one published (the consistency a reader who kept it would check).
    ``witnesses`` (URLs) are asked to cosign each report's checkpoints; ``witness_keys`` (vkeys)
    are the cosignatures each verification then requires."""
    builds = []
    for position, period in enumerate(periods):
        directory = report_directory(out, period, latest=position == len(periods) - 1)
        builds.append(build_report(database, log, catalog, ReportRequest(
            period, directory, usage_store=usage_store, witnesses=tuple(witnesses),
            witness_transport=witness_transport), now))
    verifications = []
    previous: str | None = None
    for built in builds:
        verifications.append(verify_report(built.out_dir, key=log.verifier.vkey, since=previous,
                                           witnesses=witness_keys))
        previous = (built.out_dir / LOG_DIR / "checkpoint").read_text(encoding="utf-8")
    return PublishedReports(tuple(builds), tuple(verifications))
