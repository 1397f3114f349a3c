"""Classification: an account's own sector, and the sectors it supports through the graph.

Paths are the explanation a reader can check, each step with its evidence:
``account → organisation (match) → award / agreement / supply → agency (sector)``; a parent
company supports what its subsidiaries' awards support, through a ``subsidiary_of`` step, and a
renamed or merged company what its predecessor's awards support, through a ``successor_of``
step — from the link's date on (``held_through``: a subsidiary's awards count for the parent
from the acquisition, a predecessor's for the successor from the succession).

Data sharing (``shares_data_with``, the Flock graph) is not support: it is kept apart, per
sector, under ``shared`` — the edge to each partner agency (with the partner's sector) and the
partner's own support edges — so that a policy may decide whether it counts.

Each supported sector also carries every edge that leads there (``relationships``: its validity
interval, kind and amount, as ``SupportEdge`` JSON), so that whether the support is in force at a
time or during a period is decided when asked (``registry.support.support_during``), not once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from daylight.registry.organization import SUPPORT_RELATIONSHIPS, Organization, Relationship
from daylight.registry.support import SupportEdge, support_edge

SUPPORTED_SECTORS = ("law_enforcement", "immigration_enforcement", "military", "intelligence")


def _org_step(org: Organization) -> dict[str, Any]:
    return {"type": "organization", "id": org.id, "name": org.name, "sector": org.sector}


def _edge_step(rel: Relationship) -> dict[str, Any]:
    step: dict[str, Any] = {"type": "relationship", "id": rel.id, "kind": rel.kind,
                            "source": rel.source}
    for key, value in (("description", rel.description), ("start_date", rel.start_date),
                       ("end_date", rel.end_date), ("amount", rel.amount)):
        if value not in ("", None):
            step[key] = value
    if rel.evidence:
        step["evidence"] = dict(sorted(rel.evidence.items()))
    return step


def _span(edges: list[SupportEdge], via: str) -> SupportEdge:
    """One edge standing for ``edges`` (of one sector): from the earliest start to the latest
    end, ongoing as of the latest snapshot that still lists any of them."""
    starts = [e.start for e in edges if e.start]
    ends = [e.end or e.start for e in edges if e.end or e.start]
    ongoing = [e.ongoing_as_of for e in edges if e.ongoing_as_of]
    return SupportEdge(edges[0].relationship_id, edges[0].sector, edges[0].target_id,
                       "partner_support", f"{len(edges)} relationships of `{via}`",
                       start=min(starts, default=""), end=max(ends, default=""),
                       ongoing_as_of=max(ongoing, default=""), dates="span", via=via)


def held_through(edge: SupportEdge, link: Relationship) -> SupportEdge | None:
    """``edge`` (a subsidiary's or a predecessor's) as the parent or successor holds it through
    ``link``: from the link's date (the acquisition, the succession) and, if the link ended (a
    divestiture), until then; None if the edge ended before the link began. An undated link
    passes the edge unchanged (the source states the link, not since when)."""
    start, end = link.start_date, link.end_date
    if not (start or end):
        return edge
    last_seen = edge.ongoing_as_of or edge.end or edge.start
    if start and last_seen and last_seen < start:
        return None
    if end and edge.start and edge.start > end:
        return None
    held_start = max(edge.start, start) if edge.start else start
    held_end, ongoing = edge.end, edge.ongoing_as_of
    if end and (not held_end or held_end > end or ongoing):
        held_end, ongoing = end, ""
    obligations = tuple((m, a) for m, a in edge.obligations
                        if (not start or m >= start[:7]) and (not end or m <= end[:7]))
    held = f"held through `{link.id}` from {start or '?'}" + (f" to {end}" if end else "")
    return replace(edge, start=held_start, end=held_end, ongoing_as_of=ongoing,
                   dates=f"{edge.dates}; {held}" if edge.dates else held,
                   obligations=obligations,
                   amount=sum(a for _, a in obligations) if edge.obligations else edge.amount)


def _listed(what: str, edges: list[SupportEdge], attribute: str, shown: int = 10) -> str:
    names = sorted({getattr(e, attribute) for e in edges})
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{what} {len(names)}: {', '.join(names[:shown])}{more}"


def logged_supports(supports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``supports`` as a classification log entry states them: per sector the best path, the
    edge count and the count per kind of support, and the partners reached by data sharing —
    not every edge (the relationships are in the log already, and a log entry is bounded)."""
    out = []
    for item in supports:
        kinds: dict[str, int] = defaultdict(int)
        for edge in item.get("relationships", ()):
            kinds[edge["kind"]] += 1
        logged = {k: v for k, v in item.items() if k not in ("relationships", "shared")}
        logged["kinds"] = dict(sorted(kinds.items()))
        if item.get("shared"):
            logged["shared_edges"] = len(item["shared"])
        out.append(logged)
    return out


def _preference(rel: Relationship) -> tuple[int, str, float]:
    """Strongest evidence first: a contract or agreement over a supply; recent; large."""
    return (1 if rel.kind in ("supports", "agreement_with") else 0, rel.end_date or rel.start_date,
            rel.amount or 0.0)


