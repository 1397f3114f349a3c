"""Federal components as organisations (issue 10, §2): every curated component ships as a public
body linked `part_of` its agency with its source, takes its agency's sector through that link,
and a name that is a component (or a component plus a unit) resolves to it — else to its agency,
never to another agency. And the last wrong identities: an account whose name fits agencies of
several states, and names none, goes to review."""

from __future__ import annotations

import pytest

from daylight.core.database import Database
from daylight.flows.accounts import show_account
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.engine import PolicyEngine
from daylight.policy.entities import SupportQuestion, read_account_facts
from daylight.policy.pack import load_pack
from daylight.policy.policies import compile_policies
from daylight.policy.schema import build_schema
from daylight.registry.accounts import Account
from daylight.registry.component_names import ComponentNames, component_names
from daylight.registry.organization import Organization, part_of_links
from daylight.registry.reconcile import diff_reference
from daylight.registry.reference.components import read_components
from daylight.registry.reference.shipped import Reference
from daylight.registry.reference.sources_agencies import roster_state
from daylight.registry.reference.sources_components import part_of_id
from daylight.registry.screening import ACCEPTED, REJECTED, REVIEW, Query, Screener
from daylight.registry.service import import_accounts, load_reference, screen_accounts
from tests.registry.conftest import NOW

FBI, DEA, USMS, ICE, CBP = ("ori:DCFBIWA01", "ori:DEDEA0100", "us-agency:1544", "us-agency:7012",
                            "us-agency:7014")


def _agency(org_id: str, part_of: dict[str, str]) -> str:
    while org_id in part_of:
        org_id = part_of[org_id]
    return org_id


def test_every_curated_component_ships_part_of_its_agency_with_its_source(
        shipped: Reference) -> None:
    orgs = {o.id: o for o in shipped.organizations}
    rels = {r.id: r for r in shipped.relationships}
    part_of = part_of_links(shipped.relationships)
    components = read_components()
    for component in components:
        org = orgs[component.id]
        assert org.name == component.name and org.schema == "PublicBody" and not org.state
        # and, for a component aliases.csv names (build 16), that row
        assert org.sources[0] == f"daylight-components:{component.id.split(':', 1)[1]}"
        assert org.sources[1:] in ((), (f"daylight-aliases:{component.id}",))
        link = rels[part_of_id(component.id, component.part_of)]
        assert (link.kind, link.source, link.target_id) == (
            "part_of", "daylight-components", component.part_of)
        assert link.evidence["document"] == component.source
        # classified with its agency's sector, through the link; a component of a body that is
        # no agency, named as a law-enforcement body, is law enforcement (build 15)
        parent = orgs[_agency(component.id, part_of)]
        if parent.sector in ("law_enforcement", "immigration_enforcement"):
            assert org.sector == parent.sector, component.id
        else:
            assert org.sector == "law_enforcement", component.id
    agencies: dict[str, int] = {}
    for component in components:
        agency = _agency(component.id, part_of)
        agencies[agency] = agencies.get(agency, 0) + 1
    # 56 FBI field offices, 23 DEA divisions, 94 Marshals districts, 25 ATF field divisions;
    # ICE: ERO, HSI, OPLA, 25 ERO field offices, 21 HSI offices the data names; CBP: Border
    # Patrol, OFO, AMO, 20 sectors, 20 OFO field offices; the Navy's NCIS, the Coast Guard's
    # CGIS, the TSA's air marshals; build 16: the federal police, investigators and inspectors
    # general of BJS's census and CIGIE's list that the reference lacked, under their parents
    # (the Park Police under the Park Service, SIGAR under Defense, DCIS under Defense's
    # inspector general, two under the TVA: its police and its inspector general)
    assert agencies == {FBI: 56, DEA: 23, USMS: 94, "gov:atf-gov": 25, ICE: 49, CBP: 43,
                        "us-agency:1700": 1, "ori:DCCG00100": 1, "us-agency:7013": 1,
                        "us-agency:7000": 1, "us-agency:1443": 1, "us-agency:9700": 1,
                        "us-agency:97EX": 1, "us-agency:1727": 1, "ori:DCD0A0000": 1,
                        "us-agency:1448": 1, "us-agency:1422": 1, "us-agency:1330": 1,
                        "ori:DCEPA0300": 1, "us-agency:7524": 1, "us-agency:2050": 1,
                        "us-agency:2044": 1, "us-agency:2041": 1, "us-agency:7529": 1,
                        "us-agency:1001": 1, "us-agency:0400": 1, "us-agency:8000": 2,
                        "ori:TN047017Y": 2, "ori:DC00125JY": 1, "us-agency:7300": 1,
                        "ori:VA007057Y": 1, "ori:DC001457Y": 1, "ori:USAID000Z": 1,
                        "ori:MD016027Y": 1, "ori:DCFRB0300": 1}


