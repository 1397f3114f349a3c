"""The registry's flows, each one transaction with its log entries: load the reference data,
import accounts, screen them, and record a reviewer's judgement.

Log entry types (payloads in docs/registry.md): ``registry.reference``, ``registry.relationship``,
``registry.judgement``, ``registry.classification``, ``registry.screening``. A classification is
logged when an account resolves to an organisation, and again whenever it changes (including
back to unknown); accounts that stay unresolved are covered by the screening run's digest.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from daylight.core import entry_types
from daylight.core.clock import utc_text
from daylight.core.database import Database, Transaction
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.core.text import check_printable_text
from daylight.log.entry import LogEntry
from daylight.log.service import TransparencyLog
from daylight.registry.accounts import Account, AccountChange, changed_fields
from daylight.registry.classification import Graph, logged_supports
from daylight.registry.organization import part_of_links
from daylight.registry.reconcile import (
    ReferenceDiff,
    apply_marks,
    diff_reference,
    redirects,
    withdrawn_ids,
)
from daylight.registry.reference.shipped import Reference
from daylight.registry.resolution import (
    JUDGED,
    RESOLVED,
    VERDICTS,
    Classification,
    Judgement,
    Resolution,
)
from daylight.registry.screening import REVIEW, Query, Screener, Thresholds
from daylight.registry.store import RegistryStore, org_row, rel_row

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ReferenceLoad:
    """What loading reference data did; the change counts only when it was ``loaded`` (a
    version already loaded is a no-op)."""

    loaded: bool
    digest: str
    organizations: int
    relationships: int
    new_organizations: int = 0
    changed_organizations: int = 0
    new_or_changed_relationships: int = 0
    replaces: str | None = None  # the build loaded before, when there was one
    changes: Mapping[str, int] = field(default_factory=dict)  # reconciliation counts

    def summary(self) -> dict[str, Any]:
        """The payload of the ``registry.reference`` entry (and what ``reference load`` prints:
        after a newer build, the reconciliation counts too)."""
        out: dict[str, Any] = {
            "digest": self.digest, "organizations": self.organizations,
            "relationships": self.relationships, "new_organizations": self.new_organizations,
            "changed_organizations": self.changed_organizations,
            "new_or_changed_relationships": self.new_or_changed_relationships}
        if self.replaces is not None:
            out |= {"replaces": self.replaces, **self.changes}
        return out

    def to_json(self) -> dict[str, Any]:
        """What ``daylight reference load`` prints."""
        if not self.loaded:
            return {"loaded": False, "digest": self.digest, "organizations": self.organizations,
                    "relationships": self.relationships}
        return {"loaded": True, **self.summary()}


def reference_diff(database: Database, reference: Reference) -> ReferenceDiff:
    """`reference diff`: what loading ``reference`` would change (nothing is written)."""
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        return diff_reference({o.id: o for o in store.organizations()},
                              store.relationship_rows(active_only=True), reference,
                              store.latest_reference())


def load_reference(database: Database, log: TransparencyLog, reference: Reference,
                   now: datetime) -> ReferenceLoad:
    """Store the reference data and log every new or changed relationship; a version already
    loaded is a no-op. Organisations and relationships absent from ``reference`` are kept, marked:
    merged ones redirect to their successor, dropped ones and ended relationships are withdrawn
    by this build (``registry.reconcile``). Accounts whose resolution or classification changes
    are re-classified in the same transaction, each change logged as a correction naming the
    classification entry it corrects."""
    digest = reference.digest
    with database.transaction() as tx:
        store = RegistryStore(tx)
        if store.has_reference(digest):  # the same digest: the same organisations and relationships
            return ReferenceLoad(False, digest, len(reference.organizations),
                                 len(reference.relationships))
        loaded = store.latest_reference()
        diff = diff_reference({o.id: o for o in store.organizations()},
                              store.relationship_rows(active_only=True), reference, loaded) \
            if loaded is not None else None
        stored_orgs = store.organization_rows()
        new_orgs, changed_orgs = [], []
        for org in reference.organizations:
            row = stored_orgs.get(org.id)
            if row is None:
                new_orgs.append(org)
            elif row != org_row(org):
                changed_orgs.append(org)
        stored_rels = store.relationship_rows()
        entries: list[bytes] = []
        rows: list[tuple[Any, ...]] = []
        replaced: list[str] = []
        first = log.sequence_in(tx, [])
        for rel in reference.relationships:
            row = rel_row(rel, 0)
            old = stored_rels.get(rel.id)
            if old is not None and old == row[:-1]:
                continue
            if old is not None:
                replaced.append(rel.id)
            rows.append((*row[:-1], first + len(entries)))
            entries.append(LogEntry(entry_types.REGISTRY_RELATIONSHIP, now, rel.to_json()).encode())
        done = ReferenceLoad(True, digest, len(reference.organizations),
                             len(reference.relationships), len(new_orgs), len(changed_orgs),
                             len(rows))
        if diff is not None:
            for old_id, new_id in sorted(diff.merged.items()):
                entries.append(LogEntry(entry_types.REGISTRY_REDIRECT, now, {
                    "id": old_id, "redirect_to": new_id, "build": digest}).encode())
            for org_id in diff.withdrawn:
                entries.append(LogEntry(entry_types.REGISTRY_WITHDRAWAL, now, {
                    "id": org_id, "build": digest}).encode())
            for rel_id in diff.relationships_ended:
                entries.append(LogEntry(entry_types.REGISTRY_RELATIONSHIP_ENDED, now, {
                    "id": rel_id, "build": digest}).encode())
            done = replace(done, replaces=loaded, changes=diff.counts())
        entries.append(LogEntry(entry_types.REGISTRY_REFERENCE, now, done.summary()).encode())
        store.replace_organizations(changed_orgs, new_orgs)
        store.replace_relationships(rows, replaced)
        log.sequence_in(tx, entries)
        store.add_reference(digest, len(reference.organizations), len(reference.relationships),
                            utc_text(now), first + len(entries) - 1)
        if diff is not None:
            apply_marks(tx, diff, reference)
            done = replace(done, changes={**done.changes, **_reclassify(store, log, reference, now)})
    log.integrate()
    return done


def _reclassify(store: RegistryStore, log: TransparencyLog, reference: Reference,
                now: datetime) -> dict[str, int]:
    """After a new build is stored: accounts resolved to a merged organisation follow its
    redirect, those resolved to a withdrawn one go back to review, and every resolved account's
    classification is recomputed; each one that changed is logged with ``corrects`` (the index
    of the classification entry it replaces)."""
    moved = redirects(store.tx)
    gone = withdrawn_ids(store.tx)
    graph = Graph(reference.organizations, reference.relationships)
    resolutions = [r for status in RESOLVED for r in store.resolutions_with_status(status)]
    accounts = store.accounts_by_id([r.account_id for r in resolutions])
    stored = store.classification_texts([r.account_id for r in resolutions])
    logged = {r.account_id: store.classification(r.account_id) for r in resolutions}
    updated: list[Resolution] = []
    entries: list[bytes] = []
    changes: list[tuple[str, str, list[dict[str, Any]]]] = []
    counts = {"accounts_redirected": 0, "accounts_to_review": 0, "accounts_reclassified": 0}
    for resolution in resolutions:
        org_id = resolution.organization_id or ""
        resolved_again = org_id in moved or org_id in gone
        if org_id in moved:
            features = {**resolution.features, "redirected_from": org_id}
            resolution = Resolution(resolution.account_id, resolution.status, moved[org_id],
                                    resolution.score, features, utc_text(now))
            updated.append(resolution)
            counts["accounts_redirected"] += 1
        elif org_id in gone:
            # back to review fails safe: until a reviewer decides, the packs apply what the
            # account was classified as (screening's provisional candidate facts)
            before = logged.get(resolution.account_id)
            withdrawn = store.organization(org_id)
            features = {**resolution.features, "withdrawn": f"organisation `{org_id}` was withdrawn "
                                                            "by a newer reference build",
                        "provisional": {
                            "organization_id": org_id,
                            "name": withdrawn.name if withdrawn else None,
                            "sector": before.sector if before else "unknown",
                            "supports": sorted({s["sector"] for s in before.supports})
                            if before else []}}
            if before is not None and all("relationships" in s for s in before.supports):
                features["provisional_support"] = [
                    {"sector": s["sector"], "relationships": s["relationships"]}
                    for s in before.supports]
            resolution = Resolution(resolution.account_id, "review", org_id, resolution.score,
                                    features, utc_text(now))
            updated.append(resolution)
            counts["accounts_to_review"] += 1
        account = accounts[resolution.account_id]
        org = graph.organizations.get(resolution.organization_id or "") \
            if resolution.status in RESOLVED else None
        sector, supports = graph.classify(
            {"type": "account", "id": account.account_id, "name": account.name}, org,
            {"status": resolution.status, "score": resolution.score})
        text = json.dumps(supports, sort_keys=True, separators=(",", ":"))
        if stored.get(account.account_id) == (sector, text) and not resolved_again:
            continue
        previous = logged.get(account.account_id)
        entry = json.loads(_classification_entry(account, resolution, sector, supports, graph, now))
        entry["payload"]["corrects"] = previous.log_index if previous else None
        entries.append(LogEntry(entry_types.REGISTRY_CLASSIFICATION, now, entry["payload"]).encode())
        changes.append((account.account_id, sector, supports))
    first = log.sequence_in(store.tx, entries) if entries else 0
    store.put_resolutions(updated)
    store.put_classifications([Classification(a, s, sup, utc_text(now), first + i)
                               for i, (a, s, sup) in enumerate(changes)])
    counts["accounts_reclassified"] = len(changes)
    return counts


@dataclass(frozen=True)
class AccountImport:
    """What an import did: new accounts stored, stored ones changed (the CRM re-sync: each
    change kept with the account as it was, and logged), identical ones left as they were, and
    how many stored accounts the file did not name (kept as they are: a re-sync never deletes)."""

    imported: int
    updated: tuple[AccountChange, ...]
    unchanged: int
    not_in_file: int

    def to_json(self) -> dict[str, Any]:
        return {"imported": self.imported, "updated": len(self.updated),
                "unchanged": self.unchanged, "not_in_file": self.not_in_file,
                "changes": [{"account_id": c.account_id, "fields": list(c.fields),
                             "log_index": c.log_index} for c in self.updated]}


def import_accounts(database: Database, accounts: Sequence[Account], now: datetime, *,
                    log: TransparencyLog | None = None) -> AccountImport:
    """Store new accounts and re-sync stored ones, in one transaction: an account whose values
    differ from the stored ones is updated, the change kept (``registry_account_change``, with
    the values before) and logged (``registry.account_change``: the account id and the fields
    changed, never the values); an identical one is a no-op. Accounts stored but absent from
    ``accounts`` are not touched. Two lines with the same id are refused. Re-screening the
    changed accounts is the caller's (``flows.accounts.import_accounts``). Without ``log``
    (the demo, tests) a changed account is refused, nothing of the file imported: a change that
    cannot be logged is not made."""
    seen: dict[str, Account] = {}
    for account in accounts:
        if account.account_id in seen:
            raise ConflictError(f"account `{account.account_id}` is in the file twice (first at "
                                f"{seen[account.account_id].source or 'an earlier line'})",
                                where=account.source or None)
        seen[account.account_id] = account
    with database.transaction() as tx:
        store = RegistryStore(tx)
        existing = store.accounts_by_id([a.account_id for a in accounts])
        declared = store.cloud_accounts()
        for account in accounts:
            for cloud in account.cloud_account_ids:
                owner = declared.get(cloud, account.account_id)
                if owner != account.account_id and owner not in seen:
                    raise ConflictError(f"cloud account `{cloud}` belongs to account `{owner}`",
                                        where=f"{account.source}: cloud_account_ids"
                                        if account.source else "cloud_account_ids")
        new: list[Account] = []
        changed: list[tuple[Account, Account, tuple[str, ...]]] = []
        for account in accounts:
            old = existing.get(account.account_id)
            if old is None:
                new.append(account)
            elif old != account:
                fields = changed_fields(old, account)
                if log is None:
                    stored, given = old.to_json(), account.to_json()
                    raise ConflictError(
                        f"account `{account.account_id}` is already stored with {fields[0]} "
                        f"{json.dumps(stored.get(fields[0]), ensure_ascii=False)}, not "
                        f"{json.dumps(given.get(fields[0]), ensure_ascii=False)}; a re-sync needs "
                        "the log to record the change",
                        where=f"{account.source}: {fields[0]}" if account.source else fields[0])
                changed.append((old, account, fields))
        entries = [LogEntry(entry_types.REGISTRY_ACCOUNT_CHANGE, now, {
            "account_id": account.account_id, "fields": list(fields)}).encode()
            for _, account, fields in changed]
        first = log.sequence_in(tx, entries) if entries and log is not None else 0
        changes = tuple(AccountChange(account.account_id, utc_text(now), fields, old, first + i)
                        for i, (old, account, fields) in enumerate(changed))
        store.add_accounts(new, utc_text(now))
        store.update_accounts([account for _, account, _ in changed], utc_text(now))
        store.add_account_changes(changes)
        not_in_file = store.count_accounts() - len(new) - len(existing)
    if entries and log is not None:
        log.integrate()
    return AccountImport(len(new), changes, len(existing) - len(changed), not_in_file)


@dataclass
class Screening:
    """What screening needs in memory: the index of organisations and the graph."""

    screener: Screener
    graph: Graph

    @classmethod
    def from_database(cls, database: Database, thresholds: Thresholds | None = None) -> Screening:
        with database.transaction(write=False) as tx:
            store = RegistryStore(tx)
            organizations = store.organizations()
            relationships = store.relationships()
        return cls(Screener(organizations, thresholds, part_of=part_of_links(relationships)),
                   Graph(organizations, relationships))

    def provisional(self, organization_id: str) -> dict[str, Any]:
        """What a match awaiting review would make the account: the candidate's sector and
        the sectors its edges lead to, at any time, applied by the packs provisionally
        (``candidate_sector``, ``candidate_supports``) until a reviewer decides; never
        published as the account's. Which of those sectors it supports at a time is decided
        from the candidate's edges (``provisional_support``), as for a resolved account."""
        org = self.graph.organizations.get(organization_id)
        if org is None:
            return {"organization_id": organization_id, "sector": "unknown", "supports": []}
        return {"organization_id": org.id, "name": org.name, "sector": org.sector,
                "supports": [steps[-1]["sector"] for steps, _, _ in self.graph.supports(org.id)]}

    def provisional_support(self, organization_id: str) -> list[dict[str, Any]]:
        """The candidate's support edges per sector (a classification's ``supports`` shape,
        without paths), so that the gate decides ``candidate_supports`` as of the request's day
        by ``support_during``, as it does ``supports`` for a resolved account."""
        if organization_id not in self.graph.organizations:
            return []
        return [{"sector": edges[0].sector, "relationships": [e.to_json() for e in edges]}
                for _, _, edges in self.graph.supports(organization_id)]

    def resolve(self, account: Account, judgements: Sequence[Judgement],
                now: datetime) -> tuple[Resolution, str, list[dict[str, Any]]]:
        """The account's resolution and classification, honouring earlier judgements."""
        query = Query(account.name, account.state, account.city, account.email_domains,
                      account.identifiers)
        judged_same = [j for j in judgements if j.verdict == "same"]
        evidence: dict[str, Any] = {"judgements": [
            {"organization_id": j.organization_id, "verdict": j.verdict, "log_index": j.log_index}
            for j in judgements]}
        if judged_same:
            chosen = max(judged_same, key=lambda j: j.log_index)
            ranked = {s.organization_id: s for s in self.screener.rank(query)}
            scored = ranked.get(chosen.organization_id)
            features = {k: f.to_json() for k, f in scored.features.items()} if scored else {}
            features["judgement"] = {"weight": None, "detail": f"a reviewer judged them the same: "
                                                               f"{chosen.note}"}
            org_judged = self.graph.organizations.get(chosen.organization_id)
            evidence |= {"features": features, "candidate": chosen.organization_id,
                         "candidate_name": org_judged.name if org_judged else None}
            status = JUDGED
            org_id: str | None = chosen.organization_id
            score = round(scored.score, 6) if scored else None
        else:
            outcome = self.screener.screen(query, excluded=frozenset(j.organization_id
                                                                     for j in judgements))
            status = outcome.status
            org_id = outcome.best.organization_id if outcome.best else None
            score = round(outcome.best.score, 6) if outcome.best else None
            evidence |= {
                "features": ({k: f.to_json() for k, f in outcome.best.features.items()}
                             if outcome.best else {}),
                "candidate": org_id,
                "candidate_name": outcome.best.organization_name if outcome.best else None,
                "runner_up": outcome.runner_up.to_json() if outcome.runner_up else None,
                "margin_logit": (round(outcome.margin_logit, 3)
                                 if outcome.margin_logit is not None else None)}
            if outcome.evidence:
                evidence["agency_evidence"] = [e.to_json() for e in outcome.evidence]
            if status == REVIEW and outcome.best is not None:
                evidence["provisional"] = self.provisional(outcome.best.organization_id)
                evidence["provisional_support"] = self.provisional_support(
                    outcome.best.organization_id)
        resolution = Resolution(account.account_id, status, org_id, score, evidence, utc_text(now))
        org = self.graph.organizations.get(org_id) if org_id and status in RESOLVED else None
        sector, supports = self.graph.classify(
            {"type": "account", "id": account.account_id, "name": account.name}, org,
            {"status": status, "score": score})
        return resolution, sector, supports


