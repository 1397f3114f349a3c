"""Catalog: what a provider can name in requests and policies (`daylight catalog list`): the
service catalog and the purposes the shipped policy packs recognise."""

from __future__ import annotations

from daylight.policy.catalog import default_catalog
from daylight.policy.listing import CatalogListing, catalog_listing
from daylight.policy.pack import load_pack, shipped_pack_names


def list_catalog() -> CatalogListing:
    """The default catalog with the purposes of every shipped pack."""
    return catalog_listing(default_catalog(), [load_pack(n) for n in shipped_pack_names()])