def test_components_are_classified_with_their_agencys_sector(shipped: Reference) -> None:
    orgs = {o.id: o for o in shipped.organizations}
    assert orgs["us-component:fbi-newark"].sector == "law_enforcement"
    assert orgs["us-component:cbp-usbp-el-paso"].sector == "immigration_enforcement"
    assert orgs["us-component:ice-ero-newark"].sector == "immigration_enforcement"
    assert orgs["us-component:usms-southern-texas"].sector == "law_enforcement"
    # the Atlas's CBP ports are part of the Office of Field Operations, with its sector
    ports = [r for r in shipped.relationships if r.kind == "part_of"
             and r.source_id.startswith("atlas:u-s-customs-and-border-protection-")]
    assert len(ports) >= 17
    assert {r.target_id for r in ports} == {"us-component:cbp-ofo"}
    assert all(r.evidence["atlas_record"].startswith("AOS") for r in ports)
    assert all(orgs[r.source_id].sector == "immigration_enforcement" for r in ports)


@pytest.mark.parametrize(("name", "state", "domains", "expected"), [
    ("FBI Newark Field Office", "", (), "us-component:fbi-newark"),
    ("FBI Newark Field Office", "NJ", ("fbi.gov",), "us-component:fbi-newark"),
    ("Federal Bureau of Investigation Newark Field Office", "", (), "us-component:fbi-newark"),
    ("Border Patrol El Paso Sector", "TX", (), "us-component:cbp-usbp-el-paso"),
    ("US Border Patrol - El Paso Sector", "", ("cbp.dhs.gov",), "us-component:cbp-usbp-el-paso"),
    ("ICE ERO Newark Field Office", "", ("ice.dhs.gov",), "us-component:ice-ero-newark"),
    ("CBP Office of Field Operations - Laredo", "", (), "us-component:cbp-ofo-laredo"),
    ("DEA New England Division", "", ("dea.gov",), "us-component:dea-new-england"),
    ("ATF Newark Field Division", "", (), "us-component:atf-newark"),
    ("U.S. Marshals Service Southern District of Texas", "", (), "us-component:usms-southern-texas"),
    ("Enforcement and Removal Operations", "", (), "us-component:ice-ero"),
    # no such component: the agency (or the component the name names), never another agency
    ("DEA Boston Field Division", "", ("dea.gov",), DEA),
    ("US Marshals Service - Atlanta", "", (), USMS),
    ("Homeland Security Investigations Boston", "", ("ice.dhs.gov",), "us-component:ice-hsi"),
    ("FBI", "", (), FBI),
])
def test_a_component_resolves_to_itself_else_to_its_agency(
        screener: Screener, name: str, state: str, domains: tuple[str, ...], expected: str) -> None:
    outcome = screener.screen(Query(name, state, "", domains))
    assert outcome.status == ACCEPTED, (name, outcome)
    assert outcome.best is not None and outcome.best.organization_id == expected


