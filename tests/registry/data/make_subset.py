"""Write the small reference subset the tests load (organizations.csv, relationships.csv here)
from the shipped reference data: `python tests/registry/data/make_subset.py`. Every row is a
row of src/daylight/registry/data, unchanged (see SOURCES there for provenance and licences)."""

from __future__ import annotations

from pathlib import Path

from daylight.registry.organization import (
    ORGANIZATION_COLUMNS,
    RELATIONSHIP_COLUMNS,
    organization_row,
    relationship_row,
    write_csv,
)
from daylight.registry.reference.shipped import read_reference

ORGANIZATIONS = (
    "ori:IN0870000", "ori:AL0200000", "ori:FL0010100", "ori:FL0050700", "ori:FL0050800",
    "ori:IL0840200", "ori:MO0390300", "ori:OR0200600", "ori:MA0071800", "us-agency:7012",
    "us-agency:7014", "us-agency:1549", "company:palantir-technologies", "company:palantir-usg",
    "company:geo-group", "company:b-i", "company:flock-safety", "company:clearview-ai", "company:axon",
    "ori:IN0320800",  # Pittsboro IN PD: shares Flock data with Colbert County (287(g))
)
MAX_EDGES_PER_SOURCE = 3


def main() -> None:
    reference = read_reference()
    wanted = set(ORGANIZATIONS)
    alachua = [o.id for o in reference.organizations if "alachuapd.gov" in o.identifiers.get("domain", ())]
    wanted.update(alachua)
    orgs = [o for o in reference.organizations if o.id in wanted]
    per_source: dict[str, int] = {}
    rels = []
    for rel in reference.relationships:
        link = rel.kind in ("subsidiary_of", "successor_of")  # every link between them
        if rel.source_id in wanted and rel.target_id in wanted \
                and (link or per_source.get(rel.source_id, 0) < MAX_EDGES_PER_SOURCE):
            per_source[rel.source_id] = per_source.get(rel.source_id, 0) + 1
            rels.append(rel)
    here = Path(__file__).parent
    (here / "organizations.csv").write_text(
        write_csv(ORGANIZATION_COLUMNS, (organization_row(o) for o in orgs)), encoding="utf-8")
    (here / "relationships.csv").write_text(
        write_csv(RELATIONSHIP_COLUMNS, (relationship_row(r) for r in rels)), encoding="utf-8")
    print(len(orgs), len(rels))


if __name__ == "__main__":
    main()
