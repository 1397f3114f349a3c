"""`daylight reference build` from raw files: the real build run on `tests/registry/raw`, a small
slice of the real public files (Wyoming and Rhode Island, see `raw/SOURCES.md`).

Every expected value below was worked out by hand from the sample's rows (the sums of the award
transactions, the first and last dates, the counts), not copied from the build's output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from daylight.cli.main import app
from daylight.core.errors import InputError
from daylight.registry.names import LAW_ENFORCEMENT_ROLES, has_legal_form, name_key
from daylight.registry.organization import Organization, Relationship
from daylight.registry.reference.build import INPUT_FILES, build_reference, manifest, write_reference
from daylight.registry.reference.shipped import (
    MANIFEST_FILE,
    ORGANIZATIONS_FILE,
    RELATIONSHIPS_FILE,
    Reference,
)

RAW = Path(__file__).parent / "raw"
OUTPUTS = (ORGANIZATIONS_FILE, RELATIONSHIPS_FILE, MANIFEST_FILE)
ICE, CBP = "us-agency:7012", "us-agency:7014"
CBP_FILE = "cbp-ice-contracts-fy2021-2026/CBP_ICE_FY{}_Contract_Obligations.csv"
TORN_APART = "ice-contracts-2013-2018-tornapart/fy{}.csv"
ATLAS = "atlas-of-surveillance-2020/Atlas_of_Surveillance-20201007.csv"
LOCAL_GOV = "ice-local-government-contracts/us-local-gov-ice-contracts.csv"
NC_SURVEY = "flock-alpr-private-eyes/nc_agency_survey20240430.csv"
CRLF_FILES = ("federal-agencies-usaspending/authoritative_agency_list.csv", LOCAL_GOV,
              "ice-local-government-contracts/us-reg-state-gov-ice-contracts.csv", NC_SURVEY,
              *(CBP_FILE.format(y) for y in range(2021, 2027)))


@pytest.fixture(scope="module")
def built() -> Reference:
    return build_reference(RAW)


@pytest.fixture(scope="module")
def orgs(built: Reference) -> dict[str, Organization]:
    return {o.id: o for o in built.organizations}


@pytest.fixture(scope="module")
def rels(built: Reference) -> dict[str, Relationship]:
    return {r.id: r for r in built.relationships}


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "raw"
    shutil.copytree(RAW, root, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    return root


def _output_text(reference: Reference) -> str:
    return reference.organizations_csv() + reference.relationships_csv()


def _rows(relative: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO((RAW / relative).read_text("utf-8"), newline="")))


def _rewrite(path: Path, change: Callable[[list[list[str]]], None], *, ending: str,
             quote_all: bool = False) -> None:
    """Rewrite a CSV file after ``change`` edits its rows in place (header included)."""
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8"), newline="")))
    change(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=ending,
               quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


# -- the sample -----------------------------------------------------------------------------

def test_the_sample_holds_every_input_file_and_nothing_else() -> None:
    files = {p.relative_to(RAW).as_posix() for p in RAW.rglob("*")
             if p.is_file() and p.suffix == ".csv"}
    assert files == set(INPUT_FILES)  # so no evaluation-only file (freezer.csv, PDAP...) is here
    assert sum(p.stat().st_size for p in RAW.rglob("*") if p.is_file()) < 400_000


def test_the_sample_keeps_each_real_files_format() -> None:
    for relative in INPUT_FILES:
        data = (RAW / relative).read_bytes()
        data.decode("utf-8")
        lines = data.count(b"\n")
        assert data.count(b"\r\n") == (lines if relative in CRLF_FILES else 0), relative
    assert not (RAW / NC_SURVEY).read_bytes().endswith(b"\n")  # as the original
    header = _rows(TORN_APART.format(13))[0]
    assert len(header) == 259 and header[0] == "award_id_piid"
    for year in range(14, 19):  # no header: 259 fields from the first line
        rows = _rows(TORN_APART.format(year))
        assert rows and rows[0][0] != "award_id_piid"
        assert {len(r) for r in rows} == {259}
    assert (RAW / ATLAS).read_text("utf-8").startswith('"AOSNUMBER","City",')  # every field quoted


# -- determinism and the manifest -----------------------------------------------------------

def test_two_builds_are_byte_identical_and_the_manifest_hashes_the_inputs(
        built: Reference, tmp_path: Path) -> None:
    copy = _copy(tmp_path)  # the same files somewhere else: paths must not leak into the output
    first = write_reference(build_reference(RAW), RAW, tmp_path / "one")
    second = write_reference(build_reference(copy), copy, tmp_path / "two")
    for name in OUTPUTS:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    assert first == second
    assert first["digest"] == built.digest
    assert first["inputs"] == {name: hashlib.sha256((RAW / name).read_bytes()).hexdigest()
                               for name in INPUT_FILES}
    # agreement_with: 9 287(g) agency x model pairs; supports: 6 FY21-26 awards + 7 FY13-18
    # awards + 6 local awards; supplies: 10 Atlas rows naming a vendor + 10 Flock customers or portals + 2 NC
    # survey rows; subsidiary_of: Federal Cartridge -> Alliant Techsystems, and Palantir USG ->
    # Palantir Technologies (registry/reference/links.csv, from Palantir's S-1); shares_data_with: the 54
    # rows of the sharing sample, each between two police departments; part_of: the curated
    # components (registry/reference/components.csv) of the agencies the slice holds — ICE
    # (ERO, HSI, OPLA; 25 ERO field offices; 21 HSI offices), CBP (Border Patrol, OFO, AMO; 20
    # sectors; 20 OFO field offices) and the U.S. Marshals Service (94 districts) — and the
    # slice's one Atlas CBP port, part of OFO, and the Federal Protective Service, part of
    # Homeland Security (build 16): 49 + 43 + 94 + 1 + 1. The FBI, the DEA and the ATF are not in
    # the slice, so neither are their offices.
    assert first["relationships_by_kind"] == {"agreement_with": 9, "shares_data_with": 54,
                                              "subsidiary_of": 2, "supplies": 22, "supports": 19,
                                              "part_of": 188}
    # 122 roster rows, of which Rhode Island's five "State Police:" posts are one organisation
    assert sum(o.id.startswith("ori:") for o in built.organizations) == 118


def test_cli_build_writes_what_the_api_writes(built: Reference, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "home"), "reference", "build", "--from", str(RAW),
              "--out", str(out)],
        env={"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": None}, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    expected = write_reference(built, RAW, tmp_path / "api")
    assert json.loads(result.stdout) == {k: v for k, v in expected.items() if k != "inputs"}
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (tmp_path / "api" / name).read_bytes()
    assert json.loads((out / MANIFEST_FILE).read_text()) == manifest(built, RAW)


# -- organisations and sectors --------------------------------------------------------------

def test_organisations_come_out_with_the_right_sector(orgs: dict[str, Organization]) -> None:
    cheyenne = orgs["ori:WY0110100"]  # roster: Cheyenne, City
    assert (cheyenne.name, cheyenne.sector, cheyenne.role) == (
        "Cheyenne Police Department", "law_enforcement", "police")
    natrona = orgs["ori:WY0130000"]  # roster: Natrona, County; a sheriff by its .gov and the Atlas
    assert (natrona.name, natrona.sector, natrona.role) == (  # the name it uses is published
        "Natrona County Sheriff's Office", "law_enforcement", "county_le")
    assert "Natrona County law enforcement agency" in natrona.aliases  # the roster's form is kept
    assert "Natrona County Sheriff's Office" in natrona.aliases
    assert natrona.identifiers["domain"] == ("natronasheriff.gov",)
    assert orgs["ori:WY0080000"].identifiers["domain"] == ("goshensheriff.gov",)
    assert orgs["ori:RI0040200"].identifiers["domain"] == ("cranstonpoliceri.gov",)
    state_police = orgs["ori:RIRSP0200"]
    assert state_police.identifiers["ori"] == (
        "RIRSP0200", "RIRSP0300", "RIRSP0500", "RIRSP0600", "RIRSP0900")
    ice = orgs[ICE]
    assert ice.sector == "immigration_enforcement"
    # iprcenter.gov: the IPR Center, an ICE office, registered under DOJ as "U.S Immigration..."
    assert set(ice.identifiers["domain"]) == {"ice.gov", "iprcenter.gov"}
    assert orgs[CBP].sector == "immigration_enforcement"
    assert set(orgs[CBP].identifiers["domain"]) == {"cbp.gov", "globalentry.gov"}
    for code in ("1549", "1524", "1544"):  # FBI, DEA, USMS
        assert orgs[f"us-agency:{code}"].sector == "law_enforcement"
    assert orgs["us-agency:7003"].sector == "other_government"  # USCIS is not enforcement
    assert orgs["us-agency:7000"].sector == "other_government"  # nor DHS as a whole
    palantir = orgs["company:palantir-technologies"]
    assert (palantir.sector, palantir.schema) == ("commercial", "Company")
    assert palantir.identifiers["duns"] == ("362130952",)
    motorola = orgs["company:motorola-solutions"]  # one company: a contractor and an Atlas vendor
    assert motorola.sector == "commercial" and "Motorola Solutions" in motorola.aliases
    county = orgs["gov:sweetwatercountywy-gov"]  # "SWEETWATER, COUNTY OF": the county, not its sheriff
    assert county.sector == "other_government"
    assert county.identifiers["uei"] == ("TDKTALZZ2QE6",)


# -- relationships --------------------------------------------------------------------------

def test_contractors_support_ice_and_cbp_with_summed_awards(rels: dict[str, Relationship]) -> None:
    motorola = rels["award:CONT_AWD_70B04C18P00000808_7014_-NONE-_-NONE-"]
    assert (motorola.kind, motorola.source_id, motorola.target_id) == (
        "supports", "company:motorola-solutions", CBP)
    assert motorola.amount == 278506.25  # 313200.00 + 0 + 0 - 34693.75 (FY2021 and FY2022 files)
    assert (motorola.start_date, motorola.end_date) == ("2020-10-21", "2022-03-08")
    assert motorola.description == "MISCELLANEOUS COMMUNICATION EQUIPMENT"
    assert motorola.evidence == {"naics": "COMMUNICATION EQUIPMENT REPAIR AND MAINTENANCE",
                                 "transactions": "4", "dates": "action_dates",  # no period given
                                 # net per action month: 313200.00 in June 2021 (and the two $0
                                 # modifications), -34693.75 in March 2022
                                 "obligations": "2021-06:313200.00;2022-03:-34693.75"}
    assert motorola.source == "usaspending-cbp-ice-fy2021-2026"
    axon = rels["award:CONT_AWD_70B02C22P00000331_7014_-NONE-_-NONE-"]
    assert axon.amount == 9818840.41  # 7010659.18 + 2808096.82 + 2103665.21 - 2103580.80
    assert (axon.start_date, axon.end_date) == ("2022-08-18", "2022-09-27")
    dogs = rels["award:CONT_AWD_70B06C21P00000361_7014_-NONE-_-NONE-"]
    assert (dogs.amount, dogs.target_id) == (79310.00, CBP)  # 135960.00 - 56650.00
    palantir = {r.id: r for r in rels.values() if r.source_id == "company:palantir-technologies"}
    assert {r.target_id for r in palantir.values()} == {ICE}
    expected = {  # id: (amount, start, end, transactions): Torn Apart's rows give the period of
        # performance (first start, last current end), the FY2021-2026 extract action dates only
        "award:CONT_AWD_70CTD019FR0000268_7012_GS35F0086U_4730":
            (12555518.41, "2021-01-25", "2021-09-17", "4"),  # 13958356.82 + 0 + 0 - 1402838.41
        "award:CONT_AWD_70CTD022FR0000170_7012_GS35F0086U_4730":  # 14 transactions, FY22-FY26
            (150703824.61, "2022-09-20", "2026-04-02", "14"),
        "award:ICE_HSCETC13F00030_GS35F0086U":  # fy13.csv (header), fy14 and fy15 (none)
            (2891432.12, "2013-09-26", "2015-05-27", "3"),  # 1218373.06 + 1431264.65 + 241794.41
        "award:ICE_HSCETE11F00125_GS35F0086U": (-2.32, "2013-09-13", "2013-09-13", "1"),
    }
    assert {k: (r.amount, r.start_date, r.end_date, r.evidence["transactions"])
            for k, r in palantir.items()} == expected
    phacil = rels["award:ICE_HSCETC12F00014_GS06F0651Z"]  # one transaction in each of fy13-fy18
    assert phacil.source_id == "company:phacil"
    # 2394676.87 - 0.03 + 2755962.55 + 2757746.88 - 44093.35 - 84728.33; dates are dd/mm/yyyy
    # the period of performance: first start 19/09/13, last current end 09/09/18 (fy18's row)
    assert (phacil.amount, phacil.start_date, phacil.end_date) == (7779564.59, "2013-09-19", "2018-09-09")
    assert phacil.evidence["transactions"] == "6"
    assert phacil.evidence["obligations"] == (  # the six transactions above, by action month
        "2013-09:2394676.87;2014-09:-0.03;2015-08:2755962.55;2016-08:2757746.88;"
        "2017-01:-44093.35;2018-06:-84728.33")
    assert (phacil.evidence["dates"], phacil.evidence["psc_code"], phacil.evidence["naics_code"]) == (
        "period_of_performance", "D321", "541512")
    parent = rels["subsidiary:company:federal-cartridge>company:alliant-techsystems"]
    assert parent.kind == "subsidiary_of"
    assert parent.evidence == {"award_id": "ICE_HSCEMS13J00035_HSCEMS13D00001"}
    assert rels["award:ICE_HSCEMS13J00035_HSCEMS13D00001"].amount == 1526166.18  # + 0 in fy18


def test_local_government_awards_go_to_the_body_that_signed(rels: dict[str, Relationship]) -> None:
    for award in ("HSCEOP07P00370", "HSCEOP06P01930"):  # BIG HORN COUNTY SHERIFF DEPARTMENT
        rel = rels[f"award:CONT_AWD_{award}_7012_-NONE-_-NONE-"]
        assert (rel.source_id, rel.target_id, rel.amount) == ("ori:WY0020000", ICE, 0.0)
    sweetwater = rels["award:CONT_AWD_HSCEOP06P01010_7012_-NONE-_-NONE-"]
    assert (sweetwater.source_id, sweetwater.amount) == ("gov:sweetwatercountywy-gov", 2400.00)
    assert (sweetwater.start_date, sweetwater.end_date) == ("2005-10-01", "2006-09-30")
    assert rels["award:CONT_AWD_HSFDN5P0018_7012_-NONE-_-NONE-"].source_id == "gov:sweetwatercountywy-gov"


def test_287g_agencies_are_in_an_agreement_with_ice_with_model_and_dates(
        rels: dict[str, Relationship], orgs: dict[str, Organization]) -> None:
    laramie = {r.id: r for r in rels.values() if r.source_id == "ori:WY0110000"}  # agency_id 630961
    assert set(laramie) == {"287g:630961:jail-enforcement-model", "287g:630961:task-force-model",
                            "287g:630961:warrant-service-officer"}
    jail = laramie["287g:630961:jail-enforcement-model"]
    # an agency in an agreement, not a company under contract: its own relationship kind
    assert (jail.kind, jail.target_id) == ("agreement_with", ICE)
    assert (jail.start_date, jail.end_date) == ("2025-05-20", "2025-07-03")
    assert jail.description == "287(g) agreement: Jail Enforcement Model"
    assert jail.evidence["model"] == "Jail Enforcement Model"
    assert jail.source == "ice-287g-via-287g-watch"
    # 2025-07-03 is the latest snapshot of ICE's list: still listed there, so ongoing, not ended
    assert (jail.evidence["dates"], jail.evidence["ongoing_as_of"]) == ("snapshots", "2025-07-03")
    task_force = laramie["287g:630961:task-force-model"]
    assert (task_force.start_date, task_force.end_date) == ("2025-06-17", "2025-07-03")
    assert "Laramie County Sheriff" in orgs["ori:WY0110000"].aliases
    natrona = rels["287g:630974:task-force-model"]
    assert (natrona.source_id, natrona.start_date, natrona.end_date) == (
        "ori:WY0130000", "2025-05-16", "2025-07-03")
    agencies = {r.source_id for r in rels.values() if r.id.startswith("287g:")}
    assert agencies == {"ori:WY0030000", "ori:WY0040000", "ori:WY0110000", "ori:WY0130000",
                        "ori:WY0190000"}  # five sheriffs; the city of Laramie (WY0010100) has none


def test_vendors_supply_agencies_with_the_technology_named(rels: dict[str, Relationship]) -> None:
    registry = rels["supplies:company:motorola-solutions>ori:WY0110100:camera-registry"]
    assert (registry.kind, registry.description) == ("supplies", "Camera Registry")
    assert registry.evidence == {"technology": "Camera Registry", "atlas_record": "AOS1177",
                                 "dates": "observed", "ongoing_as_of": "2020-10-07"}
    assert registry.source == "eff-atlas-of-surveillance-2020-10-07"
    alpr = rels["supplies:company:elsag>ori:WY0110100:automated-license-plate-readers"]
    assert alpr.start_date == "2012-08-15"  # Link 1 Date 08/15/2012
    cameras = rels["supplies:company:axon>ori:RI0040900:body-worn-cameras"]
    assert (cameras.evidence["atlas_record"], cameras.start_date) == ("AOS0715", "2017-11-08")
    flock = {r.target_id: r for r in rels.values() if r.source_id == "company:flock-safety"}
    providence = flock["ori:RI0040900"]  # a customer sharing data, with a transparency portal
    assert providence.evidence == {"technology": "Automated License Plate Readers",
                                   "flock_agency": "2118", "observed": "2024-04-26", "portal": "yes",
                                   "dates": "observed", "ongoing_as_of": "2024-04-26"}
    assert providence.source == "news-observer-private-eyes-2024"
    assert flock["flock:pittsboro-in-pd-in"].evidence["portal"] == "no"  # no roster row for IN
    assert flock["ori:NC0980100"].evidence["nc_survey"] == "2837"  # Wilson city PD, not the county
    assert "ori:WY0200100" not in flock  # Jackson WY PD only receives data: not a customer
    assert len(flock) == 11  # 10 customers or portals, and Wilson NC PD from the survey
    assert rels["supplies:company:rekor>ori:NC0580300:automated-license-plate-readers"].evidence[
        "nc_survey"] == "2831"
    assert not [r for r in rels.values() if "nc_survey" in r.evidence
                and r.evidence["nc_survey"] in {"2639", "2942"}]  # an ABC board; vendor "Unknown"


def test_flock_sharing_and_curated_links(rels: dict[str, Relationship]) -> None:
    sharing = {r.id: r for r in rels.values() if r.kind == "shares_data_with"}
    # East Providence RI PD's portal lists Cranston RI PD (Flock ids 765 -> 626)
    cranston = next(r for r in sharing.values() if r.evidence["flock_agency"] == "765"
                    and r.evidence["flock_external_agency"] == "626")
    assert cranston.source == "news-observer-private-eyes-2024"
    assert cranston.evidence["ongoing_as_of"] == "2024-04-26"
    assert cranston.source_id != cranston.target_id
    usg = rels["subsidiary:company:palantir-usg>company:palantir-technologies"]
    assert usg.kind == "subsidiary_of" and usg.source == "daylight-curated-links"
    assert usg.evidence["document"].startswith("SEC EDGAR, CIK 1321655")


# -- privacy ----------------------------------------------------------------------------------

def _free_text_of_the_sample() -> set[str]:
    """Free-text cells of the sample that the output must not repeat."""
    texts: set[str] = set()
    for relative, column in [*((CBP_FILE.format(y), "Transaction Description") for y in range(2021, 2027)),
                             (LOCAL_GOV, "prime_award_base_transaction_description"),
                             (NC_SURVEY, "notes"), (NC_SURVEY, "document_url"),
                             ("flock-alpr-private-eyes/latest_usage04262023.csv", "url"),
                             ("federal-agencies-usaspending/authoritative_agency_list.csv", "MISSION")]:
        header, *rows = _rows(relative)
        texts.update(r[header.index(column)] for r in rows)
    position = _rows(TORN_APART.format(13))[0].index("award_description")
    for year in range(13, 19):
        texts.update(r[position] for r in _rows(TORN_APART.format(year))[1 if year == 13 else 0:])
    return {t for t in texts if len(t) >= 15}


def test_no_contact_data_or_free_text_in_the_output(built: Reference) -> None:
    text = _output_text(built)
    assert "@" not in text and "http" not in text and "www." not in text
    assert not re.search(r"\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b|\b\d{10}\b", text)  # phone numbers
    free_text = _free_text_of_the_sample()
    assert len(free_text) > 20
    assert [t for t in free_text if t in text] == []


def test_personal_and_contact_columns_do_not_reach_the_output(built: Reference, tmp_path: Path) -> None:
    """Fill every column the build must ignore with SYNTHETIC personal data: nothing changes."""
    root = _copy(tmp_path)
    person = "SYNTHETIC Jane Roe, 555-0100, jane.roe@example.invalid"

    def atlas(rows: list[list[str]]) -> None:
        rows[0][6:6] = ["Summary", "Link 1"]
        for row in rows[1:]:
            row[6:6] = [f"Interview with {person}", "https://example.invalid/SYNTHETIC"]

    def local(rows: list[list[str]]) -> None:
        rows[0] += ["recipient_address_line_1", "recipient_phone_number",
                    "highly_compensated_officer_1_name"]
        for row in rows[1:]:
            row += ["SYNTHETIC 1 Main St", "SYNTHETIC 555-0100", person]

    def cbp(rows: list[list[str]]) -> None:
        for row in rows[1:]:
            row[8] = f"Contracting officer: {person}"  # Transaction Description

    def torn_apart(rows: list[list[str]]) -> None:
        header = _rows(TORN_APART.format(13))[0]
        for row in rows:
            if row[0] != "award_id_piid":
                for column in ("recipient_address_line_1", "recipient_phone_number",
                               "recipient_fax_number", "award_description"):
                    row[header.index(column)] = person

    def survey(rows: list[list[str]]) -> None:
        for row in rows[1:]:
            row[5] = f"Confirmed by {person}"  # notes

    _rewrite(root / ATLAS, atlas, ending="\n", quote_all=True)
    _rewrite(root / LOCAL_GOV, local, ending="\r\n")
    for year in range(2021, 2027):
        _rewrite(root / CBP_FILE.format(year), cbp, ending="\r\n")
    for year in range(13, 19):
        _rewrite(root / TORN_APART.format(year), torn_apart, ending="\n")
    _rewrite(root / NC_SURVEY, survey, ending="\r\n")
    changed = [ATLAS, LOCAL_GOV, NC_SURVEY, *(CBP_FILE.format(y) for y in range(2021, 2027)),
               *(TORN_APART.format(y) for y in range(13, 19))]
    assert all("SYNTHETIC Jane Roe" in (root / f).read_text("utf-8") for f in changed)
    rebuilt = build_reference(root)
    assert "SYNTHETIC" not in _output_text(rebuilt)
    assert rebuilt.digest == built.digest


# -- bad input ------------------------------------------------------------------------------

def _edit(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        path.write_bytes(change(path.read_bytes()))
    return apply


def _cut_line(number: int, keep: Callable[[bytes], bytes], ending: bytes) -> Callable[[Path], None]:
    """Replace line ``number`` (1-based) by ``keep(line)``: a row truncated mid-way."""
    def change(data: bytes) -> bytes:
        lines = data.split(ending)
        lines[number - 1] = keep(lines[number - 1])
        return ending.join(lines)
    return _edit(change)


def _set_cell(line: int, column: str, value: str) -> Callable[[Path], None]:
    def apply(path: Path) -> None:
        def change(rows: list[list[str]]) -> None:
            rows[line - 1][rows[0].index(column)] = value
        _rewrite(path, change, ending="\r\n")
    return apply


BAD_INPUT = [  # (file, how it is broken, where the error must point, message)
    ("fbi-agencies-and-287g/fbi_lee_latest.csv",
     _edit(lambda b: b.replace(b"agency_type_name", b"agency_type", 1)),
     "fbi-agencies-and-287g/fbi_lee_latest.csv:1", "expected column `agency_type_name`"),
    ("fbi-agencies-and-287g/fbi_lee_latest.csv",  # the last row cut after its third field
     _cut_line(123, lambda line: b",".join(line.split(b",")[:3]), b"\n"),
     "fbi-agencies-and-287g/fbi_lee_latest.csv:123", "expected 11 fields, got 3"),
    ("fbi-agencies-and-287g/agreements.csv", _edit(lambda b: b.replace(b",type,", b",model,", 1)),
     "fbi-agencies-and-287g/agreements.csv:1", "expected column `type`"),
    (CBP_FILE.format(2022),  # Agency, Award ID, "AXON ENTERPRISE, INC.", amount, date: 5 of 10
     _cut_line(3, lambda line: line[: line.index(b",2022-09-27") + 11], b"\r\n"),
     CBP_FILE.format(2022) + ":3", "expected 10 fields, got 5"),
    (CBP_FILE.format(2021), _edit(lambda b: b.replace(b"\r\nCBP,", b"\r\nDHS,", 1)),
     CBP_FILE.format(2021) + ":2", "unknown agency `DHS`"),
    (CBP_FILE.format(2023), _edit(lambda b: b.replace(b"19312070.64", b"19312O70.64", 1)),
     CBP_FILE.format(2023) + ":3", "`19312O70.64` is not an amount"),
    (LOCAL_GOV, _set_cell(2, "number_of_actions", "one"), LOCAL_GOV + ":2", "`one` is not a count"),
    (TORN_APART.format(15),  # a headerless file: the row's first 12 fields only
     _cut_line(2, lambda line: b",".join(line.split(b",")[:12]), b"\n"),
     TORN_APART.format(15) + ":2", "expected 259 fields, got 12"),
    (TORN_APART.format(16), _edit(lambda b: b.replace(b"17/08/2016", b"17/08", 1)),
     TORN_APART.format(16) + ":1", "`17/08` is not a date"),
    (ATLAS,  # the file cut inside a quoted field of its last row (line 26)
     _edit(lambda b: b[: b.index(b'"AOS5797","North Prov') + len(b'"AOS5797","North Prov')]),
     ATLAS + ":26", "expected 10 fields, got 2"),
]


@pytest.mark.parametrize(("relative", "damage", "where", "message"), BAD_INPUT,
                         ids=[f"{i}-{c[0].split('/')[-1]}" for i, c in enumerate(BAD_INPUT)])
def test_a_malformed_raw_file_is_refused_naming_file_and_line(
        tmp_path: Path, relative: str, damage: Callable[[Path], None], where: str,
        message: str) -> None:
    root = _copy(tmp_path)
    damage(root / relative)
    with pytest.raises(InputError) as caught:
        build_reference(root)
    assert caught.value.message == message
    assert caught.value.where is not None and caught.value.where.endswith(where)


def test_a_missing_or_undecodable_raw_file_is_refused(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / TORN_APART.format(17)).unlink()
    with pytest.raises(InputError) as caught:
        build_reference(root)
    assert caught.value.message == "missing source file `ice-contracts-2013-2018-tornapart/fy17.csv`"
    root = _copy(tmp_path / "again")
    dotgov = root / "dotgov-domains/current-full-no-contacts.csv"
    dotgov.write_bytes(dotgov.read_bytes().replace(b"Town of Alpine", b"Town of Alp\xe9ne", 1))
    with pytest.raises(InputError, match="not UTF-8 at byte") as caught:
        build_reference(root)
    assert str(caught.value.where).endswith("dotgov-domains/current-full-no-contacts.csv")


def test_cli_refuses_a_malformed_raw_file_and_writes_nothing(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    relative, damage, where, message = BAD_INPUT[7]  # Torn Apart fy15.csv, line 2 truncated
    damage(root / relative)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["--home", str(tmp_path / "home"), "reference", "build", "--from", str(root),
              "--out", str(out)],
        env={"DAYLIGHT_HOME": None, "DAYLIGHT_DATABASE_URL": None})
    assert result.exit_code == 2
    assert result.stderr == f"error: {where}: {message}\n"
    assert not out.exists()


# -- sectors the sources get wrong, and people ------------------------------------------------

def test_a_cbp_office_named_by_the_atlas_is_immigration_enforcement(built: Reference) -> None:
    """The Atlas types CBP's airport offices "DHS" (not law enforcement); the name decides."""
    (office,) = [o for o in built.organizations if "atlas:AOS0249" in o.sources]
    assert office.name == "U.S. Customs and Border Protection - Boston Logan International Airport"
    assert office.sector == "immigration_enforcement"