@pytest.mark.parametrize(("name", "domains", "expected"), [
    # the FBI calls its field offices divisions
    ("FBI - Boston Division", (), "us-component:fbi-boston"),
    ("FBI Boston", (), "us-component:fbi-boston"),
    ("Federal Bureau of Investigation Boston Division", (), "us-component:fbi-boston"),
    # HSI's offices are its Special Agents in Charge
    ("ICE HSI Special Agent in Charge Houston", (), "us-component:ice-hsi-houston"),
    ("SAC Houston", ("ice.dhs.gov",), "us-component:ice-hsi-houston"),
    # ERO's field offices are led by a Field Office Director
    ("Field Office Director Newark", (), "us-component:ice-ero-newark"),
    ("ICE ERO FOD Newark", ("ice.dhs.gov",), "us-component:ice-ero-newark"),
    ("ERO Newark", (), "us-component:ice-ero-newark"),
    ("DEA Dallas Field Division", (), "us-component:dea-dallas"),
    ("ATF Boston Division", ("atf.gov",), "us-component:atf-boston"),
    ("USMS District of Massachusetts", (), "us-component:usms-massachusetts"),
    ("USMS Eastern District of Texas", ("usdoj.gov",), "us-component:usms-eastern-texas"),
    ("US Marshals Massachusetts District", (), "us-component:usms-massachusetts"),
    ("El Paso Sector", (), "us-component:cbp-usbp-el-paso"),
    ("USBP El Paso", ("cbp.dhs.gov",), "us-component:cbp-usbp-el-paso"),
    ("OFO Laredo", (), "us-component:cbp-ofo-laredo"),
    ("CBP Laredo Field Office", (), "us-component:cbp-ofo-laredo"),
    # a field office named without its agency: the agency's email domain says whose
    ("Boston Field Office", ("fbi.gov",), "us-component:fbi-boston"),
    ("ICE Boston Field Office", (), "us-component:ice-ero-boston"),
])
def test_an_office_resolves_in_the_forms_agencies_write(
        screener: Screener, name: str, domains: tuple[str, ...], expected: str) -> None:
    outcome = screener.screen(Query(name, "", "", domains))
    assert outcome.status == ACCEPTED, (name, outcome)
    assert outcome.best is not None and outcome.best.organization_id == expected


@pytest.mark.parametrize("name", ["Boston Field Office", "Dallas Field Division",
                                  "Knoxville Field Office"])
def test_an_office_form_several_agencies_share_needs_the_agency_named(
        screener: Screener, name: str) -> None:
    # the FBI, ERO and OFO all have field offices; the DEA and the ATF field divisions: a
    # city's office of one agency is never accepted as another's, nor guessed when only one
    # agency's is in the reference (Knoxville: the FBI's)
    outcome = screener.screen(Query(name))
    assert outcome.status == REVIEW, (name, outcome)


def test_office_names_are_generated_per_kind_not_per_office() -> None:
    fbi = component_names("FBI Kansas City Field Office",
                          ("Federal Bureau of Investigation Kansas City Field Office",))
    assert "FBI Kansas City Division" in fbi.named and "FBI Kansas City" in fbi.named
    assert "Federal Bureau of Investigation Kansas City Division" in fbi.named
    assert fbi.bare == ("Kansas City Field Office",)  # ERO's and OFO's offices share the form
    sector = component_names("Border Patrol Big Bend Sector")
    assert "Big Bend Sector" in sector.named and not sector.bare  # only sectors are sectors
    usms = component_names("U.S. Marshals Service Eastern District of Texas")
    assert "USMS Eastern District of Texas" in usms.named
    assert "USMS Texas Eastern District" in usms.named
    assert component_names("Office of Field Operations") == ComponentNames()


def test_a_generated_names_abbreviation_is_not_a_places_initials(screener: Screener) -> None:
    # "FBI Kansas City": its "FBI" once matched the initials of "Fontana Building Inspections"
    outcome = screener.screen(Query("Fontana, Kansas Building Inspections", "KS", "",
                                    ("fontanaks.gov",)))
    assert outcome.best is not None and outcome.best.organization_id == "gov:fontanaks-gov"
    assert outcome.status == ACCEPTED


