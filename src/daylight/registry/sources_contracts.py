"""Contract awards of ICE and CBP from USAspending: who supports immigration enforcement.

Three extracts, read in this order: ICE's awards to local and state governments (award level,
with UEI and parent), CBP and ICE transactions FY2021-2026 and ICE transactions FY2013-2018
(Torn Apart's copy of the raw USAspending files). Transactions are summed per award (de-
obligations included); an award already read at award level is not read again. Only the product
or service and industry descriptions are kept: the free-text transaction descriptions, addresses
and phone numbers are not.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from daylight.core.errors import InputError
from daylight.registry.builder import ReferenceBuilder, slug
from daylight.registry.names import LAW_ENFORCEMENT_ROLES, name_key
from daylight.registry.organization import Organization, Relationship
from daylight.registry.sector import public_body_sector
from daylight.registry.sources_agencies import read_csv

LOCAL_GOV_CONTRACTS = ("ice-local-government-contracts/us-local-gov-ice-contracts.csv",
                       "ice-local-government-contracts/us-reg-state-gov-ice-contracts.csv")
RECENT_CONTRACTS = tuple(f"cbp-ice-contracts-fy2021-2026/CBP_ICE_FY{y}_Contract_Obligations.csv"
                         for y in range(2021, 2027))
OLD_CONTRACTS = tuple(f"ice-contracts-2013-2018-tornapart/fy{y}.csv" for y in range(13, 19))
OLD_COLUMNS = ("awarding_sub_agency_code", "award_id_piid", "parent_award_id", "recipient_name",
               "recipient_state_code", "recipient_city_name", "recipient_duns", "recipient_parent_name",
               "recipient_parent_duns", "federal_action_obligation", "action_date",
               "product_or_service_code_description", "naics_description")
AGENCY_BY_CODE = {"7012": "us-agency:7012", "7014": "us-agency:7014"}
AGENCY_BY_NAME = {"ICE": "us-agency:7012", "CBP": "us-agency:7014"}


@dataclass
class Award:
    """One award's summed transactions."""

    key: str
    agency_id: str
    recipient: str
    state: str = ""
    city: str = ""
    uei: str = ""
    duns: str = ""
    parent: str = ""
    parent_uei: str = ""
    parent_duns: str = ""
    government: bool | None = None
    amount: float = 0.0
    dates: list[str] = field(default_factory=list)
    psc: str = ""
    naics: str = ""
    transactions: int = 0
    source: str = ""


def _amount(text: str, where: str) -> float:
    try:
        return float(text or 0)
    except ValueError as exc:
        raise InputError(f"`{text}` is not an amount", where=where) from exc