def _classification_entry(account: Account, resolution: Resolution, sector: str,
                          supports: list[dict[str, Any]], graph: Graph, now: datetime) -> bytes:
    org = graph.organizations.get(resolution.organization_id or "") \
        if resolution.status in RESOLVED else None
    payload = {
        "account_id": account.account_id,
        "organization": ({"id": org.id, "name": org.name, "sector": org.sector} if org else None),
        "match": {"status": resolution.status, "score": resolution.score,
                  "features": resolution.features.get("features", {})},
        "sector": sector, "supports": logged_supports(supports),
    }
    return LogEntry(entry_types.REGISTRY_CLASSIFICATION, now, payload).encode()


def _record(store: RegistryStore, log: TransparencyLog, screening: Screening,
            results: Sequence[tuple[Account, Resolution, str, list[dict[str, Any]]]],
            now: datetime) -> None:
    """Store resolutions and classifications; log classifications that are new or changed."""
    stored = store.classification_texts([a.account_id for a, _, _, _ in results])
    entries: list[bytes] = []
    to_log: list[tuple[Account, str, list[dict[str, Any]]]] = []
    for account, resolution, sector, supports in results:
        old = stored.get(account.account_id)
        text = json.dumps(supports, sort_keys=True, separators=(",", ":"))
        if (resolution.status in RESOLVED or old is not None) and old != (sector, text):
            entries.append(_classification_entry(account, resolution, sector, supports,
                                                 screening.graph, now))
            to_log.append((account, sector, supports))
    first = log.sequence_in(store.tx, entries) if entries else 0
    store.put_resolutions([r for _, r, _, _ in results])
    store.put_classifications([Classification(a.account_id, s, sup, utc_text(now), first + i)
                               for i, (a, s, sup) in enumerate(to_log)])


