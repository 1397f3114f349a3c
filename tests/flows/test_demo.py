"""What `daylight demo` gets from the policy layer: the shipped packs published, decisions for
the demo world's SYNTHETIC accounts recorded and digested, and the usage period audited."""

from __future__ import annotations

from pathlib import Path

from daylight.core.period import parse_period
from daylight.core.settings import build_settings
from daylight.flows.demo import policy_demo, synthetic_usage_for_demo
from daylight.home import Home
from daylight.policy.store import read_decision_counts
from tests.cli.conftest import Cli
from tests.policy.conftest import WORLD, add_registry_accounts


def test_policy_demo(tmp_path: Path, database_url: str) -> None:
    url = None if database_url.startswith("sqlite") else database_url
    Cli(tmp_path / "home", url)("init", "--origin", "demo.daylight.invalid/log")
    home = Home(build_settings({"home": str(tmp_path / "home"), "database_url": url}, {}))
    try:
        add_registry_accounts(home.database(), WORLD)
        database, log, store = home.database(), home.log(writable=True), home.usage_store()
        synthetic_usage_for_demo(database, log, store, [a.account_id for a in WORLD],
                                 period=parse_period("2026-10"), rows=3000)
        result = policy_demo(database, log, store, period=parse_period("2026-10")).to_json()
        assert result["publication"]["version"] == 1
        assert result["publication"]["effective_from"] == "2026-10-01T00:00:00Z"
        assert len(result["publication"]["packs"]) == 4
        assert result["accounts"] == {"law_enforcement": 1, "immigration_enforcement": 1,
                                      "supports_immigration_enforcement": 1, "commercial": 1}
        assert result["decisions"]["denied"] > 0 and result["decisions"]["allowed"] > 0
        assert result["decision_digest"]["decisions"] == sum(result["decisions"].values())
        # decided as on the period's middle day, so that the period's report has them
        assert result["decision_digest"]["period"] == "2026-10-16"
        assert sum(c.decisions for c in read_decision_counts(database, parse_period("2026-10"))) \
            == sum(result["decisions"].values())
        audit = result["audit"]
        assert audit is not None and audit["findings"] > 0 and audit["calls_refused"] > 0
        assert audit["unknown_account_calls"] == 0
    finally:
        home.close()
