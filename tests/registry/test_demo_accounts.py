"""The demo's SYNTHETIC accounts are typed as agencies type their names, never garbled."""

from __future__ import annotations

from daylight.registry.demo import build_demo_accounts
from daylight.registry.organization import Organization
from daylight.registry.reference.shipped import Reference

COUNTY_AGENCIES = (
    Organization("ori:XX0010000", "Warrick County law enforcement agency", "law_enforcement",
                 role="county_le", state="IN"),
    Organization("ori:XX0020000", "Ector County Sheriff's Office", "law_enforcement",
                 role="county_le", state="TX"),
)


def test_a_county_agency_already_named_as_a_sheriff_is_not_named_twice() -> None:
    accounts = build_demo_accounts(Reference(COUNTY_AGENCIES, ()), 200, agency_share=1.0)
    names = {account.name for account in accounts}
    assert "Ector County Sheriff's Office" in names  # as the source wrote it
    assert names - {"Ector County Sheriff's Office"} == {
        "Warrick County Sheriff's Office", "Warrick County Sheriff"}  # the roster's, as typed
