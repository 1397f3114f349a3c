"""The screener on rows of the real reference data: precision first, explained scores."""

from __future__ import annotations

from daylight.registry.organization import Organization
from daylight.registry.reference.shipped import Reference
from daylight.registry.screening import ACCEPTED, REJECTED, REVIEW, Query, Screener


def test_identical_names_in_different_states_do_not_tie(subset: Reference) -> None:
    screener = Screener(subset.organizations)
    for state, ori in (("IL", "ori:IL0840200"), ("MO", "ori:MO0390300"), ("OR", "ori:OR0200600")):
        outcome = screener.screen(Query("Springfield Police Department", state))
        assert outcome.status == ACCEPTED
        assert outcome.best is not None and outcome.best.organization_id == ori
        assert outcome.best.features["state"].weight > 0


def test_same_name_without_a_state_goes_to_a_person(subset: Reference) -> None:
    outcome = Screener(subset.organizations).screen(Query("Springfield PD"))
    assert outcome.status == REVIEW
    assert outcome.runner_up is not None
    assert outcome.margin_logit is not None and outcome.margin_logit < 2.0


def test_vendor_style_and_abbreviations_resolve(subset: Reference) -> None:
    screener = Screener(subset.organizations)
    flock = screener.screen(Query("Warrick County IN SO"))
    assert flock.status == ACCEPTED and flock.best is not None
    assert flock.best.organization_id == "ori:IN0870000"
    ice_list = screener.screen(Query("colbert county sheriff", "AL"))
    assert ice_list.best is not None and ice_list.best.organization_id == "ori:AL0200000"
    assert ice_list.status == ACCEPTED


def test_an_extra_word_is_a_different_place(subset: Reference) -> None:
    screener = Screener(o for o in subset.organizations if o.id != "ori:FL0050800")
    outcome = screener.screen(Query("Melbourne Beach PD", "FL"))
    assert outcome.status != ACCEPTED
    assert outcome.best is not None and "extra_words" in outcome.best.features


def test_a_fire_department_is_not_the_police(subset: Reference) -> None:
    outcome = Screener(subset.organizations).screen(Query("Gainesville Fire Rescue", "FL"))
    assert outcome.status == REJECTED
    assert outcome.best is not None and outcome.best.features["role"].weight <= -10


def test_another_state_contradicts(subset: Reference) -> None:
    """Indiana's Warrick County sheriff is not a Texas account's match; but a sheriff's office
    is never rejected into the open: it waits for a person, with the words that put it there."""
    outcome = Screener(subset.organizations).screen(Query("Warrick County Sheriff's Office", "TX"))
    assert outcome.status == REVIEW
    assert outcome.best is None or outcome.best.score < 0.5
    assert [e.kind for e in outcome.evidence] == ["words"]
    assert "sheriff" in outcome.evidence[0].detail


def test_official_email_domain_is_strong_evidence(subset: Reference) -> None:
    screener = Screener(subset.organizations)
    outcome = screener.screen(Query("Alachua Police", "FL", email_domains=("alachuapd.gov",)))
    assert outcome.best is not None and outcome.best.organization_id == "ori:FL0010800"
    assert outcome.best.features["domain"].weight == 6.0
    assert outcome.status == ACCEPTED
    # an initialism the agency's own domain makes unique is the agency
    initials = screener.screen(Query("APD", "FL", email_domains=("alachuapd.gov",)))
    assert initials.status == ACCEPTED
    assert initials.best is not None and initials.best.organization_id == "ori:FL0010800"
    assert "acronym" in initials.best.features
    # a name nothing can be made of, with the agency's own domain: a person's look, not a guess
    unknown = screener.screen(Query("XQZ Unit", "FL", email_domains=("alachuapd.gov",)))
    assert unknown.status == REVIEW


def test_company_exact_name_with_a_rare_word_is_accepted(subset: Reference) -> None:
    outcome = Screener(subset.organizations).screen(Query("Palantir Technologies", "CO"))
    assert outcome.status == ACCEPTED
    assert outcome.best is not None and outcome.best.organization_id == "company:palantir-technologies"
    assert "distinctive" in outcome.best.features


def test_excluded_candidates_are_never_offered_again(subset: Reference) -> None:
    screener = Screener(subset.organizations)
    outcome = screener.screen(Query("Warrick County IN SO"), excluded=frozenset({"ori:IN0870000"}))
    assert outcome.best is None or outcome.best.organization_id != "ori:IN0870000"


