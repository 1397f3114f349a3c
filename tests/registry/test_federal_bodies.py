"""Federal law-enforcement bodies as customers type them (reference build 16; measured by
``bench/registry/federal.py``): none goes through the gate — rejected, or accepted as a body
outside law enforcement — and none of their parents or look-alikes is published as one.
Screened against the shipped reference, as a provider screens."""

from __future__ import annotations

import pytest

from daylight.core.errors import InputError
from daylight.registry.organization import AGENCY_SECTORS, Organization
from daylight.registry.reconcile import diff_reference
from daylight.registry.reference.aliases import parse_aliases, read_aliases
from daylight.registry.reference.sector import names_an_inspector_general
from daylight.registry.reference.shipped import Reference
from daylight.registry.screening import ACCEPTED, REJECTED, REVIEW, Query, Screener


def _sectors(shipped: Reference) -> dict[str, str]:
    return {o.id: o.sector for o in shipped.organizations}


@pytest.mark.parametrize(("name", "domains", "expected"), [
    # rejected on main (a company or nothing as the best candidate)
    ("Special Inspector General for Afghanistan Reconstruction", (), "us-component:sigar"),
    # in review with a wrong candidate, or none, on main
    ("Federal Protective Service", (), "us-component:dhs-fps"),
    ("DHS Federal Protective Service", (), "us-component:dhs-fps"),
    ("SIGAR", ("sigar.mil",), "us-component:sigar"),
    ("Army CID", ("army.mil",), "us-agency:21CB"),
    ("USACIDC", ("army.mil",), "us-agency:21CB"),
    ("Air Force OSI", ("af.mil",), "us-agency:5707"),
    ("U.S. Park Police", ("nps.gov",), "us-component:nps-uspp"),
    ("NPS - US Park Police", (), "us-component:nps-uspp"),
    ("US Capitol Police", (), "gov:uscapitolpolice-gov"),
    ("Defense Criminal Investigative Service", (), "us-component:dodig-dcis"),
    # an inspector general's own domain was its parent's (the FDIC's, the TVA's)
    ("FDIC OIG", ("fdicoig.gov",), "us-component:fdic-oig"),
    ("TVA OIG", ("tvaoig.gov",), "us-component:tva-oig"),
])
def test_a_federal_body_as_customers_type_it_is_accepted_as_itself(
        screener: Screener, shipped: Reference, name: str, domains: tuple[str, ...],
        expected: str) -> None:
    outcome = screener.screen(Query(name, email_domains=domains))
    assert outcome.status == ACCEPTED and outcome.best is not None, (name, outcome.status)
    assert outcome.best.organization_id == expected
    assert _sectors(shipped)[expected] == "law_enforcement"


@pytest.mark.parametrize("name", ["OSI", "CID"])
def test_a_bare_ambiguous_acronym_goes_to_review_never_rejected(
        screener: Screener, name: str) -> None:
    """"OSI" was rejected on main: a company (OSI Federal Technologies) shares it. With no
    domain to say whose, a person decides; the gate refuses meanwhile."""
    outcome = screener.screen(Query(name))
    assert outcome.status == REVIEW, name
    assert outcome.evidence


@pytest.mark.parametrize("name", ["DOD Pentagon Force Protection Agency",
                                  "Pentagon Force Protection Agency", "DOJ Federal Bureau of Prisons"])
def test_a_department_before_an_agency_never_lets_it_through(
        screener: Screener, shipped: Reference, name: str) -> None:
    outcome = screener.screen(Query(name))
    assert outcome.status != REJECTED and outcome.best is not None
    assert _sectors(shipped)[outcome.best.organization_id] in AGENCY_SECTORS