@pytest.mark.parametrize("name", ["USMS", "U.S.M.S.", "USSS"])
def test_a_national_agencys_dotted_initials_are_never_rejected(screener: Screener,
                                                               name: str) -> None:
    # "U.S. Marshals Service" is USMS (its dotted "U.S." is two initials): typed alone it was
    # rejected, and an agency rejected into the open gets face recognition
    outcome = screener.screen(Query(name, "", "", ()))
    assert outcome.status != REJECTED, (name, outcome)
    assert outcome.best is not None and outcome.best.organization_id in (USMS, "us-agency:2028")


def test_a_component_plus_a_unit_resolves_to_the_component_with_the_unit_as_evidence(
        screener: Screener) -> None:
    outcome = screener.screen(Query("FBI Newark Field Office - Cyber Squad", "", "", ("fbi.gov",)))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == "us-component:fbi-newark"
    assert "Cyber Squad" in outcome.best.features["unit"].detail


def test_two_agencies_offices_of_one_city_go_to_a_person(screener: Screener) -> None:
    outcome = screener.screen(Query("Newark Field Office"))
    assert outcome.status == REVIEW


def test_a_name_that_fits_agencies_of_several_states_and_names_none_goes_to_review(
        screener: Screener) -> None:
    # Dakota County has a sheriff in Minnesota and in Nebraska
    outcome = screener.screen(Query("dakota county sheriff"))
    assert outcome.status == REVIEW
    assert outcome.best is not None and outcome.runner_up is not None
    assert {outcome.best.organization_id, outcome.runner_up.organization_id} == {
        "ori:MN0190000", "ori:NB0220000"}
    # with its state, ICE's 287(g) list's row is the roster's Nebraska agency, which Flock's
    # "Dakota County NE SO" is now an alias of (the roster wrote Nebraska `NB`)
    named = screener.screen(Query("dakota county sheriff", "NE"))
    assert named.status == ACCEPTED and named.best is not None
    assert named.best.organization_id == "ori:NB0220000"
    # the same rule for any public body: "CITY OF ARLINGTON" with no state is no particular one
    assert screener.screen(Query("City of Arlington")).status == REVIEW


def test_the_rosters_own_state_codes_are_read_as_postal_codes(shipped: Reference) -> None:
    assert (roster_state("NB"), roster_state("GM"), roster_state("FS")) == ("NE", "GU", "FS")
    states = {o.state for o in shipped.organizations if o.id.startswith("ori:")}
    assert "NB" not in states and "GM" not in states and "NE" in states


def test_a_newer_build_keeps_a_match_whose_organisation_it_merged_by_name_and_state() -> None:
    omaha_ne = Organization("atlas:omaha-police-department-ne", "Omaha Police Department",
                            "law_enforcement", state="NE")
    roster_ne = Organization("ori:NB0280200", "Omaha Police Department", "law_enforcement",
                             state="NE")
    roster_tx = Organization("ori:TX1720300", "Omaha Police Department", "law_enforcement",
                             state="TX")
    # a city body whose two domains went to two bodies: the one with its name
    city = Organization("gov:ginepolice-gov", "City of Grand Island", "other_government",
                        state="NE", identifiers={"domain": ("ginepolice.gov", "grandislandne.gov")})
    police = Organization("ori:NB0400100", "Grand Island Police Department", "law_enforcement",
                          state="NE", identifiers={"domain": ("ginepolice.gov",)})
    city_new = Organization("gov:grandislandne-gov", "City of Grand Island", "other_government",
                            state="NE", identifiers={"domain": ("grandislandne.gov",)})
    new = Reference((roster_ne, roster_tx, police, city_new), ())
    diff = diff_reference({o.id: o for o in (omaha_ne, roster_ne, roster_tx, city)}, {}, new, None)
    assert dict(diff.merged) == {omaha_ne.id: roster_ne.id, city.id: city_new.id}
    assert diff.withdrawn == ()


