"""Reference updates: what changes between the loaded reference build and a new one, and how the
registry reconciles to it without losing anything.

- An organisation the new build no longer lists but *merged* into another (one of its identifiers
  — ORI, UEI, DUNS, agency code, domain — or its name is now the other's) becomes a redirect to it
  (``redirect_to``): its old id keeps resolving, accounts resolved to it follow the redirect.
- One it dropped with no successor is *withdrawn* (``withdrawn_by``: the digest of the build that
  withdrew it): kept, marked, never deleted; accounts resolved to it go back to the review queue.
- A relationship the new build no longer lists has *ended* in the registry's eyes: kept, marked
  ``withdrawn_by`` the build.
- Organisations and relationships the new build lists again are active again.

``ReferenceDiff`` is what ``daylight reference diff`` prints before a load and what the load
applies. Matching a dropped organisation to its successor is by identifier first, then by exact
name or alias, and only when exactly one organisation of the new build matches (two candidates:
withdrawn, never a guess).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from daylight.core.database import Transaction
from daylight.registry.organization import Organization
from daylight.registry.reference.shipped import Reference
from daylight.registry.store import org_row, rel_row

IDENTIFIER_SCHEMES = ("ori", "uei", "duns", "agency_code", "domain")
MAX_REDIRECT_HOPS = 16


@dataclass(frozen=True)
class ReferenceDiff:
    """The changes from the loaded build (``loaded``: its digest, None if none) to ``digest``."""

    loaded: str | None
    digest: str
    added: tuple[str, ...] = ()
    merged: Mapping[str, str] = field(default_factory=dict)
    withdrawn: tuple[str, ...] = ()
    resectored: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    changed: tuple[str, ...] = ()
    relationships_added: tuple[str, ...] = ()
    relationships_ended: tuple[str, ...] = ()
    relationships_changed: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        return {"organizations_added": len(self.added), "organizations_merged": len(self.merged),
                "organizations_withdrawn": len(self.withdrawn),
                "organizations_resectored": len(self.resectored),
                "organizations_changed": len(self.changed),
                "relationships_added": len(self.relationships_added),
                "relationships_ended": len(self.relationships_ended),
                "relationships_changed": len(self.relationships_changed)}

    def to_json(self, limit: int | None = None) -> dict[str, Any]:
        """Counts, and the ids (at most ``limit`` of each list; None: all)."""
        def cut(values: Sequence[Any]) -> list[Any]:
            return list(values if limit is None else values[:limit])

        return {
            "loaded": self.loaded, "digest": self.digest, "counts": self.counts(),
            "organizations_added": cut(self.added),
            "organizations_merged": [{"id": k, "into": v} for k, v in cut(sorted(self.merged.items()))],
            "organizations_withdrawn": cut(self.withdrawn),
            "organizations_resectored": [{"id": k, "from": a, "to": b}
                                         for k, (a, b) in cut(sorted(self.resectored.items()))],
            "relationships_added": cut(self.relationships_added),
            "relationships_ended": cut(self.relationships_ended),
            "relationships_changed": cut(self.relationships_changed),
        }


def _successors(new: Sequence[Organization]) -> tuple[dict[tuple[str, str], set[str]], dict[str, set[str]]]:
    by_identifier: dict[tuple[str, str], set[str]] = {}
    by_name: dict[str, set[str]] = {}
    for org in new:
        for scheme in IDENTIFIER_SCHEMES:
            for value in org.identifiers.get(scheme, ()):
                by_identifier.setdefault((scheme, value.lower()), set()).add(org.id)
        for name in (org.name, *org.aliases):
            by_name.setdefault(name.lower(), set()).add(org.id)
    return by_identifier, by_name


def _successor(org: Organization, by_identifier: Mapping[tuple[str, str], set[str]],
               by_name: Mapping[str, set[str]], states: Mapping[str, str]) -> str | None:
    """The one organisation of the new build that ``org`` became: by identifier (by identifier
    and name when its identifiers went to several), else by name — of ``org``'s own state when
    it has one ("Omaha Police Department", NE, is not Omaha TX's)."""
    found: set[str] = set()
    for scheme in IDENTIFIER_SCHEMES:
        for value in org.identifiers.get(scheme, ()):
            found |= by_identifier.get((scheme, value.lower()), set())
    named = set(by_name.get(org.name.lower(), set()))
    if len(found) > 1:  # its identifiers went several ways: the one with its name
        found &= named
    elif not found:
        found = named
        if org.state and len(found) > 1:
            found = {i for i in found if states.get(i) == org.state}
    return next(iter(found)) if len(found) == 1 else None


def diff_reference(stored_orgs: Mapping[str, Organization], stored_rels: Mapping[str, tuple[Any, ...]],
                   reference: Reference, loaded: str | None) -> ReferenceDiff:
    """The changes from the active stored organisations and relationships to ``reference``."""
    new_orgs = {o.id: o for o in reference.organizations}
    by_identifier, by_name = _successors(reference.organizations)
    states = {o.id: o.state for o in reference.organizations}
    merged: dict[str, str] = {}
    withdrawn: list[str] = []
    for org_id in sorted(set(stored_orgs) - set(new_orgs)):
        successor = _successor(stored_orgs[org_id], by_identifier, by_name, states)
        if successor is not None:
            merged[org_id] = successor
        else:
            withdrawn.append(org_id)
    resectored = {i: (stored_orgs[i].sector, new_orgs[i].sector) for i in sorted(stored_orgs)
                  if i in new_orgs and stored_orgs[i].sector != new_orgs[i].sector}
    changed = tuple(i for i in sorted(stored_orgs)
                    if i in new_orgs and org_row(stored_orgs[i]) != org_row(new_orgs[i]))
    new_rels = {r.id: r for r in reference.relationships}
    return ReferenceDiff(
        loaded=loaded, digest=reference.digest,
        added=tuple(sorted(set(new_orgs) - set(stored_orgs))), merged=merged,
        withdrawn=tuple(withdrawn), resectored=resectored, changed=changed,
        relationships_added=tuple(sorted(set(new_rels) - set(stored_rels))),
        relationships_ended=tuple(sorted(set(stored_rels) - set(new_rels))),
        relationships_changed=tuple(sorted(i for i in set(new_rels) & set(stored_rels)
                                           if rel_row(new_rels[i], 0)[:-1] != stored_rels[i])))


def apply_marks(tx: Transaction, diff: ReferenceDiff, reference: Reference) -> None:
    """Mark merged organisations as redirects, dropped ones and ended relationships as withdrawn
    by this build, and make everything the build lists active again (one transaction: the
    caller's)."""
    tx.executemany("UPDATE registry_organization SET redirect_to = ?, withdrawn_by = NULL WHERE id = ?",
                   [(target, org_id) for org_id, target in sorted(diff.merged.items())])
    tx.executemany("UPDATE registry_organization SET withdrawn_by = ? WHERE id = ?",
                   [(diff.digest, org_id) for org_id in diff.withdrawn])
    tx.executemany("UPDATE registry_relationship SET withdrawn_by = ? WHERE id = ?",
                   [(diff.digest, rel_id) for rel_id in diff.relationships_ended])
    listed_orgs = {o.id for o in reference.organizations}
    inactive = [r[0] for r in tx.query("SELECT id FROM registry_organization WHERE "
                                       "redirect_to IS NOT NULL OR withdrawn_by IS NOT NULL")]
    tx.executemany("UPDATE registry_organization SET redirect_to = NULL, withdrawn_by = NULL "
                   "WHERE id = ?", [(i,) for i in inactive if i in listed_orgs])
    listed_rels = {r.id for r in reference.relationships}
    ended = [r[0] for r in tx.query("SELECT id FROM registry_relationship WHERE withdrawn_by IS NOT NULL")]
    tx.executemany("UPDATE registry_relationship SET withdrawn_by = NULL WHERE id = ?",
                   [(i,) for i in ended if i in listed_rels])


def redirects(tx: Transaction) -> dict[str, str]:
    """Every redirect: old organisation id → the id it finally resolves to."""
    direct = {r[0]: r[1] for r in tx.query(
        "SELECT id, redirect_to FROM registry_organization WHERE redirect_to IS NOT NULL")}
    return {old: follow(direct, old) for old in direct}


def follow(direct: Mapping[str, str], org_id: str) -> str:
    """Where ``org_id`` ends up through a chain of redirects (a cycle stops where it began)."""
    seen = [org_id]
    while seen[-1] in direct and len(seen) <= MAX_REDIRECT_HOPS:
        target = direct[seen[-1]]
        if target in seen:
            break
        seen.append(target)
    return seen[-1]


def withdrawn_ids(tx: Transaction) -> set[str]:
    return {r[0] for r in tx.query("SELECT id FROM registry_organization WHERE withdrawn_by IS NOT NULL")}


def active_ids(rows: Iterable[tuple[Any, ...]]) -> set[str]:
    return {r[0] for r in rows}
