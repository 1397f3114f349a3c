"""The publish flow on a fixed clock: the version, its log entry and the listing all carry the
clock's time."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from daylight.core.clock import fixed_clock
from daylight.core.database import Database
from daylight.flows.publish import list_policies, publish_packs
from daylight.log.service import TransparencyLog

AT = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def test_publish_on_a_fixed_clock(database: Database, log: TransparencyLog) -> None:
    publication = publish_packs(database, log, ["employee-demands"], clock=fixed_clock(AT))
    assert publication.published and publication.version.version == 1
    assert publication.version.published_at == "2026-11-03T09:30:00Z"
    assert publication.version.effective_from == "2026-11-03T09:30:00Z"
    entry = json.loads(log.entry(publication.version.log_index))
    assert (entry["type"], entry["time"]) == ("policy.version", "2026-11-03T09:30:00Z")
    listing = list_policies(database, clock=fixed_clock(AT)).to_json()
    assert listing["in_force"]["version"] == 1
    assert list_policies(database, clock=fixed_clock(datetime(2026, 11, 2, tzinfo=UTC))
                         ).in_force is None  # not yet in force the day before
