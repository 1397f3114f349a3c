"""Write the raw-data sample in this folder from the real files in ``shared/data``:
``python tests/registry/raw/make_sample.py [SHARED_DATA]`` (default ``../shared/data``).

Run by hand, never by the tests (tests read only files in the repository). Every row written is a
row of the real file, in the real file's order, header, delimiter, quoting, line ends and
encoding; the only change is that columns naming people or carrying contact data are dropped
(files read by column name) or blanked (Torn Apart's headerless files, read by position). Which
rows are kept, and why: SOURCES.md here.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
STATES = {"WY", "RI"}
NC_ORIS = {"NC0980000", "NC0980100", "NC0580300"}  # Wilson (county, city), Mars Hill: NC survey rows
FEDERAL_CODES = {"1500", "1524", "1544", "1549", "7000", "7003", "7012", "7014", "7022"}
FEDERAL_DOMAINS = {"ice.gov", "iprcenter.gov", "cbp.gov", "globalentry.gov", "dhs.gov", "uscis.gov",
                   "justice.gov", "fbi.gov", "dea.gov", "usmarshals.gov", "fema.gov"}
RECENT_AWARDS = {
    "CONT_AWD_70CTD019FR0000268_7012_GS35F0086U_4730",   # Palantir, ICE, FY21, one de-obligation
    "CONT_AWD_70CTD022FR0000170_7012_GS35F0086U_4730",   # Palantir, ICE, FY22-FY26
    "CONT_AWD_70B04C18P00000808_7014_-NONE-_-NONE-",     # Motorola Solutions, CBP, FY21-FY22
    "CONT_AWD_70B02C22P00000331_7014_-NONE-_-NONE-",     # Axon, CBP, FY22, one de-obligation
    "CONT_AWD_70B06C21P00000361_7014_-NONE-_-NONE-",     # Police Service Dogs, Inc., CBP
    "CONT_AWD_70B03C18P00000472_7014_-NONE-_-NONE-",     # an individual (CBP): name must not ship
}
OLD_AWARDS = {
    ("HSCETC13F00030", "GS35F0086U"),      # Palantir Technologies, fy13-fy15
    ("HSCETE11F00125", "GS35F0086U"),      # Palantir Technologies, a lone de-obligation
    ("HSCETC14C00002", ""),                # Palantir USG, fy17-fy18
    ("HSCETC12F00014", "GS06F0651Z"),      # PHACIL, one transaction in each of fy13-fy18
    ("HSCEMS13J00035", "HSCEMS13D00001"),  # Federal Cartridge Company (parent Alliant Techsystems)
    ("HSCEDM15F00067", "GS21F0065X"),      # Brown Point Facility Management Solutions (RI)
    ("HSCEMD16P00073", ""),                # an individual, flagged a sole proprietorship
}
ATLAS_EXTRA = {"AOS0249"}  # a CBP office (Boston Logan airport): an immigration-enforcement sub-office
NC_SURVEY_IDS = {"2837", "2831", "2639", "2942"}  # Wilson PD (Flock), Mars Hill PD (Rekor),
# Wake County ABC (not law enforcement), NC Central University PD (vendor "Unknown")
FLOCK_OUTSIDE = {"2065"}  # Pittsboro IN PD: the only Flock customer sharing with a WY agency

USASPENDING_CONTACT = ("recipient_address_line_1", "recipient_address_line_2", "recipient_zip_4_code",
                       "recipient_phone_number", "recipient_fax_number")
OFFICERS = tuple(f"highly_compensated_officer_{i}_{k}" for i in range(1, 6) for k in ("name", "amount"))
ATLAS_FREE_TEXT = ("Summary", *(f"Link {i}{s}" for i in (1, 2, 3)
                                for s in ("", " Snapshot", " Source", " Type")), "Link 2 Date", "Link 3 Date")

Row = list[str]


def _records(raw: str) -> list[Row]:
    return list(csv.reader(io.StringIO(raw, newline="")))


def _write(rows: Iterable[Row], *, ending: str, quote_all: bool = False, final_newline: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=ending,
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    writer.writerows(rows)
    text = buffer.getvalue()
    return text if final_newline else text[: -len(ending)]


def sample(shared: Path, relative: str, keep: Callable[[dict[str, str]], bool], *,
           drop: tuple[str, ...] = (), ending: str = "\n", quote_all: bool = False,
           final_newline: bool = True) -> int:
    """Copy the header and the rows ``keep`` accepts, without the ``drop`` columns."""
    raw = (shared / relative).read_bytes().decode("utf-8")
    header, *rows = _records(raw)
    chosen = [r for r in rows if keep(dict(zip(header, r, strict=False)))]
    for row in chosen:  # written back unchanged, each row is byte-identical to the real file's
        assert _write([row], ending=ending, quote_all=quote_all) in raw, (relative, row[:3])
    keep_cols = [i for i, name in enumerate(header) if name not in drop]
    text = _write(([r[i] for i in keep_cols if i < len(r)] + r[len(header):] for r in [header, *chosen]),
                  ending=ending, quote_all=quote_all, final_newline=final_newline)
    out = HERE / relative
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(text.encode("utf-8"))
    return len(chosen)


def sample_torn_apart(shared: Path) -> None:
    """fy13.csv (header) to fy18.csv (no header): every transaction of OLD_AWARDS, contact and
    annual revenue blanked."""
    header = _records((shared / "ice-contracts-2013-2018-tornapart/fy13.csv").read_text("utf-8"))[0]
    col = {name: i for i, name in enumerate(header)}
    for year in range(13, 19):
        relative = f"ice-contracts-2013-2018-tornapart/fy{year}.csv"
        raw = (shared / relative).read_text("utf-8")
        chosen = [r for r in _records(raw)[1 if year == 13 else 0:]
                  if (r[col["award_id_piid"]], r[col["parent_award_id"]]) in OLD_AWARDS]
        for row in chosen:
            assert _write([row], ending="\n") in raw, (relative, row[:3])
            for name in (*USASPENDING_CONTACT, "annual_revenue"):  # a sole proprietor's is personal
                row[col[name]] = ""
        (HERE / relative).parent.mkdir(parents=True, exist_ok=True)
        (HERE / relative).write_bytes(
            _write([header, *chosen] if year == 13 else chosen, ending="\n").encode("utf-8"))
        print(relative, len(chosen))


def main() -> None:
    shared = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/data")
    jobs: list[tuple[str, Callable[[dict[str, str]], bool], dict[str, Any]]] = [
        ("fbi-agencies-and-287g/fbi_lee_latest.csv",
         lambda r: r["state_abbr"] in STATES or r["ori"] in NC_ORIS, {}),
        ("fbi-agencies-and-287g/agreements.csv", lambda r: r["state"] == "WYOMING", {}),
        ("federal-agencies-usaspending/authoritative_agency_list.csv",
         lambda r: r["SUBTIER CODE"] in FEDERAL_CODES, {"ending": "\r\n"}),
        ("dotgov-domains/current-full-no-contacts.csv",
         lambda r: r["State"] in STATES or r["Domain name"] in FEDERAL_DOMAINS, {}),
        ("ice-local-government-contracts/us-local-gov-ice-contracts.csv",
         lambda r: r["recipient_state_code"] in STATES,
         {"ending": "\r\n", "drop": USASPENDING_CONTACT + OFFICERS}),
        ("ice-local-government-contracts/us-reg-state-gov-ice-contracts.csv",
         lambda r: r["recipient_state_code"] in STATES,
         {"ending": "\r\n", "drop": USASPENDING_CONTACT + OFFICERS}),
        *((f"cbp-ice-contracts-fy2021-2026/CBP_ICE_FY{y}_Contract_Obligations.csv",
           lambda r: r["Generated Award ID"] in RECENT_AWARDS, {"ending": "\r\n"})
          for y in range(2021, 2027)),
        ("atlas-of-surveillance-2020/Atlas_of_Surveillance-20201007.csv",
         lambda r: r["State"] in STATES or r["AOSNUMBER"] in ATLAS_EXTRA,
         {"quote_all": True, "drop": ATLAS_FREE_TEXT}),
    ]
    flock_names = {r[0]: r[1] for r in _records(
        (shared / "flock-alpr-private-eyes/agency20240426.csv").read_text("utf-8"))[1:]}
    flock_ids = {i for i, name in flock_names.items()
                 if any(f" {s} " in f" {name} " for s in STATES)} | FLOCK_OUTSIDE
    jobs += [
        ("flock-alpr-private-eyes/agency20240426.csv", lambda r: r["id"] in flock_ids, {}),
        ("flock-alpr-private-eyes/agency_access20240426.csv",
         lambda r: r["src_agency_id"] in flock_ids and r["external_agency_id"] in flock_ids
         and (r["src_agency_id"] not in FLOCK_OUTSIDE
              or flock_names[r["external_agency_id"]].endswith("WY PD")),
         {}),
        ("flock-alpr-private-eyes/latest_usage04262023.csv",
         lambda r: r["id"] in flock_ids - FLOCK_OUTSIDE, {}),
        ("flock-alpr-private-eyes/nc_agency_survey20240430.csv", lambda r: r["id"] in NC_SURVEY_IDS,
         {"ending": "\r\n", "final_newline": False}),
    ]
    for relative, keep, options in jobs:
        print(relative, sample(shared, relative, keep, **options))
    sample_torn_apart(shared)


if __name__ == "__main__":
    main()