class Graph:
    """Organisations and relationships, indexed for classification."""

    def __init__(self, organizations: Iterable[Organization],
                 relationships: Iterable[Relationship]) -> None:
        self.organizations = {o.id: o for o in organizations}
        self.outgoing: dict[str, list[Relationship]] = defaultdict(list)
        self.subsidiaries: dict[str, list[Relationship]] = defaultdict(list)
        self.predecessors: dict[str, list[Relationship]] = defaultdict(list)
        self.sharing: dict[str, list[Relationship]] = defaultdict(list)
        for rel in relationships:
            if rel.kind == "subsidiary_of":
                self.subsidiaries[rel.target_id].append(rel)
            elif rel.kind == "successor_of":
                self.predecessors[rel.source_id].append(rel)
            elif rel.kind == "shares_data_with":
                self.sharing[rel.source_id].append(rel)
            elif rel.kind in SUPPORT_RELATIONSHIPS:
                self.outgoing[rel.source_id].append(rel)

    def supports(self, org_id: str) -> list[tuple[list[dict[str, Any]], Relationship, list[SupportEdge]]]:
        """For each supported sector, the best path from ``org_id`` and every edge that leads there.

        Returns (steps after the organisation, final relationship, edges) per sector, in the
        order of ``SUPPORTED_SECTORS``.
        """
        best: dict[str, tuple[list[dict[str, Any]], Relationship]] = {}
        edges: dict[str, list[SupportEdge]] = defaultdict(list)
        routes: list[tuple[list[dict[str, Any]], str, Relationship | None]] = [([], org_id, None)]
        for sub in self.subsidiaries.get(org_id, ()):
            child = self.organizations.get(sub.source_id)
            if child is not None:
                routes.append(([_edge_step(sub), _org_step(child)], child.id, sub))
        for link in self.predecessors.get(org_id, ()):
            predecessor = self.organizations.get(link.target_id)
            if predecessor is not None:
                routes.append(([_edge_step(link), _org_step(predecessor)], predecessor.id, link))
        for prefix, holder, through in routes:
            for rel in self.outgoing.get(holder, ()):
                target = self.organizations.get(rel.target_id)
                if target is None or target.sector not in SUPPORTED_SECTORS or target.id == org_id:
                    continue
                edge: SupportEdge | None = support_edge(rel, target.sector, holder)
                if through is not None and edge is not None:
                    edge = held_through(edge, through)
                if edge is None:
                    continue  # it ended before the parent or successor held it
                edges[target.sector].append(edge)
                current = best.get(target.sector)
                if current is None or _preference(rel) > _preference(current[1]):
                    best[target.sector] = ([*prefix, _edge_step(rel), _org_step(target)], rel)
        return [(best[s][0], best[s][1], edges[s]) for s in SUPPORTED_SECTORS if s in best]

    def classify(self, account_step: dict[str, Any], org: Organization | None,
                 match: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """(own sector, supports) for an account resolved to ``org`` (None: unknown, none)."""
        if org is None:
            return "unknown", []
        first = [account_step, {**_org_step(org), "match": match}]
        supports: list[dict[str, Any]] = []
        for steps, _, edges in self.supports(org.id):
            sector = steps[-1]["sector"]
            supports.append({"sector": sector, "path": first + steps, "edges": len(edges),
                             "relationships": [e.to_json() for e in edges]})
        shared = self.shared(org.id)
        by_sector = {item["sector"]: item for item in supports}
        for sector in SUPPORTED_SECTORS:
            if sector not in shared:
                continue
            item = by_sector.get(sector)
            if item is None:
                item = {"sector": sector, "path": first, "edges": 0, "relationships": []}
                supports.append(item)
            item["shared"] = [e.to_json() for e in shared[sector]]
        return org.sector, supports

    def shared(self, org_id: str) -> dict[str, list[SupportEdge]]:
        """Per sector, the data-sharing edges from ``org_id`` to agencies of that sector (kind
        ``data_sharing``, ``via`` the organisation) and, per partner agency and sector, the span
        of the partner's own support (one edge, ``via`` the agency: its earliest start, latest
        end, latest ``ongoing_as_of``; enough to say whether it is in force)."""
        sharing: dict[str, list[SupportEdge]] = defaultdict(list)
        partners: dict[str, list[SupportEdge]] = defaultdict(list)
        for rel in self.sharing.get(org_id, ()):
            partner = self.organizations.get(rel.target_id)
            if partner is None:
                continue
            if partner.sector in SUPPORTED_SECTORS:
                edge = support_edge(rel, partner.sector, org_id)
                sharing[partner.sector].append(replace(edge, kind="data_sharing",
                                                       rule="shares_data_with"))
            for _, _, edges in self.supports(partner.id):
                partners[edges[0].sector].append(_span(edges, partner.id))
        # one edge per sector and kind: an agency may share with thousands of others, and the
        # classification is stored per account
        out: dict[str, list[SupportEdge]] = defaultdict(list)
        for sector, edges in sharing.items():
            out[sector].append(replace(_span(edges, org_id), kind="data_sharing",
                                       rule=_listed("shares data with", edges, "target_id")))
        for sector, edges in partners.items():
            out[sector].append(replace(_span(edges, ""), kind="partner_support",
                                       rule=_listed("supported through", edges, "via")))
        return out