def test_usmarshals_gov_belongs_to_the_marshals_service(built: Reference) -> None:
    """"U.S. Marshals Service" is all role (no core word): it still meets the federal list's USMS."""
    (holder,) = [o for o in built.organizations if "usmarshals.gov" in o.identifiers.get("domain", ())]
    assert (holder.id, holder.sector) == ("us-agency:1544", "law_enforcement")
    assert [o.id for o in built.organizations if o.name == "U.S. Marshals Service"] == ["us-agency:1544"]


def test_fema_gov_is_femas_not_the_fbis(built: Reference) -> None:
    """Both names reduce to the core word `federal`; their roles (investigation, emergency) differ."""
    holders = {o.id for o in built.organizations if "fema.gov" in o.identifiers.get("domain", ())}
    assert holders == {"us-agency:7022"}
    fbi = next(o for o in built.organizations if o.id == "us-agency:1549")
    assert fbi.identifiers.get("domain") == ("fbi.gov",)


def test_a_company_named_after_police_work_is_commercial(
        orgs: dict[str, Organization], rels: dict[str, Relationship]) -> None:
    dogs = orgs[rels["award:CONT_AWD_70B06C21P00000361_7014_-NONE-_-NONE-"].source_id]
    assert (dogs.sector, dogs.schema, dogs.role) == ("commercial", "Company", None)
    assert dogs.name == "POLICE SERVICE DOGS, INC."
    assert not [o for o in orgs.values() if o.schema == "PublicBody" and has_legal_form(o.name)]


