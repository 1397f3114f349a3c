"""The report flow: build one period's transparency report from the registry, usage, policy and
the log, prove every row in the log, write its files, and publish it.

1. read, through each layer's typed reads, the organisations classified law_enforcement,
   immigration_enforcement or supporting them (``supports_during``) whose accounts used a service
   or asked the gate during the period, their usage, the gate's decisions and the audit's
   findings in the period;
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

Building a published period again from unchanged state writes the same bytes and appends nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from daylight.core.clock import utc_text
from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError
from daylight.core.period import Period, parse_period
from daylight.flows.accounts import AccountView, iter_account_views
from daylight.log import merkle
from daylight.log.entry import LogEntry
from daylight.log.export import export_mirror
from daylight.log.service import TransparencyLog
from daylight.log.tiles import TILE_WIDTH
from daylight.log.verifier import MirrorReader
from daylight.policy.catalog import Catalog
from daylight.policy.store import read_finding_counts
from daylight.policy.tally import decision_totals, policy_reasons, versions_in_force
from daylight.registry.demo import SYNTHETIC_PREFIX
from daylight.registry.loaded import latest_reference
from daylight.registry.organization import Organization
from daylight.report.data import redact_contacts, report_records, write_data
from daylight.report.formats import (
    DATA_DIR,
    DATABASE_FILE,
    LOG_DIR,
    ORGANIZATIONS,
    PROOFS_DIR,
    PUBLICATION_FILE,
    PUBLISHED_ENTRY,
    ROW_ENTRY,
    SHA256SUMS,
    TABLES,
    UNLISTED,
    VKEY_FILE,
    entry_payload,
    row_id,
    sha256sums_text,
)
from daylight.report.model import (
    Changes,
    DecisionRow,
    EvidenceStep,
    OrganizationRow,
    PolicyVersionRow,
    Refusals,
    Report,
    Source,
    SupportRow,
    UsagePoint,
    UsageRow,
)
from daylight.report.proofs import TlogProof, write_proofs
from daylight.report.site import render_site
from daylight.report.store import Publication, PublishedRow, ReportStore
from daylight.report.verify import ReportVerification, verify_report
from daylight.usage.aggregate import AggregateRow
from daylight.usage.aggregate_store import read_aggregates
from daylight.usage.daily import daily_calls
from daylight.usage.store import UsageStore

REPORTED_SECTORS = ("law_enforcement", "immigration_enforcement")
SMALL_COUNT_THRESHOLD = 10
"""Counts from 1 to 9 are published as 0 with ``suppressed`` true (docs/report.md)."""

SOURCES = (
    Source("FBI Crime Data Explorer law-enforcement agency roster",
           "https://cde.ucr.cjis.gov/", "public domain (US Government work)",
           "FBI Crime Data Explorer, via Recovered Factory's 287g-watch (MIT)", "2025"),
    Source("ICE 287(g) participating agencies", "https://www.ice.gov/identify-and-arrest/287g",
           "MIT (Recovered Factory)", "ICE, via Recovered Factory's 287g-watch", "2025"),
    Source("USAspending contract awards of CBP and ICE, FY2013-FY2026",
           "https://www.usaspending.gov/", "public domain (US Government work)",
           "USAspending.gov", "2026"),
    Source("USAspending authoritative agency list", "https://www.usaspending.gov/",
           "CC0 1.0", "USAspending.gov", "2026"),
    Source("CISA .gov domain registry", "https://github.com/cisagov/dotgov-data", "CC0 1.0",
           "Cybersecurity and Infrastructure Security Agency", "2026"),
    Source("Atlas of Surveillance", "https://atlasofsurveillance.org/", "CC BY 4.0",
           "Atlas of Surveillance, Electronic Frontier Foundation", "2020-10-07"),
    Source("Private Eyes: Flock Safety customers and data sharing",
           "https://www.newsobserver.com/", "MIT, (c) 2024 McClatchy Southeast Data Desk",
           "The News & Observer", "2024-04-26"),
)


@dataclass(frozen=True)
class ReportRequest:
    """What to build: the period (``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``) and where; with the
    home's usage store, the pages also get use over time per day."""

    period: str
    out_dir: Path
    small_count_threshold: int = SMALL_COUNT_THRESHOLD
    usage_store: UsageStore | None = None


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

    def to_json(self) -> dict[str, Any]:
        return {"period": self.period, "out": str(self.out_dir),
                "proven_tree_size": self.proven_tree_size, "tree_size": self.tree_size,
                "published_log_index": self.published_log_index, "rows": dict(self.rows),
                "rows_appended": self.rows_appended,
                "publication_appended": self.publication_appended,
                "synthetic": self.synthetic}


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