ACCOUNTS = [
    Account("fbi-newark", "FBI Newark Field Office", ("fbi.gov",), "Newark", "NJ", "US",
            "2024-01-02"),
    Account("usbp-el-paso", "Border Patrol El Paso Sector", (), "El Paso", "TX", "US",
            "2024-01-02"),
]


def test_the_gate_treats_a_component_as_its_agency(
        database: Database, log: TransparencyLog, subset: Reference, shipped: Reference) -> None:
    """Accounts matched to a component are classified with its agency's sector, and
    employee-demands refuses them face recognition as it refuses the agency."""
    wanted = {FBI, "us-component:fbi-newark", "us-component:cbp-usbp",
              "us-component:cbp-usbp-el-paso"}
    orgs = [o for o in shipped.organizations if o.id in wanted]
    links = [r for r in shipped.relationships if r.kind == "part_of" and r.source_id in wanted]
    reference = Reference((*subset.organizations, *orgs), (*subset.relationships, *links))
    load_reference(database, log, reference, NOW)
    import_accounts(database, ACCOUNTS, NOW)
    screen_accounts(database, log, NOW)
    expected = {"fbi-newark": ("us-component:fbi-newark", "law_enforcement"),
                "usbp-el-paso": ("us-component:cbp-usbp-el-paso", "immigration_enforcement")}
    catalog = default_catalog()
    compiled = compile_policies(load_pack("employee-demands").files, build_schema(catalog))
    facts = {f.account_id: f for f in read_account_facts(database, SupportQuestion("2026-11-23"))}
    for account, (org_id, sector) in expected.items():
        view = show_account(database, account).to_json()
        assert view["organization"]["id"] == org_id
        assert view["classification"]["sector"] == sector
        decision = PolicyEngine(compiled, 1, [facts[account]], {}, catalog).decide(
            account, "face.search")
        assert not decision.allowed, account


def test_an_agency_the_reference_holds_twice_is_the_entry_a_source_wrote_the_name_for(
        screener: Screener) -> None:
    # the FBI roster lists Jacksonville's consolidated sheriff's office twice: as the sheriff's
    # office and as the city's police; ICE's 287(g) list names the latter "jacksonville sheriff"
    outcome = screener.screen(Query("jacksonville sheriff", "FL"))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == "ori:FL0160200"
    assert "twin" in outcome.best.features
    named = screener.screen(Query("Jacksonville Sheriff's Office", "FL"))
    assert named.best is not None and named.best.organization_id == "ori:FL0160000"


def _police(org_id: str, name: str, role: str, county: str,
            aliases: tuple[str, ...]) -> Organization:
    return Organization(org_id, name, "law_enforcement", role=role, schema="PublicBody",
                        state="NJ", county=county, aliases=aliases, sources=("fbi-roster:x",))


def test_twins_are_one_body_by_name_kind_place_and_jurisdiction_not_by_place_alone() -> None:
    sheriff = _police("ori:A", "Alpha Sheriff's Office", "sheriff", "Alpha", ())
    city = _police("ori:B", "Alpha Police Department", "police", "Alpha", ("Alpha Sheriff",))
    # another jurisdiction's body: a county's police is not the township's
    county = _police("ori:C", "Beta County Police", "police", "Beta", ("Beta County Sheriff",))
    township = _police("ori:D", "Beta Township Police Department", "police", "Beta",
                       ("Beta Township Sheriff",))
    screener = Screener([sheriff, city, county, township], components=())
    twin = screener.screen(Query("Alpha Sheriff", "NJ"))
    assert twin.status == ACCEPTED and twin.best is not None
    assert twin.best.organization_id == "ori:B"
    written = screener.screen(Query("Alpha Sheriffs Office", "NJ"))
    assert written.best is not None and written.best.organization_id == "ori:A"
    typed = screener.screen(Query("Beta County Sheriff", "NJ"))
    assert typed.best is not None and "twin" not in typed.best.features
