"""Names reduced to keys: the abbreviations and styles the sources use."""

from __future__ import annotations

import pytest

from daylight.registry.names import has_legal_form, is_personal_name, name_key


@pytest.mark.parametrize(("name", "core", "role", "states"), [
    ("Warrick County IN SO", ("warrick",), "sheriff", {"IN"}),
    ("Warrick Co. Sheriff's Office", ("warrick",), "sheriff", set()),
    ("Sylvania OH PD", ("sylvania",), "police", {"OH"}),
    ("Brownstown Twp PD MI", ("brownstown",), "police", {"MI"}),
    ("colbert county sheriff", ("colbert",), "sheriff", set()),
    ("St. Petersburg Police Dept.", ("saint", "petersburg"), "police", set()),
    ("Indian River Shores DPS", ("indian", "river", "shores"), "public_safety", set()),
    ("Palantir Technologies, Inc.", ("palantir", "technologies"), None, set()),
    ("GEO GROUP, INC., THE", ("geo", "group"), None, set()),
    ("Acme Co.", ("acme",), None, set()),
    ("Berrian County Sheriff's Offic", ("berrian",), "sheriff", set()),
    ("Gainesville Fire Rescue", ("gainesville",), "fire", set()),
    # the Federal Bureau of Prisons' .gov record was other_government (its name held no role)
    ("Federal Bureau of Prisons", ("federal", "bureau"), "corrections", set()),
])
def test_name_key(name: str, core: tuple[str, ...], role: str | None, states: set[str]) -> None:
    key = name_key(name)
    assert key.core == core
    assert key.role == role
    assert key.states == states


def test_county_is_a_jurisdiction_and_co_before_a_role_means_county() -> None:
    assert name_key("Warrick Co SO").jurisdictions == {"county"}
    assert name_key("Hudson City Police Department").jurisdictions == {"city"}


def test_transliteration_keeps_accented_names_comparable() -> None:
    assert name_key("Española Police Department").core == name_key("Espanola PD").core


def test_one_typo_in_five_letters_is_still_a_typo() -> None:
    """The 0.8 similarity boundary is inclusive (rapidfuzz's early exit must not cut it off)."""
    from daylight.registry.matching import compare_cores

    comparison = compare_cores(("sames",), ("games",))
    assert comparison.matched == 1 and abs(comparison.similarity - 0.8) < 1e-9
    assert compare_cores(("northwood",), ("southwood",)).matched == 0  # compass words differ
    assert compare_cores(("pima",), ("pina",)).matched == 0  # short words: a letter is a place


@pytest.mark.parametrize(("name", "expected"), [
    ("POLICE SERVICE DOGS, INC.", True), ("SOUTHERN POLICE CANINE INC", True),
    ("SP PLUS CORPORATION", True), ("CREATIVE CORRECTIONS, L.L.C.", True), ("SUN BADGE CO.", True),
    ("GWWH A JOINT VENTURE", True), ("IMPERIAL, COUNTY (INC)", True),
    ("Warrick Co. Sheriff's Office", False), ("UNIVERSITY OF TEXAS AT ARLINGTON", False),
    ("NATIONAL SHERIFFS ASSOCIATION", False),
])
def test_legal_forms_are_whole_words(name: str, expected: bool) -> None:
    """Inc., LLC, Corp. (dotted or not) and a final Co.; not rigour's "at" or a "Co." for county."""
    assert has_legal_form(name) is expected


# Fictional people: the names the sources give individuals take these shapes.
@pytest.mark.parametrize(("name", "sole_proprietor", "expected"), [
    ("JANE Q ROE", False, True),            # given, initial, surname
    ("ROE JANE Q", False, True),            # surname first
    ("ROE, JANE", False, True),             # "SURNAME, GIVEN"
    ("JOHN R DOE JR.", False, True),        # a suffix
    ("ROBERT PAUL DOE", False, True),       # three words, a common given name first
    ("ROE, JANE M ARBITRATOR AND MEDIATOR", False, False),  # a trade after the name...
    ("ROE, JANE M ARBITRATOR AND MEDIATOR", True, True),    # ...a person if USAspending says so
    ("POLICE SERVICE DOGS, INC.", False, False),  # a legal form
    ("DOE CONSULTING LLC", False, False),
    ("COUNTY OF PARK", False, False),       # a jurisdiction
    ("NATIONAL SHERIFFS ASSOCIATION", False, False),  # a role
    ("FLIGHT SUITS", False, False),         # an industry word
    ("RED ORANGE NORTH AMERICA", False, False),  # a place
    ("R K CONSTRUCTION", False, False),     # two initials
    ("24/7 DELIVERY SERVICE", False, False),
    ("INN ON BOURBON", False, False),       # a connective
])
def test_personal_names(name: str, sole_proprietor: bool, expected: bool) -> None:
    assert is_personal_name(name, sole_proprietor=sole_proprietor) is expected