def _recipient_row(relative: str, key_column: str, key: str) -> dict[str, str]:
    header, *rows = _rows(relative)
    (row,) = [r for r in rows if r[header.index(key_column)] == key]
    return dict(zip(header, row, strict=True))


def test_people_who_received_awards_ship_with_no_name_place_or_identifier(
        built: Reference, orgs: dict[str, Organization], rels: dict[str, Relationship]) -> None:
    """Awards to people stay in the graph, each from its own unnamed placeholder: one found by its
    name alone (the FY2021-2026 file has no business types), one that only USAspending's
    sole-proprietorship flag shows to be a person ("SURNAME, GIVEN M" followed by a trade)."""
    by_name = _recipient_row(CBP_FILE.format(2023), "Generated Award ID",
                             "CONT_AWD_70B03C18P00000472_7014_-NONE-_-NONE-")
    header = _rows(TORN_APART.format(13))[0]
    (flagged_row,) = [r for r in _rows(TORN_APART.format(18)) if r[0] == "HSCEMD16P00073"]
    flagged = dict(zip(header, flagged_row, strict=True))
    assert flagged["sole_proprietorship"] == "t" and flagged["recipient_duns"]
    name_only = rels["award:CONT_AWD_70B03C18P00000472_7014_-NONE-_-NONE-"]
    assert (name_only.target_id, name_only.amount, name_only.start_date, name_only.end_date) == (
        CBP, -1260.25, "2022-11-08", "2022-11-08")  # one de-obligation in FY2023
    assert name_only.description == "SUPPORT- PROFESSIONAL: OTHER"
    sole = rels["award:ICE_HSCEMD16P00073_-NONE-"]
    assert (sole.target_id, sole.amount, sole.start_date) == (ICE, 0.0, "2018-01-31")
    assert (name_only.source_id, sole.source_id) == (
        "individual:cont-awd-70b03c18p00000472-7014-none-none", "individual:ice-hscemd16p00073-none")
    for rel in (name_only, sole):
        person = orgs[rel.source_id]
        assert (person.name, person.schema, person.sector, person.role) == (
            "individual recipient (name withheld)", "Organization", "commercial", None)
        assert (person.state, person.city, dict(person.identifiers), person.aliases) == ("", "", {}, ())
        assert person.sources == (f"{rel.source}:{rel.id.removeprefix('award:')}",)
    assert not [r for r in rels.values() if r.kind == "subsidiary_of" and r.source_id.startswith(
        "individual:")]
    text = _output_text(built).upper()
    for name in (by_name["Recipient Name"], flagged["recipient_name"], flagged["recipient_parent_name"]):
        assert name.upper() not in text
    surnames = (by_name["Recipient Name"].split()[-1], flagged["recipient_name"].split(",")[0])
    assert [s for s in surnames if s.upper() in text] == []
    assert flagged["recipient_duns"] not in text


