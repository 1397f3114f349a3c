"""The report's published formats: CSV cells that cannot run as formulas, SHA256SUMS round
trips (the tlog-proof text: tests/log/test_tlog_proof.py), contact details never published."""

from __future__ import annotations

import pytest

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
