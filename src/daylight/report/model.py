"""The transparency report as a value: what one period's report says, before it is written out.

This is the seam between building the report (reading the registry, usage, policy, voice and the
log through their typed reads, in ``daylight.flows.report``) and writing it (data files in
``daylight.report.data``, pages in ``daylight.report.site``, proofs in ``daylight.report.proofs``).
Writers read only this model; the builder fills it. Fields may be added; none is renamed.

Every published row carries ``row_id`` (stable across periods for the same fact, so it can be
cited), ``period_start`` and ``period_end`` (ISO dates, end exclusive) and ``log_index`` (the
entry that proves it). Counts are integers; a count withheld by the small-count rule is 0 with
``suppressed`` true, never a placeholder in the numeric column.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from daylight.registry.support import DEFAULT_STALENESS_DAYS, DEFAULT_WINDOW_DAYS


@dataclass(frozen=True)
class EvidenceStep:
    """One step of how an organisation was classified, as a reader checks it.

    ``kind``: ``account`` (a customer account, SYNTHETIC in the demo), ``match`` (screening: score
    and the features that decided), ``organization``, ``relationship`` (an award, agreement or
    data-sharing edge, with dates, amount and source), ``rule`` (which time or kind rule kept or
    dropped the relationship), ``correction`` (an accepted correction).
    """

    kind: str
    label: str
    organization_id: str | None = None
    score: float | None = None
    features: tuple[str, ...] = ()
    relationship_kind: str | None = None
    support_kind: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    amount: float | None = None
    source: str | None = None
    log_index: int | None = None
    sector: str | None = None


@dataclass(frozen=True)
class OrganizationRow:
    """The central table: one organisation classified law_enforcement, immigration_enforcement,
    or supporting one of them during the period, and how it used the services."""

    row_id: str
    organization_id: str
    organization_name: str
    sector: str
    supports: tuple[str, ...]
    state: str
    accounts: int
    services: tuple[str, ...]
    capabilities: tuple[str, ...]
    calls: int
    suppressed: bool
    allowed: int
    denied: int
    denied_by: tuple[str, ...]
    declared_purposes: tuple[str, ...]
    audit_findings: int
    actions: tuple[str, ...]
    evidence: tuple[EvidenceStep, ...]
    period_start: str
    period_end: str
    log_index: int
    synthetic: bool


@dataclass(frozen=True)
class UsageRow:
    """One organisation × service × operation in the period."""

    row_id: str
    organization_id: str
    service: str
    operation: str
    capabilities: tuple[str, ...]
    calls: int
    suppressed: bool
    period_start: str
    period_end: str
    log_index: int
    synthetic: bool


@dataclass(frozen=True)
class UsagePoint:
    """A point of a use-over-time chart, summed from the published ``usage_weekly`` rows.

    ``day`` is the first day of a week (clipped to the period). Front-page points have no
    ``organization_id`` and one point per group and week (``capability`` holds the group: law
    enforcement, immigration enforcement, supporting ...); an organisation's points have
    capability ``all``. ``suppressed`` is true when a row summed into it was suppressed."""

    day: str
    organization_id: str | None
    capability: str
    calls: int
    suppressed: bool = False


@dataclass(frozen=True)
class SupportRow:
    """A contractor → agency edge of the supporting-companies graph, in force during the period."""

    row_id: str
    contractor_id: str
    contractor_name: str
    agency_id: str
    agency_name: str
    agency_sector: str
    relationship_kind: str
    support_kind: str
    amount: float | None
    awards: int
    start_date: str | None
    end_date: str | None
    source: str
    period_start: str
    period_end: str
    log_index: int
    synthetic: bool = False


@dataclass(frozen=True)
class DecisionRow:
    """Decisions of the gate for one organisation × operation × outcome × deciding policies."""

    row_id: str
    organization_id: str
    operation: str
    outcome: str
    policies: tuple[str, ...]
    decisions: int
    suppressed: bool
    period_start: str
    period_end: str
    log_index: int
    synthetic: bool = False


@dataclass(frozen=True)
class UsageWeekRow:
    """Use over time: one organisation's calls in one week of the period (all its operations).

    Weeks start on Monday (ISO 8601) and are clipped to the period, so the first and last rows
    of a period may cover fewer than seven days: ``week_start`` to ``week_end`` (exclusive)."""

    row_id: str
    organization_id: str
    week_start: str
    week_end: str
    calls: int
    suppressed: bool
    period_start: str
    period_end: str
    log_index: int
    synthetic: bool


@dataclass(frozen=True)
class VoiceRow:
    """An objection, a declared-use review or the count of standing refusals: never a person.

    ``about`` is an organisation's id when the row is about an organisation in the report,
    ``capability:ID`` or ``policy:ID`` otherwise, or ``customer outside this report`` for a
    customer the report does not name; ``capability`` is the declared capability of a review."""

    row_id: str
    kind: str
    about: str
    status: str
    signatures: int
    outcome: str | None
    rationale: str | None
    period_start: str
    period_end: str
    log_index: int
    capability: str | None = None
    synthetic: bool = False


@dataclass(frozen=True)
class CorrectionRow:
    """A correction appended to the log: what it corrects, why, and from when."""

    row_id: str
    about: str
    claim: str
    decision: str
    rationale: str
    effective_from: str | None
    corrects_log_index: int | None
    period_start: str
    period_end: str
    log_index: int
    correction_log_index: int | None = None  # the registry's entry of its latest step
    synthetic: bool = False


@dataclass(frozen=True)
class PolicyVersionRow:
    """A policy version in force during the period, and the calls it refused."""

    version: int
    sha256: str
    effective_from: str
    packs: tuple[str, ...]
    log_index: int


@dataclass(frozen=True)
class Refusals:
    """Denied calls in the period by the policy id that denied them."""

    policy_id: str
    reason: str
    denied: int


@dataclass(frozen=True)
class Source:
    """A reference data source, credited on every page that uses it. ``ids``: the registry's
    source ids it stands for (as ``supports.source`` and evidence steps write them), so that a
    page can name the source where the data holds its id."""

    name: str
    url: str
    licence: str
    credit: str
    retrieved: str
    ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Changes:
    """What changed since the previous report, with the consistency proof between checkpoints."""

    previous_period: str
    previous_tree_size: int
    organizations_added: tuple[str, ...]
    organizations_removed: tuple[str, ...]
    consistency_proof: tuple[str, ...]  # base64 hashes, RFC 9162


@dataclass(frozen=True)
class Cosignature:
    """A witness's cosignature on the published checkpoint (C2SP tlog-cosignature): the witness's
    key name and key hash, and the time it cosigned (seconds since the epoch), as the note says."""

    witness: str
    key_hash: str
    timestamp: int | None


@dataclass(frozen=True)
class Report:
    """One period's report, proven against one signed checkpoint."""

    period: str
    period_start: str
    period_end: str
    origin: str
    checkpoint: str  # the signed note, as published in log/checkpoint
    tree_size: int
    reference_build: str
    reference_date: str
    synthetic: bool
    small_count_threshold: int
    organizations: tuple[OrganizationRow, ...]
    usage: tuple[UsageRow, ...]
    usage_over_time: tuple[UsagePoint, ...]
    supports: tuple[SupportRow, ...]
    decisions: tuple[DecisionRow, ...]
    policy_versions: tuple[PolicyVersionRow, ...]
    refusals: tuple[Refusals, ...]
    voice: tuple[VoiceRow, ...] = ()
    corrections: tuple[CorrectionRow, ...] = ()
    changes: Changes | None = None
    sources: tuple[Source, ...] = field(default_factory=tuple)
    usage_weekly: tuple[UsageWeekRow, ...] = ()
    cosignatures: tuple[Cosignature, ...] = ()
    support_window_days: int = DEFAULT_WINDOW_DAYS  # look-back of "supports during the period"
    snapshot_staleness_days: int = DEFAULT_STALENESS_DAYS  # a snapshot row's life after its export
