"""The shipped reference data: complete, consistent, and what its manifest says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from daylight.core.errors import InputError
from daylight.registry.organization import (
    ORGANIZATION_COLUMNS,
    organization_row,
    read_organizations,
    read_relationships,
    write_csv,
)
from daylight.registry.reference.shipped import Reference, shipped_data_dir


def test_shipped_data_matches_its_manifest(shipped: Reference) -> None:
    manifest = json.loads((shipped_data_dir() / "manifest.json").read_text())
    assert manifest["digest"] == shipped.digest
    assert manifest["organizations"] == len(shipped.organizations)
    assert manifest["relationships"] == len(shipped.relationships)


def test_shipped_data_covers_the_sources(shipped: Reference) -> None:
    by_id = {o.id: o for o in shipped.organizations}
    assert by_id["us-agency:7012"].sector == "immigration_enforcement"
    assert "ice.gov" in by_id["us-agency:7012"].identifiers["domain"]
    assert by_id["us-agency:7014"].sector == "immigration_enforcement"
    # the FBI is one organisation: the roster's, with USAspending's agency code
    fbi = by_id["ori:DCFBIWA01"]
    assert fbi.sector == "law_enforcement" and fbi.identifiers["agency_code"] == ("1549",)
    assert "us-agency:1549" not in by_id
    # a department the roster lists whole is the department, not a police agency
    education = by_id["ori:DC001077Y"]
    assert education.sector == "other_government" and "ed.gov" in education.identifiers["domain"]
    assert by_id["ori:IN0870000"].sector == "law_enforcement"
    assert sum(o.id.startswith("ori:") for o in shipped.organizations) > 15000
    kinds = {r.kind for r in shipped.relationships}
    assert kinds == {"supports", "supplies", "agreement_with", "subsidiary_of", "successor_of",
                     "shares_data_with", "part_of"}
    # a 287(g) agreement is an agency's agreement with ICE, never a company's contract
    assert {r.kind for r in shipped.relationships if r.id.startswith("287g:")} == {"agreement_with"}
    assert all(r.source_id.split(":")[0] != "company" for r in shipped.relationships
               if r.kind == "agreement_with")
    rels = {r.id: r for r in shipped.relationships}
    cca = rels["successor:company:corecivic>company:corrections-corporation-of-america"]
    assert cca.start_date == "2016-10-28" and "1070985" in cca.evidence["url"]
    # the curated links carry the date the source gives and its address; a curated link
    # replaces USAspending's undated parent link and keeps its evidence
    curated = [r for r in shipped.relationships if r.source == "daylight-curated-links"]
    assert len(curated) >= 6
    assert all(r.evidence["url"].startswith("https://") for r in curated if r.start_date)
    bi = rels["subsidiary:company:b-i>company:geo-group"]
    assert bi.start_date == "2011-02-11" and bi.evidence["also_from"] == "usaspending-ice-fy2013-2018"
    assert rels["subsidiary:company:cornell-companies>company:geo-group"].start_date == "2010-08-12"
    # every award says how its dates are known; a 287(g) agreement the latest list still shows
    # is ongoing as of that list's date
    awards = [r for r in shipped.relationships if r.id.startswith("award:")]
    assert {r.evidence["dates"] for r in awards} == {"period_of_performance", "action_dates"}
    latest = max(r.end_date for r in shipped.relationships if r.id.startswith("287g:"))
    assert all(r.evidence.get("ongoing_as_of") == latest for r in shipped.relationships
               if r.id.startswith("287g:") and r.end_date == latest)
    sources = {r.source for r in shipped.relationships}
    assert {"ice-287g-via-287g-watch", "eff-atlas-of-surveillance-2020-10-07",
            "news-observer-private-eyes-2024", "usaspending-cbp-ice-fy2021-2026"} <= sources


def test_no_contact_data_ships(shipped: Reference) -> None:
    text = (shipped_data_dir() / "organizations.csv").read_text() + \
        (shipped_data_dir() / "relationships.csv").read_text()
    assert "@" not in text  # no email addresses
    assert "Summary" not in text


def test_csv_round_trip(shipped: Reference) -> None:
    text = write_csv(ORGANIZATION_COLUMNS, (organization_row(o) for o in shipped.organizations[:500]))
    assert tuple(read_organizations(text, "o.csv")) == shipped.organizations[:500]


def test_bad_reference_rows_name_line_and_field(tmp_path: Path) -> None:
    header = ",".join(ORGANIZATION_COLUMNS) + "\n"
    with pytest.raises(InputError) as caught:
        read_organizations(header + "x,X,police_state,,PublicBody,,,,,,\n", "o.csv")
    assert caught.value.where == "o.csv:2: sector"
    with pytest.raises(InputError) as caught:
        read_relationships("id,kind\n", "r.csv")
    assert caught.value.where == "r.csv:1"
