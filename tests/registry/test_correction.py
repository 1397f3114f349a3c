"""Corrections: filed by anyone, reviewed once, logged at each step; an accepted one overrides the
classification from its date (in `accounts show` and in the gate) until a newer reference build."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from daylight.core.database import Database
from daylight.core.errors import ConflictError, InputError, NotFoundError
from daylight.flows.accounts import show_account
from daylight.flows.correction import (
    CorrectionFiling,
    CorrectionReview,
    file_correction,
    list_corrections,
    review_correction,
)
from daylight.log.service import TransparencyLog
from daylight.policy.catalog import default_catalog
from daylight.policy.gate import Gate
from daylight.policy.pack import load_pack
from daylight.policy.versions import publish
from daylight.registry.accounts import Account
from daylight.registry.reference.shipped import Reference
from daylight.registry.service import import_accounts, load_reference, screen_accounts
from tests.cli.conftest import Cli
from tests.registry.conftest import NOW, SUBSET

GEO = Account("geo", "THE GEO GROUP INC", ("geogroup.com",), "Boca Raton", "FL", "US", "2024-03-01")
CONTRACTORS = "employee-demands/no-platform-for-immigration-enforcement-contractors"


def _entries(log: TransparencyLog) -> list[dict[str, object]]:
    return [json.loads(log.entry(i)) for i in range(log.tree_size())]


def test_an_accepted_correction_overrides_from_its_date_until_a_newer_build(
        loaded: Database, log: TransparencyLog, subset: Reference) -> None:
    import_accounts(loaded, [GEO], NOW)
    screen_accounts(loaded, log, NOW)
    before = show_account(loaded, "geo", "2026-06-01").to_json()["classification"]
    assert [s["sector"] for s in before["supports"]] == ["immigration_enforcement"]
    filed = file_correction(loaded, log, CorrectionFiling(
        "organization:company:geo-group", "SYNTHETIC claim: the CBP award was novated",
        ("https://example.org/SYNTHETIC-notice",)), NOW)
    assert json.loads(log.entry(filed.log_index))["payload"]["claim"].startswith("SYNTHETIC")
    # filed but not reviewed: nothing changes
    unchanged = show_account(loaded, "geo", "2026-06-01").to_json()["classification"]
    assert unchanged["supports"] == before["supports"]
    reviewed = review_correction(loaded, log, CorrectionReview(
        filed.correction.correction_id, "trust-and-safety", "accept",
        "SYNTHETIC: the novation notice checks out", "2026-05-01"), NOW)
    assert reviewed.accounts == 1 and reviewed.correction.status == "accepted"
    entry = json.loads(log.entry(reviewed.log_index))
    assert entry["type"] == "registry.correction_review"
    assert entry["payload"]["decides"] == filed.log_index  # names the entry it decides
    after = show_account(loaded, "geo", "2026-06-01").to_json()["classification"]
    assert after["supports"] == []
    (dropped,) = after["not_supported"]
    assert dropped["support"]["correction"]["correction_id"] == filed.correction.correction_id
    # the award that ended 2024-10-17 was out of the window anyway, and so were the three of its
    # subsidiary B.I. Incorporated (2021-2022, held since the acquisition of 2011-02-11); the two
    # in force are corrected
    assert sorted(e["why"].split(":")[0] for e in dropped["support"]["dropped"]) == [
        "corrected", "corrected", "ended long ago", "ended long ago", "ended long ago",
        "ended long ago"]
    assert sum(e["via"] == "company:b-i" for e in dropped["support"]["dropped"]) == 3
    # before its effective date the classification stands
    assert show_account(loaded, "geo", "2026-04-01").to_json()["classification"]["supports"]
    # the gate sees it (as of its clock's day), with no restart
    catalog = default_catalog()
    publish(loaded, log, [load_pack("employee-demands")], catalog, NOW,
            effective_from=datetime(2026, 1, 1, tzinfo=UTC))
    at = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert Gate(loaded, catalog, now=lambda: at).decide("geo", "compute.instance").allowed
    earlier = datetime(2026, 4, 1, 12, tzinfo=UTC)  # before the correction's date: still refused
    refused = Gate(loaded, catalog, now=lambda: earlier).decide("geo", "compute.instance")
    assert [r.policy for r in refused.reasons] == [CONTRACTORS]
    with pytest.raises(ConflictError):
        review_correction(loaded, log, CorrectionReview(
            filed.correction.correction_id, "someone.else@provider.example", "reject", "too late"), NOW)
    # a newer reference build supersedes it
    newer = Reference(subset.organizations, subset.relationships[:-1])
    load_reference(loaded, log, newer, NOW)
    (stored,) = list_corrections(loaded)
    assert stored.superseded
    assert show_account(loaded, "geo", "2026-06-01").to_json()["classification"]["supports"]


def test_corrections_refuse_bad_input(loaded: Database, log: TransparencyLog) -> None:
    size = log.tree_size()
    with pytest.raises(InputError, match="organization:ID"):
        file_correction(loaded, log, CorrectionFiling("company:geo-group", "x"), NOW)
    with pytest.raises(NotFoundError):
        file_correction(loaded, log, CorrectionFiling("organization:company:nobody", "x"), NOW)
    with pytest.raises(InputError, match="http"):
        file_correction(loaded, log, CorrectionFiling("organization:company:geo-group", "x",
                                                      ("javascript:alert(1)",)), NOW)
    with pytest.raises(InputError):
        file_correction(loaded, log, CorrectionFiling("organization:company:geo-group", "  "), NOW)
    with pytest.raises(NotFoundError):
        review_correction(loaded, log, CorrectionReview("corr-none", "r", "accept", "why"), NOW)
    filed = file_correction(loaded, log, CorrectionFiling("organization:company:geo-group", "x"), NOW)
    for bad in (CorrectionReview(filed.correction.correction_id, "r", "maybe", "why"),
                CorrectionReview(filed.correction.correction_id, "r", "accept", "why", "soon"),
                CorrectionReview(filed.correction.correction_id, "r", "accept", "why", None,
                                 ("commercial",))):
        with pytest.raises(InputError):
            review_correction(loaded, log, bad, NOW)
    assert log.tree_size() == size + 1  # only the one good filing
    assert [c.status for c in list_corrections(loaded)] == ["filed"]


def test_correction_commands(tmp_path: Path, database_url: str) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "registry.daylight.invalid/log")
    cli("reference", "load", "--from", str(SUBSET))
    filed = cli.json("correction", "file", "--about", "organization:company:geo-group",
                     "--claim", "SYNTHETIC: no longer a contractor",
                     "--evidence", "https://example.org/a", "--evidence", "https://example.org/b")
    assert set(filed) == {"correction_id"}
    reviewed = cli.json("correction", "review", filed["correction_id"], "--by",
                        "SYNTHETIC.Reviewer@provider.example", "--decision", "reject",
                        "--rationale", "SYNTHETIC: the award is current")
    assert reviewed["status"] == "rejected" and reviewed["rationale"].startswith("SYNTHETIC")
    assert reviewed["reviewer"].startswith("reviewer-")
    entry = cli("log", "entry", str(reviewed["log_index"])).stdout
    assert json.loads(entry)["payload"]["reviewer"] == reviewed["reviewer"]
    (listed,) = [json.loads(line) for line in cli("correction", "list").stdout.splitlines()]
    assert listed["evidence"] == ["https://example.org/a", "https://example.org/b"]
    assert listed["about"] == "organization:company:geo-group"
    assert listed["reviewer"] == reviewed["reviewer"]
    for shown in (entry, json.dumps(reviewed), json.dumps(listed)):
        assert "provider.example" not in shown.lower()
    again = cli("correction", "review", filed["correction_id"], "--by", "r", "--decision", "accept",
                "--rationale", "x", ok=False)
    assert again.exit_code != 0 and "already reviewed" in again.stderr
    bad = cli("correction", "file", "--about", "geo", "--claim", "x", ok=False)
    assert bad.exit_code != 0 and "organization:ID" in bad.stderr


@pytest.mark.parametrize("char", ["\x9b", "\x7f", "\x85", "\u202e", "\u2028", "\ufeff", "\x1b"],
                         ids=["c1-csi", "del", "c1-nel", "bidi-override", "line-separator", "bom",
                              "escape"])
def test_a_claim_is_printable_text_as_an_objections_statement_is(char: str) -> None:
    """A claim is published and printed by `correction list`: a C1 control (CSI), DEL or a
    bidirectional override in it reached readers' terminals and pages as is (the probe of
    issue 14 found them accepted; the statements of objections refused them already)."""
    from daylight.registry.correction import check_text
    with pytest.raises(InputError, match="control characters") as caught:
        check_text(f"the claim{char} is this", "claim")
    assert caught.value.where == "claim"
    assert check_text("two lines\n\tand a tab, Ра𝗒раl =1+1", "claim")  # printable: kept
    # every kind of space is a space: a name typed with an ideographic or a no-break space
    assert check_text("東京都\u3000警察 and 10\u00a0km", "claim")


@pytest.mark.parametrize("url", ["https://[::1", "https://x.example:99999/", "https://x.example/\x9b31m",
                                 "https://x.example/\u202egnp", "https://x.example/\x7f", "https://:80/"],
                         ids=["bad-ipv6", "bad-port", "c1-csi", "bidi-override", "del", "no-host"])
def test_evidence_is_a_printable_http_url_or_a_named_error(url: str) -> None:
    """Evidence is published as a link: a URL urllib cannot split was a 500 of `POST
    /v1/corrections` (ValueError), and controls or bidi overrides in it were accepted (the
    probe of issue 14)."""
    from daylight.registry.correction import check_url
    with pytest.raises(InputError, match="not an http") as caught:
        check_url(url)
    assert caught.value.where == "--evidence"
    assert check_url(" https://x.example:8443/a?b=c#d ") == "https://x.example:8443/a?b=c#d"
