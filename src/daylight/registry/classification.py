"""Classification: an account's own sector, and the sectors it supports through the graph.

Paths are the explanation a reader can check, each step with its evidence:
``account → organisation (match) → award / agreement / supply → agency (sector)``; a parent
company supports what its subsidiaries' awards support, through a ``subsidiary_of`` step.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from daylight.registry.organization import Organization, Relationship

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


def _preference(rel: Relationship) -> tuple[int, str, float]:
    """Strongest evidence first: a contract or agreement over a supply; recent; large."""
    return (1 if rel.kind == "supports" else 0, rel.end_date or rel.start_date, rel.amount or 0.0)


class Graph:
    """Organisations and relationships, indexed for classification."""

    def __init__(self, organizations: Iterable[Organization],
                 relationships: Iterable[Relationship]) -> None:
        self.organizations = {o.id: o for o in organizations}
        self.outgoing: dict[str, list[Relationship]] = defaultdict(list)
        self.subsidiaries: dict[str, list[Relationship]] = defaultdict(list)
        for rel in relationships:
            if rel.kind == "subsidiary_of":
                self.subsidiaries[rel.target_id].append(rel)
            else:
                self.outgoing[rel.source_id].append(rel)

    def supports(self, org_id: str) -> list[tuple[list[dict[str, Any]], Relationship, int]]:
        """For each supported sector, the best path from ``org_id`` and how many edges lead there.

        Returns (steps after the organisation, final relationship, edge count) per sector,
        in the order of ``SUPPORTED_SECTORS``.
        """
        best: dict[str, tuple[list[dict[str, Any]], Relationship]] = {}
        counts: dict[str, int] = defaultdict(int)
        routes: list[tuple[list[dict[str, Any]], str]] = [([], org_id)]
        for sub in self.subsidiaries.get(org_id, ()):
            child = self.organizations.get(sub.source_id)
            if child is not None:
                routes.append(([_edge_step(sub), _org_step(child)], child.id))
        for prefix, holder in routes:
            for rel in self.outgoing.get(holder, ()):
                target = self.organizations.get(rel.target_id)
                if target is None or target.sector not in SUPPORTED_SECTORS or target.id == org_id:
                    continue
                counts[target.sector] += 1
                current = best.get(target.sector)
                if current is None or _preference(rel) > _preference(current[1]):
                    best[target.sector] = ([*prefix, _edge_step(rel), _org_step(target)], rel)
        return [(best[s][0], best[s][1], counts[s]) for s in SUPPORTED_SECTORS if s in best]

    def classify(self, account_step: dict[str, Any], org: Organization | None,
                 match: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
        """(own sector, supports) for an account resolved to ``org`` (None: unknown, none)."""
        if org is None:
            return "unknown", []
        first = [account_step, {**_org_step(org), "match": match}]
        supports = []
        for steps, _, count in self.supports(org.id):
            sector = steps[-1]["sector"]
            supports.append({"sector": sector, "path": first + steps, "edges": count})
        return org.sector, supports