def supports_during(database: Database, period: Period) -> Iterator[AccountView]:
    """Every account with its own sector and the sectors it supports during ``period`` (from its
    first to its last day, within the registry's look-back window, with accepted corrections),
    and why: the one call site of the registry's time-aware classification
    (``registry.support.classification_during`` through ``flows.accounts``)."""
    last_day = (period.end - timedelta(days=1)).isoformat()
    return iter_account_views(database, period.start.isoformat(), last_day)


def _customers(database: Database, period: Period) -> list[_Customer]:
    customers = []
    for view in supports_during(database, period):
        organization = view.organization
        if organization is None or view.account.created_at[:10] >= period.end.isoformat():
            continue
        sector, supports = view.sector, list(view.supports)
        if sector not in REPORTED_SECTORS and not any(
                s["sector"] in REPORTED_SECTORS for s in supports):
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
        for step in support["path"][2:]:
            if step.get("type") == "relationship":
                seen = (step.get("evidence") or {}).get("ongoing_as_of")
                steps.append(EvidenceStep(
                    "relationship", _text(step.get("description") or step.get("kind"))
                    + (f" (last seen in export of {seen})" if seen else ""),
                    relationship_kind=step.get("kind"), start_date=step.get("start_date") or None,
                    end_date=step.get("end_date") or None,
                    amount=round(float(step["amount"])) if step.get("amount") is not None
                    else None,
                    source=step.get("source") or None))
            elif step.get("type") == "organization":
                steps.append(EvidenceStep("organization", _text(step.get("name")),
                                          organization_id=step.get("id"),
                                          sector=step.get("sector")))
    return tuple(steps)


@dataclass
class _Draft:
    organizations: list[OrganizationRow]
    usage: list[UsageRow]
    supports: list[SupportRow]
    decisions: list[DecisionRow]
    refusals: list[Refusals]
    policy_versions: list[PolicyVersionRow]
    usage_over_time: tuple[UsagePoint, ...] = ()


def _usage_over_time(store: UsageStore, catalog: Catalog, period: Period, threshold: int,
                     org_of: Mapping[str, str], reported: set[str]) -> tuple[UsagePoint, ...]:
    """Calls per day: per capability over every reported organisation, and per organisation."""
    per_capability: dict[tuple[str, str], int] = defaultdict(int)
    per_organization: dict[tuple[str, str], int] = defaultdict(int)
    for row in daily_calls(store, period):
        org_id = org_of.get(row.account_id)
        if org_id is None or org_id not in reported:
            continue
        per_organization[(org_id, row.day)] += row.calls
        operation = catalog.operations.get(row.operation)
        for capability in operation.capabilities if operation else ():
            per_capability[(capability, row.day)] += row.calls
    points = []
    for (capability, day), calls in sorted(per_capability.items(), key=lambda i: (i[0][1], i[0][0])):
        shown, suppressed = _suppress(calls, threshold)
        points.append(UsagePoint(day, None, capability, shown, suppressed))
    for (org_id, day), calls in sorted(per_organization.items()):
        shown, suppressed = _suppress(calls, threshold)
        points.append(UsagePoint(day, org_id, "all", shown, suppressed))
    return tuple(points)