@dataclass(frozen=True)
class ScreeningSummary:
    """A screening run: how many accounts were screened and how each came out."""

    screened: int
    accepted: int
    review: int
    rejected: int
    judged: int

    def to_json(self) -> dict[str, int]:
        """What ``daylight screen`` prints (and the counts of the ``registry.screening`` entry)."""
        return {"screened": self.screened, "accepted": self.accepted, "review": self.review,
                "rejected": self.rejected, "judged": self.judged}


def screen_accounts(database: Database, log: TransparencyLog, now: datetime, *,
                    everything: bool = False, thresholds: Thresholds | None = None,
                    on_progress: Progress | None = None, chunk_size: int = 2000,
                    screening: Screening | None = None,
                    account_ids: Sequence[str] | None = None) -> ScreeningSummary:
    """Screen every unresolved account (or, with ``everything``, every account; or the accounts
    ``account_ids``) and log the run. A reviewer's judgement made before a re-sync changed the
    account is about the account as it was: it no longer decides (it stays recorded)."""
    screening = screening or Screening.from_database(database, thresholds)
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        if account_ids is not None:
            found = store.accounts_by_id(list(account_ids))
            accounts = [found[a] for a in sorted(found)]
        else:
            accounts = list(store.iter_accounts(unresolved_only=not everything))
        changed: dict[str, int] = {}  # the log index of each account's last change
        for change in store.account_changes():
            changed[change.account_id] = change.log_index
        judgements: dict[str, list[Judgement]] = {}
        for judgement in store.judgements():
            if judgement.log_index > changed.get(judgement.account_id, -1):
                judgements.setdefault(judgement.account_id, []).append(judgement)
    counts = {"accepted": 0, "review": 0, "rejected": 0, "judged": 0}
    digest = hashlib.sha256()
    for start in range(0, len(accounts), chunk_size):
        chunk = accounts[start:start + chunk_size]
        results = []
        for account in chunk:
            resolution, sector, supports = screening.resolve(
                account, judgements.get(account.account_id, ()), now)
            counts[resolution.status] += 1
            digest.update(f"{account.account_id}\t{resolution.status}\t"
                          f"{resolution.organization_id or ''}\n".encode())
            results.append((account, resolution, sector, supports))
        with database.transaction() as tx:
            _record(RegistryStore(tx), log, screening, results, now)
        if on_progress is not None:
            on_progress(min(start + chunk_size, len(accounts)), len(accounts))
    summary = ScreeningSummary(len(accounts), **counts)
    log.append_entries([LogEntry(entry_types.REGISTRY_SCREENING, now,
                                 {**summary.to_json(), "outcomes_sha256": digest.hexdigest()})])
    return summary