def test_an_award_to_a_government_by_name_is_not_its_sheriffs() -> None:
    """"COOK COUNTY" with the sheriff's UEI went to the county: build 7 had merged three such
    ICE awards into the county's sheriff or the city's police."""
    from daylight.registry.organization import Organization
    from daylight.registry.reference.builder import ReferenceBuilder
    from daylight.registry.reference.sources_contracts import Award, _recipient

    builder = ReferenceBuilder()
    builder.add(Organization("ori:XX0160000", "Alpha County Sheriff's Office", "law_enforcement",
                             role="sheriff", schema="PublicBody", state="IL", county="Alpha",
                             aliases=("Alpha County law enforcement agency", "Alpha"),
                             identifiers={"uei": ("UEI000000001",)}, sources=("fbi-roster:x",)))
    builder.freeze_agencies()
    county = _recipient(builder, Award("a1", "7012", "ALPHA COUNTY", state="IL",
                                       uei="UEI000000001", government=True, source="t"))
    sheriff = _recipient(builder, Award("a2", "7012", "ALPHA COUNTY SHERIFF", state="IL",
                                        government=True, source="t"))
    assert county != "ori:XX0160000"
    assert builder.organizations[county].sector == "other_government"
    assert sheriff == "ori:XX0160000"


def test_a_recipient_named_as_a_tribe_is_the_tribal_government_the_dotgov_registry_has() -> None:
    """Build 9 shipped TOHONO O'ODHAM NATION (a CBP contract) as a company. A name ending
    "NATION" is a tribe's only where the .gov registry has that tribe (a ``-nsn.gov`` domain):
    not a company called so, and not a police force that carries the tribe's name as an alias."""
    from daylight.registry.reference.builder import ReferenceBuilder
    from daylight.registry.reference.sources_contracts import Award, _recipient

    builder = ReferenceBuilder()
    builder.add(Organization("gov:tojc-nsn-gov", "Tohono O'odham Nation", "other_government",
                             schema="PublicBody", state="AZ", identifiers={"domain": ("tojc-nsn.gov",)},
                             sources=("dotgov:tojc-nsn.gov",)))
    builder.add(Organization("gov:livenation-gov", "Live Nation", "other_government",
                             schema="PublicBody", state="CA", identifiers={"domain": ("livenation.gov",)},
                             sources=("dotgov:livenation.gov",)))
    builder.freeze_agencies()
    tribe = _recipient(builder, Award("a1", "7014", "TOHONO O'ODHAM NATION", government=False,
                                      source="t"))
    company = _recipient(builder, Award("a2", "7014", "LIVE NATION", state="CA", government=False,
                                        source="t"))
    assert tribe == "gov:tojc-nsn-gov"
    assert "t:a1" in builder.organizations[tribe].sources
    assert builder.organizations[company].schema == "Company"


