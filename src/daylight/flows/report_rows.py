"""The report flow's tables that come from outside the central table: the supporting-companies
graph (``supports``), use over time (``usage_weekly``), the voice (``voice``) and the corrections
log (``corrections``).

**Support as the period saw it.** A ``supports`` row is built from the awards and agreements the
registry's time-aware classification *kept* for the period (``support.kept``: in force during it,
or within its look-back window), one row per agency, kind of relationship, kind of support and
source, never from the one path screening happened to record: that path's award may have ended
years before the period (publishing it as the evidence would say an organisation is a contractor
on a contract it no longer holds), and one award stood for all of them (a company with 159
awards to ICE and CBP was published as one $600 award to ICE). A row's amount is the sum of its
awards' net obligated amounts, its dates the earliest start and the latest end of them (no end
when one of them has none).

Use over time is the period's; the voice and the corrections log are read as they stand when the
report is built (``now``): objections with their signatures, status and outcome then,
declarations with their reviews then, refusals recorded by then, every correction filed by then
with its review if it came by then. So a report shows the outcome of an objection or a correction
reached after its period (a report is typically built after its period, and the outcome is what
the reader needs), and building a published period again from unchanged state gives the same
rows; a later outcome is appended as a changed row, never silently.

**Why weeks for use over time.** Every published row costs a log entry and a proof file; a row
per organisation and *day* would add up to 31 rows per organisation a month (300,000 for 10,000
organisations, more than the organisation and usage tables together in a typical month), and most
daily counts of a small customer fall under the small-count rule, so the chart would show mostly
zeros. A week keeps the series readable (5 points a month, 14 a quarter, 53 a year), keeps the
table small, and weekly counts are suppressed far less often. Weeks are ISO weeks (Monday to
Sunday) clipped to the period, so rows never straddle two periods. One row per organisation and
week counts every operation; the front page's chart sums the *published* rows by group (a sum of
published rows can never reveal a suppressed count by subtraction). The capabilities used are in
the ``usage`` table, per period.

**Voice, never a person.** Rows carry counts, statuses and the recorded outcome and rationale
(with anything shaped like an email address or a phone number removed): never a signer, a
reviewer (not even a pseudonym) or a statement. A row about a customer account or an organisation
that this report does not name says ``customer outside this report``: the report names only the
organisations it is about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from daylight.core.database import Database
from daylight.core.period import Period
from daylight.flows.correction import list_corrections
from daylight.registry.correction import ACCEPTED
from daylight.registry.demo import SYNTHETIC_PREFIX
from daylight.registry.organization import AGENCY_SECTORS, Organization, Relationship
from daylight.registry.store import RegistryStore
from daylight.report.data import redact_contacts
from daylight.report.formats import row_id
from daylight.report.model import (
    CorrectionRow,
    OrganizationRow,
    SupportRow,
    UsagePoint,
    UsageWeekRow,
    VoiceRow,
)
from daylight.report.site import group_label
from daylight.usage.daily import daily_calls
from daylight.usage.store import UsageStore
from daylight.voice.objection import Subject
from daylight.voice.reads import read_voice_at

OUTSIDE = "customer outside this report"


def _suppress(count: int, threshold: int) -> tuple[int, bool]:
    return (0, True) if 0 < count < threshold else (count, False)


def support_rows(database: Database, supporters: Iterable[tuple[Organization, Sequence[Mapping[
        str, Any]], bool]], period: Period) -> list[SupportRow]:
    """The ``supports`` rows of ``supporters`` (each organisation, the sectors it supports
    during ``period`` as ``AccountView.supports`` gives them, and whether it is SYNTHETIC), in
    row id order: see the module's docstring."""
    start, end = period.start.isoformat(), period.end.isoformat()
    kept = [(org, synthetic, edge) for org, supports, synthetic in supporters
            for support in supports if support["sector"] in AGENCY_SECTORS
            for edge in (support.get("support") or {}).get("kept", ())]
    with database.transaction(write=False) as tx:
        store = RegistryStore(tx)
        relationships = store.relationships_by_id(sorted({str(e["relationship_id"])
                                                          for _, _, e in kept}))
        agencies = {t: agency for t in sorted({r.target_id for r in relationships.values()})
                    if (agency := store.organization(t)) is not None}
    groups: dict[tuple[str, str, str, str, str], list[Relationship]] = defaultdict(list)
    contractors: dict[str, tuple[Organization, bool]] = {}
    for org, synthetic, edge in kept:
        relationship = relationships.get(str(edge["relationship_id"]))
        if relationship is None or relationship.target_id not in agencies:
            continue  # withdrawn with its agency by a newer build: nothing to publish it as
        groups[(org.id, relationship.target_id, relationship.kind, str(edge["kind"]),
                relationship.source)].append(relationship)
        contractors[org.id] = (org, synthetic)
    rows = []
    for (org_id, agency_id, kind, support_kind, source), awards in groups.items():
        (org, synthetic), agency = contractors[org_id], agencies[agency_id]
        amounts = [r.amount for r in awards if r.amount is not None]
        starts = [r.start_date for r in awards if r.start_date]
        ends = [r.end_date for r in awards]
        rows.append(SupportRow(
            row_id("supports", org_id, agency_id, kind, support_kind, source), org_id,
            redact_contacts(org.name), agency_id, redact_contacts(agency.name),
            agency.sector, kind, support_kind, round(sum(amounts)) if amounts else None,
            len(awards), min(starts) if starts else None,
            max(ends) if all(ends) else None, source, start, end, -1, synthetic))
    return sorted(rows, key=lambda r: r.row_id)


