"""The report's published formats: CSV cells that cannot run as formulas, tlog-proof and
SHA256SUMS round trips, contact details never published."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from daylight.core.errors import InputError
from daylight.report.data import redact_contacts
from daylight.report.formats import (
    ORGANIZATIONS,
    SUPPORTS,
    USAGE,
    csv_cell,
    parse_sha256sums,
    row_id,
    sha256sums_text,
)
from daylight.report.proofs import TlogProof

CHECKPOINT = "example.com/log\n3\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— example.com/log abcd\n"


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_text_cells_that_a_spreadsheet_would_run_are_neutralised(text: str) -> None:
    cell = csv_cell(ORGANIZATIONS.field("organization_name"), text)
    assert cell == "'" + text
    assert csv_cell(ORGANIZATIONS.field("supports"), [text, "x"]).startswith("'")


def test_numbers_stay_numbers_even_when_negative() -> None:
    assert csv_cell(SUPPORTS.field("amount"), -500) == "-500"
    assert csv_cell(USAGE.field("calls"), 12) == "12"
    assert csv_cell(USAGE.field("suppressed"), True) == "true"
    assert csv_cell(SUPPORTS.field("end_date"), None) == ""


def test_row_ids_are_stable_and_distinct_per_table() -> None:
    assert row_id("usage", "a", "s", "o") == row_id("usage", "a", "s", "o")
    assert row_id("usage", "a", "s", "o") != row_id("usage", "a", "so", "")
    assert row_id("organizations", "a").startswith("org-")


@given(index=st.integers(0, 2**63), hashes=st.lists(st.binary(min_size=32, max_size=32),
                                                    max_size=8),
       extra=st.one_of(st.none(), st.binary(max_size=64)))
def test_tlog_proofs_round_trip(index: int, hashes: list[bytes], extra: bytes | None) -> None:
    proof = TlogProof(index, tuple(hashes), CHECKPOINT, extra)
    assert TlogProof.from_text(proof.to_text()) == proof


@pytest.mark.parametrize("text", [
    "c2sp.org/tlog-proof@v2\nindex 1\n\n" + CHECKPOINT,
    "c2sp.org/tlog-proof@v1\nindex 01\n\n" + CHECKPOINT,
    "c2sp.org/tlog-proof@v1\nindex 1\nAAAA\n\n" + CHECKPOINT,
    "c2sp.org/tlog-proof@v1\nindex 1\n",
])
def test_malformed_proofs_are_refused(text: str) -> None:
    with pytest.raises(InputError):
        TlogProof.from_text(text, where="p.tlog-proof")


def test_sha256sums_round_trip_and_refuse_paths_outside() -> None:
    hashes = {"data/usage.csv": "a" * 64, "index.html": "b" * 64}
    assert parse_sha256sums(sha256sums_text(hashes)) == hashes
    for bad in (f"{'a' * 64}  ../secret\n", f"{'a' * 64} x\n", f"{'a' * 64}  /etc/passwd\n"):
        with pytest.raises(InputError):
            parse_sha256sums(bad)


def test_emails_and_phone_numbers_are_removed_from_published_text() -> None:
    assert redact_contacts("call 555-123-4567 or (555) 123-4567, mail jo.doe@agency.gov") == \
        "call [removed] or [removed], mail [removed]"
    assert redact_contacts("Contract 70CTD019FR0000268, 2021-06-10") == \
        "Contract 70CTD019FR0000268, 2021-06-10"