def test_the_shipped_build_has_no_public_authority_district_or_tribe_as_a_company() -> None:
    """Build 10: the 15 recipients build 9 shipped as companies (none law enforcement) are public
    bodies, and their awards go with them."""
    from daylight.registry.reference.shipped import read_reference

    shipped = read_reference()
    by_id = {o.id: o for o in shipped.organizations}
    for org_id in ("recipient:washington-metropolitan-area-transit-authority",
                   "recipient:texas-military-department", "gov:jiv-nsn-gov", "gov:tojc-nsn-gov"):
        assert by_id[org_id].schema == "PublicBody" and by_id[org_id].sector == "other_government"
    assert not any(o.id.startswith(("company:tohono", "company:jamul", "company:texas-military",
                                    "company:washington-metropolitan")) for o in shipped.organizations)
    supporters = {r.source_id for r in shipped.relationships if r.kind == "supports"}
    assert {"gov:tojc-nsn-gov", "recipient:texas-military-department"} <= supporters
    # the Federal Bureau of Prisons (USAspending: "PRISONS, FEDERAL BUREAU OF") is its .gov
    # record, which is law enforcement: build 9 had the one a company, the other other_government
    assert "company:prisons-federal-bureau" not in by_id and "gov:bop-gov" in supporters
    assert by_id["gov:bop-gov"].sector == "law_enforcement"
    # federal agents' agencies USAspending lists with no role word: postal inspectors and the
    # State Department's Diplomatic Security (its .gov record takes the bureau's sector)
    for org_id in ("us-agency:1810", "us-agency:1938", "gov:osac-gov"):
        assert by_id[org_id].sector == "law_enforcement", org_id


