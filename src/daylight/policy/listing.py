"""What a provider can name in requests and policies: the catalog's services with their
operations and capabilities, and the purposes the shipped packs recognise (`daylight catalog
list`).

Purposes are free text in a request's context; the ones that mean something are those a pack's
policies compare ``context.purpose`` with, read here from the packs' Cedar text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from daylight.policy.catalog import Catalog
from daylight.policy.pack import PolicyPack

_LIST = re.compile(r"\[([^\]]*)\]\s*\.contains\(\s*context\.purpose\s*\)")
_EQUALS = re.compile(r"context\.purpose\s*==\s*\"([^\"]+)\"")
_STRING = re.compile(r"\"([^\"]+)\"")


def pack_purposes(pack: PolicyPack) -> set[str]:
    """The purposes ``pack``'s policies test ``context.purpose`` against."""
    text = pack.text
    found = set(_EQUALS.findall(text))
    for group in _LIST.findall(text):
        found.update(_STRING.findall(group))
    return found


@dataclass(frozen=True)
class CatalogListing:
    """The catalog, and the purposes the given packs recognise (purpose → pack names)."""

    catalog: Catalog
    purposes: dict[str, tuple[str, ...]]

    def to_json(self) -> dict[str, Any]:
        """Services (with operations and their capabilities), capabilities, and purposes."""
        catalog = self.catalog
        return {
            "services": [
                {"id": service.id, "title": service.title,
                 "operations": [{"id": op.id, "title": op.title,
                                 "capabilities": list(op.capabilities)}
                                for _, op in sorted(catalog.operations.items())
                                if op.service == service.id]}
                for _, service in sorted(catalog.services.items())],
            "capabilities": [{"id": cap.id, "description": cap.description}
                             for _, cap in sorted(catalog.capabilities.items())],
            "purposes": [{"purpose": purpose, "packs": list(packs)}
                         for purpose, packs in sorted(self.purposes.items())],
        }


def catalog_listing(catalog: Catalog, packs: Iterable[PolicyPack]) -> CatalogListing:
    """The catalog with the purposes ``packs`` test ``context.purpose`` against."""
    purposes: dict[str, list[str]] = {}
    for pack in packs:
        for purpose in pack_purposes(pack):
            purposes.setdefault(purpose, []).append(pack.name)
    return CatalogListing(catalog, {p: tuple(sorted(names)) for p, names in purposes.items()})