def week_of(day: date, period: Period) -> tuple[date, date]:
    """The ISO week (Monday to Sunday) holding ``day``, clipped to ``period``: (start, end)."""
    monday = day - timedelta(days=day.weekday())
    return max(monday, period.start), min(monday + timedelta(days=7), period.end)


def weekly_rows(store: UsageStore, period: Period, threshold: int,
                org_of: Mapping[str, str],
                organizations: Sequence[OrganizationRow]) -> tuple[UsageWeekRow, ...]:
    """Calls per reported organisation and week, from the period's stored usage files."""
    synthetic = {o.organization_id: o.synthetic for o in organizations}
    calls: dict[tuple[str, date], int] = defaultdict(int)
    for row in daily_calls(store, period):
        org_id = org_of.get(row.account_id)
        if org_id is None or org_id not in synthetic:
            continue
        calls[(org_id, week_of(date.fromisoformat(row.day), period)[0])] += row.calls
    start, end = period.start.isoformat(), period.end.isoformat()
    rows = []
    for (org_id, week_start), count in sorted(calls.items()):
        shown, suppressed = _suppress(count, threshold)
        week_end = week_of(week_start, period)[1]
        rows.append(UsageWeekRow(
            row_id("usage_weekly", org_id, week_start.isoformat()), org_id,
            week_start.isoformat(), week_end.isoformat(), shown, suppressed, start, end, -1,
            synthetic[org_id]))
    return tuple(rows)


def usage_points(weekly: Iterable[UsageWeekRow],
                 organizations: Sequence[OrganizationRow]) -> tuple[UsagePoint, ...]:
    """The charts' points from the published weekly rows: per group and week over every
    organisation (front page; ``capability`` holds the group), and per organisation and week
    (capability ``all``)."""
    group = {o.organization_id: group_label(o) for o in organizations}
    rows = list(weekly)
    per_group: dict[tuple[str, str], int] = defaultdict(int)
    suppressed_group: dict[tuple[str, str], bool] = defaultdict(bool)
    for r in rows:
        key = (r.week_start, group[r.organization_id])
        per_group[key] += r.calls
        suppressed_group[key] |= r.suppressed
    points = [UsagePoint(day, None, label, n, suppressed_group[(day, label)])
              for (day, label), n in sorted(per_group.items())]
    points += [UsagePoint(r.week_start, r.organization_id, "all", r.calls, r.suppressed)
               for r in sorted(rows, key=lambda r: (r.organization_id, r.week_start))]
    return tuple(points)


def _text(value: str | None) -> str | None:
    return redact_contacts(value) if value else None


def _about(subject: Subject, org_of: Mapping[str, str], reported: set[str]) -> str:
    """What a voice row is about, naming only organisations of this report."""
    if subject.kind == "account":
        org_id = org_of.get(subject.id)
        return org_id if org_id in reported else OUTSIDE
    if subject.kind == "organization":
        return subject.id if subject.id in reported else OUTSIDE
    if subject.kind == "declaration":
        return "declaration"
    return subject.to_text()


def voice_rows(database: Database, period: Period, moment: datetime, org_of: Mapping[str, str],
               reported: set[str], synthetic: bool) -> tuple[VoiceRow, ...]:
    """Objections, declared-use reviews and standing refusals as they stood at ``moment`` (the
    build)."""
    at = read_voice_at(database, moment)
    start, end = period.start.isoformat(), period.end.isoformat()
    rows = []
    for objection in at.objections:
        rows.append(VoiceRow(
            row_id("voice", "objection", objection.objection_id), "objection",
            _about(objection.about, org_of, reported), objection.status, objection.signatures,
            _text(objection.outcome), _text(objection.rationale), start, end, -1,
            synthetic=synthetic))
    for record in at.declarations:
        declaration = record.declaration
        last = record.reviews[-1] if record.reviews else None
        about = _about(Subject("account", declaration.account_id), org_of, reported)
        rows.append(VoiceRow(
            row_id("voice", "declaration_review", declaration.declaration_id),
            "declaration_review", about, record.status, len(record.reviews),
            last.decision if last else None, _text(last.rationale) if last else None, start, end,
            -1, capability=declaration.capability,
            synthetic=synthetic or declaration.account_id.startswith(SYNTHETIC_PREFIX)))
    for refusal in at.refusals:
        rows.append(VoiceRow(
            row_id("voice", "standing_refusal", refusal.about.to_text()), "standing_refusal",
            _about(refusal.about, org_of, reported), "active", refusal.refusals, None, None,
            start, end, -1, synthetic=synthetic))
    return tuple(rows)


def correction_rows(database: Database, period: Period, at: datetime,
                    classification_index: Mapping[str, int | None],
                    synthetic: bool) -> tuple[CorrectionRow, ...]:
    """Every correction filed before ``at`` (the build), with its review if it came before then.
    ``classification_index``: organisation id → the classification entry this report used."""
    moment = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    start, end = period.start.isoformat(), period.end.isoformat()
    rows = []
    for correction in list_corrections(database):
        if correction.filed_at >= moment:
            continue
        reviewed = bool(correction.reviewed_at) and correction.reviewed_at < moment
        decision = correction.status if reviewed else "filed"
        accepted = reviewed and correction.status == ACCEPTED
        rows.append(CorrectionRow(
            row_id("corrections", correction.correction_id), correction.organization_id,
            redact_contacts(correction.claim), decision,
            redact_contacts(correction.rationale) if reviewed else "",
            correction.effective or None if accepted else None,
            classification_index.get(correction.organization_id) if accepted else None,
            start, end, -1,
            correction.review_log_index if reviewed else correction.filed_log_index,
            synthetic))
    return tuple(rows)
