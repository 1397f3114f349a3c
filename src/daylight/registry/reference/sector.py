"""Which sector a public body is in, from its federal agency code or its name.

Federal sub-tier agencies are classified by code (ICE 7012 and CBP 7014 are immigration
enforcement; FBI 1549, DEA 1524, USMS 1544, ATF, BOP, Secret Service, the Army's and the Air
Force's criminal investigators are law enforcement) or, for intelligence agencies whose codes
vary, the Coast Guard and offices of inspector general, by name; the Department of Defense
and its services are military — unless the name states a law-enforcement body (a Marshals
Service listed under Defense's code is the Marshals). Other bodies are classified by the role
their name states; a name that states none is ``other_government``: a city or a county is not a
police force.
"""

from __future__ import annotations

import re

from daylight.registry.names import LAW_ENFORCEMENT_ROLES, name_key

IMMIGRATION_AGENCY_CODES = frozenset({"7012", "7014"})
LAW_ENFORCEMENT_AGENCY_CODES = frozenset({
    "1549",  # Federal Bureau of Investigation
    "1524",  # Drug Enforcement Administration
    "1544",  # U.S. Marshals Service
    "1540",  # Federal Prison System / Bureau of Prisons
    "1560",  # Bureau of Alcohol, Tobacco, Firearms and Explosives
    "7009",  # U.S. Secret Service (DHS)
    "2028",  # U.S. Secret Service (Treasury, historical)
    "1528",  # Immigration and Naturalization Service (historical; enforcement and services)
    "1810",  # U.S. Postal Inspection Service (postal inspectors: federal agents; build 10)
    "1938",  # Bureau of Diplomatic Security (its special agents; build 10)
    # build 11: the armed services' criminal investigators, classified "military" by their
    # departments' codes, so that an account of either was beyond the law-enforcement rules
    "21CB",  # U.S. Army Criminal Investigation Command
    "5707",  # Air Force Office of Special Investigations
})
MILITARY_CGAC_CODES = frozenset({"097", "017", "021", "057"})
_INTELLIGENCE_WORDS = ("intelligence", "national security agency", "reconnaissance office",
                       "central intelligence")
_IMMIGRATION_WORDS = ("immigration and customs enforcement", "customs and border protection",
                      "border patrol")
# an intelligence agency's own police force (BJS's census of federal officers lists the NSA
# Police and the CIA's Security Protective Service): its officers arrest, its agency does not
_POLICE_FORCE = re.compile(r"\bpolice\b|\bprotective service\b")

# "Inspector General" spelled out, or as the .gov registry abbreviates it ("Special IG for
# Pandemic Recovery"; "IG" and "OIG" in capitals only)
_INSPECTOR_GENERAL = re.compile(r"(?i:\binspector general\b)|\bO?IG\b")


def names_an_inspector_general(name: str) -> bool:
    """Whether ``name`` names an office of inspector general."""
    return _INSPECTOR_GENERAL.search(name) is not None


def _intelligence(lowered: str) -> bool:
    """An intelligence agency's name that is not its police force's."""
    return (any(w in lowered for w in _INTELLIGENCE_WORDS) and "commission" not in lowered
            and _POLICE_FORCE.search(lowered) is None)


def federal_sector(subtier_code: str, cgac_code: str, name: str, *, executive: bool = True
                   ) -> str:
    """The sector of a federal sub-tier agency (``executive``: of the executive branch, which
    the Inspector General Act's law-enforcement powers are for)."""
    lowered = name.lower()
    if subtier_code in IMMIGRATION_AGENCY_CODES or any(w in lowered for w in _IMMIGRATION_WORDS):
        return "immigration_enforcement"
    if _intelligence(lowered):
        return "intelligence"
    if subtier_code in LAW_ENFORCEMENT_AGENCY_CODES:
        return "law_enforcement"
    if "coast guard" in lowered:
        # by name (USAspending's 7008 and 6950, and the FBI roster's, which has no code): its
        # boarding officers and agents enforce federal law at sea (14 U.S.C. 522)
        return "law_enforcement"
    if names_an_inspector_general(name) and executive:
        # an executive office of inspector general: its special agents carry the law-enforcement
        # powers of the Inspector General Act (5 U.S.C. 406(f)); the FBI roster lists them. The
        # legislative branch's (the Architect of the Capitol's, the Capitol Police's) are not
        # under that Act: their name's role decides, as for any body
        return "law_enforcement"
    if name_key(name).role in LAW_ENFORCEMENT_ROLES - {"task_force"}:  # a task force on anything
        # the name states a law-enforcement body, whatever department funds it: "Department of
        # Justice U.S. Marshals Service" is listed under Defense's code 097
        return "law_enforcement"
    if cgac_code in MILITARY_CGAC_CODES:
        return "military"
    return "other_government"


def public_body_sector(name: str) -> str:
    """The sector of a public body from its name: law enforcement if its role says so."""
    lowered = name.lower()
    if any(w in lowered for w in _IMMIGRATION_WORDS):
        return "immigration_enforcement"
    if _intelligence(lowered):
        return "intelligence"
    role = name_key(name).role
    if role in LAW_ENFORCEMENT_ROLES:
        return "law_enforcement"
    return "other_government"