def test_a_federal_roster_entry_cut_to_its_departments_name_is_the_department() -> None:
    """The FBI roster lists an inspector general's or a police's ORI under its department's name,
    the component after a comma or cut off: the component is law enforcement, the department is
    not, and an agency's posts ("Name:") stay the agency."""
    from daylight.registry.reference.sources_agencies import _federal_roster_name

    assert _federal_roster_name("United States Department of Health and Human Services,") == (
        "United States Department of Health and Human Services", True)
    assert _federal_roster_name(
        "U.S. Department of Health and Human Services, Office of Inspector General, Office of "
        "Investigations") == (
        "U.S. Department of Health and Human Services Office of Inspector General", False)
    assert _federal_roster_name("Drug Enforcement Administration:") == (
        "Drug Enforcement Administration", False)


def test_the_shipped_build_has_federal_investigators_as_law_enforcement_not_departments() -> None:
    """Build 11. Build 10 published three departments as law enforcement because the roster
    lists a component of each under the department's name (HHS, the Department of War, the
    Federal Reserve's Board with the CFPB), and had the federal inspectors general, the Army's
    and the Air Force's criminal investigators and the Coast Guard beyond the law-enforcement
    rules (other_government or military)."""
    from daylight.registry.reference.shipped import read_reference

    by_id = {o.id: o for o in read_reference().organizations}
    for org_id in ("ori:DC00131JY", "ori:DCDODWA01", "ori:DCFRB0300", "us-agency:9700"):
        assert by_id[org_id].sector != "law_enforcement", org_id
    assert "us-agency:7500" not in by_id  # HHS: the roster's entry under its name, merged
    assert "7500" in by_id["ori:DC00131JY"].identifiers["agency_code"]
    for org_id in ("us-agency:21CB", "us-agency:5707", "ori:DCCG00100",
                   "us-agency:7004", "us-agency:97EX", "us-agency:2014", "ori:DC00105JY",
                   "ori:DEDEA0100", "ori:FLDOA0300"):
        assert by_id[org_id].sector == "law_enforcement", org_id
    assert by_id["ori:DC00105JY"].name.endswith("Office of Inspector General")