def _count(text: str, where: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise InputError(f"`{text}` is not a count", where=where) from exc


def _iso(date: str, where: str = "") -> str:
    """``2013-07-25``, ``25/07/2013`` or ``25/07/13 00:00`` as an ISO date."""
    date = date.split(" ")[0]
    if "/" in date:
        parts = date.split("/")
        if len(parts) != 3:
            raise InputError(f"`{date}` is not a date", where=where)
        day, month, year = parts
        year = year if len(year) == 4 else "20" + year
        return f"{year}-{month.zfill(2)}-{day.zfill(2)}"
    return date[:10]


def _local_awards(root: Path) -> list[Award]:
    awards = []
    for relative in LOCAL_GOV_CONTRACTS:
        rows = read_csv(root, relative, ("contract_award_unique_key", "recipient_name",
                                         "total_obligated_amount", "awarding_sub_agency_code"))
        for number, row in enumerate(rows, start=2):
            where = f"{relative}:{number}"
            agency = AGENCY_BY_CODE.get(row["awarding_sub_agency_code"])
            if agency is None:
                continue
            government = "t" in (row.get("us_local_government"), row.get("us_state_government"),
                                 row.get("us_government_entity"))
            awards.append(Award(
                key=row["contract_award_unique_key"], agency_id=agency, recipient=row["recipient_name"],
                state=row.get("recipient_state_code", ""), city=row.get("recipient_city_name", ""),
                uei=row.get("recipient_uei", ""), duns=row.get("recipient_duns", ""),
                parent=row.get("recipient_parent_name", ""), parent_uei=row.get("recipient_parent_uei", ""),
                parent_duns=row.get("recipient_parent_duns", ""), government=government,
                amount=_amount(row["total_obligated_amount"], where),
                dates=[d for d in (_iso(row.get("period_of_performance_start_date", ""), where),
                                   _iso(row.get("period_of_performance_current_end_date", ""), where))
                       if d],
                psc=row.get("product_or_service_code_description", ""),
                naics=row.get("naics_description", ""),
                transactions=_count(row.get("number_of_actions") or "1", where),
                source="usaspending-local-gov"))
    return awards


def _recent_awards(root: Path) -> list[Award]:
    awards: dict[str, Award] = {}
    for relative in RECENT_CONTRACTS:
        rows = read_csv(root, relative, ("Agency", "Recipient Name", "Federal Action Obligation",
                                         "Action Date", "Generated Award ID"))
        for number, row in enumerate(rows, start=2):
            key = row["Generated Award ID"]
            award = awards.get(key)
            agency = AGENCY_BY_NAME.get(row["Agency"])
            if agency is None:
                raise InputError(f"unknown agency `{row['Agency']}`", where=f"{relative}:{number}")
            if award is None:
                award = awards[key] = Award(key, agency, row["Recipient Name"],
                                            source="usaspending-cbp-ice-fy2021-2026")
            award.amount += _amount(row["Federal Action Obligation"], f"{relative}:{number}")
            award.dates.append(row["Action Date"])
            award.transactions += 1
            award.psc = award.psc or row["Product/Service Description"]
            award.naics = award.naics or row["NAICS Description"]
    return list(awards.values())


def _old_awards(root: Path) -> list[Award]:
    header_path = root / OLD_CONTRACTS[0]
    try:
        with header_path.open(encoding="utf-8", errors="replace", newline="") as handle:
            header = next(csv.reader(handle), [])
    except FileNotFoundError as exc:
        raise InputError(f"missing source file `{OLD_CONTRACTS[0]}`", where=str(root)) from exc
    col = {name: i for i, name in enumerate(header)}
    missing = [c for c in OLD_COLUMNS if c not in col]
    if missing:
        raise InputError(f"expected column `{missing[0]}`", where=f"{OLD_CONTRACTS[0]}:1")
    awards: dict[str, Award] = {}
    for position, relative in enumerate(OLD_CONTRACTS):
        try:
            handle = (root / relative).open(encoding="utf-8", errors="replace", newline="")
        except FileNotFoundError as exc:
            raise InputError(f"missing source file `{relative}`", where=str(root)) from exc
        with handle:
            reader = csv.reader(handle)
            if position == 0:
                next(reader)  # only fy13.csv has the header row
            for row in reader:
                where = f"{relative}:{reader.line_num}"
                if len(row) != len(header):
                    raise InputError(f"expected {len(header)} fields, got {len(row)}", where=where)
                agency = AGENCY_BY_CODE.get(row[col["awarding_sub_agency_code"]])
                if agency is None:
                    continue
                piid, parent_id = row[col["award_id_piid"]], row[col["parent_award_id"]]
                key = f"ICE_{piid}_{parent_id or '-NONE-'}"
                award = awards.get(key)
                if award is None:
                    award = awards[key] = Award(
                        key, agency, row[col["recipient_name"]], state=row[col["recipient_state_code"]],
                        city=row[col["recipient_city_name"]], duns=row[col["recipient_duns"]],
                        parent=row[col["recipient_parent_name"]],
                        parent_duns=row[col["recipient_parent_duns"]],
                        source="usaspending-ice-fy2013-2018")
                award.amount += _amount(row[col["federal_action_obligation"]], where)
                award.dates.append(_iso(row[col["action_date"]], where))
                award.transactions += 1
                award.psc = award.psc or row[col["product_or_service_code_description"]]
                award.naics = award.naics or row[col["naics_description"]]
    return list(awards.values())


def _is_public_body(award: Award) -> bool:
    if award.government is not None:
        return award.government
    key = name_key(award.recipient)
    lowered = award.recipient.lower()
    return key.role in LAW_ENFORCEMENT_ROLES or key.role == "government" or lowered.startswith(
        ("county of ", "city of ", "state of ", "town of ", "village of "))


def _recipient(builder: ReferenceBuilder, award: Award) -> str:
    source = f"{award.source}:{award.key}"
    if _is_public_body(award):
        found = builder.resolve_agency(award.recipient, award.state, city=award.city)
        if found is None:
            found = builder.by_identifier("uei", award.uei) if award.uei else None
        if found is None:
            return builder.add(Organization(
                id=f"recipient:{slug(award.recipient)}-{slug(award.state)}".rstrip("-"),
                name=award.recipient, sector=public_body_sector(award.recipient),
                role=name_key(award.recipient).role, state=award.state, city=award.city.title(),
                identifiers={k: (v,) for k, v in (("uei", award.uei), ("duns", award.duns)) if v},
                sources=(source,)))
        builder.merge(found, aliases=(award.recipient,),
                      identifiers={k: (v,) for k, v in (("uei", award.uei),) if v}, sources=(source,))
        return found
    return builder.company(award.recipient, source=source, state=award.state,
                           identifiers={"uei": award.uei, "duns": award.duns})


def add_contracts(builder: ReferenceBuilder, root: Path) -> None:
    """Every award as ``recipient supports agency``, with parents as ``subsidiary_of``."""
    seen: set[str] = set()
    for award in (*_local_awards(root), *_recent_awards(root), *_old_awards(root)):
        if award.key in seen or not award.recipient:
            continue
        seen.add(award.key)
        recipient = _recipient(builder, award)
        dates = sorted(d for d in award.dates if d)
        builder.relate(Relationship(
            id=f"award:{award.key}", kind="supports", source_id=recipient, target_id=award.agency_id,
            start_date=dates[0] if dates else "", end_date=dates[-1] if dates else "",
            amount=round(award.amount, 2), description=award.psc,
            evidence={"naics": award.naics, "transactions": str(award.transactions)},
            source=award.source))
        parent_core = name_key(award.parent).core if award.parent else ()
        if parent_core and parent_core != name_key(award.recipient).core and \
                builder.organizations[recipient].schema == "Company":
            parent = builder.company(award.parent, source=f"{award.source}:{award.key}",
                                     identifiers={"uei": award.parent_uei, "duns": award.parent_duns})
            if parent != recipient:
                builder.relate(Relationship(
                    id=f"subsidiary:{recipient}>{parent}", kind="subsidiary_of", source_id=recipient,
                    target_id=parent, evidence={"award_id": award.key}, source=award.source))