@pytest.mark.parametrize(("name", "domains"), [
    ("United States Mint", ("usmint.gov",)), ("United States Mint", ("usmint.treas.gov",)),
    ("Government Publishing Office", ("gpo.gov",)), ("U.S. Fish and Wildlife Service", ("fws.gov",)),
    ("Tennessee Valley Authority", ("tva.gov",)), ("National Park Service", ("nps.gov",)),
    ("Food and Drug Administration", ()), ("OSI Systems, Inc.", ()),
    ("Federal Protective Coatings", ()), ("Park Service Foundation", ()),
])
def test_a_parent_or_look_alike_is_never_published_as_an_agency(
        screener: Screener, shipped: Reference, name: str, domains: tuple[str, ...]) -> None:
    """The Mint is not its police: a component whose distinguishing word is its role ("United
    States Mint Police") is not named whole by its parent's name (it was accepted so before the
    rule)."""
    outcome = screener.screen(Query(name, email_domains=domains))
    if outcome.status == ACCEPTED:
        assert outcome.best is not None
        assert _sectors(shipped)[outcome.best.organization_id] not in AGENCY_SECTORS, name


@pytest.mark.parametrize(("name", "state", "expected"), [
    ("Fairview Park Police Department", "OH", "ori:OH0181900"),
    ("New Jersey State Park Police", "NJ", "ori:NJ0225400"),
    ("Florida Capitol Police", "FL", "ori:FL0370900"),
])
def test_a_local_body_is_not_a_national_one_s_office(
        screener: Screener, name: str, state: str, expected: str) -> None:
    """"Fairview Park" is a city: its police is not the U.S. Park Police's Fairview office."""
    outcome = screener.screen(Query(name, state))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == expected


def test_a_curated_domain_is_the_body_s_alone(shipped: Reference) -> None:
    holders: dict[str, list[str]] = {}
    for org in shipped.organizations:
        for domain in org.identifiers.get("domain", ()):
            holders.setdefault(domain, []).append(org.id)
    rows = read_aliases()
    ids = {o.id for o in shipped.organizations}
    for row in rows:
        assert row.id in ids, row.id
        for domain in row.domains:
            assert holders[domain] == [row.id], domain
    assert holders["tvaoig.gov"] == ["us-component:tva-oig"]  # was the TVA's (other_government)


def test_aliases_file_is_read_strictly() -> None:
    header = "id,aliases,domains,source\n"
    assert parse_aliases(header + "us-agency:1,A;B,x.gov,a page\n")[0].aliases == ("A", "B")
    with pytest.raises(InputError, match="expected the columns"):
        parse_aliases("id,aliases\n")
    with pytest.raises(InputError, match=r"aliases\.csv:2: source"):
        parse_aliases(header + "us-agency:1,A,,\n")
    with pytest.raises(InputError, match=r"aliases\.csv:2: aliases"):
        parse_aliases(header + "us-agency:1,,,a page\n")
    with pytest.raises(InputError, match=r"aliases\.csv:2: domains"):
        parse_aliases(header + "us-agency:1,,Sigar.MIL,a page\n")


@pytest.mark.parametrize(("name", "expected"), [
    ("U.S. Customs and Border Protection", "us-agency:7014"),
    ("Air Force Office of Special Investigations", "us-agency:5707"),
    ("Department of Justice Office of the Inspector General", "us-agency:1504"),
])
def test_a_national_agency_named_whole_is_accepted_without_a_state(
        screener: Screener, name: str, expected: str) -> None:
    """Its exact name, with no state to confirm it, scored as any public body's (0.953) and
    went to review."""
    outcome = screener.screen(Query(name))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == expected
    assert "nationwide" in outcome.best.features


@pytest.mark.parametrize(("name", "expected"), [
    ("DOJ OIG", "us-agency:1504"), ("DOJ-OIG", "us-agency:1504"), ("VA OIG", "us-agency:3604")])
def test_a_department_s_office_typed_with_its_department_stays_that_department_s(
        screener: Screener, name: str, expected: str) -> None:
    """A department's abbreviation is set aside only before an agency that names no department,
    and only with two words left: "DOJ OIG" is not Agriculture's "OIG"."""
    outcome = screener.screen(Query(name))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == expected