def test_one_body_under_two_departments_codes_is_one_organisation_and_office_domains_are_theirs(
        ) -> None:
    """Build 14. The Coast Guard was three organisations (the roster's, and USAspending's under
    Transportation's and Homeland Security's codes), HHS's inspector general two; the .gov
    records of the Interior's, State's, GSA's and VA's inspectors general were USDA's (or the
    Tennessee Valley Authority's), found by the office's name alone. The legislative branch's
    inspectors general are not under the Inspector General Act."""
    from daylight.registry.reference.shipped import read_reference

    by_id = {o.id: o for o in read_reference().organizations}
    assert "us-agency:7008" not in by_id and "us-agency:6950" not in by_id
    assert {"7008", "6950"} <= set(by_id["ori:DCCG00100"].identifiers["agency_code"])
    assert "us-agency:7504" not in by_id
    assert by_id["ori:DC00105JY"].identifiers["agency_code"] == ("7504",)
    domains = {d: o.id for o in by_id.values() for d in o.identifiers.get("domain", ())}
    assert domains["doioig.gov"] == "us-agency:1404"
    assert domains["stateoig.gov"] == "us-agency:1904"
    assert domains["gsaig.gov"] == "us-agency:4704"
    assert domains["vaoig.gov"] == "us-agency:3604"
    assert "doioig.gov" not in by_id["us-agency:1204"].identifiers.get("domain", ())
    assert by_id["gov:aocoig-gov"].sector == "other_government"


def test_a_component_named_as_law_enforcement_of_a_body_that_is_no_agency_is_law_enforcement(
        ) -> None:
    """Build 15: NCIS (the Navy's: military), the Coast Guard's investigators and the TSA's air
    marshals (other_government) were missing, and "NCIS" went to review with a sheriff's office
    as candidate; a component of an agency keeps its agency's sector (HSI is ICE's)."""
    from daylight.registry.reference.shipped import read_reference

    reference = read_reference()
    by_id = {o.id: o for o in reference.organizations}
    parents = {r.source_id: r.target_id for r in reference.relationships if r.kind == "part_of"}
    for component, parent in (("us-component:navy-ncis", "us-agency:1700"),
                              ("us-component:tsa-fams", "us-agency:7013"),
                              ("us-component:uscg-cgis", "ori:DCCG00100")):
        assert by_id[component].sector == "law_enforcement", component
        assert parents[component] == parent
    assert by_id["us-agency:1700"].sector == "military"
    assert by_id["us-component:ice-hsi"].sector == "immigration_enforcement"


def test_a_departments_office_that_several_departments_have_says_whose() -> None:
    """Build 12: 20 federal offices of inspector general (law enforcement) were all "Office of
    the Inspector General"; a report naming one did not say whose. A body that moved between
    departments keeps its own name (the Secret Service under Treasury's and DHS's codes: one
    organisation since build 17, DHS's code an identifier of Treasury's listing)."""
    from daylight.registry.reference.shipped import read_reference

    by_id = {o.id: o for o in read_reference().organizations}
    dhs = by_id["us-agency:7004"]
    assert dhs.name == "Department of Homeland Security Office of the Inspector General"
    assert {"DHS Office of the Inspector General", "Office of the Inspector General"} <= set(
        dhs.aliases)
    assert by_id["us-agency:2028"].name == "U.S. Secret Service"
    assert "7009" in by_id["us-agency:2028"].identifiers["agency_code"]


def test_the_287g_lists_lost_word_is_put_back_and_its_form_kept_as_an_alias() -> None:
    """ICE's 287(g) list (via 287g-watch) writes "alaska of corrections": build 12 published
    "Alaska of Corrections"; build 13 "Alaska Department of Corrections", the id unchanged."""
    from daylight.registry.reference.shipped import read_reference
    from daylight.registry.reference.sources_links import restored_287g_name

    assert restored_287g_name("Alaska of Corrections") == "Alaska Department of Corrections"
    assert restored_287g_name("Kansas of Investigation") == "Kansas Bureau of Investigation"
    assert restored_287g_name("Texas of The Attorney General") == (
        "Texas Office of the Attorney General")
    assert restored_287g_name("South Dakota of Criminal Investigation") == (
        "South Dakota Division of Criminal Investigation")
    assert restored_287g_name("Florida of Highway Safety and Motor Vehicles, of Highway "
                              "Patrol") == ("Florida Department of Highway Safety and Motor "
                                            "Vehicles, Division of Highway Patrol")
    for whole in ("University of West Florida Police", "Town of Palm Beach Police",
                  "Gulf County Board of County Commissioners", "New College of Florida Police"):
        assert restored_287g_name(whole) == whole
    by_id = {o.id: o for o in read_reference().organizations}
    alaska = by_id["287g:alaska-of-corrections-ak"]
    assert (alaska.name, alaska.aliases) == ("Alaska Department of Corrections",
                                             ("Alaska of Corrections",))
    lost = [o.name for o in by_id.values() if any(
        f"{state} of " in o.name for state in ("Alaska", "Florida", "Georgia", "Texas", "Utah"))
        and o.id.startswith("287g:")]
    assert lost == [], lost