def test_every_feature_explains_itself(subset: Reference) -> None:
    outcome = Screener(subset.organizations).screen(Query("Melbourne Police Dept", "FL"))
    assert outcome.best is not None
    for feature in outcome.best.features.values():
        assert feature.detail


def _police(org_id: str, name: str, *aliases: str, state: str = "GA", city: str = "",
            role: str = "police") -> Organization:
    return Organization(org_id, name, "law_enforcement", role, state=state, city=city,
                        aliases=aliases)


def test_an_alias_naming_another_kind_of_body_keeps_its_role() -> None:
    """The roster calls the schools' police "Atlanta Public Schools": not one more `Atlanta`."""
    screener = Screener([
        _police("ori:GAAPD0000", "Atlanta Police Department", "Atlanta", city="Atlanta"),
        _police("ori:GA0605400", "Atlanta Public Schools Police", "Atlanta Public Schools"),
    ])
    city = screener.screen(Query("Atlanta Police Department", "GA", "Atlanta"))
    assert city.status == ACCEPTED and city.best is not None
    assert city.best.organization_id == "ori:GAAPD0000"
    schools = screener.screen(Query("Atlanta Public Schools Police", "GA"))
    assert schools.status == ACCEPTED and schools.best is not None
    assert schools.best.organization_id == "ori:GA0605400"


def test_a_city_domain_is_not_evidence_for_the_county_of_the_same_name() -> None:
    city_hall = Organization("gov:austintexas-gov", "City of Austin", "other_government",
                             "government", state="TX", identifiers={"domain": ("austintexas.gov",)})
    screener = Screener([
        city_hall,
        _police("ori:TX2270100", "Austin Police Department", "Austin", state="TX"),
        _police("ori:TX0080000", "Austin County law enforcement agency", "Austin County",
                state="TX", role="county_le"),
    ])
    ranked = {s.organization_id: s for s in screener.rank(Query("Austin PD", "TX", "",
                                                                ("austintexas.gov",)))}
    assert ranked["ori:TX2270100"].features["domain"].weight > 0  # the city's police: same place
    assert "domain" not in ranked["ori:TX0080000"].features  # the county's: not the same place


def test_a_subdomain_named_by_the_agencys_abbreviation_is_its_address() -> None:
    """ice.dhs.gov: only DHS can create it, and `ice` is ICE's abbreviation; cbp.dhs.gov is not."""
    department = Organization("gov:dhs-gov", "Management Directorate", "other_government",
                              identifiers={"domain": ("dhs.gov",)},
                              aliases=("Department of Homeland Security",))
    ice = Organization("us-agency:7012", "U.S. Immigration and Customs Enforcement",
                       "immigration_enforcement", identifiers={"domain": ("ice.gov",)},
                       aliases=("ICE",))
    screener = Screener([department, ice])
    name = "US Immigration and Customs Enforcement"
    outcome = screener.screen(Query(name, "", "", ("ice.dhs.gov",)))
    assert outcome.status == ACCEPTED and outcome.best is not None
    assert "abbreviation" in outcome.best.features["domain"].detail
    other = screener.screen(Query(name, "", "", ("cbp.dhs.gov",)))
    assert other.best is not None and "domain" not in other.best.features
    assert other.best.logit < outcome.best.logit
    spoofed = screener.screen(Query(name, "", "", ("ice.example.com",)))
    assert spoofed.best is not None and "domain" not in spoofed.best.features


def test_an_abbreviation_many_bodies_share_is_no_evidence() -> None:
    department = Organization("gov:dhs-gov", "Management Directorate", "other_government",
                              identifiers={"domain": ("dhs.gov",)})
    offices = [Organization(f"us-agency:{code}", "Office of Inspector General", "other_government",
                            aliases=("OIG",)) for code in ("1204", "7004")]
    ranked = Screener([department, *offices]).rank(
        Query("Office of Inspector General", "", "", ("oig.dhs.gov",)))
    assert ranked and all("domain" not in r.features for r in ranked if r.organization_id != "gov:dhs-gov")
    (parent,) = [r for r in ranked if r.organization_id == "gov:dhs-gov"]
    assert parent.features["domain"].weight == 2.0  # under the department's domain: a part of it