def _draft(database: Database, catalog: Catalog, period: Period, threshold: int,
           store: UsageStore | None = None) -> _Draft:
    start, end = period.start.isoformat(), period.end.isoformat()
    customers = _customers(database, period)
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
    supports: dict[str, SupportRow] = {}
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
        for support in best.supports:
            if support["sector"] not in REPORTED_SECTORS:
                continue
            path = support["path"]
            relationship = next((s for s in reversed(path) if s.get("type") == "relationship"), None)
            agency = path[-1]
            if relationship is None or agency.get("type") != "organization":
                continue
            rid = row_id("supports", org_id, str(agency["id"]), str(relationship.get("kind")),
                         str(relationship.get("source")))
            amount = relationship.get("amount")
            supports[rid] = SupportRow(
                rid, org_id, _text(organization.name), str(agency["id"]),
                _text(agency.get("name")), str(agency.get("sector")),
                str(relationship.get("kind")),
                {"supports": "contract_or_agreement", "agreement_with": "enforcement_agreement"}.get(
                    str(relationship.get("kind")), "supply"),
                round(float(amount)) if amount is not None else None,
                int(support.get("edges") or 1),
                relationship.get("start_date") or None, relationship.get("end_date") or None,
                str(relationship.get("source") or ""), start, end, -1, synthetic)

    versions = versions_in_force(database, period)
    reasons = policy_reasons(versions) if refused else {}
    over_time = _usage_over_time(store, catalog, period, threshold, org_of,
                                 {o.organization_id for o in organizations}) if store else ()
    return _Draft(
        organizations, usage, [supports[k] for k in sorted(supports)], decisions,
        [Refusals(p, reasons.get(p, ""), n) for p, n in sorted(refused.items(),
                                                               key=lambda i: (-i[1], i[0]))],
        [PolicyVersionRow(v.version, v.policy_sha256, v.effective_from,
                          tuple(str(p.get("name")) for p in v.packs), v.log_index)
         for v in versions], over_time)


# -- proving and publishing ------------------------------------------------------------------

def _payload_sha256(payload: Mapping[str, Any]) -> str:
    """A fingerprint of a row's content, to tell whether it changed since it was logged (only
    compared with itself: any deterministic encoding will do, and this one is fast)."""
    encoded = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def _with_indices(draft: _Draft, indices: Mapping[str, int]) -> _Draft:
    return _Draft(
        [replace(r, log_index=indices[r.row_id]) for r in draft.organizations],
        [replace(r, log_index=indices[r.row_id]) for r in draft.usage],
        [replace(r, log_index=indices[r.row_id]) for r in draft.supports],
        [replace(r, log_index=indices[r.row_id]) for r in draft.decisions],
        draft.refusals, draft.policy_versions, draft.usage_over_time)


def _draft_report(draft: _Draft, period: Period) -> Report:
    """A report with the rows only (for their records, before anything is proven)."""
    return Report(period.label, period.start.isoformat(), period.end.isoformat(), "", "", 0, "",
                  "", False, 0, tuple(draft.organizations), tuple(draft.usage), (),
                  tuple(draft.supports), tuple(draft.decisions), (), ())


def _organization_of(table: str, record: Mapping[str, Any]) -> str | None:
    if table == "supports":
        return str(record["contractor_id"])
    value = record.get("organization_id")
    return str(value) if value is not None else None