# build 17: an intelligence agency's police force is law enforcement (BJS's census lists both);
# filed under `intelligence`, which is no agency sector, an account of either passed the gate
@pytest.mark.parametrize(("org_id", "sector"), [
    ("ori:MDNSA0100", "law_enforcement"),  # National Security Agency Police
    ("ori:VACIA0000", "law_enforcement"),  # Central Intelligence Agency Security Protective Service
    ("us-agency:97CG", "intelligence"),  # the NSA itself stays what it is
    ("us-agency:5600", "intelligence"),  # the CIA itself
    ("atlas:texas-parks-and-wildlife-department-law-enforcement-division-tx", "law_enforcement"),
])
def test_an_intelligence_agencys_police_force_is_law_enforcement(
        shipped: Reference, org_id: str, sector: str) -> None:
    assert _sectors(shipped)[org_id] == sector


@pytest.mark.parametrize("name", ["NSA Police", "National Security Agency Police",
                                  "CIA Security Protective Service",
                                  "Central Intelligence Agency Security Protective Service"])
def test_an_intelligence_agencys_police_never_passes_the_gate(
        screener: Screener, shipped: Reference, name: str) -> None:
    outcome = screener.screen(Query(name))
    assert outcome.status != REJECTED and outcome.best is not None, name
    assert _sectors(shipped)[outcome.best.organization_id] in AGENCY_SECTORS, name


@pytest.mark.parametrize(("name", "expected"), [
    # in review on build 16: the roster gives a federal body whose name states no kind the role
    # law_enforcement, and the name typed as it is lost 3 points for not stating one
    ("Pentagon Force Protection Agency", "ori:VADPP0000"),
    ("CIA Security Protective Service", "ori:VACIA0000"),
    ("Central Intelligence Agency Security Protective Service", "ori:VACIA0000"),
])
def test_a_federal_protective_force_typed_as_named_is_accepted(
        screener: Screener, name: str, expected: str) -> None:
    outcome = screener.screen(Query(name))
    assert outcome.status == ACCEPTED and outcome.best is not None, (name, outcome.status)
    assert outcome.best.organization_id == expected


@pytest.mark.parametrize("name", ["Pentagon Federal Credit Union", "Force Protection Inc",
                                  "Central Intelligence Agency"])
def test_a_protective_forces_look_alike_is_not_accepted_as_it(
        screener: Screener, shipped: Reference, name: str) -> None:
    outcome = screener.screen(Query(name))
    if outcome.status == ACCEPTED and outcome.best is not None:
        assert _sectors(shipped)[outcome.best.organization_id] not in AGENCY_SECTORS, name


@pytest.mark.parametrize(("name", "expected"), [
    # rejected on build 16: the department's short name was a word the agency's name lacks
    ("Justice Federal Bureau of Prisons", "gov:bop-gov"),  # was accepted as the NIC
    ("Homeland Security Federal Protective Service", "us-component:dhs-fps"),
    ("Treasury Mint Police", "us-component:mint-police"),
    ("Defense Pentagon Force Protection Agency", "ori:VADPP0000"),
])
def test_a_departments_short_name_before_its_agency_is_the_department(
        screener: Screener, name: str, expected: str) -> None:
    outcome = screener.screen(Query(name))
    assert outcome.status == ACCEPTED and outcome.best is not None, (name, outcome.status)
    assert outcome.best.organization_id == expected


def test_state_before_its_departments_agency_never_lets_it_through(
        screener: Screener, shipped: Reference) -> None:
    outcome = screener.screen(Query("State Diplomatic Security Service"))  # rejected on build 16
    assert outcome.status != REJECTED and outcome.best is not None
    assert _sectors(shipped)[outcome.best.organization_id] in AGENCY_SECTORS


@pytest.mark.parametrize(("name", "not_expected"), [
    # "State" is a word too: not the State Department before an agency that is not its own
    ("State Park Police", "us-component:nps-uspp"),
    ("State Capitol Police", "gov:uscapitolpolice-gov"),
    ("Justice Police", "gov:atf-gov"),  # Justice, Illinois
])
def test_a_departments_short_name_is_not_read_before_another_departments_agency(
        screener: Screener, name: str, not_expected: str) -> None:
    outcome = screener.screen(Query(name))
    assert outcome.best is None or outcome.status != ACCEPTED \
        or outcome.best.organization_id != not_expected
    assert not any("a department above" in f.detail for f in
                   (outcome.best.features.values() if outcome.best else ()))