def test_an_atlas_row_typed_dhs_takes_the_sector_of_the_national_agency_it_names() -> None:
    """The Atlas types the DEA "DHS" (a department, not a kind of body, and not the DEA's)."""
    from daylight.registry.organization import Organization
    from daylight.registry.reference.builder import ReferenceBuilder
    from daylight.registry.reference.sources_links import _national_sector

    builder = ReferenceBuilder()
    builder.add(Organization("ori:DEDEA0100", "Drug Enforcement Administration", "law_enforcement",
                             role="law_enforcement", schema="PublicBody", sources=("x:1",)))
    builder.add(Organization("gov:x", "Drug Enforcement Administration", "other_government",
                             schema="PublicBody", state="TX", sources=("x:2",)))
    assert _national_sector(builder, "DRUG ENFORCEMENT ADMINISTRATION") == "law_enforcement"
    assert _national_sector(builder, "Department of Homeland Security") is None


@pytest.mark.parametrize("name, government, public", [
    # a sheriff's office or a police department of a county or city, whatever USAspending's
    # business types say: build 8 shipped these two as companies (commercial)
    ("BRISTOL COUNTY SHERIFFS OFFICE", False, True),
    ("TROY CITY POLICE DEPT", False, True),
    ("TOWNSHIP OF EWING POLICE DEPT", False, True),
    # a government by its name alone, or named as one
    ("YELLOWSTONE COUNTY", False, True),
    ("LA SALLE COUNTY", None, True),
    ("COUNTY OF BONNER", False, True),
    ("SAN LUIS, CITY OF", None, True),
    ("JUSTICE, MONTANA DEPT OF", None, True),  # a state department, as USAspending inverts it
    # not a public body's name: a membership body, a company, a company with a legal form
    ("COUNTY SHERIFFS ASSOCIATION OF TEXAS", False, False),
    ("COUNTY LINE TOWING", False, False),
    ("CITY WIDE MAINTENANCE CO", False, False),
    ("RIVER CITY RANGE, LLC", None, False),
    ("POLICE SERVICE DOGS, INC.", True, False),
    # a business's words, or a state's membership body, outweigh a government's or a force's
    ("CITY POLICE SUPPLY", False, False),
    ("STATE OF THE ART SOLUTIONS", False, False),
    ("CITY OF HOPE NATIONAL MEDICAL CENTER", False, False),
    ("COUNTY SHERIFFS OF COLORADO", False, False),
    # build 10: a public authority or special district by what it runs, a tribe, a state's
    # department by the state's name, a county's office (build 9 shipped each as a company)
    ("WASHINGTON METROPOLITAN AREA TRANSIT AUTHORITY", False, True),
    ("DENVER HEALTH AND HOSPITAL AUTHORITY", False, True),  # "hospital" is a business's word too
    ("RIO HONDO COMMUNITY COLLEGE DISTRICT", False, True),
    ("MONTGOMERY COUNTY SOIL AND WATER CONSERVATION DISTRICT", False, True),
    ("JAMUL INDIAN VILLAGE", False, True),
    ("TEXAS MILITARY DEPARTMENT", False, True),
    ("DEPARTMENT OF AGRICULTURE HAWAII", False, True),
    ("HUMAN SERVICES VERMONT AGENCY OF", False, True),
    ("MIAMI-DADE COUNTY PARKS AND RECREATION", False, True),
    ("DELAWARE COUNTY BOARD OF FIRE & LIFE SAFETY", False, True),
    ("PRISONS, FEDERAL BUREAU OF", False, True),  # a federal bureau, inverted as a state's dept
    # ...but not a company that shares a word with them
    ("LIVE NATION", False, False),  # a tribe so named is found in the .gov registry instead
    ("AUTHORITY BRANDS", False, False),
    ("ENTRUST CERTIFICATE AUTHORITY", False, False),
    ("THE DISTRICT COMMUNICATIONS GROUP LLC", None, False),
    ("TEXAS MILITARY SUPPLY", False, False),
    ("COUNTY WIDE POWERSPORTS, INC.", False, False),
    ("PORT AUTHORITY SERVICES, INC.", False, False),
    ("COUNTY BOARD MEMBERS ASSOCIATION", False, False),
    # an office's word that does not end the name or open its "of"/"and"; a tribe's ending on a
    # company's name (found as a tribe only through the .gov registry)
    ("GEORGIA DEPARTMENT STORES", False, False),
    ("ORANGE COUNTY COURT REPORTERS", False, False),
    ("COUNTY LINE BOARD GAMES", False, False),
    ("THE CREATIVE TRIBE", False, False),
    ("CLEVELAND INDIANS", False, False),
    ("GEORGE WASHINGTON UNIVERSITY DEPARTMENT OF SURGERY", False, False),
])
def test_a_recipient_named_as_a_public_body_is_one_whatever_its_business_types(
        name: str, government: bool | None, public: bool) -> None:
    from daylight.registry.reference.sources_contracts import Award, _is_public_body

    assert _is_public_body(Award("a", "7012", name, government=government, source="t")) is public


def test_the_shipped_build_has_no_sheriff_or_police_force_of_a_county_or_city_as_a_company() -> None:
    """Screened as a company, a sheriff's office would not be refused what law enforcement is:
    build 8 shipped BRISTOL COUNTY SHERIFFS OFFICE and TROY CITY POLICE DEPT as companies (from
    USAspending), and "Village of Chatham Police Department" (an Atlas Vendor cell)."""
    from daylight.registry.reference.shipped import read_reference

    shipped = read_reference()
    companies = [o.name for o in shipped.organizations if o.sector == "commercial"
                 and not has_legal_form(o.name) and name_key(o.name).role in LAW_ENFORCEMENT_ROLES
                 and name_key(o.name).jurisdictions & {"county", "city", "village", "town", "township",
                                                       "borough"}]
    assert companies == [] or all("ASSOCIATION" in n.upper() for n in companies), companies
    by_id = {o.id: o for o in shipped.organizations}
    assert by_id["recipient:bristol-county-sheriffs-office-ma"].sector == "law_enforcement"
    assert "TROY CITY POLICE DEPT" in by_id["ori:MI6378400"].aliases  # Troy, Michigan's police


@pytest.mark.parametrize("vendor, agency", [
    ("Village of Chatham Police Department", True), ("Ring", False), ("Vigilant Solutions", False),
    ("Police Service Dogs, Inc.", False), ("County of Fresno", True),
])
def test_an_atlas_vendor_cell_naming_an_agency_is_not_read_as_a_company(
        vendor: str, agency: bool) -> None:
    from daylight.registry.reference.sources_links import _names_an_agency

    assert _names_an_agency(vendor) is agency
