"""Support in time and in kind: whether an organisation supports a sector *during a period* (or as
of a time), what kind of support it is, how much, and why.

``support_during`` is the one function that answers "does X support S during P, and why": the
policy gate calls it as of the request's time, the audit during the audited period, the report
during the reported one. Its input is the organisation's support edges (``SupportEdge``: one per
relationship that leads to an agency of a supported sector, with the relationship's validity
interval, kind and amount), as the classification stores them; its output (``SupportVerdict``)
keeps or drops each edge by a named rule:

- ``in force``: the edge's interval overlaps the period;
- ``ongoing as of D``: the source's latest snapshot (dated D) still lists it, so it has not been
  seen to end; it is in force from its start until D plus the staleness horizon
  (``snapshot_staleness_days``);
- ``stale``: last seen in the export of D, more than the staleness horizon before the period —
  dropped (a snapshot says nothing of what happened after it; see below);
- ``within window``: it ended less than the look-back window (``support_window_days``) before the
  period began;
- ``ended long ago``: it ended before the window — dropped;
- ``not yet``: it starts after the period — dropped;
- ``undated``: the source gives no date at all — dropped (never published without a date);
- ``corrected``: an accepted correction says the organisation does not support the sector from a
  date on or before the period's start, and no newer reference build superseded it — dropped.

The default window, 365 days: most federal contracts run in one-year option periods, and the
FY2021-2026 extract gives only action dates (obligations), so an award whose last obligation was
a year ago may well still be performed today; 287(g) agreements are renewed yearly too. A longer
window would publish support that has ended (the most damaging error this system can make); a
shorter one would drop contracts still in performance.

The default staleness horizon, 1,095 days (three years): a row that a source's latest export
still lists (a 287(g) agreement in ICE's list of 2025-07-03, a vendor in the Atlas of
Surveillance export of 2020-10-07 or in The News & Observer's Flock data of 2024-04-26) is taken
to be in force for three years after that export and no longer: never ending would publish, in
2026 and forever, that a vendor seen once in 2020 still supplies the police (the most damaging
error); ending at the export's date would let a current supplier or 287(g) partner through the
day after every export. Three years keeps the newest export the shipped reference holds (2024)
in force through 2026 and drops support seen only in the 2020 export; a newer export of a source
restarts its horizon. The window does not apply on top of it.

Kinds are derived by ``support_kind`` from the award's PSC and NAICS codes and descriptions (all
in the public USAspending data) by the ordered rules in ``KIND_RULES``; the first rule that matches
decides, and the edge records which field and value decided (``rule``). Nothing matched: the
visible kind ``unclassified``. Rules are written by hand because no published mapping from PSC or
NAICS to "what enforcement it enables" exists; they are plain data, easy to read and to change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from daylight.core.errors import InputError
from daylight.registry.organization import Relationship

DEFAULT_WINDOW_DAYS = 365
DEFAULT_STALENESS_DAYS = 1095

SUPPORT_KINDS = (
    "enforcement_agreement",        # a 287(g) agreement: the agency's officers act for ICE
    "detention_and_custody",        # detention beds, detention guards, correctional services
    "removal_transport",            # charter flights and buses that move detained people
    "surveillance_and_biometrics",  # cameras, biometrics, licence-plate readers, detection
    "data_analytics_and_it",        # software, data, IT systems and networks
    "enforcement_equipment",        # weapons, ammunition, armour, restraints, detection kits
    "professional_services",        # management, engineering, training, translation, medical
    "facilities_and_commodities",   # buildings, janitorial, furniture, food, office, animals
    "unclassified",                 # no rule matched: shown as such, never guessed
)

# (kind, field, words). Fields are tried in the order of ``FIELD_ORDER`` — what the agreement or
# the purchase is (287(g) model, surveillance technology, codes, the product or service) before
# who the seller is (its industry) — and within a field the first rule whose word occurs
# decides. ``naics_code`` and ``psc_code`` match a code's prefix; ``psc`` (the product or service
# description), ``naics`` (the industry description) and ``technology`` match words.
KIND_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("enforcement_agreement", "model", ("",)),
    ("detention_and_custody", "naics_code", ("922140", "561612")),
    ("detention_and_custody", "psc_code", ("S206",)),
    ("detention_and_custody", "psc", ("GUARD", "DETENTION", "DETAINEE", "CORRECTIONAL", "JAIL", "PENAL",
                                      "PRISON")),
    ("detention_and_custody", "naics", ("CORRECTIONAL", "SECURITY GUARDS", "DETENTION")),
    ("removal_transport", "psc", ("AIR CHARTER", "MOTOR CHARTER", "AIR PASSENGER",
                                  "PASSENGER AIR", "TRANSPORTATION OF PERSONS")),
    ("removal_transport", "naics", ("CHARTERED PASSENGER AIR", "PASSENGER AIR TRANSPORTATION",
                                    "CHARTER BUS", "INTERURBAN AND RURAL BUS")),
    ("surveillance_and_biometrics", "technology", ("",)),
    ("surveillance_and_biometrics", "psc", ("SURVEILLANCE", "BIOMETRIC", "FINGERPRINT", "CAMERA",
                                            "VIDEO", "NIGHT VISION", "RADAR", "SECURITY DETECTION",
                                            "IRRADIATION", "UNMANNED", "DETECTION, AND COHERENT",
                                            "OPTICAL SIGHTING", "LICENSE PLATE")),
    ("surveillance_and_biometrics", "naics", ("SEARCH, DETECTION", "IRRADIATION APPARATUS",
                                              "SURVEILLANCE")),
    ("enforcement_equipment", "psc", ("AMMUNITION", "GUNS", "ARMOR", "WEAPON", "HANDCUFF",
                                      "RESTRAINT", "EXPLOSIVE", "HAZARD-DETECTING",
                                      "LAW ENFORCEMENT")),
    ("enforcement_equipment", "naics", ("SMALL ARMS", "ORDNANCE", "AMMUNITION")),
    ("data_analytics_and_it", "psc_code", ("D", "7A", "7B", "7C", "7D", "7E", "7F", "7G", "7H",
                                           "7J", "7K", "70")),
    ("data_analytics_and_it", "psc", ("IT AND TELECOM", "INFORMATION TECHNOLOGY", "ADP ",
                                      "SOFTWARE", "COMPUTER", "DATA ", "INFORMATION RETRIEVAL",
                                      "TELECOMMUNICATION")),
    ("data_analytics_and_it", "naics", ("COMPUTER", "SOFTWARE", "DATA PROCESSING",
                                        "TELECOMMUNICATIONS", "INFORMATION SERVICES")),
    ("professional_services", "psc", ("SUPPORT- ", "SUPPORT - ", "SOCIAL- ", "EDUCATION/TRAINING",
                                      "SPECIAL STUDIES",
                                      "MEDICAL", "TRANSLATION", "LEGAL", "ENGINEERING", "R&D",
                                      "RESEARCH")),
    ("professional_services", "naics", ("CONSULTING", "ENGINEERING SERVICES", "TRAINING",
                                        "TRANSLATION", "LEGAL", "ACCOUNTING", "PHYSICIANS",
                                        "RESEARCH", "PROFESSIONAL")),
    ("facilities_and_commodities", "psc", ("HOUSEKEEPING", "FURNITURE", "CONSTRUCTION",
                                           "MAINTENANCE", "MAINT/REPAIR", "REPAIR", "LEASE",
                                           "RENTAL", "FOOD", "CLOTHING", "FUEL", "UTILITIES",
                                           "OFFICE", "ANIMAL", "VETERINARY", "PARKING", "VEHICLE",
                                           "BUILDING", "SUPPLIES", "EQUIPMENT", "TRANSPORTATION",
                                           "MISCELLANEOUS")),
    ("facilities_and_commodities", "naics", ("CONSTRUCTION", "JANITORIAL", "FURNITURE", "FOOD",
                                             "MANUFACTURING", "WHOLESALERS", "FACILITIES",
                                             "LESSORS", "PARKING", "ANIMAL", "PET CARE",
                                             "REPAIR", "CONTRACTORS", "WASTE", "LAUNDER",
                                             "RENTAL", "DEALERS", "STORES")),
)


FIELD_ORDER = ("model", "technology", "naics_code", "psc_code", "psc", "naics")
_ORDERED_RULES = sorted(KIND_RULES, key=lambda rule: FIELD_ORDER.index(rule[1]))


def _kind_fields(rel: Relationship) -> dict[str, str]:
    evidence = rel.evidence
    fields = {"naics_code": evidence.get("naics_code", ""), "psc_code": evidence.get("psc_code", ""),
              "psc": rel.description.upper() if rel.id.startswith("award:") else "",
              "naics": evidence.get("naics", "").upper(), "model": "", "technology": ""}
    if rel.kind in ("supports", "agreement_with") and "model" in evidence:
        fields["model"] = evidence["model"]
    if rel.kind == "supplies":
        fields["technology"] = evidence.get("technology", rel.description)
    return fields


def support_kind(rel: Relationship) -> tuple[str, str]:
    """(kind, the rule that decided it): e.g. ``("detention_and_custody", "psc_code S206")``."""
    fields = _kind_fields(rel)
    for kind, name, words in _ORDERED_RULES:
        value = fields[name]
        if not value:
            continue
        for word in words:
            if name.endswith("_code"):
                if value.startswith(word):
                    return kind, f"{name} {value}"
            elif word in value:
                return kind, f"{name} {value}" if not word else f"{name} contains `{word.strip()}`"
    return "unclassified", "no rule matched the product, service or industry"


@dataclass(frozen=True)
class SupportEdge:
    """One relationship by which an organisation supports a sector, with its validity interval
    (``dates`` says where the dates come from), kind and weight. ``via`` is the organisation
    that holds it (the organisation itself, or a subsidiary)."""

    relationship_id: str
    sector: str
    target_id: str
    kind: str
    rule: str
    start: str = ""
    end: str = ""
    ongoing_as_of: str = ""
    dates: str = ""
    amount: float | None = None
    via: str = ""
    obligations: tuple[tuple[str, float], ...] = ()  # (action month, net amount)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"relationship_id": self.relationship_id, "sector": self.sector,
                               "target_id": self.target_id, "kind": self.kind, "rule": self.rule,
                               "start": self.start or None, "end": self.end or None,
                               "ongoing_as_of": self.ongoing_as_of or None,
                               "dates": self.dates or None, "amount": self.amount,
                               "via": self.via or None}
        if self.obligations:
            out["obligations"] = dict(self.obligations)
        return out

    def amount_between(self, first: date, last: date) -> float:
        """Net obligations with an action month from ``first`` to ``last``; the award's net
        amount over its life when the source gives no transactions."""
        if not self.obligations:
            return self.amount or 0.0
        low, high = first.isoformat()[:7], last.isoformat()[:7]
        return sum(a for month, a in self.obligations if low <= month <= high)

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> SupportEdge:
        try:
            return cls(relationship_id=value["relationship_id"], sector=value["sector"],
                       target_id=value.get("target_id") or "", kind=value["kind"],
                       rule=value.get("rule") or "", start=value.get("start") or "",
                       end=value.get("end") or "", ongoing_as_of=value.get("ongoing_as_of") or "",
                       dates=value.get("dates") or "", amount=value.get("amount"),
                       via=value.get("via") or "",
                       obligations=tuple(sorted((value.get("obligations") or {}).items())))
        except (KeyError, TypeError) as exc:
            raise InputError(f"a support edge lacks `{exc}`") from exc


def support_edge(rel: Relationship, sector: str, via: str) -> SupportEdge:
    """The support edge that ``rel`` (to an agency of ``sector``) makes."""
    kind, rule = support_kind(rel)
    return SupportEdge(relationship_id=rel.id, sector=sector, target_id=rel.target_id, kind=kind,
                       rule=rule, start=rel.start_date, end=rel.end_date,
                       ongoing_as_of=rel.evidence.get("ongoing_as_of", ""),
                       dates=rel.evidence.get("dates", ""), amount=rel.amount, via=via,
                       obligations=parse_obligations(rel.evidence.get("obligations", ""), rel.id))


def parse_obligations(text: str, where: str) -> tuple[tuple[str, float], ...]:
    """``2021-01:100.00;2021-09:-5.00`` as ((month, amount), ...)."""
    out = []
    for part in filter(None, text.split(";")):
        month, _, amount = part.partition(":")
        try:
            out.append((month, float(amount)))
        except ValueError as exc:
            raise InputError(f"`{part}` is not month:amount", where=f"{where}: obligations") from exc
    return tuple(out)


@dataclass(frozen=True)
class Override:
    """An accepted correction: from ``effective`` the organisation is not classified as
    supporting ``sectors`` (empty: any sector), for ``reason``, until a reference build loaded
    after ``accepted_at`` supersedes it."""

    correction_id: str
    organization_id: str
    effective: str
    sectors: tuple[str, ...]
    reason: str

    def covers(self, sector: str) -> bool:
        return not self.sectors or sector in self.sectors

    def to_json(self) -> dict[str, Any]:
        return {"correction_id": self.correction_id, "organization_id": self.organization_id,
                "effective": self.effective, "sectors": list(self.sectors), "reason": self.reason}


@dataclass(frozen=True)
class Weight:
    """Of the edges kept: the net amount obligated in the period and the look-back window before
    it (``amount``), their count, and the net amount of those awards over their life
    (``award_total``: the size of what is in force, whenever it was funded)."""

    amount: float = 0.0
    awards: int = 0
    award_total: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"amount": round(self.amount, 2), "awards": self.awards,
                "award_total": round(self.award_total, 2)}


@dataclass(frozen=True)
class SupportVerdict:
    """Whether an organisation supports ``sector`` from ``start`` to ``end`` (inclusive ISO
    dates; equal for "as of"), each edge with the rule that kept or dropped it. Its weight counts,
    for each kept award, the obligations dated in the period or the look-back window before it
    (de-obligations netted; an award with no transactions in the source counts its net amount)."""

    sector: str
    start: str
    end: str
    window_days: int
    kept: tuple[tuple[SupportEdge, str], ...]
    dropped: tuple[tuple[SupportEdge, str], ...]
    correction: Override | None = None

    @property
    def supported(self) -> bool:
        return bool(self.kept)

    @property
    def by_kind(self) -> dict[str, Weight]:
        """Weight of the kept edges per kind of support."""
        out: dict[str, Weight] = {}
        start = date.fromisoformat(self.start)  # looking back no further than 0001-01-01:
        first = start - timedelta(days=min(self.window_days, (start - date.min).days))
        last = date.fromisoformat(self.end)
        for edge, _ in self.kept:
            old = out.get(edge.kind, Weight())
            out[edge.kind] = Weight(old.amount + edge.amount_between(first, last), old.awards + 1,
                                    old.award_total + (edge.amount or 0.0))
        return out

    @property
    def weight(self) -> Weight:
        kinds = self.by_kind.values()
        return Weight(sum(w.amount for w in kinds), sum(w.awards for w in kinds),
                      sum(w.award_total for w in kinds))

    def to_json(self) -> dict[str, Any]:
        return {
            "sector": self.sector, "supported": self.supported,
            "during": {"start": self.start, "end": self.end}, "window_days": self.window_days,
            "weight": self.weight.to_json(),
            "kinds": {k: w.to_json() for k, w in sorted(self.by_kind.items())},
            "kept": [{**e.to_json(), "why": why} for e, why in self.kept],
            "dropped": [{**e.to_json(), "why": why} for e, why in self.dropped],
            "correction": self.correction.to_json() if self.correction else None,
        }


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError as exc:
        raise InputError(f"`{text}` is not an ISO date", where=what) from exc


def _rule(edge: SupportEdge, start: date, end: date, window: timedelta,
          staleness: timedelta) -> tuple[bool, str]:
    """Whether ``edge`` is kept for the period [start, end], and the rule that says so."""
    if not (edge.start or edge.end or edge.ongoing_as_of):
        return False, "undated: the source gives no date, so it is not published as support"
    begins = _day(edge.start, edge.relationship_id) if edge.start else None
    if begins is not None and begins > end:
        return False, f"not yet: starts {edge.start}, after the period"
    if edge.ongoing_as_of:
        seen = _day(edge.ongoing_as_of, edge.relationship_id)
        if seen + staleness < start:
            return False, (f"stale: last seen in export of {edge.ongoing_as_of}, more than "
                           f"{staleness.days} days before the period")
        return True, (f"ongoing as of {edge.ongoing_as_of}: last seen in export of "
                      f"{edge.ongoing_as_of}, in force up to {(seen + staleness).isoformat()}")
    ends = _day(edge.end or edge.start, edge.relationship_id)
    if ends >= start:
        return True, f"in force: {edge.start or '?'} to {edge.end or edge.start}"
    if ends >= start - window:
        return True, (f"within window: ended {ends.isoformat()}, less than {window.days} days "
                      "before the period")
    return False, (f"ended long ago: ended {ends.isoformat()}, more than {window.days} days "
                   "before the period")


def support_during(edges: Iterable[SupportEdge], sector: str, start: str, end: str | None = None,
                   *, window_days: int = DEFAULT_WINDOW_DAYS,
                   overrides: Sequence[Override] = (),
                   staleness_days: int = DEFAULT_STALENESS_DAYS) -> SupportVerdict:
    """Does the organisation whose support ``edges`` these are support ``sector`` from ``start``
    to ``end`` (inclusive ISO dates; ``end`` omitted: as of ``start``), and why.

    The gate asks as of the request's day, the audit and the report during their period; a
    row a snapshot still lists counts until ``staleness_days`` after the snapshot."""
    if window_days < 0:
        raise InputError(f"the look-back window must not be negative, got {window_days}",
                         where="support_window_days")
    if staleness_days < 0:
        raise InputError(f"the staleness horizon must not be negative, got {staleness_days}",
                         where="snapshot_staleness_days")
    first = _day(start, "start")
    last = _day(end, "end") if end else first
    if last < first:
        raise InputError(f"the period ends ({last}) before it starts ({first})")
    window = timedelta(days=window_days)
    staleness = timedelta(days=staleness_days)
    correction = next((o for o in overrides
                       if o.covers(sector) and _day(o.effective, o.correction_id) <= first), None)
    kept: list[tuple[SupportEdge, str]] = []
    dropped: list[tuple[SupportEdge, str]] = []
    for edge in edges:
        if edge.sector != sector:
            continue
        keep, why = _rule(edge, first, last, window, staleness)
        if keep and correction is not None:
            keep, why = False, (f"corrected: correction {correction.correction_id} accepted from "
                                f"{correction.effective}: {correction.reason}")
        (kept if keep else dropped).append((edge, why))
    return SupportVerdict(sector, first.isoformat(), last.isoformat(), window_days, tuple(kept),
                          tuple(dropped), correction)


def edges_from_supports(supports: Sequence[Mapping[str, Any]]) -> list[SupportEdge]:
    """The support edges of a stored classification's ``supports``. A classification stored
    before edges were kept (no ``relationships``) counts as one undated edge per sector, which
    is not published as support until the account is screened again."""
    edges = []
    for item in supports:
        listed = item.get("relationships")
        if listed is None:
            edges.append(SupportEdge("", item["sector"], "", "unclassified", "stored before dates"))
        else:
            edges.extend(SupportEdge.from_json(e) for e in listed)
    return edges


def shared_sectors(supports: Sequence[Mapping[str, Any]], start: str, end: str | None = None, *,
                   window_days: int = DEFAULT_WINDOW_DAYS,
                   staleness_days: int = DEFAULT_STALENESS_DAYS) -> frozenset[str]:
    """The sectors an organisation reaches by sharing data (``shared`` edges: its sharing with
    agencies of a sector, and what those agencies support), in force as ``support_during``
    decides. Not support: a policy decides whether it counts."""
    edges = [SupportEdge.from_json(e) for item in supports for e in item.get("shared", ())]
    return frozenset(s for s in {e.sector for e in edges}
                     if support_during(edges, s, start, end, window_days=window_days,
                                       staleness_days=staleness_days).supported)


def classification_during(supports: Sequence[Mapping[str, Any]], start: str, end: str | None = None,
                          *, window_days: int = DEFAULT_WINDOW_DAYS,
                          overrides: Sequence[Override] = (),
                          staleness_days: int = DEFAULT_STALENESS_DAYS) -> dict[str, Any]:
    """A stored classification's ``supports`` as of ``start`` (or from ``start`` to ``end``):
    the sectors supported then, each with its path and verdict, and the sectors its edges lead
    to that are not supported then, with the verdict that says why."""
    summary = summarize(edges_from_supports(supports), start, end, window_days=window_days,
                        overrides=overrides, staleness_days=staleness_days)
    verdicts = {v.sector: v for v in summary.verdicts}
    kept: list[dict[str, Any]] = []
    dropped: list[dict[str, Any]] = []
    for item in supports:
        verdict = verdicts.get(item["sector"])
        if verdict is None:
            continue
        shown = {k: v for k, v in item.items() if k != "relationships"}
        (kept if verdict.supported else dropped).append({**shown, "support": verdict.to_json()})
    view: dict[str, Any] = {
        "during": {"start": summary.verdicts[0].start if summary.verdicts else start,
                   "end": summary.verdicts[0].end if summary.verdicts else (end or start)},
        "window_days": window_days, "staleness_days": staleness_days, "supports": kept,
        "not_supported": dropped}
    shared = shared_sectors(supports, start, end, window_days=window_days,
                            staleness_days=staleness_days)
    if shared:
        view["shares_data_with"] = sorted(shared)
    return view


@dataclass(frozen=True)
class SupportSummary:
    """The verdicts for every sector an organisation's edges lead to."""

    verdicts: tuple[SupportVerdict, ...] = field(default_factory=tuple)

    @property
    def sectors(self) -> frozenset[str]:
        return frozenset(v.sector for v in self.verdicts if v.supported)


def summarize(edges: Sequence[SupportEdge], start: str, end: str | None = None, *,
              window_days: int = DEFAULT_WINDOW_DAYS,
              overrides: Sequence[Override] = (),
              staleness_days: int = DEFAULT_STALENESS_DAYS) -> SupportSummary:
    """``support_during`` for each sector the edges lead to, in a fixed order."""
    sectors = sorted({e.sector for e in edges})
    return SupportSummary(tuple(support_during(edges, s, start, end, window_days=window_days,
                                               overrides=overrides, staleness_days=staleness_days)
                                for s in sectors))