def test_an_inspector_general_the_gov_registry_abbreviates_is_law_enforcement(
        shipped: Reference) -> None:
    """The .gov registry writes SIGPR "Special IG for Pandemic Recovery": the build's
    inspector-general rule looked for the words spelled out, and an account of it passed."""
    assert _sectors(shipped)["gov:sigpr-gov"] == "law_enforcement"


@pytest.mark.parametrize("name", ["Special Inspector General for Pandemic Recovery", "SIGPR"])
def test_sigpr_as_customers_type_it_is_accepted_as_itself(screener: Screener, name: str) -> None:
    outcome = screener.screen(Query(name))
    assert outcome.status == ACCEPTED and outcome.best is not None, (name, outcome.status)
    assert outcome.best.organization_id == "gov:sigpr-gov"


@pytest.mark.parametrize(("name", "expected"), [
    ("Special IG for Pandemic Recovery", True), ("Department of Labor OIG", True),
    ("Office of the Inspector General", True), ("Big Sky Rural Fire District", False),
    ("Igloo Corporation", False),
])
def test_the_inspector_general_rule_reads_the_abbreviation_in_capitals(
        name: str, expected: bool) -> None:
    assert names_an_inspector_general(name) is expected


@pytest.mark.parametrize(("dropped", "kept", "name"), [
    ("us-agency:7009", "us-agency:2028", "U.S. Secret Service"),
    ("us-agency:7015", "us-agency:2024", "Federal Law Enforcement Training Center"),
])
def test_a_law_enforcement_body_under_two_departments_codes_is_one_and_the_other_redirects(
        screener: Screener, shipped: Reference, dropped: str, kept: str, name: str) -> None:
    """Build 16 listed the Secret Service and FLETC under Treasury's code and Homeland
    Security's: the two records tied and every account of either went to review. The first
    listing (which holds the .gov domains accounts resolve by) keeps its id; loading build 17
    over 16 redirects the other to it."""
    by_id = {o.id: o for o in shipped.organizations}
    assert dropped not in by_id and dropped.split(":")[1] in by_id[kept].identifiers["agency_code"]
    outcome = screener.screen(Query(name))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == kept
    as_built_16 = Organization(id=dropped, name=name, sector="law_enforcement", schema="PublicBody",
                               identifiers={"agency_code": (dropped.split(":")[1],)},
                               sources=(f"usaspending-agencies:{dropped.split(':')[1]}",))
    diff = diff_reference({dropped: as_built_16}, {}, shipped, None)
    assert dict(diff.merged) == {dropped: kept} and not diff.withdrawn


@pytest.mark.parametrize(("gone", "into"), [
    ("gov:marshallalso-gov", "ori:AL0500000"), ("gov:waynecounty-ga-gov", "ori:GA1510000"),
    ("gov:yellcosheriffar-gov", "ori:AR0750000"),
])
def test_a_sheriffs_office_the_gov_registry_misspells_is_the_rosters_sheriff(
        shipped: Reference, gone: str, into: str) -> None:
    """"Marshall County Sherriff's Office" (marshallalso.gov) was an `other_government` body of
    its own: an account at that domain was accepted as no agency. Its domain is the roster's
    Marshall County, AL agency's now, and loading build 17 redirects the .gov record's id."""
    by_id = {o.id: o for o in shipped.organizations}
    assert gone not in by_id and by_id[into].sector == "law_enforcement"
    domain = gone.removeprefix("gov:").removesuffix("-gov") + ".gov"
    assert domain in by_id[into].identifiers["domain"]


def test_an_account_at_the_misspelt_sheriffs_domain_is_the_sheriff(screener: Screener) -> None:
    outcome = screener.screen(Query("Marshall County Sheriff's Office", "AL",
                                    email_domains=("marshallalso.gov",)))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert outcome.best.organization_id == "ori:AL0500000"
