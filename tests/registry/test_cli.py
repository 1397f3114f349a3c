"""The registry's command-line contract, in-process, on SQLite and PostgreSQL homes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from followthemoney import model

from daylight.registry.support import SUPPORT_KINDS
from tests.cli.conftest import Cli
from tests.registry.conftest import SUBSET

ACCOUNTS_CSV = """account_id,name,email_domains,city,state,country,created_at
c1,Warrick County IN SO,,,IN,US,2024-01-02
c2,Alachua Police Department,alachuapd.gov,Alachua,FL,US,2024-01-02T09:30:00Z
c3,THE GEO GROUP INC,geogroup.com,Boca Raton,FL,US,2024-03-01
c4,Springfield Police Dept,,,,US,2024-03-01
c5,Saffron Textiles Ltd,,,,GB,2024-03-01
"""


@pytest.fixture
def registry_cli(tmp_path: Path, database_url: str) -> Cli:
    url = None if database_url.startswith("sqlite") else database_url
    cli = Cli(tmp_path / "home", url)
    cli("init", "--origin", "registry.daylight.invalid/log")
    assert cli.json("reference", "load", "--from", str(SUBSET))["loaded"] is True
    return cli


def test_import_screen_show_list_review(registry_cli: Cli, tmp_path: Path) -> None:
    cli = registry_cli
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS_CSV, encoding="utf-8")
    assert cli.json("accounts", "import", str(path)) == {
        "imported": 5, "updated": 0, "unchanged": 0, "not_in_file": 0, "changes": [],
        "rescreened": None}
    counts = cli.json("screen")
    assert counts["screened"] == 5
    assert counts["accepted"] + counts["review"] + counts["rejected"] == 5
    shown = cli.json("accounts", "show", "c2")
    assert set(shown) == {"account", "organization", "match", "classification", "history"}
    assert shown["history"] == []
    assert shown["account"]["email_domains"] == ["alachuapd.gov"]
    assert set(shown["organization"]) >= {"id", "name", "sector", "identifiers"}
    assert shown["organization"]["identifiers"]["domain"] == "alachuapd.gov"
    assert shown["match"]["status"] == "accepted"
    assert shown["match"]["features"]["domain"]["weight"] > 0
    assert shown["classification"]["sector"] == "law_enforcement"
    geo = cli.json("accounts", "show", "c3", "--as-of", "2026-11-23")
    (support,) = geo["classification"]["supports"]
    assert support["sector"] == "immigration_enforcement"
    assert geo["classification"]["during"] == {"start": "2026-11-23", "end": "2026-11-23"}
    kept = support["support"]["kept"]
    assert kept and all(e["start"] and e["end"] and e["dates"] and e["why"] for e in kept)
    assert all(e["kind"] in SUPPORT_KINDS and e["rule"] for e in kept)
    # long before any award the subset holds, GEO supported nothing: every edge is "not yet"
    early = cli.json("accounts", "show", "c3", "--as-of", "2001-01-01")["classification"]
    assert early["supports"] == []
    assert all(e["why"].startswith("not yet") for e in early["not_supported"][0]["support"]["dropped"])
    bad = cli("accounts", "show", "c3", "--as-of", "yesterday", ok=False)
    assert bad.exit_code != 0 and "--as-of" in bad.stderr
    lines = cli("accounts", "list", "--json").stdout.splitlines()
    assert [json.loads(line)["account"]["account_id"] for line in lines] == ["c1", "c2", "c3", "c4", "c5"]
    queue = [json.loads(line) for line in cli("review", "list").stdout.splitlines()]
    assert [item["account"]["account_id"] for item in queue] == ["c4"]
    decided = cli.json("review", "decide", "c4", queue[0]["candidate"]["id"], "unsure",
                       "--note", "no state given", "--by", "SYNTHETIC.Reviewer@provider.example")
    assert decided["verdict"] == "unsure" and decided["reviewer"].startswith("reviewer-")
    assert "provider.example" not in json.dumps(decided).lower()
    entry = json.loads(cli("log", "entry", str(decided["log_index"])).stdout)
    assert entry["payload"]["reviewer"] == decided["reviewer"]
    again = cli("review", "decide", "c4", queue[0]["candidate"]["id"], "same", "--note", "x",
                "--by", "synthetic.reviewer@provider.example", ok=False)
    assert again.exit_code == 4
    unnamed = cli("review", "decide", "c4", queue[0]["candidate"]["id"], "same", "--note", "x",
                  ok=False)
    assert unnamed.exit_code == 2 and "--by" in unnamed.stderr


def test_accounts_show_lists_each_resync_with_old_and_new_values(registry_cli: Cli,
                                                                tmp_path: Path) -> None:
    cli = registry_cli
    header = "account_id,name,email_domains,city,state,country,created_at\n"
    versions = ["c1,Quartz Bakery LLC,gmail.com,Austin,TX,US,2024-01-02\n",
                "c1,Warrick Co. Sheriff's Office,,Boonville,IN,US,2024-01-02\n",
                "c1,Warrick County Sheriff's Office,warrickso.example,Boonville,IN,US,2024-01-02\n"]
    indexes = []
    for n, line in enumerate(versions):
        path = tmp_path / f"crm-{n}.csv"
        path.write_text(header + line, encoding="utf-8")
        indexes += [c["log_index"] for c in cli.json("accounts", "import", str(path))["changes"]]
    history = cli.json("accounts", "show", "c1")["history"]
    assert [r["log_index"] for r in history] == indexes and len(indexes) == 2
    assert history[0]["fields"] == ["name", "email_domains", "city", "state"]
    assert history[0]["changes"][:2] == [
        {"field": "name", "old": "Quartz Bakery LLC", "new": "Warrick Co. Sheriff's Office"},
        {"field": "email_domains", "old": ["gmail.com"], "new": []}]
    assert history[1]["changes"] == [
        {"field": "name", "old": "Warrick Co. Sheriff's Office",
         "new": "Warrick County Sheriff's Office"},
        {"field": "email_domains", "old": [], "new": ["warrickso.example"]}]
    for revision in history:  # each names the entry that logged it (the fields, not the values)
        entry = json.loads(cli("log", "entry", str(revision["log_index"])).stdout)
        assert entry["type"] == "registry.account_change"
        assert entry["payload"] == {"account_id": "c1", "fields": revision["fields"]}
        assert revision["changed_at"] == entry["time"]
    listed = json.loads(cli("accounts", "list", "--json").stdout.splitlines()[0])
    assert "history" not in listed


def test_bad_file_is_refused_whole(registry_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text(ACCOUNTS_CSV + "c6,,,,,US,2024-01-01\n", encoding="utf-8")
    result = registry_cli("accounts", "import", str(path), ok=False)
    assert result.exit_code == 2
    assert "accounts.csv:7: name" in result.stderr
    assert registry_cli("accounts", "list", "--json").stdout == ""


def test_export_ftm_loads_with_followthemoney(registry_cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "registry.ftm.json"
    summary = registry_cli.json("registry", "export-ftm", str(out))
    entities = [model.get_proxy(json.loads(line)) for line in out.read_text().splitlines()]
    assert summary["entities"] == len(entities)
    by_schema: dict[str, int] = {}
    for entity in entities:
        by_schema[entity.schema.name] = by_schema.get(entity.schema.name, 0) + 1
    assert {"PublicBody", "Company", "Contract", "ContractAward", "UnknownLink"} <= set(by_schema)
    ids = {e.id for e in entities}
    for award in (e for e in entities if e.schema.name == "ContractAward"):
        assert award.first("supplier") in ids and award.first("contract") in ids
        assert award.first("currency") == "USD"
        assert award.first("startDate") and award.first("endDate")
        assert award.first("summary").startswith("dates: ")  # how the dates are known
        assert "kind of support: " in award.first("summary")
    links = [e for e in entities if e.schema.name == "UnknownLink"
             and "287(g)" in (e.first("role") or "")]
    assert links and all("ongoing as of 2025-07-03" in (e.first("summary") or "") for e in links
                         if e.first("endDate") == "2025-07-03")
    assert all(e.first("role").startswith("agreement_with: 287(g)") for e in links)
    ice = next(e for e in entities if "U.S. Immigration and Customs Enforcement" in e.get("name"))
    assert ice.schema.name == "PublicBody" and "immigration_enforcement" in ice.get("sector")
    # a curated acquisition carries the date, document and address its source gives
    (bi,) = [e for e in entities if e.schema.name == "Ownership" and "B.I." in (e.first("role") or "")]
    assert bi.first("startDate") == "2011-02-11"
    assert bi.first("sourceUrl").startswith("https://www.sec.gov/Archives/edgar/data/923796/")


def test_screen_refuses_an_empty_registry(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", None)
    cli("init", "--origin", "registry.daylight.invalid/log")
    result = cli("screen", ok=False)
    assert result.exit_code == 2 and "reference load" in result.stderr


def test_export_ftm_to_a_place_it_cannot_write_is_a_one_line_error(
        registry_cli: Cli, tmp_path: Path) -> None:
    for target, says in ((tmp_path, "is a directory"),
                         (tmp_path / "missing" / "x.jsonl", "no such directory")):
        result = registry_cli("registry", "export-ftm", str(target), ok=False)
        assert result.exit_code != 0 and says in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not list(tmp_path.parent.glob("*.partial")) and not list(tmp_path.glob("*.partial"))


def test_registry_search_ranks_candidates_with_names_and_sectors(registry_cli: Cli) -> None:
    lines = registry_cli("registry", "search", "Warrick Co Sheriffs Dept", "--state", "IN",
                         "--limit", "3").stdout.splitlines()
    found = [json.loads(line) for line in lines]
    assert 1 <= len(found) <= 3
    assert found[0]["organization_id"] == "ori:IN0870000"
    assert found[0]["sector"] == "law_enforcement" and found[0]["name"]
    assert [f["score"] for f in found] == sorted((f["score"] for f in found), reverse=True)
    bad = registry_cli("registry", "search", "Acme", "--state", "XX", ok=False)
    assert bad.exit_code == 2 and "--state" in bad.stderr
    # longer than an account's name may be: its cost grows with it (0.7 s of CPU and 2.8 MB
    # answered for 18,800 characters over HTTP, the probe of issue 14)
    long = registry_cli("registry", "search", "Warrick County " * 21, ok=False)
    assert long.exit_code == 2 and long.stderr.startswith("error: NAME: a name is at most 300")


def test_catalog_list_and_version(registry_cli: Cli) -> None:
    listing = registry_cli.json("catalog", "list")
    assert {s["id"] for s in listing["services"]} >= {"vision", "compute"}
    face = next(op for s in listing["services"] for op in s["operations"] if op["id"] == "face.search")
    assert "biometric_identification" in face["capabilities"]
    assert {"purpose": "identity_verification", "packs": ["azure-face-limited-access"]} in listing["purposes"]
    assert registry_cli("--version").stdout.startswith("daylight ")


def test_unknown_column_names_the_expected_ones(registry_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "accounts.csv"
    path.write_text("account_id,nom\nx,y\n", encoding="utf-8")
    failed = registry_cli("accounts", "import", str(path), ok=False)
    assert failed.exit_code == 2
    assert "unknown column `nom`; expected the columns account_id, name, email_domains" in failed.stderr


def test_accounts_list_into_a_pipe_closed_early_says_nothing_more(registry_cli: Cli,
                                                                  tmp_path: Path) -> None:
    """`daylight accounts list --json | head -1`: the reader goes away after one line; the
    command stops quietly (exit 1, as click does for EPIPE) instead of printing a traceback
    of its database cursor, closed under a still-open generator (the probe of issue 14)."""
    import os
    import subprocess
    import sys

    path = tmp_path / "accounts.csv"
    more = "".join(f"s{n:03},SYNTHETIC Shop {n},,,,US,2024-03-01\n" for n in range(600))
    path.write_text(ACCOUNTS_CSV + more)  # lines well over a pipe's 64 KiB buffer
    registry_cli("accounts", "import", str(path))
    args = ["--home", str(registry_cli.home)]
    if registry_cli.database_url:
        args += ["--database-url", registry_cli.database_url]
    reader, writer = os.pipe()
    with subprocess.Popen([sys.executable, "-m", "daylight.cli.main", *args, "accounts", "list",
                           "--json"], stdout=writer, stderr=subprocess.PIPE) as process:
        os.close(writer)
        with os.fdopen(reader, "rb") as stdout:
            assert json.loads(stdout.readline())["account"]["account_id"] == "c1"
        stderr = process.stderr.read() if process.stderr else b""  # the reader is gone
    assert process.returncode == 1, stderr
    assert b"Traceback" not in stderr and b"Exception ignored" not in stderr, stderr.decode()