def _sequence_rows(database: Database, log: TransparencyLog, period: Period, draft: _Draft,
                   now: datetime) -> tuple[dict[str, int], int]:
    """Append the rows not yet published with this content; return row id → log index and how
    many entries were appended."""
    records = report_records(_draft_report(draft, period))
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
                new.append((rid, table_name, org_id, digest,
                            LogEntry(ROW_ENTRY, now, payload).encode()))
        if new:
            first = log.sequence_in(tx, [n[4] for n in new])
            rows = [PublishedRow(period.label, rid, table_name, org_id, digest, first + i)
                    for i, (rid, table_name, org_id, digest, _) in enumerate(new)]
            store.put_rows(rows)
            indices.update((r.row_id, r.log_index) for r in rows)
        store.remove_rows(period.label, sorted(set(stored) - {w[0] for w in wanted}))
    if new:
        log.integrate()
    return indices, len(new)


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


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
        proof = tuple(_b64(h) for h in log.consistency_proof(previous.proven_tree_size,
                                                             proven_size).proof)
    return Changes(previous.period, previous.proven_tree_size, tuple(sorted(current - earlier)),
                   tuple(sorted(earlier - current)), proof)


def _prepare(out_dir: Path) -> None:
    """The output directory is new, empty, or an earlier report (cleared except its log mirror)."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise ConflictError(f"`{out_dir}` is not a directory")
        entries = list(out_dir.iterdir())
        if entries and not (out_dir / SHA256SUMS).is_file():
            raise ConflictError(f"`{out_dir}` is not empty and holds no report (no {SHA256SUMS}): "
                                "refusing to write into it")
        for entry in entries:
            if entry.name == LOG_DIR:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    out_dir.mkdir(parents=True, exist_ok=True)


def _listed_files(out_dir: Path, known: Mapping[Path, str]) -> dict[str, str]:
    """Relative path → hex SHA-256 of every file ``SHA256SUMS`` lists (``known``: files whose
    hash the writer already has)."""
    hashes = {}
    for path in out_dir.rglob("*"):
        relative = path.relative_to(out_dir).as_posix()
        if relative.split("/")[0] == LOG_DIR or relative in UNLISTED:
            continue
        digest = known.get(path)
        if digest is None:
            if not path.is_file():
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        hashes[relative] = digest
    return dict(sorted(hashes.items()))


class _RememberedNodes:
    """A merkle node source that computes each perfect subtree's hash once: the proofs of
    neighbouring rows share almost every node."""

    def __init__(self, source: merkle.NodeSource) -> None:
        self._source = source
        self._known: dict[tuple[int, int], bytes] = {}

    def node(self, level: int, index: int) -> bytes:
        key = (level, index)
        found = self._known.get(key)
        if found is None:
            found = self._known[key] = self._source.node(level, index)
        return found


def _proofs(log: TransparencyLog, mirror: Path, records: Mapping[str, list[dict[str, Any]]],
            proven_size: int, checkpoint: str) -> list[tuple[str, TlogProof]]:
    """A tlog-proof of every row against the checkpoint at ``proven_size``, computed from the
    log's tiles as exported into the report's mirror (one read of each tile, not one database
    transaction per row)."""
    export_mirror(log, mirror)
    reader = MirrorReader(mirror, proven_size)
    nodes = _RememberedNodes(reader)
    bundles: dict[int, list[bytes]] = {}
    proofs = []
    for table in TABLES:
        for record in records[table.name]:
            index = int(record["log_index"])
            bundle = index // TILE_WIDTH
            if bundle not in bundles:
                bundles.clear()
                bundles[bundle] = reader.entries(bundle)
            hashes = merkle.inclusion_proof(nodes, index, proven_size)
            proofs.append((str(record["row_id"]), TlogProof(
                index, tuple(hashes), checkpoint, bundles[bundle][index % TILE_WIDTH])))
    return proofs


def build_report(database: Database, log: TransparencyLog, catalog: Catalog,
                 request: ReportRequest, now: datetime) -> ReportBuild:
    """Build, prove, write and publish the report of ``request.period`` into ``request.out_dir``."""
    period = parse_period(request.period, where="--period")
    if request.small_count_threshold < 1:
        raise InputError("the small-count threshold must be at least 1", where="small_count_threshold")
    draft = _draft(database, catalog, period, request.small_count_threshold, request.usage_store)
    indices, appended = _sequence_rows(database, log, period, draft, now)
    draft = _with_indices(draft, indices)

    with database.transaction(write=False) as tx:
        latest = ReportStore(tx).latest_publication(period.label)
    highest = max(indices.values(), default=-1)
    if appended == 0 and latest is not None and latest.proven_tree_size > highest:
        proven_size = latest.proven_tree_size
    else:
        proven_size = log.tree_size()
    checkpoint = log.checkpoint(proven_size)
    synthetic = any(r.synthetic for r in draft.organizations) or any(
        r.synthetic for r in draft.usage)
    reference = latest_reference(database)
    report = Report(
        period.label, period.start.isoformat(), period.end.isoformat(), log.origin,
        checkpoint.note, proven_size, reference.digest if reference else "",
        reference.loaded_at[:10] if reference else "", synthetic, request.small_count_threshold,
        tuple(draft.organizations), tuple(draft.usage), draft.usage_over_time,
        tuple(draft.supports), tuple(draft.decisions), tuple(draft.policy_versions),
        tuple(draft.refusals),
        changes=_changes(database, log, period, proven_size,
                         (r.organization_id for r in draft.organizations)),
        sources=SOURCES)

    out_dir = request.out_dir
    _prepare(out_dir)
    records = report_records(report)
    write_data(report, out_dir, records)
    proofs = _proofs(log, out_dir / LOG_DIR, records, proven_size, checkpoint.note)
    known = write_proofs(out_dir / PROOFS_DIR, proofs)
    render_site(report, out_dir)
    hashes = _listed_files(out_dir, known)
    sums = sha256sums_text(hashes).encode()
    (out_dir / SHA256SUMS).write_bytes(sums)
    sums_sha256 = hashlib.sha256(sums).hexdigest()

    if latest is not None and latest.sha256sums == sums_sha256 \
            and latest.proven_tree_size == proven_size:
        published_index, published = latest.log_index, False
    else:
        published_index, published = _publish(database, log, report, checkpoint.root_hash,
                                               hashes, sums_sha256, latest, now), True
    export_mirror(log, out_dir / LOG_DIR)
    (out_dir / VKEY_FILE).write_text(log.verifier.vkey + "\n", encoding="utf-8")
    pointer = {"period": period.label, "origin": log.origin, "published_log_index": published_index,
               "proven_tree_size": proven_size}
    (out_dir / PUBLICATION_FILE).write_text(json.dumps(pointer, indent=2) + "\n", encoding="utf-8")
    return ReportBuild(period.label, out_dir, proven_size, log.tree_size(), published_index,
                       {t.name: len(records[t.name]) for t in TABLES}, appended, published,
                       synthetic, report)


def _publish(database: Database, log: TransparencyLog, report: Report, root_hash: bytes,
             hashes: Mapping[str, str], sums_sha256: str, latest: Publication | None,
             now: datetime) -> int:
    files = {path: digest for path, digest in hashes.items()
             if path.startswith(f"{DATA_DIR}/") or path == DATABASE_FILE}
    payload: dict[str, Any] = {
        "period": report.period, "period_start": report.period_start,
        "period_end": report.period_end,
        "checkpoint": {"origin": report.origin, "tree_size": report.tree_size,
                       "root_hash": _b64(root_hash)},
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
                    now: datetime) -> PublishedReports:
    """Build and publish the report of each period in order (see ``report_directory``), then
    verify each from its files alone with the log's key, and each later one against the
    checkpoint the earlier one published (the consistency a reader who kept it would check)."""
    builds = []
    for position, period in enumerate(periods):
        directory = report_directory(out, period, latest=position == len(periods) - 1)
        builds.append(build_report(database, log, catalog,
                                   ReportRequest(period, directory, usage_store=usage_store), now))
    verifications = []
    previous: str | None = None
    for built in builds:
        verifications.append(verify_report(built.out_dir, key=log.verifier.vkey, since=previous))
        previous = (built.out_dir / LOG_DIR / "checkpoint").read_text(encoding="utf-8")
    return PublishedReports(tuple(builds), tuple(verifications))
