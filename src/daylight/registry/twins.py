"""Agencies the reference holds twice, and which of the two a name was written for.

The roster and another source can list one agency as two bodies: the roster's "Jacksonville"
city police, which ICE's 287(g) list names "jacksonville sheriff", is the consolidated
Jacksonville Sheriff's Office, also listed. Screening accepts the account for one of them by
its name's kind of body; ``Twins.recorded`` says when a source wrote the account's very name for
the other one, so that screening chooses the entry the source points to.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from daylight.registry.names import LAW_ENFORCEMENT_ROLES, name_key, written_form
from daylight.registry.organization import Organization


class Twins:
    """Twin agencies by their position in ``organizations``: of one state and county, with a
    name of the same words, kind of body and jurisdiction, which a source gave one of them
    although the roster lists it as another kind. ``agency[i]``: whether the i-th is an agency."""

    def __init__(self, organizations: Sequence[Organization], agency: Sequence[bool]) -> None:
        self._organizations = organizations
        groups: dict[tuple[Any, ...], dict[int, bool]] = defaultdict(dict)
        for index, org in enumerate(organizations):
            if not agency[index] or not org.state or not org.county:
                continue
            for text in (org.name, *org.aliases):
                key = name_key(text)
                if key.core and key.role in LAW_ENFORCEMENT_ROLES:
                    group = groups[(org.state, org.county.lower(), key.core, key.role,
                                    key.jurisdictions)]
                    group[index] = group.get(index, False) or key.role != org.role
        twins: dict[int, set[int]] = defaultdict(set)
        for group in groups.values():
            if len(group) > 1 and any(group.values()):
                for index in group:
                    twins[index].update(i for i in group if i != index)
        self._twins = {index: tuple(sorted(others)) for index, others in twins.items()}

    def __bool__(self) -> bool:
        return bool(self._twins)

    def recorded(self, name: str, best: int, candidates: Sequence[int]) -> int | None:
        """The first of ``candidates`` that is a twin of ``best`` and whose source wrote
        ``name`` as it is typed, when ``best``'s did not; None otherwise."""
        written = written_form(name)
        if best not in self._twins or written in self._written_names(best):
            return None
        return next((i for i in candidates
                     if i in self._twins[best] and written in self._written_names(i)), None)

    def _written_names(self, index: int) -> set[str]:
        org = self._organizations[index]
        return {written_form(text) for text in (org.name, *org.aliases)}