@dataclass(frozen=True)
class JudgementRecord:
    """A reviewer's judgement as recorded (with its log index) and the account's resolution
    after it."""

    judgement: Judgement
    status: str
    organization_id: str | None

    def to_json(self) -> dict[str, Any]:
        """What ``daylight review decide`` prints: the logged payload (the reviewer by
        pseudonym), the log index, and the account's status and organisation after it."""
        j = self.judgement
        return {"account_id": j.account_id, "organization_id": j.organization_id,
                "verdict": j.verdict, "note": j.note, "reviewer": j.reviewer or None,
                "log_index": j.log_index, "status": self.status,
                "organization": self.organization_id}


def record_judgement(database: Database, log: TransparencyLog, account_id: str,
                     organization_id: str, verdict: str, note: str, now: datetime,
                     screening: Screening | None = None, *, reviewer: str) -> JudgementRecord:
    """Record a reviewer's verdict on (account, organisation), log it, and re-resolve the account,
    in one transaction (``judge_in``)."""
    screening = screening or Screening.from_database(database)
    with database.transaction() as tx:
        record = judge_in(tx, log, screening, account_id, organization_id, verdict, note, now,
                          reviewer=reviewer)
    log.integrate()
    return record


def judge_in(tx: Transaction, log: TransparencyLog, screening: Screening, account_id: str,
             organization_id: str, verdict: str, note: str, now: datetime, *,
             reviewer: str) -> JudgementRecord:
    """``record_judgement`` inside the caller's open transaction (the caller integrates the log
    after it commits). ``reviewer`` is who judged as it may be published: a pseudonym, never a
    person's identity (the caller makes it; the registry stores and logs it as given). A pair
    already judged is refused: judgements are never re-asked nor overwritten."""
    if verdict not in VERDICTS:
        raise InputError(f"verdict `{verdict}` must be one of {', '.join(VERDICTS)}",
                         where="verdict")
    if not note.strip() or len(note) > 2000:
        raise InputError("a note of 1 to 2000 characters must say why", where="--note")
    check_printable_text(note, "--note")  # logged, so published
    if not reviewer.strip():
        raise InputError("a judgement must name its reviewer", where="--by")
    store = RegistryStore(tx)
    account = store.account(account_id)
    if account is None:
        raise NotFoundError(f"no account `{account_id}`")
    if store.organization(organization_id) is None:
        raise NotFoundError(f"no organisation `{organization_id}`")
    earlier = store.judgements(account_id)
    if any(j.organization_id == organization_id for j in earlier):
        raise ConflictError(f"`{account_id}` and `{organization_id}` were already judged")
    payload = {"account_id": account_id, "organization_id": organization_id,
               "verdict": verdict, "note": note.strip(), "reviewer": reviewer}
    index = log.sequence_in(tx, [LogEntry(entry_types.REGISTRY_JUDGEMENT, now, payload).encode()])
    judgement = Judgement(account_id, organization_id, verdict, note.strip(), utc_text(now), index,
                          reviewer)
    store.add_judgement(judgement)
    resolution, sector, supports = screening.resolve(account, [*earlier, judgement], now)
    _record(store, log, screening, [(account, resolution, sector, supports)], now)
    return JudgementRecord(judgement, resolution.status,
                           resolution.organization_id if resolution.status in RESOLVED else None)
